package org.jkvm.cpu.diff;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every ALU, shift, rotate, double-shift and multiply at every operand size, on all pairs of the width's
 * boundary values (see {@link EdgeCases}), agrees with the host CPU.
 */
class FlagEdgeTest {
    @Test
    void boundaryValuesAgreeWithTheHost() {
        check(EdgeCases::all);
    }

    /** The long run only (-Djkvm.long=true): all 8-bit operand pairs and shift counts. */
    @Test
    void everyByteOperandAgreesWithTheHost() {
        assumeTrue(Boolean.getBoolean("jkvm.long"), "exhaustive 8-bit run only with -Djkvm.long=true");
        check(EdgeCases::exhaustive8);
    }

    /** The case families of {@link EdgeCases}: (region base, sequence address, sink). */
    private interface Family {
        void generate(long base, long address, java.util.function.Consumer<Sequence> sink);
    }

    private static void check(Family cases) {
        assumeTrue(HostSupport.reason() == null, HostSupport::reason);
        try (NativeCpu host = new NativeCpu();
             SoftCpu soft = new SoftCpu(host.base(), host.sequenceAddress(), 3, false)) {
            Differ differ = new Differ(host, soft);
            List<String> reports = new ArrayList<>();
            java.util.Map<String, Integer> byInsn = new java.util.TreeMap<>();
            cases.generate(host.base(), host.sequenceAddress(), s -> {
                String r = differ.check(s);
                if (r != null) {
                    byInsn.merge(s.listing().get(0).substring(44).trim(), 1, Integer::sum);
                    if (reports.size() < 6) reports.add(r);
                }
            });
            if (!byInsn.isEmpty()) {
                fail("edge cases disagree with the host, by instruction: " + byInsn + "\nfirst cases:\n"
                    + String.join("\n", reports));
            }
        }
    }
}
