package org.jkvm.vmm.cli;

import java.io.PrintWriter;

import org.jkvm.api.InstructionBudget;
import org.jkvm.api.Vcpu;
import org.jkvm.api.stats.ExitStatistics;

/** The backend's own counters, when its vCPU offers them (org.jkvm.api.stats); a line saying so otherwise. */
final class BackendStats {
    private BackendStats() {}

    static long instructions(Vcpu v) {
        if (v instanceof InstructionBudget b) return b.instructionsRetired();
        if (v instanceof ExitStatistics s) return s.instructionsRetired();
        return -1;
    }

    static void print(Vcpu v, long guestNanos, PrintWriter w) {
        long insns = instructions(v);
        if (insns >= 0) {
            w.printf("instructions retired: %d (%.1f MIPS over %.3f s in the guest)%n", insns,
                guestNanos > 0 ? insns * 1e3 / guestNanos : 0.0, guestNanos / 1e9);
        } else {
            w.println("instructions retired: not counted by this backend");
        }
        if (!(v instanceof ExitStatistics s)) {
            w.println("backend exit statistics: not offered by this backend");
            return;
        }
        w.printf("backend exits: %d (xstate switch %s, %d modelled cycles)%n", s.exits(), s.placement(), s.modelledCycles());
        w.printf("  %-24s %12s %9s %14s %16s%n", "reason", "count", "fastpath", "mean real us", "modelled cycles");
        for (ExitStatistics.ExitRow r : s.exitTable()) {
            w.printf("  %-24s %12d %8.1f%% %14.3f %16.1f%n", r.reason(), r.count(), 100 * r.fastpathShare(),
                r.meanRealNanos() / 1e3, r.modelledCyclesPerExit());
        }
    }
}
