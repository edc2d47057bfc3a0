package org.jkvm.vmm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.jkvm.vmm.testing.Backends;
import org.jkvm.vmm.testing.Guest32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The compatibility target itself: the same small Multiboot guests under QEMU's pc machine
 * ({@code -kernel IMAGE -device isa-debug-exit,iobase=0xf4,iosize=4 -serial stdio}, TCG) and under jkvm give the
 * same console output and exit status. Skipped when qemu-system-x86_64 is not installed (it is never required).
 */
class QemuDifferentialTest {
    @TempDir
    Path dir;

    record Run(String out, int status) {}

    static Run qemu(Path image) throws Exception {
        Process q;
        try {
            q = new ProcessBuilder("qemu-system-x86_64", "-accel", "tcg", "-kernel", image.toString(), "-device",
                "isa-debug-exit,iobase=0xf4,iosize=4", "-serial", "stdio", "-display", "none", "-no-reboot")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            assumeTrue(false, "qemu-system-x86_64 is not installed");
            return null;
        }
        if (!q.waitFor(60, TimeUnit.SECONDS)) {
            q.destroyForcibly();
            throw new AssertionError("QEMU did not finish");
        }
        return new Run(new String(q.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1), q.exitValue());
    }

    @Test
    void smallGuestsBehaveAsUnderQemu() throws Exception {
        String backend = Backends.available();
        Guest32 fw = new Guest32();
        fw.movDx(0x510).bytes(0x66, 0xB8, 0x00, 0x00).bytes(0x66, 0xEF);
        for (int i = 0; i < 4; i++) fw.movDx(0x511).inAlDx().movDx(0x3F8).outDxAl();
        fw.debugExit(0);
        Guest32 lsr = new Guest32().movDx(0x3FD).inAlDx().movDx(0xF4).bytes(0x0F, 0xB6, 0xC0).outDxEax(); // movzx eax, al
        Guest32 pci = new Guest32().movDx(0xCF8).movEax(0x80000000).outDxEax().movDx(0xCFC).bytes(0xED) // in eax, dx
            .bytes(0xC1, 0xE8, 0x10).movDx(0xF4).outDxEax();                                          // shr eax, 16
        Guest32 absent = new Guest32().movDx(0xCF8).movEax(0x8000F800) // 00:1f.0: absent on both machines.outDxEax().movDx(0xCFC).bytes(0xED)
            .bytes(0xC1, 0xE8, 0x18).movDx(0xF4).outDxEax();
        Guest32 cmos = new Guest32().movAl(0x15).bytes(0xE6, 0x70).bytes(0xE4, 0x71)                    // base memory low byte
            .movDx(0xF4).bytes(0x0F, 0xB6, 0xC0).outDxEax();
        List<Guest32> guests = List.of(new Guest32().print("hello, world\n").debugExit(0x21), fw, lsr, pci, absent, cmos);
        int i = 0;
        for (Guest32 g : guests) {
            Path p = dir.resolve("g" + i++ + ".elf");
            Files.write(p, g.image());
            Run q = qemu(p);
            Cli.Result j = Cli.run("run", "--accel", backend, "-m", "128M", "--timeout=60", p.toString());
            assertEquals(q.out(), j.out(), p + ": " + j.err());
            assertEquals(q.status(), j.status(), p + ": " + j.err());
        }
    }
}
