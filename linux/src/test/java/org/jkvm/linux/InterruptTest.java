package org.jkvm.linux;

import static org.jkvm.linux.VcpuStateTest.assertErrno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jkvm.api.Errno;
import org.jkvm.api.exit.VcpuExit;
import org.jkvm.api.uabi.KvmDtable;
import org.jkvm.api.uabi.KvmRegs;
import org.jkvm.api.uabi.KvmSregs;
import org.junit.jupiter.api.Test;

/** Interrupt delivery the VMM drives: KVM_INTERRUPT with the interrupt window, and MSIs into KVM's local APIC. */
class InterruptTest {

    private static VcpuExit.Io io(VcpuExit exit, int port) {
        VcpuExit.Io io = assertInstanceOf(VcpuExit.Io.class, exit, () -> "exit " + exit);
        assertEquals(port, io.port(), "port");
        return io;
    }

    /**
     * Runs on from the IF=0 exit with the window requested. With interrupt-window exiting (VMX, SVM) KVM exits with
     * IRQ_WINDOW_OPEN right after the STI shadow, at {@code afterNop}; a KVM that cannot intercept the window (e.g.
     * the PVM vendor module) reports readiness at the next exit instead, the OUT 0x13 two bytes later. Either way the
     * VMM sees ready_for_interrupt_injection and the vCPU sits where the injected interrupt will return to.
     */
    private static long windowOpens(Guest g, long afterNop) throws Exception {
        VcpuExit w = g.vcpu.run();
        long rip = g.vcpu.getRegs().rip();
        if (w instanceof VcpuExit.Io late) {
            assertEquals(0x13, late.port(), "exit " + w);
            assertEquals(afterNop + 2, rip);
        } else {
            assertInstanceOf(VcpuExit.IrqWindowOpen.class, w, () -> "exit " + w);
            assertEquals(afterNop, rip, "window opens after the STI shadow");
        }
        assertTrue(g.vcpu.readyForInterruptInjection());
        return rip;
    }

