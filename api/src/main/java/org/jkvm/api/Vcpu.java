package org.jkvm.api;

import java.util.List;

import org.jkvm.api.exit.VcpuExit;
import org.jkvm.api.uabi.KvmCpuidEntry2;
import org.jkvm.api.uabi.KvmFpu;
import org.jkvm.api.uabi.KvmLapicState;
import org.jkvm.api.uabi.KvmMsrEntry;
import org.jkvm.api.uabi.KvmRegs;
import org.jkvm.api.uabi.KvmSregs;
import org.jkvm.api.uabi.KvmVcpuEvents;
import org.jkvm.api.uabi.KvmXcrs;
import org.jkvm.api.uabi.KvmXsave;

/**
 * A vCPU: the KVM vCPU ioctls. Every SET validates first and changes nothing when it throws.
 * Not thread-safe: like a vCPU fd, one thread drives it.
 */
public interface Vcpu extends AutoCloseable {
    int id();

    KvmRegs getRegs() throws KvmException;

    void setRegs(KvmRegs regs) throws KvmException;

    KvmSregs getSregs() throws KvmException;

    void setSregs(KvmSregs sregs) throws KvmException;

    KvmFpu getFpu() throws KvmException;

    void setFpu(KvmFpu fpu) throws KvmException;

    /** KVM_GET_XSAVE: 4096 bytes, standard format; EINVAL when the uABI size exceeds 4096. */
    KvmXsave getXsave() throws KvmException;

    /** KVM_GET_XSAVE2: {@code checkExtension(XSAVE2)} bytes. */
    KvmXsave getXsave2() throws KvmException;

    /** KVM_SET_XSAVE: accepts 4096 bytes or the KVM_CAP_XSAVE2 size. */
    void setXsave(KvmXsave xsave) throws KvmException;

    KvmXcrs getXcrs() throws KvmException;

    void setXcrs(KvmXcrs xcrs) throws KvmException;

    /** KVM_GET_MSRS: fills the data of each entry, in order; returns how many were read (stops at the first failure). */
    int getMsrs(List<KvmMsrEntry> entries) throws KvmException;

    /** KVM_SET_MSRS: returns how many were written (stops at the first failure). */
    int setMsrs(List<KvmMsrEntry> entries) throws KvmException;

    /** KVM_SET_CPUID2. */
    void setCpuid2(List<KvmCpuidEntry2> entries) throws KvmException;

    /** KVM_GET_CPUID2 with room for {@code maxEntries}: E2BIG when they do not fit. */
    List<KvmCpuidEntry2> getCpuid2(int maxEntries) throws KvmException;

    KvmVcpuEvents getVcpuEvents() throws KvmException;

    void setVcpuEvents(KvmVcpuEvents events) throws KvmException;

    /** KVM_INTERRUPT: queue an external interrupt vector (the VMM's PIC, ExtINT). */
    void interrupt(int vector) throws KvmException;

    /** kvm_run.request_interrupt_window: exit with IRQ_WINDOW_OPEN when the guest can take an interrupt. */
    void requestInterruptWindow(boolean request);

    /** kvm_run.ready_for_interrupt_injection after the last exit. */
    boolean readyForInterruptInjection();

    /** KVM_RUN: runs until an exit user space must handle. An IN's data is written into the exit before the next run. */
    VcpuExit run() throws KvmException;

    /** kvm_mp_state values (KVM_GET/SET_MP_STATE). */
    int MP_STATE_RUNNABLE = 0, MP_STATE_UNINITIALIZED = 1, MP_STATE_INIT_RECEIVED = 2, MP_STATE_HALTED = 3,
        MP_STATE_SIPI_RECEIVED = 4;

    /**
     * kvm_run.immediate_exit plus a kick, callable from any thread: a run() in progress returns
     * {@link VcpuExit.Interrupted} as soon as it can (also from a halt inside the backend); otherwise the next
     * run() completes the pending I/O or MMIO of the last exit, runs no guest instruction, and returns
     * Interrupted. Either way the request is consumed by that Interrupted return. This is how a VMM stops a
     * vCPU for a timeout or a snapshot (KVM's rule: an I/O exit is complete only after the next KVM_RUN).
     */
    default void kick() {
        throw new UnsupportedOperationException("this backend cannot kick a vCPU");
    }

    /** KVM_GET_MP_STATE. */
    default int getMpState() throws KvmException {
        throw new KvmException(Errno.ENOSYS, "KVM_GET_MP_STATE not supported by this backend");
    }

    /** KVM_SET_MP_STATE. */
    default void setMpState(int state) throws KvmException {
        throw new KvmException(Errno.ENOSYS, "KVM_SET_MP_STATE not supported by this backend");
    }

    /** KVM_GET_LAPIC (irqchip in the backend): the local APIC's 1024-byte register page. */
    default KvmLapicState getLapic() throws KvmException {
        throw new KvmException(Errno.ENOSYS, "KVM_GET_LAPIC not supported by this backend");
    }

    /** KVM_SET_LAPIC. */
    default void setLapic(KvmLapicState state) throws KvmException {
        throw new KvmException(Errno.ENOSYS, "KVM_SET_LAPIC not supported by this backend");
    }

    @Override
    void close();
}
