package org.jkvm.vmm.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The 8254 at 1.193182 MHz: channel 0 periodic and one-shot on IRQ 0, latches, read-back, channel 2 via port 0x61. */
class Pit8254Test {
    ManualClock clock;
    int pulses;
    Pit8254 pit;
    SystemControlPort port61;

    @BeforeEach
    void setUp() {
        clock = new ManualClock();
        clock.now = 5_000_000_000L;
        pit = new Pit8254(clock, level -> { if (level) pulses++; }, () -> {});
        port61 = new SystemControlPort(pit, clock);
    }

    static long ns(long ticks) {
        return ticks * 1_000_000_000L / PitChannel.FREQ_HZ;
    }

    void program(int channel, int mode, int count) {
        pit.out(0x43, 1, (channel << 6) | 0x30 | (mode << 1));
        pit.out(0x40 + channel, 1, count & 0xFF);
        pit.out(0x40 + channel, 1, (count >> 8) & 0xFF);
    }

    int latchedCount(int channel) {
        pit.out(0x43, 1, channel << 6); // counter latch
        int lo = pit.in(0x40 + channel, 1);
        return lo | (pit.in(0x40 + channel, 1) << 8);
    }

    void runTo(long t) {
        while (pit.nextDeadline() <= t) {
            clock.now = pit.nextDeadline();
            pit.advance(clock.now);
        }
        clock.now = t;
    }

    @Test
    void mode2IsPeriodicOnIrq0() {
        program(0, 2, 11932); // ~100 Hz, as Linux's legacy tick
        long start = clock.now;
        assertEquals(start + ns(11932) + 1, pit.nextDeadline(), 1);
        runTo(start + ns(100L * 11932) + 1000);
        assertEquals(100, pulses, "one interrupt per period");
        runTo(start + ns(150L * 11932) - 1000);
        assertEquals(149, pulses);
    }

    @Test
    void mode0FiresOnceAtTerminalCount() {
        program(0, 0, 1000);
        long start = clock.now;
        runTo(start + ns(999));
        assertEquals(0, pulses);
        runTo(start + ns(1001));
        assertEquals(1, pulses);
        runTo(start + 1_000_000_000L);
        assertEquals(1, pulses, "one-shot");
        assertEquals(Long.MAX_VALUE, pit.nextDeadline());
    }

    @Test
    void countDecrementsAtThePitRate() {
        program(0, 2, 50000);
        clock.advance(ns(1000));
        int c = latchedCount(0);
        assertTrue(Math.abs(c - 49000) <= 1, "count " + c);
    }

    @Test
    void latchHoldsTheValueUntilRead() {
        program(0, 2, 50000);
        clock.advance(ns(100));
        pit.out(0x43, 1, 0x00);
        clock.advance(ns(5000));
        int lo = pit.in(0x40, 1), hi = pit.in(0x40, 1);
        assertTrue(Math.abs((lo | hi << 8) - 49900) <= 1);
    }

    @Test
    void readBackStatusReportsModeAccessAndOut() {
        program(0, 3, 1000);
        pit.out(0x43, 1, 0xE2); // read-back: status only, channel 0
        int status = pit.in(0x40, 1);
        assertEquals(0x36, status & 0x3F, "lobyte/hibyte access, mode 3, binary");
        assertEquals(0x80, status & 0x80, "mode 3 starts with OUT high");
    }

    @Test
    void nullCountUntilTheCountIsWritten() {
        pit.out(0x43, 1, 0x34);
        pit.out(0x43, 1, 0xE2);
        assertEquals(0x40, pit.in(0x40, 1) & 0x40);
        assertEquals(Long.MAX_VALUE, pit.nextDeadline(), "no interrupts before a count");
    }

    @Test
    void channel2GatedByPort61AndOutVisible() {
        port61.out(0x61, 1, 0x00); // gate low
        program(2, 0, 1193);       // ~1 ms
        clock.advance(ns(5000));
        assertEquals(0, port61.in(0x61, 1) & 0x20, "counting has not started: OUT low");
        port61.out(0x61, 1, 0x01); // gate high: counting starts
        assertEquals(0x01, port61.in(0x61, 1) & 0x01);
        clock.advance(ns(1000));
        assertEquals(0, port61.in(0x61, 1) & 0x20);
        clock.advance(ns(300));
        assertEquals(0x20, port61.in(0x61, 1) & 0x20, "terminal count: OUT high");
        assertEquals(0, pulses, "channel 2 has no interrupt");
    }

    @Test
    void refreshBitToggles() {
        int a = port61.in(0x61, 1) & 0x10;
        clock.advance(15_085);
        int b = port61.in(0x61, 1) & 0x10;
        assertTrue(a != b);
    }

    @Test
    void lowByteOnlyAccess() {
        pit.out(0x43, 1, 0x14); // channel 0, lobyte only, mode 2
        pit.out(0x40, 1, 100);
        clock.advance(ns(10));
        int c = pit.in(0x40, 1);
        assertTrue(Math.abs(c - 90) <= 1, "count " + c);
        assertFalse(pit.nextDeadline() == Long.MAX_VALUE);
    }
}
