package org.jkvm.vmm.cli;

import java.io.PrintWriter;

import org.jkvm.vmm.machine.ExitTally;
import org.jkvm.vmm.machine.Machine;

/**
 * --stats: what the VMM measured itself (wall time, the exits that reached user space) and, when the
 * backend's vCPU offers statistics, its own exit table with fastpath shares and modelled cycles.
 */
final class StatsReport {
    private final Machine m;
    private final long wallNanos;

    StatsReport(Machine m, long wallNanos) {
        this.m = m;
        this.wallNanos = wallNanos;
    }

    void print(PrintWriter w) {
        ExitTally t = m.exitTally();
        w.printf("jkvm stats: backend %s, wall time %.3f s, time in guest (run) %.3f s%n",
            m.hypervisor().name(), wallNanos / 1e9, t.totalRunNanos() / 1e9);
        BackendStats.print(m.vcpu(), t.totalRunNanos(), w);
        w.printf("user-space exits: %d%n", t.total());
        w.printf("  %-18s %12s %14s %14s%n", "reason", "count", "mean run us", "mean VMM us");
        for (ExitTally.Row r : t.rows()) {
            w.printf("  %-18s %12d %14.2f %14.2f%n", r.reason(), r.count(), r.meanRunMicros(), r.meanHandleMicros());
        }
        w.flush();
    }
}
