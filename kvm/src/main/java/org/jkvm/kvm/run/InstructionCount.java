package org.jkvm.kvm.run;

/**
 * A vCPU's retired-instruction count and the budget that bounds its runs ({@link org.jkvm.api.InstructionBudget}).
 *
 * <p>Instructions the CPU retires in guest mode are added once per VM-exit (the CPU's own counter); an instruction
 * KVM completes for the guest (skipped after an exit: CPUID, OUT, RDMSR...) counts as retired too, as KVM's
 * {@code kvm_skip_emulated_instruction} reports it to the guest PMU. The budget never costs a per-instruction
 * check here: it becomes the VMX preemption timer of the next entry, which the CPU checks at its block boundaries.
 */
public final class InstructionCount {
    private long retired;
    /** The count at which runs stop; 0 for no budget. */
    private long stopAt;

    public long retired() { return retired; }

    /** Limits the following runs to {@code instructions} more; 0 removes the limit. */
    public void setBudget(long instructions) {
        if (instructions < 0) throw new IllegalArgumentException("negative instruction budget " + instructions);
        stopAt = instructions == 0 ? 0 : retired + instructions;
    }

    void add(long n) { retired += n; }

    /** True once the budget is used up: the run must end at this instruction boundary. */
    boolean exhausted() { return stopAt != 0 && retired >= stopAt; }

    /** Ends the run for a used-up budget: true (and the budget is gone) when it is used up. */
    boolean takeExhausted() {
        if (!exhausted()) return false;
        stopAt = 0;
        return true;
    }

    /** The preemption-timer value for the next entry given the per-KVM_RUN limit {@code runLeft} (&lt;= 0: none). */
    long entryBudget(long runLeft) {
        if (stopAt == 0) return runLeft;
        long left = Math.max(1, stopAt - retired);
        return runLeft > 0 ? Math.min(runLeft, left) : left;
    }
}
