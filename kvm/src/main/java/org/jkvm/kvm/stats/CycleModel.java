package org.jkvm.kvm.stats;

/**
 * The modelled-cycle account of one vCPU: every switch operation the run loop actually executes is
 * {@link #add added} here; cycles are counts times the profile's cost, so a difference between placements
 * can only come from operations that ran. Allocation-free.
 */
public final class CycleModel {
    /** Which column of {@link SwitchOp} prices the operations. */
    public enum Profile { INTEL, AMD }

    private final Profile profile;
    private final int[] cost = new int[SwitchOp.all().length];
    private final long[] counts = new long[SwitchOp.all().length];
    private long cycles;

    public CycleModel(Profile profile) {
        this.profile = profile;
        for (SwitchOp op : SwitchOp.all()) cost[op.ordinal()] = profile == Profile.INTEL ? op.intel : op.amd;
    }

    public void add(SwitchOp op) {
        counts[op.ordinal()]++;
        cycles += cost[op.ordinal()];
    }

    public void add(SwitchOp op, int times) {
        counts[op.ordinal()] += times;
        cycles += (long) cost[op.ordinal()] * times;
    }

    /** Total modelled cycles so far. */
    public long cycles() { return cycles; }

    public long count(SwitchOp op) { return counts[op.ordinal()]; }

    public int cost(SwitchOp op) { return cost[op.ordinal()]; }

    public Profile profile() { return profile; }

    public void reset() {
        java.util.Arrays.fill(counts, 0);
        cycles = 0;
    }
}
