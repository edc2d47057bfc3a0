package org.jkvm.cpu.exec;

import static org.jkvm.cpu.Gpr.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.jkvm.cpu.fault.Fault;
import org.jkvm.cpu.rig.GuestRig;
import org.jkvm.cpu.vmx.ExitReason;
import org.jkvm.cpu.vmx.Vmcs;
import org.jkvm.cpu.vmx.VmcsField;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Modes, paging, exceptions and the VMX guest-mode interface: mode switches as a loader performs them, #PF
 * error codes and CR2, #GP, #DF, triple fault, IDT delivery with IST, and each VM-exit kind with its exit
 * information (SDM vol. 3C facts: exit qualifications, interruption-information layout, MMIO completion).
 */
class SystemTest {
    static final String READ_90000 = "488b042500000900f4"; // mov 0x90000,%rax; hlt
    static final String WRITE_90000 = "48c704250000090001000000f4"; // movq $1,0x90000; hlt
    static final String CALL_91000 = "48c7c000100900ffd0f4"; // mov $0x91000,%rax; call *%rax; hlt
    static final String NONCANONICAL = "48b80000000000000080488b08f4"; // mov $0x8000000000000000,%rax; mov (%rax),%rcx; hlt
    static final String UD2 = "0f0bf4"; // ud2; hlt
    static final String INT80 = "cd80f4"; // int $0x80; hlt
    static final String INT3 = "ccf4"; // int3; hlt
    static final String OUT80 = "b05ae680f4"; // mov $0x5a,%al; out %al,$0x80; hlt
    static final String IN71 = "e471f4"; // in $0x71,%al; hlt
    static final String OUTSB_REP = "488d342500000900b90300000066baf803f36ef4"; // lea 0x90000,%rsi; mov $3,%ecx; mov $0x3f8,%dx; rep outsb; hlt
    static final String CPUID = "b8000000000fa2f4"; // mov $0,%eax; cpuid; hlt
    static final String RDMSR_TSCAUX = "b9030100c00f32f4"; // mov $0xc0000103,%ecx; rdmsr; hlt
    static final String LOOP5 = "48ffc0ebfb"; // 1: inc %rax; jmp 1b
    static final String MMIO_READ = "48c7c30000c0008b0383c001f4"; // mov $0xC00000,%rbx; mov (%rbx),%eax; add $1,%eax; hlt
    static final String MMIO_WRITE = "48c7c30000c000c703feca0000b907000000f4"; // mov $0xC00000,%rbx; movl $0xcafe,(%rbx); mov $7,%ecx; hlt
    static final String STI_WINDOW = "fb9090f4"; // sti; nop; nop; hlt
    static final String MOV_CR0_TS = "0f20c04883c8080f22c0f4"; // mov %cr0,%rax; or $8,%rax; mov %rax,%cr0; hlt
    static final String XSETBV = "31c9b80300000031d20f01d1f4"; // xor %ecx,%ecx; mov $3,%eax; xor %edx,%edx; xsetbv; hlt
    static final String INVD = "0f08f4"; // invd; hlt
    static final String SELFMOD = "c6050200000090eb00f4b877000000f4"; // movb $0x90,2f(%rip); jmp 1f; 1: 2: hlt; mov $0x77,%eax; hlt
    static final String SMC = "31c9b801000000ffc183f902740cc705ebffffff05000000ebe8f4"; // xor %ecx,%ecx; 1: mov $1,%eax; inc %ecx; cmp $2,%ecx; je 2f; movl $5,1b+1(%rip); jmp 1b; 2: hlt
    static final String MODE_SWITCH = "fa660f0116647c0f20c06683c8010f22c066ea197c0000380066b810008ed88ed08ec0b8001000000f22d80f20e083c8200f22e0b9800000c00f320d000100000f300f20c00d000000800f22c0ea547c0000080048b889674523010000008ccbf40f1f003f0000050000"; // real mode at 0x7c00: lgdt, CR0.PE, ljmp 0x38 (32-bit); CR3, CR4.PAE, EFER.LME, CR0.PG, ljmp 0x08 (64-bit); mov $0x123456789,%rax; mov %cs,%ebx; hlt

