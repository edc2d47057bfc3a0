package org.jkvm.cpu.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/**
 * The generator alone against the host: every generated sequence runs natively without a fault, and twice
 * from the same state gives the same result (so a disagreement with the soft CPU is never host noise).
 */
class GeneratorSmokeTest {
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
