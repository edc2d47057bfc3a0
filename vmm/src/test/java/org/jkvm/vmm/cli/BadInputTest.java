package org.jkvm.vmm.cli;

import static org.jkvm.vmm.cli.Cli.assertOneLine;
import static org.jkvm.vmm.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import org.jkvm.vmm.testing.Backends;
import org.jkvm.vmm.testing.Guest32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every user mistake is one line on stderr and a status of 64 or more; none reaches the backend's guest. */
class BadInputTest {
    @TempDir
    Path dir;

    Path file(String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, content);
        return p;
    }

    Path hello() throws IOException {
        return file("hello.elf", new Guest32().print("hi\n").debugExit(0).image());
    }

    void expect(int status, String fragment, Cli.Result r) {
        assertEquals(status, r.status(), r.err());
        assertOneLine(r.err());
        assertTrue(r.err().startsWith("jkvm: "), r.err());
        if (fragment != null) assertTrue(r.err().contains(fragment), r.err());
        assertEquals("", r.out(), "nothing on the console");
    }

    @Test
    void missingImage() {
        expect(ExitCodes.NOINPUT, "no such file", run("run", dir.resolve("nope.elf").toString()));
    }

    @Test
    void imageIsADirectory() {
        expect(ExitCodes.NOINPUT, "directory", run("run", dir.toString()));
    }

    @Test
    void notMultibootNorElf() throws IOException {
        byte[] junk = new byte[10000];
        for (int i = 0; i < junk.length; i++) junk[i] = (byte) (i * 7);
        expect(ExitCodes.DATAERR, "not a Multiboot or ELF image", run("run", file("junk.bin", junk).toString()));
        expect(ExitCodes.DATAERR, "not a Multiboot or ELF image", run("run", file("empty.bin", new byte[0]).toString()));
    }

    static byte[] elf32NoMultiboot() {
        ByteBuffer b = ByteBuffer.allocate(0x100).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7F, 'E', 'L', 'F', 1, 1, 1, 0});
        b.putShort(16, (short) 2).putShort(18, (short) 3).putInt(20, 1).putInt(24, 0x100080);
        b.putInt(28, 52).putShort(40, (short) 52).putShort(42, (short) 32).putShort(44, (short) 1);
        b.putInt(52, 1).putInt(56, 0x80).putInt(60, 0x100080).putInt(64, 0x100080).putInt(68, 0x10).putInt(72, 0x10);
        b.put(0x80, (byte) 0xF4);
        return b.array();
    }

    @Test
    void elfWithoutMultibootHeader() throws IOException {
        expect(ExitCodes.DATAERR, "no Multiboot header", run("run", file("plain.elf", elf32NoMultiboot()).toString()));
    }

    @Test
    void entry64NeedsElf64() throws IOException {
        expect(ExitCodes.DATAERR, "ELF64", run("run", "--entry64", file("plain.elf", elf32NoMultiboot()).toString()));
        expect(ExitCodes.DATAERR, null, run("run", "--entry64", hello().toString()));
    }

    @Test
    void truncatedMultibootImage() throws IOException {
        byte[] img = new Guest32().print("x").image();
        ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN).putInt(20, Guest32.LOAD + 0x10000); // load_end past EOF
        expect(ExitCodes.DATAERR, "past the end of the file", run("run", file("trunc.elf", img).toString()));
    }

    @Test
    void badMemorySizes() throws IOException {
        String img = hello().toString();
        expect(ExitCodes.USAGE, "memory size", run("run", "-m", "lots", img));
        expect(ExitCodes.USAGE, "memory size", run("run", "-m", "0", img));
        expect(ExitCodes.USAGE, null, run("run", "-m", "1K", img));
        expect(ExitCodes.USAGE, null, run("run", "-m", "1000000T", img));
    }

    @Test
    void badOptions() throws IOException {
        String img = hello().toString();
        expect(ExitCodes.USAGE, "--accel", run("run", "--accel", "qemu", img));
        expect(ExitCodes.USAGE, "--serial", run("run", "--serial", "tty", img));
        expect(ExitCodes.USAGE, "--trace", run("run", "--trace", "everything", img));
        expect(ExitCodes.USAGE, "--timeout", run("run", "--timeout", "-3", img));
        expect(ExitCodes.USAGE, "--on-triple-fault", run("run", "--on-triple-fault=reboot", img));
        expect(ExitCodes.USAGE, "--xstate-switch", run("run", "--xstate-switch", "sometimes", img));
        expect(ExitCodes.USAGE, null, run("run", "--max-instructions", "many", img));
        expect(ExitCodes.USAGE, "--save-snapshot", run("run", "--snapshot-at-instructions", "100", img));
        expect(ExitCodes.USAGE, "kvm", run("run", "--accel", "kvm", "--save-snapshot", dir.resolve("s").toString(),
            "--snapshot-at-instructions", "100", img));
        expect(ExitCodes.USAGE, null, run("run"));
    }

    @Test
    void missingInitrd() throws IOException {
        expect(ExitCodes.NOINPUT, "initrd", run("run", "--initrd", dir.resolve("no-initrd").toString(), hello().toString()));
    }

    @Test
    void unknownCpuModelOrFeature() throws IOException {
        String backend = Backends.available();
        String img = hello().toString();
        Cli.Result r = run("run", "--accel", backend, "--cpu", "no-such-model", img);
        expect(ExitCodes.USAGE, "no-such-model", r);
        if (backend.equals("soft")) expect(ExitCodes.USAGE, "no-such-feature", run("run", "--accel", backend, "--cpu", "max,+no-such-feature", img));
    }

    @Test
    void kvmWithoutDevKvm() throws IOException {
        assumeTrue(!Backends.has("kvm"), "/dev/kvm is usable here, so the unavailable path cannot be exercised");
        expect(ExitCodes.UNAVAILABLE, "kvm", run("run", "--accel", "kvm", hello().toString()));
    }

    @Test
    void snapshotFilesThatAreNotSnapshots() throws IOException {
        expect(ExitCodes.NOINPUT, "no such file", run("restore", dir.resolve("none.snap").toString()));
        expect(ExitCodes.DATAERR, "not a jkvm snapshot", run("restore", file("junk.snap", new byte[100]).toString()));
        expect(ExitCodes.DATAERR, "not a jkvm snapshot", run("restore", file("tiny.snap", new byte[3]).toString()));
        expect(ExitCodes.DATAERR, "not a jkvm snapshot", run("restore", hello().toString()));
    }
}