    GuestRig g;

    @BeforeEach
    void setUp() {
        g = new GuestRig();
    }

    @AfterEach
    void tearDown() {
        g.close();
    }

    private int exitOn(String code) {
        g.code(GuestRig.CODE, code);
        return g.enter();
    }

    private int vector() {
        return (int) g.v.read(VmcsField.VM_EXIT_INTR_INFO) & 0xFF;
    }

    // ---------------------------------------------------------------- modes

    @Test void realToProtectedToLongMode() {
        g.real16(0x7C00);
        g.v.msrBitmap().intercept(0xC000_0080, false, false);
        g.code(0x7C00, MODE_SWITCH);
        g.runToHlt();
        assertEquals(0x1_2345_6789L, g.gpr(RAX));
        assertEquals(0x08, g.gpr(RBX));
        assertTrue((g.v.read(VmcsField.GUEST_IA32_EFER) & 0x500) == 0x500, "EFER.LME and LMA");
        assertTrue((g.v.read(VmcsField.GUEST_CS_AR_BYTES) & Vmcs.AR_L) != 0, "CS.L");
        assertTrue(g.v.test(VmcsField.VM_ENTRY_CONTROLS, Vmcs.ENTRY_IA32E_MODE), "IA-32e mode guest after exit");
    }

    @Test void realModeInterruptThroughIvtAndIret() {
        g.real16(0x7C00);
        g.code(0x7C00, "cd21bb3412f4");     // int $0x21; mov $0x1234,%bx; hlt
        g.code(0x8000, "b87700cf");         // handler at 0000:8000: mov $0x77,%ax; iret
        g.q(0x21 * 4, 0x8000);              // IVT[0x21] = 0000:8000
        g.runToHlt();
        assertEquals(0x77, g.gpr(RAX) & 0xFFFF);
        assertEquals(0x1234, g.gpr(RBX) & 0xFFFF);
        assertEquals(0x7000, g.rsp() & 0xFFFF); // FLAGS, CS, IP popped again
    }

    @Test void invalidGuestStateFailsTheEntry() {
        g.long64();
        g.v.write(VmcsField.GUEST_CR4, 0); // IA-32e mode guest without CR4.PAE
        assertEquals(ExitReason.ENTRY_FAIL_GUEST_STATE, g.enter());
        assertEquals(ExitReason.ENTRY_FAIL_GUEST_STATE | ExitReason.FAILED_VMENTRY & 0xFFFF_FFFFL,
            g.v.read(VmcsField.VM_EXIT_REASON));
    }

    // ---------------------------------------------------------------- paging and exceptions

    @Test void notPresentReadIsPageFaultWithErrorCode0() {
        g.long64();
        g.v.write(VmcsField.EXCEPTION_BITMAP, 1 << 14);
        g.pte(0x90000, 0x90000, 0);
        assertEquals(ExitReason.EXCEPTION_NMI, exitOn(READ_90000));
        assertEquals(14, vector());
        assertEquals(0x8000_0B0EL, g.v.read(VmcsField.VM_EXIT_INTR_INFO)); // valid, error code, hw exception
        assertEquals(0, g.v.read(VmcsField.VM_EXIT_INTR_ERROR_CODE));
        assertEquals(0x90000, g.v.read(VmcsField.EXIT_QUALIFICATION)); // the faulting address; CR2 untouched
        assertEquals(0, g.cpu.cr2());
        assertEquals(GuestRig.CODE, g.rip());
    }

    @Test void writeToReadOnlyPageWithWpIsProtectionFault() {
        g.long64();
        g.v.write(VmcsField.EXCEPTION_BITMAP, 1 << 14);
        g.pte(0x90000, 0x90000, 1); // present, read-only, supervisor
        assertEquals(ExitReason.EXCEPTION_NMI, exitOn(WRITE_90000));
        assertEquals(3, g.v.read(VmcsField.VM_EXIT_INTR_ERROR_CODE)); // P | W
    }

