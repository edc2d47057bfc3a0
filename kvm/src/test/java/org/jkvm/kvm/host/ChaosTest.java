package org.jkvm.kvm.host;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The chaos test: 10,000 guest runs (100,000 per placement with -Djkvm.long=true) (KVM_RUN calls) with random host interrupts, kernel FPU use, preemption and
 * machine checks at every legal point, compared run by run with an undisturbed reference VM executing the same
 * guest. After every run the complete vCPU state through the uABI, the host task's FPU registers, and the
 * register state at every VM-entry must equal the reference's, and the host model must report no violation
 * (no host XSAVES/XRSTORS under guest XCR0/XSS, no guest XCR0/XSS/PKRU/XFD_ERR visible with IRQs on).
 */
class ChaosTest {
    static final boolean LONG = Boolean.getBoolean("jkvm.long");

    @ParameterizedTest
    @ValueSource(strings = {"outer-loop", "per-entry"})
    void chaos(String placement) throws Exception {
        // 10,000 runs for the default placement; the old one gets a shorter run unless -Djkvm.long=true, which
        // runs five batches of 20,000 per placement (a rig's table of random guest work holds about 24,000 runs)
        int batches = LONG ? 5 : 1;
        for (int batch = 0; batch < batches; batch++) {
            int runs = LONG ? 20_000 : placement.equals("outer-loop") ? 10_000 : 2_000;
            chaos(placement, runs, 0xC4A05L + placement.hashCode() + 0x1000L * batch);
        }
    }

    private static void chaos(String placement, int RUNS, long seed) throws Exception {
        Map<String, String> opts = Map.of("cpu", "max", "xstate-switch", placement, "max-instructions", "2000000");
        try (ChaosRig ref = new ChaosRig(opts, RUNS, seed); ChaosRig chaos = new ChaosRig(opts, RUNS, seed)) {
            ChaosEvents ev = new ChaosEvents(seed * 31, 10, 15, 15, 20);
            chaos.v.host.setEvents(ev);
            SplittableRandom xr = new SplittableRandom(seed ^ 0x5A5A);
            byte[] template = ref.g.vcpu.getXsave2().region();
            for (int run = 0; run < RUNS; run++) {
                if (run % 8 == 0) {
                    byte[] b = ChaosRig.randomXsave(template, xr);
                    ref.setXsave(b);
                    chaos.setXsave(b);
                }
                ref.entryHashes.clear();
                chaos.entryHashes.clear();
                ref.entryParts.clear();
                chaos.entryParts.clear();
                ref.runOnce();
                chaos.runOnce();
                String where = placement + " run " + run;
                if (ChaosRig.DEBUG && !ref.entryHashes.equals(chaos.entryHashes)) {
                    for (int i = 0; i < Math.max(ref.entryParts.size(), chaos.entryParts.size()); i++) {
                        System.out.println("ref   " + (i < ref.entryParts.size() ? ref.entryParts.get(i) : "-"));
                        System.out.println("chaos " + (i < chaos.entryParts.size() ? chaos.entryParts.get(i) : "-"));
                    }
                    System.out.println(chaos.v.host.violations());
                }
                assertEquals(ref.entryHashes, chaos.entryHashes, where + ": guest state at VM-entry");
                if (ChaosRig.DEBUG && ArchHash.of(ref.pc, false) != ArchHash.of(chaos.pc, false)) {
                    System.out.println("host ref   " + ArchHash.parts(ref.pc));
                    System.out.println("host chaos " + ArchHash.parts(chaos.pc));
                }
                assertEquals(ArchHash.of(ref.pc, false), ArchHash.of(chaos.pc, false), where + ": host task FPU state after KVM_RUN");
                if (!ref.sameUabiState(chaos)) assertEquals(ref.uabiState(), chaos.uabiState(), where + ": vCPU state");
                assertEquals(List.of(), chaos.v.host.violations(), where);
            }
            assertEquals(List.of(), ref.v.host.violations());
            if (ChaosRig.GUEST_TILES) assertTrue(chaos.tileRuns > RUNS / 20, "guest tile loads in " + chaos.tileRuns + " runs");
            assertTrue(chaos.v.host.schedules() > RUNS / 2, "schedules " + chaos.v.host.schedules());
            assertTrue(chaos.v.host.interrupts() > RUNS / 2, "interrupts " + chaos.v.host.interrupts());
            assertTrue(chaos.v.host.machineChecks() > RUNS / 10, "machine checks " + chaos.v.host.machineChecks());
            System.out.printf("chaos %s: %d runs (%d with guest tile loads), %d schedules, %d interrupts, %d machine checks, 0 violations%n",
                placement, RUNS, chaos.tileRuns, chaos.v.host.schedules(), chaos.v.host.interrupts(), chaos.v.host.machineChecks());
        }
    }
}
