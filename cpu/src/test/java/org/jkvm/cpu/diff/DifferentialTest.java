package org.jkvm.cpu.diff;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jkvm.cpu.model.CpuModel;
import org.jkvm.cpu.model.CpuModels;
import org.jkvm.isa.CpuFeature;
import org.junit.jupiter.api.Test;

/**
 * Random integer sequences run on the host CPU and on the software CPU from the same state must agree on
 * every GPR, every defined arithmetic flag and the data area. The normal run is a fixed seed and a few
 * thousand sequences; {@code -Djkvm.long=true} runs {@code jkvm.diff.count} (default 200000) from
 * {@code jkvm.diff.seed}; {@code -Djkvm.diff.case=N} reruns the single case a failure printed;
 * {@code -Djkvm.diff.without=ADX} keeps a feature out of the generator; {@code -Djkvm.diff.units=60} makes
 * longer sequences (default at most 20 units).
 */
class DifferentialTest {
    static final long SEED = Long.getLong("jkvm.diff.seed", 0x6A6B_766DL);
    static final boolean LONG = Boolean.getBoolean("jkvm.long");
    static final int COUNT = LONG ? Integer.getInteger("jkvm.diff.count", 200_000) : 4000;
    private static final int MAX_EXAMPLES = 40;

    @Test
    void randomSequencesAgreeWithTheHostAtCpl3() {
        run(3, SEED, COUNT);
    }

    @Test
    void randomSequencesAgreeWithTheHostAtCpl0() {
        run(0, SEED ^ 0x5A5A, COUNT / 8);
    }

    @Test
    void singleCaseFromTheCommandLine() {
        String c = System.getProperty("jkvm.diff.case");
        assumeTrue(c != null && !c.isEmpty(), "no -Djkvm.diff.case given");
        assumeTrue(HostSupport.reason() == null, HostSupport::reason);
        try (NativeCpu host = new NativeCpu();
             SoftCpu soft = new SoftCpu(host.base(), host.sequenceAddress(), 3, false, MODEL)) {
            Sequence s = new SequenceGenerator(host.base(), host.sequenceAddress(), DifferentialTest::usable).generate(Long.parseLong(c));
            String r = new Differ(host, soft).check(s);
            if (r != null) fail(r);
        }
    }

    /** The software CPU's model: an instruction it does not enumerate is rightly #UD, so it is not generated. */
    static final CpuModel MODEL = CpuModels.byName("max");

    /**
     * The features the generator may use: those both the host and the software CPU's model enumerate, less
     * any named in {@code -Djkvm.diff.without=ADX,BMI2} (to look past a known gap while it is being fixed).
     */
    static boolean usable(CpuFeature f) {
        for (String w : System.getProperty("jkvm.diff.without", "").split(",")) {
            if (w.strip().equalsIgnoreCase(f.name())) return false;
        }
        return HostCpuid.has(f) && MODEL.has(f);
    }

    static void run(int cpl, long seed, int count) {
        assumeTrue(HostSupport.reason() == null, HostSupport::reason);
        try (NativeCpu host = new NativeCpu();
             SoftCpu soft = new SoftCpu(host.base(), host.sequenceAddress(), cpl, false, MODEL)) {
            SequenceGenerator gen = new SequenceGenerator(host.base(), host.sequenceAddress(), DifferentialTest::usable,
                Integer.getInteger("jkvm.diff.units", 20));
            Differ differ = new Differ(host, soft);
            String firstReport = null;
            Map<String, Integer> culprits = new TreeMap<>();
            Map<String, String> examples = new TreeMap<>();
            int failed = 0;
            long t0 = System.nanoTime();
            for (int i = 0; i < count; i++) {
                Sequence s = gen.generate(SequenceGenerator.caseSeed(seed, i));
                Differ.Finding f = differ.find(s);
                if (f != null) {
                    failed++;
                    culprits.merge(f.culprit(), 1, Integer::sum);
                    if (examples.size() < MAX_EXAMPLES) examples.putIfAbsent(f.culprit(), f.narrowed());
                    if (firstReport == null) firstReport = f.report();
                }
            }
            System.out.printf("differential: %d sequences at CPL %d from seed %d, %d disagree, %.1f s%n", count, cpl, seed,
                failed, (System.nanoTime() - t0) / 1e9);
            if (failed > 0) {
                StringBuilder sb = new StringBuilder();
                sb.append(failed).append(" of ").append(count).append(" sequences disagree (CPL ").append(cpl)
                    .append(", seed ").append(seed).append(").\nFirst disagreeing instruction, by form:\n");
                culprits.forEach((k, v) -> sb.append("  ").append(v).append("  ").append(k).append('\n'));
                sb.append("\nOne narrowed example per form:\n");
                examples.forEach((k, v) -> sb.append("\n== ").append(k).append('\n').append(v));
                sb.append("\nThe first failing case in full:\n").append(firstReport);
                fail(sb.toString());
            }
        }
    }
}