    @Test void fetchFromNxPage() {
        g.long64();
        g.v.write(VmcsField.EXCEPTION_BITMAP, 1 << 14);
        g.pte(0x91000, 0x91000, 3 | (1L << 63));
        assertEquals(ExitReason.EXCEPTION_NMI, exitOn(CALL_91000));
        assertEquals(0x11, g.v.read(VmcsField.VM_EXIT_INTR_ERROR_CODE)); // P | I/D
        assertEquals(0x91000, g.v.read(VmcsField.EXIT_QUALIFICATION));
    }

    @Test void pageFaultDeliveredThroughIdtSetsCr2AndPushesErrorCode() {
        g.long64();
        g.pte(0x90000, 0x90000, 0);
        g.code(GuestRig.CODE, READ_90000);
        g.runToHlt();
        assertEquals(14, g.gpr(R15));
        assertEquals(0x90000, g.cpu.cr2());
        long sp = g.rsp();
        assertEquals(0, g.q(sp)); // error code
        assertEquals(GuestRig.CODE, g.q(sp + 8)); // RIP of the faulting instruction
        assertEquals(GuestRig.CS64, g.q(sp + 16));
        assertTrue((g.q(sp + 24) & 2) != 0, "RFLAGS image");
        assertEquals(GuestRig.STACK, g.q(sp + 32)); // old RSP
        assertEquals(0, g.rflags() & 0x200, "interrupt gate clears IF");
    }

    @Test void nonCanonicalAccessIsGP0() {
        g.long64();
        g.v.write(VmcsField.EXCEPTION_BITMAP, 1 << 13);
        assertEquals(ExitReason.EXCEPTION_NMI, exitOn(NONCANONICAL));
        assertEquals(13, vector());
        assertEquals(0, g.v.read(VmcsField.VM_EXIT_INTR_ERROR_CODE));
    }

    @Test void faultDuringDeliveryBecomesDoubleFault() {
        g.long64();
        g.q(GuestRig.IDT + 6 * 16, g.q(GuestRig.IDT + 6 * 16) & ~(1L << 47)); // #UD gate not present -> #NP
        g.q(GuestRig.IDT + 11 * 16, g.q(GuestRig.IDT + 11 * 16) & ~(1L << 47)); // and #NP's gate too
        g.code(GuestRig.CODE, UD2);
        g.runToHlt();
        // #UD is benign: #NP is delivered serially; #NP (contributory) while delivering #NP -> #DF
        assertEquals(8, g.gpr(R15));
        assertEquals(0, g.q(g.rsp())); // #DF error code is 0
    }

    @Test void tripleFaultExits() {
        g.long64();
        g.v.write(VmcsField.GUEST_IDTR_LIMIT, 0);
        assertEquals(ExitReason.TRIPLE_FAULT, exitOn(UD2));
    }

    @Test void softwareInterruptAndIst() {
        g.long64();
        g.q(GuestRig.IDT + 3 * 16, g.q(GuestRig.IDT + 3 * 16) | (1L << 32)); // #BP uses IST1
        g.code(GuestRig.CODE, INT3);
        g.runToHlt();
        assertEquals(3, g.gpr(R15));
        assertEquals(GuestRig.STACK - 0x2000 - 40, g.rsp()); // IST1 stack, 5-slot frame (no error code)
        assertEquals(GuestRig.CODE + 1, g.q(g.rsp())); // INT3 is a trap: RIP after it
        g.code(GuestRig.CODE, INT80);
        g.v.write(VmcsField.GUEST_RIP, GuestRig.CODE);
        g.runToHlt();
        assertEquals(0x80, g.gpr(R15));
    }

    @Test void selfModifyingCodeIsSeen() {
        g.long64();
        g.code(GuestRig.CODE, SMC);
        g.runToHlt();
        assertEquals(5, g.gpr(RAX));
        assertEquals(2, g.gpr(RCX));
    }

    // ---------------------------------------------------------------- VM exits

