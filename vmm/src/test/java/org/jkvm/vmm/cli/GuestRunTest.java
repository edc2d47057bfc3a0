package org.jkvm.vmm.cli;

import static org.jkvm.vmm.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.jkvm.vmm.testing.Backends;
import org.jkvm.vmm.testing.Guest32;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Small guests end to end on whichever backend runs here: console output and exit status as under QEMU. */
class GuestRunTest {
    @TempDir
    Path dir;
    String backend;

    @BeforeEach
    void pick() {
        backend = Backends.available();
    }

    String image(Guest32 g) throws IOException {
        Path p = Files.createTempFile(dir, "guest", ".elf");
        Files.write(p, g.image());
        return p.toString();
    }

    Cli.Result go(Guest32 g, String... extra) throws IOException {
        String[] args = new String[extra.length + 5];
        args[0] = "run";
        args[1] = "--accel";
        args[2] = backend;
        System.arraycopy(extra, 0, args, 3, extra.length);
        args[args.length - 2] = "--timeout=30";
        args[args.length - 1] = image(g);
        return run(args);
    }

    @Test
    void printsAndExitsThroughDebugExit() throws IOException {
        Cli.Result r = go(new Guest32().print("hello\n").debugExit(3));
        assertEquals("hello\n", r.out());
        assertEquals(7, r.status(), r.err());
    }

    @Test
    void multibootEntryState() throws IOException {
        // EAX must be the boot loader magic: exit with (EAX == 0x2BADB002) via a compare.
        Guest32 g = new Guest32();
        g.bytes(0x3D).bytes(0x02, 0xB0, 0xAD, 0x2B);   // cmp eax, 0x2BADB002
        int jne = g.here();
        g.bytes(0x75, 0x00);                            // jne bad (patched below by layout: fall through = good)
        g.debugExit(0x11);
        int bad = g.here();
        g.debugExit(0x22);
        byte[] img = g.image();
        img[jne - Guest32.LOAD + 1] = (byte) (bad - (jne + 2));
        Path p = dir.resolve("entry.elf");
        Files.write(p, img);
        Cli.Result r = run("run", "--accel", backend, "--timeout=30", p.toString());
        assertEquals((0x11 << 1) | 1, r.status(), r.err());
    }

    @Test
    void haltWithInterruptsOffEndsWithZero() throws IOException {
        Cli.Result r = go(new Guest32().print("x").cli().hlt());
        assertEquals("x", r.out());
        assertEquals(0, r.status(), r.err());
    }

    @Test
    void tripleFaultIsStatus2AndDumpsRegisters() throws IOException {
        // LIDT with a zero limit, then UD2: #UD cannot be delivered (#GP), nor can #GP (#DF): shutdown.
        Guest32 g = new Guest32();
        g.movEax(0).bytes(0xA3).bytes(0x00, 0x00, 0x30, 0x00)    // mov [0x300000], eax
            .bytes(0x66, 0xA3).bytes(0x04, 0x00, 0x30, 0x00)       // mov [0x300004], ax
            .bytes(0x0F, 0x01, 0x1D).bytes(0x00, 0x00, 0x30, 0x00) // lidt [0x300000]
            .bytes(0x0F, 0x0B);                                    // ud2
        Cli.Result r = go(g, "--on-triple-fault=dump");
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains("RIP="), r.err());
        assertTrue(r.err().contains("triple fault"), r.err());
    }

    @Test
    void unknownPortReadsAllOnesAndIsLoggedOnce() throws IOException {
        Guest32 g = new Guest32().movEax(0).movDx(0x2F8).inAlDx().inAlDx().movDx(0xF4).outDxEax();
        Cli.Result r = go(g);
        assertEquals(0xFF, r.status(), "((0xFF << 1) | 1) & 0xFF");
        assertEquals(1, r.err().lines().filter(l -> l.contains("0x02f8")).count(), r.err());
    }

    @Test
    void unknownMmioReadsZeroAndIsLoggedOnce() throws IOException {
        Guest32 g = new Guest32().movEax(0x12345678)
            .bytes(0xA1, 0x00, 0x00, 0xD0, 0xFE)   // mov eax, [0xFED00000] (no HPET here)
            .bytes(0xA1, 0x08, 0x00, 0xD0, 0xFE)   // mov eax, [0xFED00008]: same page, not logged again
            .movDx(0xF4).outDxEax();
        Path trace = dir.resolve("trace.txt");
        Cli.Result r = go(g, "--trace", "io", "--trace-file", trace.toString());
        assertEquals(1, r.status(), "EAX = 0 from unknown MMIO: " + r.err());
        String t = Files.readString(trace);
        assertEquals(1, t.lines().filter(l -> l.contains("unknown MMIO read at 0xfed00000")).count(), t);
        assertEquals(0, t.lines().filter(l -> l.contains("unknown MMIO read at 0xfed00008")).count(), t);
        assertTrue(t.contains("mmio read  0xfed00008 size 4 -> 0x0"), t);
        assertEquals("", r.err(), "the log went to the trace file");
    }

    @Test
    void fwCfgSignatureFromTheGuest() throws IOException {
        Guest32 g = new Guest32();
        g.movDx(0x510).bytes(0x66, 0xB8, 0x00, 0x00).bytes(0x66, 0xEF); // mov ax, 0; out dx, ax
        for (int i = 0; i < 4; i++) {
            g.movDx(0x511).inAlDx().movDx(0x3F8).outDxAl();
        }
        g.debugExit(0);
        Cli.Result r = go(g);
        assertEquals("QEMU", r.out());
        assertEquals(1, r.status());
    }

    @Test
    void serialToFileAndNone() throws IOException {
        Path out = dir.resolve("console.txt");
        Cli.Result r = go(new Guest32().print("to a file\n").debugExit(0), "--serial", "file:" + out);
        assertEquals(1, r.status(), r.err());
        assertEquals("", r.out());
        assertEquals("to a file\n", Files.readString(out));
        Cli.Result n = go(new Guest32().print("gone\n").debugExit(0), "--serial", "none");
        assertEquals("", n.out());
        assertEquals(1, n.status());
    }

    @Test
    void timeoutStopsASpinningAndAnIdleGuest() throws IOException {
        for (Guest32 g : new Guest32[] {new Guest32().bytes(0xEB, 0xFE), new Guest32().sti().hlt().bytes(0xEB, 0xFD)}) {
            Path p = Files.createTempFile(dir, "spin", ".elf");
            Files.write(p, g.image());
            long t0 = System.nanoTime();
            Cli.Result r = run("run", "--accel", backend, "--timeout=0.5", p.toString());
            assertEquals(124, r.status(), r.err());
            assertTrue(r.err().contains("timeout"), r.err());
            assertTrue(System.nanoTime() - t0 < 20_000_000_000L, "stopped promptly");
        }
    }

    @Test
    void traceAndStats() throws IOException {
        Cli.Result r = go(new Guest32().print("t").debugExit(0), "--trace", "all", "--stats");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("exit IO out port 0x03f8"), r.err());
        assertTrue(r.err().contains("io out 0x03f8 size 1 <- 0x74"), r.err());
        assertTrue(r.err().contains("user-space exits: 2"), r.err());
    }
}
