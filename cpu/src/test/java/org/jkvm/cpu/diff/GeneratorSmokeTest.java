package org.jkvm.cpu.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/**
 * The generator alone against the host: every generated sequence runs natively without a fault, and twice
 * from the same state gives the same result (so a disagreement with the soft CPU is never host noise).
 */
class GeneratorSmokeTest {
    /** Every instruction fits the architectural 15-byte limit (else the host raises #GP and the JVM dies). */
    @Test
    void instructionsAreAtMost15Bytes() {
        SequenceGenerator gen = new SequenceGenerator(0x7000_0000L, 0x7000_0FE8L, f -> true);
        for (int i = 0; i < 8000; i++) {
            Sequence s = gen.generate(SequenceGenerator.caseSeed(15, i));
            java.util.List<String> lines = s.listing();
            for (int k = 0; k < lines.size(); k++) {
                int start = Integer.parseInt(lines.get(k).trim().substring(0, 4), 16);
                int end = k + 1 < lines.size() ? Integer.parseInt(lines.get(k + 1).trim().substring(0, 4), 16) : s.code().length;
                assertTrue(end - start <= 15, lines.get(k));
            }
        }
    }

    @Test
    void sequencesRunNativelyAndDeterministically() {
        assumeTrue(HostSupport.reason() == null, HostSupport::reason);
        try (NativeCpu cpu = new NativeCpu()) {
            SequenceGenerator gen = new SequenceGenerator(cpu.base(), cpu.sequenceAddress(), HostCpuid::has);
            for (int i = 0; i < 2000; i++) {
                Sequence s = gen.generate(SequenceGenerator.caseSeed(42, i));
                ArchState a = cpu.run(s.code(), s.initial());
                ArchState b = cpu.run(s.code(), s.initial());
                assertEquals("", a.diff(b, 0, cpu.base() + Layout.DATA), s::describe);
            }
        }
    }
}