    @Test void ioExitQualificationAndCompletion() {
        g.long64();
        assertEquals(ExitReason.IO_INSTRUCTION, exitOn(OUT80));
        assertEquals(0x80L << 16 | 64, g.v.read(VmcsField.EXIT_QUALIFICATION)); // port, imm operand, 1 byte, out
        assertEquals(0x5A, g.v.read(VmcsField.EXIT_ACCESS_DATA));
        assertEquals(2, g.v.read(VmcsField.VM_EXIT_INSTRUCTION_LEN));
        g.cpu.completeIo(0);
        g.runToHlt();
        g.v.write(VmcsField.GUEST_RIP, GuestRig.CODE);
        assertEquals(ExitReason.IO_INSTRUCTION, exitOn(IN71));
        assertEquals(0x71L << 16 | 64 | 8, g.v.read(VmcsField.EXIT_QUALIFICATION)); // in
        g.cpu.completeIo(0xA5);
        g.runToHlt();
        assertEquals(0xA5, g.gpr(RAX) & 0xFF);
    }

    @Test void repOutsbExitsPerElement() {
        g.long64();
        g.code(GuestRig.DATA, "414243");
        g.code(GuestRig.CODE, OUTSB_REP);
        StringBuilder out = new StringBuilder();
        int r;
        while ((r = g.enter()) == ExitReason.IO_INSTRUCTION) {
            assertEquals(0x3F8L << 16 | 16 | 32, g.v.read(VmcsField.EXIT_QUALIFICATION)); // string, rep, DX
            out.append((char) g.v.read(VmcsField.EXIT_ACCESS_DATA));
            g.cpu.completeIo(0);
        }
        assertEquals(ExitReason.HLT, r);
        assertEquals("ABC", out.toString());
        assertEquals(0, g.gpr(RCX));
    }

    @Test void cpuidAndInvdAlwaysExit() {
        g.long64();
        assertEquals(ExitReason.CPUID, exitOn(CPUID));
        assertEquals(2, g.v.read(VmcsField.VM_EXIT_INSTRUCTION_LEN));
        assertEquals(GuestRig.CODE + 5, g.rip());
        g.v.write(VmcsField.GUEST_RIP, GuestRig.CODE);
        assertEquals(ExitReason.INVD, exitOn(INVD));
    }

    @Test void msrBitmapDecidesRdmsrExits() {
        g.long64();
        assertEquals(ExitReason.MSR_READ, exitOn(RDMSR_TSCAUX));
        g.cpu.wrmsr(0xC000_0103, 0x42);
        g.v.msrBitmap().intercept(0xC000_0103, false, true);
        g.v.write(VmcsField.GUEST_RIP, GuestRig.CODE);
        g.runToHlt();
        assertEquals(0x42, g.gpr(RAX));
    }

    @Test void preemptionTimerCountsInstructions() {
        g.long64();
        g.code(GuestRig.CODE, LOOP5);
        g.cpu.setGpr(RAX, 0);
        assertEquals(ExitReason.PREEMPTION_TIMER, g.cpu.enter(11));
        assertEquals(6, g.gpr(RAX)); // inc, jmp, inc, jmp, ... 11 instructions = 6 INCs
    }

    @Test void preemptionTimerRunsOutWhileHaltedWithoutRetiringAnything() {
        g.long64();
        g.v.write(VmcsField.CPU_BASED_VM_EXEC_CONTROL, g.v.read(VmcsField.CPU_BASED_VM_EXEC_CONTROL) & ~Vmcs.CPU_HLT_EXITING);
        g.v.setBits(VmcsField.VM_EXIT_CONTROLS, Vmcs.EXIT_SAVE_PREEMPTION_TIMER);
        g.v.write(VmcsField.GUEST_ACTIVITY_STATE, Vmcs.ACTIVITY_HLT);
        long before = g.cpu.retiredInstructions();
        assertEquals(ExitReason.PREEMPTION_TIMER, g.cpu.enter(1000));
        assertEquals(before, g.cpu.retiredInstructions(), "a halted CPU retires no instructions");
        assertEquals(0, g.v.read(VmcsField.VMX_PREEMPTION_TIMER_VALUE), "the saved timer value ran down to zero");
        assertEquals(Vmcs.ACTIVITY_HLT, g.v.read(VmcsField.GUEST_ACTIVITY_STATE), "still halted");
    }

