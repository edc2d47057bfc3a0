package org.jkvm.linux;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.jkvm.api.exit.VcpuExit;
import org.jkvm.api.uabi.KvmRegs;
import org.junit.jupiter.api.Test;

/**
 * A measurement, behind -Djkvm.long=true: how fast this host's KVM runs a tight long-mode loop (2M instructions).
 * Hardware virtualization takes about a millisecond; KVM's instruction emulator (e.g. under kvm_pvm) seconds.
 */
class GuestSpeedTest {

    @Test
    void tightLoopAtCpl0() throws Exception { tightLoop(false); }

    /** Under kvm_pvm, ring-3 guest code runs on the CPU directly while ring 0 is emulated. */
    @Test
    void tightLoopAtCpl3() throws Exception { tightLoop(true); }

    private static void tightLoop(boolean user) throws Exception {
        assumeTrue(Boolean.getBoolean("jkvm.long"), "skipped: a measurement, run with -Djkvm.long=true");
        try (Guest g = new Guest()) {
            g.writeGdt();
            g.writeIdentityPageTables();
            g.load(0x4000, 0xB9, 0x40, 0x42, 0x0F, 0x00, // mov ecx, 1000000
                0xFF, 0xC9,                              // l: dec ecx
                0x75, 0xFC,                              // jnz l
                0xE6, 0x10);                             // out 0x10, al (the I/O bitmap allows it at CPL 3)
            g.vcpu.setSregs(user ? Guest.userMode(g.vcpu.getSregs(), true) : Guest.longMode(g.vcpu.getSregs()));
            g.vcpu.setRegs(KvmRegs.zero().withRip(0x4000));
            long t = System.nanoTime();
            VcpuExit e = g.vcpu.run();
            long ns = System.nanoTime() - t;
            assertInstanceOf(VcpuExit.Io.class, e, () -> "exit " + e);
            System.out.printf("kvm (%s), CPL %d: 1,000,000 iterations of dec/jnz in %.1f ms (%.1f ns per instruction)%n",
                LinuxHypervisor.vendorModule(), user ? 3 : 0, ns / 1e6, ns / 2e6);
        }
    }
}
