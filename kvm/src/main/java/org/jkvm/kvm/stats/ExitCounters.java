package org.jkvm.kvm.stats;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.jkvm.api.stats.ExitStatistics.ExitRow;
import org.jkvm.cpu.vmx.ExitReason;

/**
 * Per-reason and per-path exit counters. Each exit is charged the wall time and the modelled cycles
 * since the previous exit was recorded, so the totals add up to the whole run. Allocation-free.
 */
public final class ExitCounters {
    private static final int N = ExitReason.NUMBER;
    private final long[] count = new long[N], fast = new long[N], nanos = new long[N], cycles = new long[N];
    private long lastNanos = System.nanoTime(), lastCycles;
    private long total;

    /** Records one exit with basic reason {@code reason}. */
    public void record(int reason, boolean fastpath, long cyclesNow) {
        int r = reason & 0xFFFF;
        if (r >= N) r = N - 1;
        long now = System.nanoTime();
        count[r]++;
        if (fastpath) fast[r]++;
        nanos[r] += now - lastNanos;
        cycles[r] += cyclesNow - lastCycles;
        lastNanos = now;
        lastCycles = cyclesNow;
        total++;
    }

    /** Restarts the clock without recording (a run resumes after user space handled an exit). */
    public void resume(long cyclesNow) {
        lastNanos = System.nanoTime();
        lastCycles = cyclesNow;
    }

    public long count(int reason) { return count[reason]; }

    public long fastpath(int reason) { return fast[reason]; }

    public long total() { return total; }

    public List<ExitRow> table() {
        List<ExitRow> rows = new ArrayList<>();
        for (int r = 0; r < N; r++) {
            if (count[r] == 0) continue;
            rows.add(new ExitRow(ExitReason.name(r), count[r], fast[r], (double) nanos[r] / count[r], (double) cycles[r] / count[r]));
        }
        rows.sort(Comparator.comparingLong(ExitRow::count).reversed());
        return rows;
    }

    public void reset(long cyclesNow) {
        java.util.Arrays.fill(count, 0);
        java.util.Arrays.fill(fast, 0);
        java.util.Arrays.fill(nanos, 0);
        java.util.Arrays.fill(cycles, 0);
        total = 0;
        resume(cyclesNow);
    }
}
