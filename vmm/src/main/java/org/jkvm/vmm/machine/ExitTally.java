package org.jkvm.vmm.machine;

import java.util.ArrayList;
import java.util.List;

import org.jkvm.api.exit.VcpuExit;

/**
 * The exits the VMM itself saw (what reached user space), with the real time spent inside run() before
 * each and in the VMM handling it. Works on every backend; a backend's own statistics (fastpath exits,
 * modelled cycles) come on top through org.jkvm.api.stats.
 */
public final class ExitTally {
    private static final int N = 32;
    private final long[] count = new long[N], runNanos = new long[N], handleNanos = new long[N];
    private long totalRunNanos;

    public void record(VcpuExit exit, long inRunNanos, long handlingNanos) {
        int r = Math.min(exit.reason(), N - 1);
        count[r]++;
        runNanos[r] += inRunNanos;
        handleNanos[r] += handlingNanos;
        totalRunNanos += inRunNanos;
    }

    public record Row(String reason, long count, double meanRunMicros, double meanHandleMicros) {}

    public long totalRunNanos() { return totalRunNanos; }

    public long total() {
        long t = 0;
        for (long c : count) t += c;
        return t;
    }

    public List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        for (int r = 0; r < N; r++) {
            if (count[r] == 0) continue;
            rows.add(new Row(name(r), count[r], runNanos[r] / 1e3 / count[r], handleNanos[r] / 1e3 / count[r]));
        }
        rows.sort((a, b) -> Long.compare(b.count(), a.count()));
        return rows;
    }

    static String name(int reason) {
        return switch (reason) {
            case VcpuExit.KVM_EXIT_IO -> "IO";
            case VcpuExit.KVM_EXIT_HLT -> "HLT";
            case VcpuExit.KVM_EXIT_MMIO -> "MMIO";
            case VcpuExit.KVM_EXIT_IRQ_WINDOW_OPEN -> "IRQ_WINDOW_OPEN";
            case VcpuExit.KVM_EXIT_SHUTDOWN -> "SHUTDOWN";
            case VcpuExit.KVM_EXIT_FAIL_ENTRY -> "FAIL_ENTRY";
            case VcpuExit.KVM_EXIT_INTR -> "INTR";
            case VcpuExit.KVM_EXIT_INTERNAL_ERROR -> "INTERNAL_ERROR";
            case VcpuExit.KVM_EXIT_SYSTEM_EVENT -> "SYSTEM_EVENT";
            default -> "reason " + reason;
        };
    }
}
