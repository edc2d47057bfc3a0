package org.jkvm.api;

/** KVM_CHECK_EXTENSION capabilities jkvm uses, with Linux's numbers (include/uapi/linux/kvm.h). */
public enum Capability {
    IRQCHIP(0), HLT(1), USER_MEMORY(3), SET_TSS_ADDR(4), EXT_CPUID(7), NR_VCPUS(9), NR_MEMSLOTS(10),
    MP_STATE(14), IRQ_ROUTING(25), VCPU_EVENTS(41), XSAVE(55), XCRS(56), MAX_VCPUS(66),
    TSC_DEADLINE_TIMER(72), IMMEDIATE_EXIT(136), SPLIT_IRQCHIP(121), X86_USER_SPACE_MSR(188), XSAVE2(208);

    public final int number;

    Capability(int number) { this.number = number; }
}
