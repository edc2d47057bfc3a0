package org.jkvm.api;

/**
 * Optional for a {@link Vcpu} (test {@code instanceof}): a backend that counts guest instructions lets the VMM
 * bound the next runs precisely, for --max-instructions and snapshots at an instruction count. The soft backend
 * can; /dev/kvm cannot (it has no exact instruction counter).
 */
public interface InstructionBudget {
    /**
     * Limits the following {@link Vcpu#run()} calls: once {@code instructions} more guest instructions have
     * retired, run() returns {@link org.jkvm.api.exit.VcpuExit.Interrupted} at that instruction boundary (the
     * count spans runs until it is used up or replaced). 0 removes the limit.
     */
    void setInstructionBudget(long instructions);

    /** Guest instructions retired by this vCPU since it was created. */
    long instructionsRetired();
}
