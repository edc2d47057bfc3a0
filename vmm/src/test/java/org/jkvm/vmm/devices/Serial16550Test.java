package org.jkvm.vmm.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The 16550A register behaviour machine.md and the 16550A data sheet describe (as Linux's 8250 driver probes it). */
class Serial16550Test {
    static final int B = Serial16550.COM1_BASE;
    ByteArrayOutputStream out;
    List<Boolean> irq;
    Serial16550 uart;

    @BeforeEach
    void setUp() {
        out = new ByteArrayOutputStream();
        irq = new ArrayList<>();
        uart = new Serial16550(B, irq::add, out);
    }

    @Test
    void resetStateTransmitterEmptyNoInterrupt() {
        assertEquals(0x60, uart.in(B + 5, 1), "LSR: THRE and TEMT set, no data");
        assertEquals(0x01, uart.in(B + 2, 1), "IIR: no interrupt pending");
        assertEquals(0x00, uart.in(B + 1, 1), "IER");
    }

    @Test
    void thrWritesGoToTheConsole() {
        for (byte b : "hi\n".getBytes()) uart.out(B, 1, b);
        assertEquals("hi\n", out.toString());
        assertEquals(0x60, uart.in(B + 5, 1) & 0x60);
    }

    @Test
    void divisorLatchReadsBackAndDoesNotTransmit() {
        uart.out(B + 3, 1, 0x83); // DLAB, 8N1
        uart.out(B, 1, 0x01);     // DLL: 115200 baud
        uart.out(B + 1, 1, 0x00); // DLM
        assertEquals(0x01, uart.in(B, 1));
        assertEquals(0x00, uart.in(B + 1, 1));
        assertEquals(0x83, uart.in(B + 3, 1));
        uart.out(B + 3, 1, 0x03);
        assertEquals(0, out.size(), "divisor writes are not data");
        uart.out(B + 1, 1, 0x05);
        assertEquals(0x05, uart.in(B + 1, 1), "IER read back once DLAB is clear");
        uart.out(B + 3, 1, 0x80);
        assertEquals(0x01, uart.in(B, 1), "divisor kept");
    }

    @Test
    void scratchAndModemControlReadBack() {
        uart.out(B + 7, 1, 0xA5);
        assertEquals(0xA5, uart.in(B + 7, 1));
        uart.out(B + 4, 1, 0x0B);
        assertEquals(0x0B, uart.in(B + 4, 1));
    }

    @Test
    void thrEmptyInterruptRaisedOnEnableAndAcknowledgedByIirRead() {
        uart.out(B + 1, 1, 0x02); // ETBEI
        assertTrue(uart.irqLevel());
        assertEquals(List.of(true), irq);
        assertEquals(0x02, uart.in(B + 2, 1) & 0x0F, "IIR: THR empty");
        assertFalse(uart.irqLevel(), "reading IIR acknowledges THRE");
        assertEquals(0x01, uart.in(B + 2, 1) & 0x0F);
        uart.out(B, 1, 'x');
        assertTrue(uart.irqLevel(), "the byte left at once: THRE interrupt again");
    }

    @Test
    void receivedDataSetsDataReadyAndInterrupt() {
        uart.out(B + 1, 1, 0x01); // ERBFI
        assertFalse(uart.irqLevel());
        byte[] in = "ab".getBytes();
        assertEquals(2, uart.receive(in, 0, 2));
        assertEquals(0x01, uart.in(B + 5, 1) & 0x01);
        assertEquals(0x04, uart.in(B + 2, 1) & 0x0F, "IIR: received data available");
        assertTrue(uart.irqLevel());
        assertEquals('a', uart.in(B, 1));
        assertEquals('b', uart.in(B, 1));
        assertEquals(0, uart.in(B + 5, 1) & 0x01);
        assertFalse(uart.irqLevel());
    }

    @Test
    void receiveFifoHoldsSixteenBytesThenOverruns() {
        byte[] in = new byte[20];
        assertEquals(16, uart.receive(in, 0, 20), "a 16-byte FIFO takes 16");
        assertEquals(0, uart.rxRoom());
        uart.out(B + 4, 1, 0x10); // loopback: one more byte overruns
        uart.out(B, 1, 0x41);
        assertEquals(0x02, uart.in(B + 5, 1) & 0x02, "LSR: overrun error");
        assertEquals(0x00, uart.in(B + 5, 1) & 0x02, "error bits clear on read");
    }

    @Test
    void fifoEnableShowsInIir() {
        uart.out(B + 2, 1, 0x07);
        assertEquals(0xC0, uart.in(B + 2, 1) & 0xC0, "FIFOs enabled");
        uart.out(B + 2, 1, 0x00);
        assertEquals(0x00, uart.in(B + 2, 1) & 0xC0);
    }

    @Test
    void loopbackReturnsTransmittedBytesAndModemBits() {
        uart.out(B + 4, 1, 0x10 | 0x0F); // loop, DTR, RTS, OUT1, OUT2
        uart.out(B, 1, 0x5A);
        assertEquals(0, out.size(), "loopback does not reach the console");
        assertEquals(0x5A, uart.in(B, 1));
        assertEquals(0xF0, uart.in(B + 6, 1) & 0xF0, "MSR: CTS, DSR, RI, DCD from MCR");
    }
}
