package org.jkvm.cpu.diff;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The random sequences again, re-encoded by the isa assembler ({@link IsaReencoder}): on the host the new
 * bytes must do exactly what the harness's own bytes do (so the two encoders agree on real hardware), and
 * the software CPU must agree with the host on them (so it decodes the other forms too).
 */
class IsaEncodingTest {
    private static final int COUNT = Boolean.getBoolean("jkvm.long") ? 50_000 : 1200;

    @Test
    void isaEncodingsAgreeOnTheHostAndOnTheSoftwareCpu() {
        assumeTrue(HostSupport.reason() == null, HostSupport::reason);
        try (NativeCpu host = new NativeCpu();
             SoftCpu soft = new SoftCpu(host.base(), host.sequenceAddress(), 3, false, DifferentialTest.MODEL)) {
            SequenceGenerator gen = new SequenceGenerator(host.base(), host.sequenceAddress(), DifferentialTest::usable);
            Differ differ = new Differ(host, soft);
            List<String> problems = new ArrayList<>();
            int reencoded = 0, changed = 0;
            for (int i = 0; i < COUNT && problems.size() < 5; i++) {
                Sequence mine = gen.generate(SequenceGenerator.caseSeed(0x15A, i));
                Sequence theirs = IsaReencoder.reencode(mine, DifferentialTest::usable);
                if (theirs == null) continue;
                reencoded++;
                if (!java.util.Arrays.equals(mine.code(), theirs.code())) changed++;
                String same = host.run(mine.code(), mine.initial())
                    .diff(host.run(theirs.code(), theirs.initial()), mine.undefinedFlags(), host.base() + Layout.DATA);
                if (!same.isEmpty()) {
                    problems.add("the two encodings differ on the host:\n" + mine.describe() + theirs.describe() + same);
                    continue;
                }
                String r = differ.check(theirs);
                if (r != null) problems.add(r);
            }
            System.out.printf("isa re-encoding: %d of %d sequences re-encoded, %d with different bytes%n", reencoded,
                COUNT, changed);
            if (!problems.isEmpty()) fail(String.join("\n", problems));
            assertTrue(reencoded > COUNT / 5, "too few sequences could be re-encoded: " + reencoded);
        }
    }
}
