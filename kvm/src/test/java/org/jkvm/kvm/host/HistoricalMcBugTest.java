package org.jkvm.kvm.host;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The bug the 2025 series removed the reason for: with XCR0/XSS switched per entry and a guest #MC handled inside
 * the fastpath (right after VM-exit, before the host values are back), a host #MC handler that calls schedule()
 * saves and restores FPU state with the guest's XCR0/XSS loaded. The invariant checker must catch it; with the
 * 2026 placement (#MC handled in the IRQ-off exit path, host values loaded) the same events are harmless.
 */
class HistoricalMcBugTest {
    static final int RUNS = 300;

    private static int violations(Map<String, String> options) throws Exception {
        long seed = 0xB06;
        // a guest corrupted by the bug may never reach its OUT again: bound every run
        Map<String, String> opts = new java.util.HashMap<>(options);
        opts.put("max-instructions", "2000000");
        try (ChaosRig rig = new ChaosRig(opts, RUNS, seed)) {
            // only machine checks, each one scheduling
            rig.v.host.setEvents(new ChaosEvents(seed, 0, 0, 0, 60, 100));
            for (int run = 0; run < RUNS; run++) {
                try {
                    rig.runOnce();
                } catch (AssertionError | RuntimeException e) {
                    break; // a corrupted guest may not reach its OUT: the violations are already recorded
                }
            }
            assertTrue(rig.v.host.machineChecks() > 20, "machine checks happened: " + rig.v.host.machineChecks());
            rig.v.host.violations().stream().limit(3).forEach(v -> System.out.println("caught: " + v));
            return rig.v.host.violations().size();
        }
    }

    @Test
    void perEntryWithMcInFastpathIsCaught() throws Exception {
        assertTrue(violations(Map.of("cpu", "max", "xstate-switch", "per-entry", "mc-in-fastpath", "true")) > 0);
    }

    @Test
    void outerLoopPlacementIsClean() throws Exception {
        assertEquals(0, violations(Map.of("cpu", "max")));
    }

    @Test
    void perEntryWithMcOutsideIsClean() throws Exception {
        assertEquals(0, violations(Map.of("cpu", "max", "xstate-switch", "per-entry")));
    }
}
