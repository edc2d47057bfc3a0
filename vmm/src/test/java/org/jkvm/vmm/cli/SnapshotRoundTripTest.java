package org.jkvm.vmm.cli;

import static org.jkvm.vmm.cli.Cli.assertOneLine;
import static org.jkvm.vmm.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.jkvm.vmm.testing.Backends;
import org.jkvm.vmm.testing.Guest32;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Save at a point the guest chooses (port 0x5C5), restore into a new machine: the restored run prints
 * exactly the rest of an uninterrupted run's output and ends with the same status.
 */
class SnapshotRoundTripTest {
    @TempDir
    Path dir;
    String backend;

    @BeforeEach
    void pick() {
        backend = Backends.available();
    }

    /**
     * Prints the digits 0-9, keeping the count in ECX and in RAM at 0x200000; requests a snapshot after printing
     * digit {@code at}; exits with the count read back from RAM (status 21).
     */
    static byte[] counter(int at) {
        Guest32 g = new Guest32();
        g.movEcx(0);
        int loop = g.here();
        g.movDx(0x3F8).bytes(0x88, 0xC8).bytes(0x04, 0x30).outDxAl();      // mov al, cl; add al, '0'; out
        g.bytes(0x83, 0xF9, at);                                            // cmp ecx, at
        g.bytes(0x75, 0x07);                                                // jne +7 (skip the request)
        g.movDx(0x5C5).movAl(1).outDxAl();                                  // 4 + 2 + 1 bytes
        g.bytes(0x41);                                                      // inc ecx
        g.bytes(0x89, 0x0D, 0x00, 0x00, 0x20, 0x00);                        // mov [0x200000], ecx
        g.bytes(0x83, 0xF9, 0x0A);                                          // cmp ecx, 10
        g.jcc8(0x75, loop);
        g.print("\n");
        g.bytes(0xA1, 0x00, 0x00, 0x20, 0x00);                              // mov eax, [0x200000]
        g.movDx(0xF4).outDxEax();
        g.hlt();
        return g.image();
    }

    Path write(String name, byte[] b) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, b);
        return p;
    }

    @Test
    void restoreContinuesWithTheSameOutputAtEveryPoint() throws IOException {
        Cli.Result plain = run("run", "--accel", backend, "--timeout=30", write("plain.elf", counter(99)).toString());
        assertEquals("0123456789\n", plain.out());
        assertEquals(21, plain.status(), plain.err());
        for (int at : new int[] {0, 4, 9}) {
            Path snap = dir.resolve("at" + at + ".snap");
            Cli.Result first = run("run", "--accel", backend, "--timeout=30", "--save-snapshot", snap.toString(),
                write("c" + at + ".elf", counter(at)).toString());
            assertEquals(plain.out(), first.out(), "saving does not disturb the run");
            assertEquals(21, first.status(), first.err());
            assertTrue(Files.exists(snap), first.err());
            Cli.Result rest = run("restore", "--accel", backend, "--timeout=30", snap.toString());
            assertEquals(plain.out().substring(at + 1), rest.out(), "at " + at + ": " + rest.err());
            assertEquals(21, rest.status(), rest.err());
        }
    }

    @Test
    void corruptedOrTruncatedSnapshotIsRejected() throws IOException {
        Path snap = dir.resolve("s.snap");
        Cli.Result first = run("run", "--accel", backend, "--timeout=30", "--save-snapshot", snap.toString(),
            write("c.elf", counter(3)).toString());
        assertEquals(21, first.status(), first.err());
        byte[] good = Files.readAllBytes(snap);

        byte[] flipped = good.clone();
        flipped[good.length / 2] ^= 0x10;
        Cli.Result r = run("restore", "--accel", backend, write("flip.snap", flipped).toString());
        assertEquals(ExitCodes.DATAERR, r.status());
        assertOneLine(r.err());
        assertTrue(r.err().contains("checksum"), r.err());

        for (int cut : new int[] {good.length - 1, good.length / 2, 40, 31}) {
            Cli.Result t = run("restore", "--accel", backend, write("cut" + cut + ".snap", Arrays.copyOf(good, cut)).toString());
            assertEquals(ExitCodes.DATAERR, t.status(), t.err());
            assertOneLine(t.err());
            assertEquals("", t.out());
        }

        byte[] version = good.clone();
        version[9] = 9; // major version 9
        Cli.Result v = run("restore", "--accel", backend, write("v9.snap", version).toString());
        assertEquals(ExitCodes.DATAERR, v.status());
        assertTrue(v.err().contains("version"), v.err());
    }

    @Test
    void restoreOnACpuModelWithoutASavedFeatureNamesIt() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(Backends.has("soft"), "needs the soft backend's CPU models");
        Path snap = dir.resolve("max.snap");
        Cli.Result first = run("run", "--accel", "soft", "--cpu", "max", "--timeout=30", "--save-snapshot", snap.toString(),
            write("c.elf", counter(2)).toString());
        assertEquals(21, first.status(), first.err());
        Cli.Result r = run("restore", "--accel", "soft", "--cpu", "max,-avx512f", snap.toString());
        assertEquals(ExitCodes.DATAERR, r.status(), r.err());
        assertOneLine(r.err());
        assertTrue(r.err().contains("CPU feature AVX512F"), r.err());
        assertEquals("", r.out(), "nothing ran");
        Cli.Result ok = run("restore", "--accel", "soft", "--cpu", "max", snap.toString());
        assertEquals("3456789\n", ok.out(), ok.err());
    }

    /**
     * Damage that the checksum cannot catch (a byte changed and the CRC recomputed, as a buggy or malicious
     * writer would produce): the VMM rejects it with one line, or runs whatever state it describes; it never
     * fails internally or prints a stack trace.
     */
    @Test
    void forgedSnapshotsNeverCrashTheVmm() throws IOException {
        Path snap = dir.resolve("f.snap");
        Cli.Result first = run("run", "--accel", backend, "--timeout=30", "--save-snapshot", snap.toString(),
            write("c.elf", counter(5)).toString());
        assertEquals(21, first.status(), first.err());
        byte[] good = Files.readAllBytes(snap);
        java.util.Random rnd = new java.util.Random(42);
        int limit = Math.min(good.length, 32 + 6000); // header, machine, vCPU and device sections
        for (int i = 0; i < 25; i++) {
            byte[] bad = good.clone();
            int at = 32 + rnd.nextInt(limit - 32);
            bad[at] ^= (byte) (1 << rnd.nextInt(8));
            java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            crc.update(bad, 32, bad.length - 32);
            java.nio.ByteBuffer.wrap(bad).putInt(24, (int) crc.getValue());
            Cli.Result r = run("restore", "--accel", backend, "--timeout=5", write("f" + i + ".snap", bad).toString());
            assertTrue(r.status() != ExitCodes.SOFTWARE, "byte " + at + ": " + r.err());
            assertTrue(!r.err().contains("internal error") && !r.err().contains("\tat "), "byte " + at + ": " + r.err());
        }
    }

    @Test
    void snapshotWriteIsAtomic() throws IOException {
        Path snap = dir.resolve("a.snap");
        Files.writeString(snap, "old contents");
        Cli.Result first = run("run", "--accel", backend, "--timeout=30", "--save-snapshot", snap.toString(),
            write("c.elf", counter(1)).toString());
        assertEquals(21, first.status(), first.err());
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file left");
        }
        assertTrue(Files.size(snap) > 32);
    }
}
