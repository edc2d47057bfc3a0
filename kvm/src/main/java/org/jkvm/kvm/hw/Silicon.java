package org.jkvm.kvm.hw;

import org.jkvm.cpu.vmx.Vmcs;

/**
 * What the hypervisor core needs from the physical CPU, in the terms KVM uses on hardware: the register file
 * the entry/exit path copies, the XSAVE-related control registers that VMX does not switch (XCR0, IA32_XSS,
 * PKRU, IA32_XFD, IA32_XFD_ERR), host XSAVES/XRSTORS of task FPU state, the MSRs a guest may own, and
 * VM-entry. {@link PhysicalCpuSilicon} adapts the cpu module's physical CPU to it.
 *
 * <p>Every host-mode operation behaves as the instruction would at CPL 0: XSETBV of an unsupported value,
 * XRSTORS of a component outside XCR0|XSS, and so on raise {@link org.jkvm.cpu.fault.Fault}, so that a host
 * mistake is visible rather than papered over.
 */
public interface Silicon {
    /** GPR {@code n} (0..31) of the physical register file. R16..R31 #UD-free access (the entry path gates them). */
    long gpr(int n);

    void setGpr(int n, long v);

    /** XGETBV(0). */
    long xcr0();

    /** XSETBV(0, v) at CPL 0. */
    void xsetbv(long v);

    long xss();

    /** WRMSR IA32_XSS. */
    void writeXss(long v);

    /** RDPKRU (only meaningful when CR4.PKE; the host model always runs with it when the CPU has PKU). */
    int rdpkru();

    void wrpkru(int v);

    long xfd();

    void writeXfd(long v);

    long xfdErr();

    void writeXfdErr(long v);

    /** XSAVES of (XCR0|XSS) & rfbm into {@code area} (compacted, 64-byte aligned image at offset 0). */
    void xsaves(byte[] area, long rfbm);

    /** XRSTORS of (XCR0|XSS) & rfbm from {@code area}. */
    void xrstors(byte[] area, long rfbm);

    /**
     * Runs the guest described by {@code vmcs} until a VM-exit or until {@code budget} instructions retired
     * (budget &lt;= 0: no limit); returns the exit reason (bit 31 for a failed entry). The exit qualification
     * and instruction length are in the VMCS exit-information fields.
     */
    int enter(Vmcs vmcs, long budget);

    /** The reason {@link #enter} returns when the budget ran out (a preemption-timer exit). */
    int budgetExitReason();

    /** From any thread: makes a running (or the next) {@link #enter} return with an EXTERNAL_INTERRUPT exit. */
    void kick();

    /** Guest instructions retired by the last {@link #enter}. */
    long lastRetired();

    /** Supplies the data of an MMIO read exit; the instruction restarts and consumes it on the next entry. */
    void completeMmioRead(long gpa, int size, long value);

    /**
     * Completes the I/O instruction of the last I/O exit as the CPU would (one element of a string form: rSI/rDI/
     * rCX updated, RIP past the instruction once done), using the register file and the VMCS as they are now.
     */
    void completeIo(long inValue);

    /** A machine check arrives after {@code afterInstructions} more guest instructions (an EXCEPTION_NMI exit, vector 18). */
    void injectMachineCheck(long afterInstructions);

    /** The next VM-entry fails with exit reason MACHINE_CHECK (41). */
    void machineCheckOnEntry();

    /** MSRs VMX does not keep in the VMCS but the guest owns while it runs (STAR, LSTAR, ..., TSC_AUX). */
    long readMsr(int index);

    void writeMsr(int index, long v);

    /** CR2 and CR8 are not in the VMCS either. */
    long cr2();

    void setCr2(long v);

    /** The guest-visible TSC (host TSC plus the VMCS offset is applied by the CPU in guest mode). */
    long tsc();

    long tscHz();

    /**
     * Test support, not an instruction: a snapshot of every piece of architectural state a host event could
     * disturb (GPRs, x87/SSE/AVX/AVX-512, opmask, tiles, PKRU, XCR0, XSS, XFD, XFD_ERR), for exact comparison.
     */
    byte[] snapshotState();
}