    @Test void injectedInterruptAndException() {
        g.long64();
        g.code(GuestRig.CODE, "f4");
        g.v.write(VmcsField.GUEST_RFLAGS, 0x202);
        g.v.write(VmcsField.VM_ENTRY_INTR_INFO_FIELD, Vmcs.intrInfo(0x20, Vmcs.INTR_TYPE_EXT_INTR, false));
        g.runToHlt();
        assertEquals(0x20, g.gpr(R15));
        assertEquals(GuestRig.CODE, g.q(g.rsp())); // an interrupt returns to the interrupted instruction
        assertEquals(0, g.v.read(VmcsField.VM_ENTRY_INTR_INFO_FIELD) & Vmcs.INTR_INFO_VALID, "cleared by the exit");
        g.v.write(VmcsField.GUEST_RIP, GuestRig.CODE);
        g.v.write(VmcsField.GUEST_RSP, GuestRig.STACK);
        g.v.write(VmcsField.VM_ENTRY_INTR_INFO_FIELD, Vmcs.intrInfo(13, Vmcs.INTR_TYPE_HARD_EXCEPTION, true));
        g.v.write(VmcsField.VM_ENTRY_EXCEPTION_ERROR_CODE, 0x18);
        g.runToHlt();
        assertEquals(13, g.gpr(R15));
        assertEquals(0x18, g.q(g.rsp()));
    }

    @Test void exceptionDuringInjectedEventDeliveryReportsIdtVectoring() {
        g.long64();
        g.v.write(VmcsField.EXCEPTION_BITMAP, 1 << 14);
        g.pte(0x90000, 0x90000, 0);
        g.v.write(VmcsField.GUEST_RSP, 0x91000); // the frame would go to the not-present page below
        g.code(GuestRig.CODE, "f4");
        g.v.write(VmcsField.VM_ENTRY_INTR_INFO_FIELD, Vmcs.intrInfo(0x20, Vmcs.INTR_TYPE_EXT_INTR, false));
        assertEquals(ExitReason.EXCEPTION_NMI, g.enter());
        assertEquals(14, vector());
        assertEquals(Vmcs.intrInfo(0x20, Vmcs.INTR_TYPE_EXT_INTR, false) & 0xFFFF_FFFFL, g.v.read(VmcsField.IDT_VECTORING_INFO_FIELD));
        assertEquals(2, g.v.read(VmcsField.VM_EXIT_INTR_ERROR_CODE)); // write, supervisor, not present
    }

    @Test void mmioReadAndWriteExits() {
        g.long64();
        assertEquals(ExitReason.EPT_VIOLATION, exitOn(MMIO_READ));
        assertEquals(0xC0_0000L, g.v.read(VmcsField.GUEST_PHYSICAL_ADDRESS)); // beyond the 8 MiB of RAM
        assertEquals(4, g.v.read(VmcsField.EXIT_ACCESS_SIZE));
        assertEquals(1, g.v.read(VmcsField.EXIT_QUALIFICATION) & 7); // data read
        g.cpu.completeMmioRead(0x1233);
        g.runToHlt();
        assertEquals(0x1234, g.gpr(RAX));
        g.v.write(VmcsField.GUEST_RIP, GuestRig.CODE);
        assertEquals(ExitReason.EPT_VIOLATION, exitOn(MMIO_WRITE));
        assertEquals(2, g.v.read(VmcsField.EXIT_QUALIFICATION) & 7); // data write
        assertEquals(0xCAFE, g.v.read(VmcsField.EXIT_ACCESS_DATA));
        assertEquals(GuestRig.CODE + 13, g.rip()); // the write retired: resume after it
        g.runToHlt();
        assertEquals(7, g.gpr(RCX));
    }

    @Test void interruptWindowOpensAfterStiShadow() {
        g.long64();
        g.v.setBits(VmcsField.CPU_BASED_VM_EXEC_CONTROL, Vmcs.CPU_INTR_WINDOW_EXITING);
        assertEquals(ExitReason.INTERRUPT_WINDOW, exitOn(STI_WINDOW));
        assertEquals(GuestRig.CODE + 2, g.rip()); // STI and the one instruction in its shadow ran
    }

