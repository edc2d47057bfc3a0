package org.jkvm.kvm.host;

/**
 * Decides which host event happens at an injectable point. The default injects nothing; the chaos test
 * plugs in a seeded random source. Points are named so that a failure report says where it happened.
 */
public interface HostEvents {
    enum Kind { NONE, INTERRUPT, INTERRUPT_WITH_KERNEL_FPU, SCHEDULE }

    /** At a point where IRQs (and preemption) are enabled. */
    Kind atIrqsEnabled(HostPoint point);

    /**
     * Before a VM-entry: after how many guest instructions a machine check should hit this guest run
     * (0 = none). Only the hypervisor decides whether the run's budget allows it.
     */
    long machineCheckAfter();

    /** Whether the next VM-entry fails with a machine check (VMX exit reason 41, "machine-check during VM-entry"). */
    default boolean machineCheckOnEntry() { return false; }

    /** Whether the host #MC handler ends in schedule() (the historical bug's trigger). */
    boolean machineCheckSchedules();

    HostEvents NONE = new HostEvents() {
        public Kind atIrqsEnabled(HostPoint p) { return Kind.NONE; }
        public long machineCheckAfter() { return 0; }
        public boolean machineCheckSchedules() { return false; }
    };
}
