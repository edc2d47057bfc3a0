package org.jkvm.cpu.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.jkvm.cpu.vmx.ExitReason;
import org.junit.jupiter.api.Test;

/** The acceptance guests: bench.elf (and bench-long.elf with -Djkvm.long=true) print the expected checksum. */
class BenchGuestTest {
    private static Path guest(String name) {
        String shared = System.getProperty("jkvm.shared");
        assumeTrue(shared != null, "jkvm.shared not set");
        Path p = Path.of(shared, "guests", name);
        assumeTrue(Files.exists(p), p + " missing");
        return p;
    }

    private static void runGuest(String name, String expected) throws Exception {
        try (MultibootHarness h = new MultibootHarness()) {
            h.load(guest(name));
            int reason = h.run(1_000_000, 4_000_000_000L); // bench-long needs about 1.63e9
            assertEquals(ExitReason.IO_INSTRUCTION, reason, h.describeExit(reason));
            assertEquals(expected, h.serial.toString());
            assertEquals(1, h.exitStatus, "isa-debug-exit status (0 << 1) | 1");
        }
    }

    @Test
    void benchPrintsItsChecksum() throws Exception {
        runGuest("bench.elf", "bench checksum 00000014e973a59b\n");
    }

    @Test
    void benchLongPrintsItsChecksum() throws Exception {
        assumeTrue(Boolean.getBoolean("jkvm.long"), "long run: -Djkvm.long=true");
        runGuest("bench-long.elf", "bench checksum 000000e833cf5568\n");
    }
}
