package org.jkvm.vmm.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.jkvm.vmm.cli.Main;
import org.jkvm.vmm.testing.Backends;
import org.junit.jupiter.api.Test;

/** The committed demo image is what the generator builds, and it prints what the architecture calls for. */
class ApxAmxDemoTest {
    static Path examples() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path e = p.resolve("examples");
            if (Files.isRegularFile(e.resolve("apx-amx-demo.elf"))) return e;
        }
        assumeTrue(false, "examples/ not found above " + Path.of("").toAbsolutePath());
        return null;
    }

    record Run(int status, String out, String err) {}

    static Run runDemo() {
        assumeTrue(Backends.has("soft"), "the demo needs the soft backend (APX/AMX CPU models)");
        StringWriter out = new StringWriter(), err = new StringWriter();
        int st = Main.execute(new String[] {"run", "--accel", "soft", "--entry64", "--timeout=60",
            examples().resolve("apx-amx-demo.elf").toString()}, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(st, out.toString(), err.toString());
    }

    @Test
    void committedImageIsReproducible() throws IOException {
        assertArrayEquals(Files.readAllBytes(examples().resolve("apx-amx-demo.elf")), ApxAmxDemo.build(),
            "regenerate with: java -cp vmm/target/jkvm.jar org.jkvm.vmm.examples.ApxAmxDemo examples/apx-amx-demo.elf");
    }

    @Test
    void apxPartPrintsTheExpectedLines() throws IOException {
        List<String> expected = Files.readAllLines(examples().resolve("apx-amx-demo.expected"));
        Run r = runDemo();
        List<String> got = r.out().lines().toList();
        int apxLines = 9; // through "APX enabled again"
        assertEquals(expected.subList(0, apxLines), got.subList(0, Math.min(apxLines, got.size())), r.err());
    }

    static Run cli(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int st = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(st, out.toString(), err.toString());
    }

    /**
     * Saved at several instruction counts and restored, the demo prints exactly the rest of what an uninterrupted
     * run prints: the output up to n instructions (a run stopped by --max-instructions n) followed by the
     * restored run's output is the whole output. The comparison is between runs of one backend, so it holds
     * whatever that backend's AMX support prints.
     */
    @Test
    void snapshotsAtInstructionCountsContinueTheSame(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Run whole = runDemo();
        String image = examples().resolve("apx-amx-demo.elf").toString();
        for (long n : new long[] {1, 50, 500, 2000, 5000}) {
            Path snap = dir.resolve("d" + n + ".snap");
            Run saving = cli("run", "--accel", "soft", "--entry64", "--timeout=60", "--save-snapshot", snap.toString(),
                "--snapshot-at-instructions", Long.toString(n), image);
            assumeTrue(saving.status() != 69, saving.err());
            assertEquals(whole.out(), saving.out(), "saving does not disturb the run");
            if (!Files.exists(snap)) continue; // the demo ended before n instructions
            Run prefix = cli("run", "--accel", "soft", "--entry64", "--timeout=60", "--max-instructions", Long.toString(n), image);
            Run rest = cli("restore", "--accel", "soft", "--timeout=60", snap.toString());
            assertEquals(whole.out(), prefix.out() + rest.out(), "restored at " + n + ": " + rest.err());
            assertEquals(whole.status(), rest.status(), rest.err());
        }
    }

    @Test
    void wholeDemoMatches() throws IOException {
        Run r = runDemo();
        assertEquals(Files.readString(examples().resolve("apx-amx-demo.expected")), r.out(), r.err());
        assertEquals(1, r.status(), r.err());
    }
}
