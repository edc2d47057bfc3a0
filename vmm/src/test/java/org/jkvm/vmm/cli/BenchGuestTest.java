package org.jkvm.vmm.cli;

import static org.jkvm.vmm.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jkvm.vmm.testing.Backends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared benchmark guests (a Multiboot image built for QEMU's -kernel) print the documented line and
 * exit with status 1. On the soft backend bench.elf is part of the normal run; /dev/kvm on this kind of host
 * (kvm_pvm, which emulates unmodified guest code) and bench-long.elf are behind -Djkvm.long=true.
 */
class BenchGuestTest {
    @TempDir
    Path dir;

    /** The expected line for SCALE=n from the guests' README (read, not copied). */
    static String expected(int scale) throws IOException {
        Path doc = Backends.shared().resolve("guests/README.md");
        assumeTrue(Files.isRegularFile(doc), "the shared guests are not at " + doc.getParent());
        String readme = Files.readString(doc);
        Matcher m = Pattern.compile("`(bench checksum [0-9a-f]{16})` \\(SCALE=" + scale + "\\)").matcher(readme);
        assumeTrue(m.find(), "guests/README.md does not document SCALE=" + scale);
        return m.group(1) + "\n";
    }

    static Path guest(String name) {
        Path p = Backends.shared().resolve("guests").resolve(name);
        assumeTrue(Files.isRegularFile(p), name + " is missing");
        return p;
    }

    @Test
    void benchOnSoft() throws IOException {
        assumeTrue(Backends.has("soft"), "soft backend unavailable");
        Cli.Result r = run("run", "--accel", "soft", "--timeout=120", guest("bench.elf").toString());
        assertEquals(expected(20), r.out(), r.err());
        assertEquals(1, r.status(), r.err());
    }

    @Test
    void benchOnKvm() throws IOException {
        assumeTrue(Boolean.getBoolean("jkvm.long"), "about a minute on kvm_pvm hosts: -Djkvm.long=true");
        assumeTrue(Backends.has("kvm"), "/dev/kvm unavailable");
        Cli.Result r = run("run", "--accel", "kvm", "--timeout=600", guest("bench.elf").toString());
        assertEquals(expected(20), r.out(), r.err());
        assertEquals(1, r.status(), r.err());
    }

    @Test
    void benchLongOnSoft() throws IOException {
        assumeTrue(Boolean.getBoolean("jkvm.long"), "bench-long.elf: -Djkvm.long=true");
        assumeTrue(Backends.has("soft"), "soft backend unavailable");
        Cli.Result r = run("run", "--accel", "soft", "--timeout=900", guest("bench-long.elf").toString());
        assertEquals(expected(200), r.out(), r.err());
        assertEquals(1, r.status(), r.err());
    }

    /** Same line and status as QEMU itself, when qemu-system-x86_64 is installed (never required). */
    @Test
    void sameAsQemu() throws Exception {
        String backend = Backends.has("soft") ? "soft" : Backends.available();
        // The guest sets CR4.OSXSAVE: QEMU's default qemu64 CPU has no XSAVE, #GPs, triple-faults and
        // reboots forever, hence -cpu max and -no-reboot.
        List<String> cmd = new ArrayList<>(List.of("qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-no-reboot",
            "-kernel", guest("bench.elf").toString(),
            "-device", "isa-debug-exit,iobase=0xf4,iosize=4", "-serial", "stdio", "-display", "none"));
        Process q;
        try {
            q = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        } catch (IOException e) {
            assumeTrue(false, "qemu-system-x86_64 is not installed");
            return;
        }
        boolean done = q.waitFor(5, TimeUnit.MINUTES);
        if (!done) q.destroyForcibly();
        assumeTrue(done, "QEMU did not finish in 5 minutes");
        String qemuOut = new String(q.getInputStream().readAllBytes());
        Cli.Result r = run("run", "--accel", backend, "--timeout=900", guest("bench.elf").toString());
        assertEquals(qemuOut, r.out());
        assertEquals(q.exitValue(), r.status());
        assertTrue(qemuOut.startsWith("bench checksum"));
    }

    /** Save at several instruction counts through the benchmark, restore each: the restored run ends the same. */
    @Test
    void snapshotsAtInstructionCounts() throws IOException {
        assumeTrue(Backends.has("soft"), "instruction counts need the soft backend");
        String full = expected(20);
        long[] points = Boolean.getBoolean("jkvm.long")
            ? new long[] {1, 1_000, 100_000, 5_000_000, 50_000_000, 120_000_000, 160_000_000}
            : new long[] {1, 100_000, 20_000_000};
        for (long n : points) {
            Path snap = dir.resolve("b" + n + ".snap");
            Cli.Result first = run("run", "--accel", "soft", "--timeout=120", "--save-snapshot", snap.toString(),
                "--snapshot-at-instructions", Long.toString(n), guest("bench.elf").toString());
            assumeTrue(first.status() != ExitCodes.UNAVAILABLE, first.err());
            assertEquals(full, first.out(), first.err());
            assertEquals(1, first.status(), first.err());
            assertTrue(Files.exists(snap), "snapshot at " + n + ": " + first.err());
            Cli.Result rest = run("restore", "--accel", "soft", "--timeout=120", snap.toString());
            assertEquals(full, rest.out(), "restored at " + n + ": " + rest.err());
            assertEquals(1, rest.status(), rest.err());
        }
    }
}
