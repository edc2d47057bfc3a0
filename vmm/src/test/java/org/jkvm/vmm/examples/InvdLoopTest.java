package org.jkvm.vmm.examples;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jkvm.vmm.testing.Backends;
import org.junit.jupiter.api.Test;

/**
 * The INVD-loop guest: the committed image is what the generator builds, and {@code run --stats} on the soft
 * backend shows every INVD handled in the fastpath, with the modelled cost per exit of each placement (the
 * per-entry placement pays XSETBV and WRMSR XSS on every entry and exit: 300 cycles more, seed 003).
 */
class InvdLoopTest {
    @Test
    void committedImageIsReproducible() throws IOException {
        assertArrayEquals(Files.readAllBytes(ApxAmxDemoTest.examples().resolve("invd-loop.elf")), InvdLoop.build(),
            "regenerate with: java -cp vmm/target/jkvm.jar org.jkvm.vmm.examples.InvdLoop examples/invd-loop.elf");
    }

    private static final Pattern INVD_ROW = Pattern.compile("(?m)^\\s+INVD\\s+(\\d+)\\s+([\\d.]+)%\\s+([\\d.]+)\\s+([\\d.]+)$");

    private static double[] invdRow(String placement) {
        assumeTrue(Backends.has("soft"), "needs the soft backend");
        ApxAmxDemoTest.Run r = ApxAmxDemoTest.cli("run", "--accel", "soft", "--entry64", "--stats", "--timeout=120",
            "--xstate-switch=" + placement, ApxAmxDemoTest.examples().resolve("invd-loop.elf").toString());
        assertEquals(1, r.status(), "isa-debug-exit with 0 gives status 1\n" + r.out() + r.err());
        Matcher m = INVD_ROW.matcher(r.out() + r.err());
        assertTrue(m.find(), "an INVD row in the exit table:\n" + r.out() + r.err());
        return new double[] {Long.parseLong(m.group(1)), Double.parseDouble(m.group(2)), Double.parseDouble(m.group(4))};
    }

    @Test
    void everyInvdTakesTheFastpathAndPerEntryCostsMore() {
        double[] outer = invdRow("outer-loop"), per = invdRow("per-entry");
        assertEquals(InvdLoop.ITERATIONS, (long) outer[0]);
        assertEquals(InvdLoop.ITERATIONS, (long) per[0]);
        assertEquals(100.0, outer[1], 0.0);
        assertEquals(100.0, per[1], 0.0);
        assertEquals(300.0, per[2] - outer[2], 0.05, "XSETBV and WRMSR XSS on both sides of every entry");
    }
}
