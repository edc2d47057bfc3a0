package org.jkvm.api.stats;

import java.util.List;

/**
 * Optional per-vCPU exit statistics, like {@code perf kvm stat}: a backend's vCPU implements this when it
 * can count exits (the soft backend does; /dev/kvm does not). A VMM tests {@code vcpu instanceof
 * ExitStatistics} and prints {@link #exitTable()} for {@code jkvm run --stats}.
 */
public interface ExitStatistics {
    /**
     * One exit reason.
     *
     * @param reason               the exit reason's name (VMX basic exit reason, e.g. "INVD", "HLT")
     * @param count                exits with this reason
     * @param fastpath             how many of them were handled in the fastpath loop
     * @param meanRealNanos        mean wall-clock nanoseconds per exit (guest run up to the exit plus handling)
     * @param modelledCyclesPerExit mean modelled cycles of the switch operations attributed to these exits
     */
    record ExitRow(String reason, long count, long fastpath, double meanRealNanos, double modelledCyclesPerExit) {
        public double fastpathShare() { return count == 0 ? 0 : (double) fastpath / count; }
    }

    /** Rows with at least one exit, most frequent first. */
    List<ExitRow> exitTable();

    /** Where XCR0/XSS/PKRU are switched ("outer-loop" or "per-entry"). */
    String placement();

    /** Total modelled cycles since the vCPU was created (or since {@link #resetStatistics()}). */
    long modelledCycles();

    /** Total exits. */
    long exits();

    void resetStatistics();

    /**
     * Guest instructions retired by this vCPU since it was created (not reset by {@link #resetStatistics()}:
     * snapshots and --max-instructions count from the start); -1 when the backend does not count them.
     */
    default long instructionsRetired() { return -1; }
}
