package org.jkvm.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.jkvm.api.Vcpu;
import org.jkvm.api.exit.VcpuExit;
import org.jkvm.api.uabi.KvmRegs;
import org.junit.jupiter.api.Test;

/**
 * Two vCPUs on two threads with KVM's local APICs: the BSP starts the AP with INIT and a STARTUP IPI through its
 * ICR; the AP, blocked in KVM_RUN until then, begins in real mode at vector x 4 KiB.
 */
class SmpTest {

    @Test
    void bspStartsTheApWithInitSipi() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(1);
        try (Guest g = new Guest(4 << 20, true)) {
            Vcpu ap = g.vm.createVcpu(1);
            assertEquals(Vcpu.MP_STATE_UNINITIALIZED, ap.getMpState());
            g.writeGdt();
            g.writeIdentityPageTables();
            // map the local APIC page (as in InterruptTest)
            g.putU64(Guest.PDPT_AT + 3 * 8, 0x13000 | 0x3);
            g.putU64(0x13000 + 0x1F7 * 8, 0xFEE00000L & ~0x1FFFFFL | 0x83 | 0x18);
            g.load(0x4000,
                0xB8, 0xF0, 0x00, 0xE0, 0xFE, 0xC7, 0x00, 0xFF, 0x01, 0x00, 0x00, // SVR = 0x1ff: APIC on
                0xB8, 0x10, 0x03, 0xE0, 0xFE, 0xC7, 0x00, 0x00, 0x00, 0x00, 0x01, // ICR high: destination APIC 1
                0xB8, 0x00, 0x03, 0xE0, 0xFE, 0xC7, 0x00, 0x00, 0x45, 0x00, 0x00, // ICR low: INIT, assert
                0xC7, 0x00, 0x08, 0x46, 0x00, 0x00,                               // ICR low: STARTUP, vector 8
                0xE6, 0x12,                                                       // out 0x12, al
                0xEB, 0xFE);                                                      // jmp $
            g.load(0x8000, 0x8C, 0xC8,  // mov ax, cs
                0xE6, 0x13,             // out 0x13, al
                0xF4);                  // hlt
            g.vcpu.setSregs(Guest.longMode(g.vcpu.getSregs()));
            g.vcpu.setRegs(KvmRegs.zero().withRip(0x4000).withRsp(0x8000));

            Future<VcpuExit> apRun = pool.submit(ap::run); // blocks in KVM until the SIPI
            VcpuExit bsp = g.vcpu.run();
            assertEquals(0x12, assertInstanceOf(VcpuExit.Io.class, bsp, () -> "BSP exit " + bsp).port());
            VcpuExit a = apRun.get(10, TimeUnit.SECONDS);
            VcpuExit.Io io = assertInstanceOf(VcpuExit.Io.class, a, () -> "AP exit " + a);
            assertEquals(0x13, io.port());
            assertEquals(0x00, io.data().get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0) & 0xff, "CS = 0x0800: AL = 0");
            assertEquals(0x0800, ap.getSregs().cs().selector(), "CS = vector << 8");
            assertEquals(0x8000, ap.getSregs().cs().base());
            assertEquals(0x0800, ap.getRegs().rax() & 0xffff);
            assertEquals(Vcpu.MP_STATE_RUNNABLE, ap.getMpState());
        } finally {
            pool.shutdownNow();
        }
    }
}