    @Test void timeQuantumEndsWithPreemptionTimerExit() {
        g.long64();
        g.code(GuestRig.CODE, LOOP5);
        g.v.clearBits(VmcsField.PIN_BASED_VM_EXEC_CONTROL, Vmcs.PIN_PREEMPTION_TIMER);
        long t0 = System.nanoTime();
        assertEquals(ExitReason.PREEMPTION_TIMER, g.cpu.enterFor(20_000_000L));
        assertTrue(System.nanoTime() - t0 >= 20_000_000L);
        assertTrue(g.gpr(RAX) > 0);
    }

    @Test void hostInterruptFromAnotherThreadExits() throws Exception {
        g.long64();
        g.code(GuestRig.CODE, LOOP5);
        Thread t = new Thread(() -> {
            try { Thread.sleep(50); } catch (InterruptedException e) { return; }
            g.cpu.interrupt(0x30);
        });
        t.start();
        int r = g.enter();
        for (int k = 0; k < 100 && r == ExitReason.PREEMPTION_TIMER; k++) r = g.enter(); // a fast machine
        t.join();
        assertEquals(ExitReason.EXTERNAL_INTERRUPT, r);
        assertEquals(Vmcs.intrInfo(0x30, Vmcs.INTR_TYPE_EXT_INTR, false) & 0xFFFF_FFFFL,
            g.v.read(VmcsField.VM_EXIT_INTR_INFO));
    }

    @Test void machineCheckHookExitsAtChosenInstruction() {
        g.long64();
        g.v.write(VmcsField.EXCEPTION_BITMAP, 1 << 18);
        g.code(GuestRig.CODE, LOOP5);
        g.cpu.setGpr(RAX, 0);
        g.cpu.injectMachineCheck(3);
        assertEquals(ExitReason.EXCEPTION_NMI, g.enter());
        assertEquals(18, vector());
        assertEquals(2, g.gpr(RAX));
        g.cpu.machineCheckOnEntry();
        assertEquals(ExitReason.MACHINE_CHECK, g.enter());
        assertTrue((g.v.read(VmcsField.VM_EXIT_REASON) & ExitReason.FAILED_VMENTRY) != 0);
    }

    @Test void cr0GuestHostMaskMakesTsWritesExit() {
        g.long64();
        g.v.write(VmcsField.CR0_GUEST_HOST_MASK, 8);
        g.v.write(VmcsField.CR0_READ_SHADOW, 0);
        assertEquals(ExitReason.CR_ACCESS, exitOn(MOV_CR0_TS));
        assertEquals(0, g.v.read(VmcsField.EXIT_QUALIFICATION)); // CR0, MOV to CR, RAX
        assertEquals(GuestRig.CODE + 7, g.rip());
    }

    @Test void xsetbvExitsOnlyWithOsxsave() {
        g.long64();
        assertEquals(ExitReason.XSETBV, exitOn(XSETBV));
        g.v.write(VmcsField.GUEST_CR4, g.v.read(VmcsField.GUEST_CR4) & ~0x4_0000L);
        g.v.write(VmcsField.GUEST_RIP, GuestRig.CODE);
        g.v.write(VmcsField.EXCEPTION_BITMAP, 1 << 6);
        assertEquals(ExitReason.EXCEPTION_NMI, g.enter());
        assertEquals(6, vector());
    }

    @Test void hostXrstorsOfComponentOutsideXcr0IsGP() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment area = a.allocate(16384, 64);
            g.cpu.xsetbv(0, 3);
            g.cpu.xsaves(area, -1L);
            long xcompBv = area.get(ValueLayout.JAVA_LONG_UNALIGNED, 520);
            assertEquals(0x8000_0000_0000_0003L, xcompBv & 0x8000_0000_0000_0007L);
            // an area that claims the AVX component, restored while XCR0 lacks it
            area.set(ValueLayout.JAVA_LONG_UNALIGNED, 520, 0x8000_0000_0000_0007L);
            Fault f = assertThrows(Fault.class, () -> g.cpu.xrstors(area, -1L));
            assertEquals(Fault.GP, f.vector);
        }
    }
}
