package org.jkvm.kvm.host;

/** The places in KVM_RUN where Linux runs with IRQs and preemption enabled. */
public enum HostPoint {
    /** KVM_RUN entry, before the guest FPU is loaded. */
    RUN_START,
    /** vcpu_enter_guest before IRQs are disabled (requests, event injection). */
    BEFORE_ENTRY,
    /** Right after local_irq_enable() following an exit. */
    AFTER_IRQ_ENABLE,
    /** In the full exit handler. */
    EXIT_HANDLER,
    /** KVM_RUN return, after the guest FPU is put. */
    RUN_END
}