    /** Real mode, no in-kernel irqchip: the VMM's PIC waits for the window, then injects vector 0x20 through the IVT. */
    @Test
    void interruptWindowThenInjectedVector() throws Exception {
        try (Guest g = new Guest(64 << 10)) {
            g.load(0x1000, 0xB0, 0x01, // mov al, 1
                0xE6, 0x12,            // out 0x12, al   (IF still 0)
                0xFB,                  // sti
                0x90,                  // nop            (STI shadow ends here)
                0xE6, 0x13,            // out 0x13, al
                0xF4);                 // hlt
            g.load(0x80, 0x00, 0x20, 0x00, 0x00);    // IVT[0x20] = 0000:2000
            g.load(0x2000, 0xB0, 0x20, 0xE6, 0x11, 0xF4); // mov al, 0x20; out 0x11, al; hlt
            KvmSregs s = g.vcpu.getSregs();
            g.vcpu.setSregs(s.withCs(s.cs().withBase(0).withSelector(0)).withSs(s.ss().withBase(0).withSelector(0)));
            g.vcpu.setRegs(KvmRegs.zero().withRip(0x1000).withRsp(0x8000));

            g.vcpu.requestInterruptWindow(true);
            io(g.vcpu.run(), 0x12);
            assertFalse(g.vcpu.readyForInterruptInjection(), "IF = 0: not ready");
            long at = windowOpens(g, 0x1006);
            g.vcpu.requestInterruptWindow(false);

            g.vcpu.interrupt(0x20);
            VcpuExit.Io handler = io(g.vcpu.run(), 0x11);
            assertEquals(0x20, handler.data().get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
            // the real-mode interrupt frame: IP, CS, FLAGS (with IF) pushed below 0x8000
            assertEquals(at, g.u32(0x7FFA) & 0xffff);
            assertEquals(0, g.u32(0x7FFC) & 0xffff);
            assertEquals(0x200, g.u32(0x7FFE) & 0x200, "IF in the pushed FLAGS");
            assertInstanceOf(VcpuExit.Hlt.class, g.vcpu.run());
        }
    }

    /**
     * Split irqchip: the guest software-enables KVM's local APIC (SVR at 0xFEE000F0), the VMM signals an MSI for
     * vector 0x30 to APIC 0, and the guest takes it through its long-mode IDT as soon as it executes STI; HLT.
     */
    @Test
    void msiReachesTheGuestThroughTheInKernelLapic() throws Exception {
        try (Guest g = new Guest(4 << 20, true)) {
            g.writeGdt();
            g.writeIdentityPageTables();
            // map the local APIC page: PDPT[3] -> PD at 0x13000, PD[0x1F7] = the 2 MiB page holding 0xFEE00000
            g.putU64(Guest.PDPT_AT + 3 * 8, 0x13000 | 0x3);
            g.putU64(0x13000 + 0x1F7 * 8, 0xFEE00000L & ~0x1FFFFFL | 0x83 | 0x18);
            // IDT[0x30]: 64-bit interrupt gate to 0x18:0x4012
            long gate = 0x4012 | (long) Guest.SEL_CODE64 << 16 | 0x8EL << 40;
            g.putU64(0x7000 + 0x30 * 16, gate);
            g.putU64(0x7000 + 0x30 * 16 + 8, 0);
            g.load(0x4000, 0xB8, 0xF0, 0x00, 0xE0, 0xFE, // mov eax, 0xfee000f0
                0xC7, 0x00, 0xFF, 0x01, 0x00, 0x00,      // mov dword [rax], 0x1ff (APIC on, spurious 0xff)
                0xE6, 0x12,                              // out 0x12, al
                0xFB,                                    // sti
                0xF4,                                    // hlt
                0xE6, 0x13,                              // out 0x13, al
                0xF4,                                    // hlt
                0xB0, 0x30,                              // 0x4012: mov al, 0x30
                0xE6, 0x11,                              //         out 0x11, al
                0xEB, 0xFA);                             //         jmp 0x4012
            g.vcpu.setSregs(Guest.longMode(g.vcpu.getSregs()).withIdt(new KvmDtable(0x7000, 0xFFF)));
            g.vcpu.setRegs(KvmRegs.zero().withRip(0x4000).withRsp(0x8000));
            io(g.vcpu.run(), 0x12);
            g.vm.signalMsi(0xFEE00000L, 0x30); // destination APIC 0, fixed, edge, vector 0x30
            VcpuExit.Io handler = io(g.vcpu.run(), 0x11);
            assertEquals(0x30, handler.data().get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
            // the interrupted instruction was the HLT after STI: the frame's RIP is past it
            KvmRegs r = g.vcpu.getRegs();
            assertEquals(0x4016, r.rip());
            assertEquals(0x400F, g.u64(r.rsp()), "return RIP in the interrupt frame");
        }
    }

    @Test
    void interruptWindowInLongMode() throws Exception {
        try (Guest g = new Guest()) {
            g.writeGdt();
            g.writeIdentityPageTables();
            g.putU64(0x7000 + 0x20 * 16, 0x4020 | (long) Guest.SEL_CODE64 << 16 | 0x8EL << 40);
            g.load(0x4000, 0xB0, 0x01, 0xE6, 0x12, 0xFB, 0x90, 0xE6, 0x13, 0xF4);
            g.load(0x4020, 0xB0, 0x20, 0xE6, 0x11, 0xF4);
            g.vcpu.setSregs(Guest.longMode(g.vcpu.getSregs()).withIdt(new KvmDtable(0x7000, 0xFFF)));
            g.vcpu.setRegs(KvmRegs.zero().withRip(0x4000).withRsp(0x8000));
            g.vcpu.requestInterruptWindow(true);
            io(g.vcpu.run(), 0x12);
            assertFalse(g.vcpu.readyForInterruptInjection(), "IF = 0: not ready");
            long at = windowOpens(g, 0x4006);
            g.vcpu.requestInterruptWindow(false);
            g.vcpu.interrupt(0x20);
            io(g.vcpu.run(), 0x11);
            assertEquals(at, g.u64(g.vcpu.getRegs().rsp()), "return RIP in the interrupt frame");
        }
    }

    @Test
    void splitIrqchipOnlyBeforeTheFirstVcpu() throws Exception {
        try (Guest g = new Guest(64 << 10)) {
            assertErrno(Errno.EEXIST, g.vm::createSplitIrqchip);
        }
    }
}
