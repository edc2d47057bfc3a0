package org.jkvm.vmm.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.jkvm.api.Hypervisor;
import org.jkvm.vmm.loader.ImageLoader;
import org.jkvm.vmm.testing.Backends;
import org.jkvm.vmm.testing.Guest32;
import org.jkvm.vmm.trace.Tracer;
import org.junit.jupiter.api.Test;

/** Host input reaches the guest through COM1's receive FIFO (polled via LSR.DR), and its echo comes back. */
class SerialInputTest {
    @Test
    void guestEchoesHostInputUntilADot() throws Exception {
        String backend = Backends.available();
        // loop: wait for LSR.DR; read RBR; echo it; stop after '.'
        Guest32 g = new Guest32();
        int poll = g.here();
        g.movDx(0x3FD).inAlDx().bytes(0xA8, 0x01);   // test al, 1
        g.jcc8(0x74, poll);                           // jz poll
        g.movDx(0x3F8).inAlDx().outDxAl();            // echo
        g.bytes(0x3C, '.');                           // cmp al, '.'
        g.jcc8(0x75, poll);                           // jne poll
        g.debugExit(0);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        MachineConfig cfg = new MachineConfig(16L << 20, "", List.of(), false, console,
            new ByteArrayInputStream("typed by the host.ignored".getBytes(StandardCharsets.US_ASCII)), Tracer.OFF,
            new PrintStream(log, true), 30_000_000_000L, false, 0, 0);
        try (Hypervisor hv = Hypervisor.open(backend, Map.of()); Machine m = Machine.create(hv, cfg)) {
            m.boot(ImageLoader.load(g.image(), false, "", List.of(), m.memory()));
            Outcome o = m.run();
            assertEquals(1, o.status(), o.message() + " " + log);
        }
        assertEquals("typed by the host.", console.toString(StandardCharsets.US_ASCII));
    }
}
