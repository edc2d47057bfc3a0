package org.jkvm.kvm.stats;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.jkvm.api.stats.ExitStatistics.ExitRow;
import org.jkvm.cpu.vmx.ExitReason;

/**
 * Per-reason and per-path exit counters, like {@code perf kvm stat}. Exits are counted one by one; wall time
 * is read once per batch (one pass through the fastpath loop, closed by {@link #endBatch}) and shared among the
 * batch's exits by reason, so the clock (about 50 ns per read here) is not paid on every fastpath exit.
 * Modelled cycles are charged exactly per exit. Allocation-free.
 */
public final class ExitCounters {
    private static final int N = ExitReason.NUMBER;
    private final long[] count = new long[N], fast = new long[N], nanos = new long[N], cycles = new long[N];
    private final long[] batch = new long[N];
    private final int[] touched = new int[N];
    private int nTouched;
    private long batchExits;
    private long lastNanos = System.nanoTime(), lastCycles;
    private long total;

    /** Records one exit with basic reason {@code reason}; {@code cyclesNow} is the vCPU's modelled-cycle total. */
    public void record(int reason, boolean fastpath, long cyclesNow) {
        int r = reason & 0xFFFF;
        if (r >= N) r = N - 1;
        count[r]++;
        if (fastpath) fast[r]++;
        cycles[r] += cyclesNow - lastCycles;
        lastCycles = cyclesNow;
        if (batch[r]++ == 0) touched[nTouched++] = r;
        batchExits++;
        total++;
    }

    /** Closes a batch: the wall time since the last one is charged to its exits. */
    public void endBatch() {
        if (batchExits == 0) return;
        long now = System.nanoTime();
        long dt = now - lastNanos;
        for (int i = 0; i < nTouched; i++) {
            int r = touched[i];
            nanos[r] += dt * batch[r] / batchExits;
            batch[r] = 0;
        }
        nTouched = 0;
        batchExits = 0;
        lastNanos = now;
    }

    /** Restarts the clock without charging anything (a run resumes after user space handled an exit). */
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
        java.util.Arrays.fill(batch, 0);
        nTouched = 0;
        batchExits = 0;
        total = 0;
        resume(cyclesNow);
    }
}
