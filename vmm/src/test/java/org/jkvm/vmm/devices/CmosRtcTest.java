package org.jkvm.vmm.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.LocalDateTime;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

/** CMOS memory-size bytes and the RTC time registers. */
class CmosRtcTest {
    final ManualClock clock = new ManualClock();

    int read(CmosRtc c, int reg) {
        c.out(CmosRtc.INDEX, 1, reg);
        return c.in(CmosRtc.DATA, 1);
    }

    int read16(CmosRtc c, int reg) {
        return read(c, reg) | (read(c, reg + 1) << 8);
    }

    @Test
    void memorySizeFor256M() {
        CmosRtc c = new CmosRtc(clock, 256L << 20, 0, 0);
        assertEquals(640, read16(c, 0x15));
        assertEquals(0xFFFF, read16(c, 0x17), "extended memory saturates at 64 MiB");
        assertEquals(0xFFFF, read16(c, 0x30));
        assertEquals((256 - 16) * 16, read16(c, 0x34), "64 KiB units above 16 MiB");
        assertEquals(0, read(c, 0x5B) | read(c, 0x5C) | read(c, 0x5D));
    }

    @Test
    void memorySizeSmallAndAbove4G() {
        CmosRtc c = new CmosRtc(clock, 8L << 20, 0, 0);
        assertEquals(7 * 1024, read16(c, 0x17));
        assertEquals(0, read16(c, 0x34));
        CmosRtc big = new CmosRtc(clock, 3L << 30, 5L << 30, 0);
        long units = (5L << 30) >> 16;
        assertEquals(units, read(big, 0x5B) | (read(big, 0x5C) << 8) | ((long) read(big, 0x5D) << 16));
    }

    @Test
    void timeInBcdAndBinary() {
        long t = LocalDateTime.of(2026, 11, 21, 14, 37, 59).toEpochSecond(ZoneOffset.UTC);
        CmosRtc c = new CmosRtc(clock, 64L << 20, 0, t);
        assertEquals(0x59, read(c, 0x00));
        assertEquals(0x37, read(c, 0x02));
        assertEquals(0x14, read(c, 0x04));
        assertEquals(0x21, read(c, 0x07));
        assertEquals(0x11, read(c, 0x08));
        assertEquals(0x26, read(c, 0x09));
        assertEquals(0x20, read(c, 0x32));
        assertEquals(0x80, read(c, 0x0D), "valid RAM and time");
        clock.advance(2_000_000_000L);
        assertEquals(0x01, read(c, 0x00), "the clock runs");
        c.out(CmosRtc.INDEX, 1, 0x0B);
        c.out(CmosRtc.DATA, 1, 0x06); // binary, 24h
        assertEquals(1, read(c, 0x00));
        assertEquals(38, read(c, 0x02));
    }

    @Test
    void guestSetsTheTime() {
        CmosRtc c = new CmosRtc(clock, 64L << 20, 0, 0);
        c.out(CmosRtc.INDEX, 1, 0x0B);
        c.out(CmosRtc.DATA, 1, 0x82); // SET, 24h, BCD
        int[][] w = {{0x00, 0x30}, {0x02, 0x15}, {0x04, 0x09}, {0x07, 0x01}, {0x08, 0x02}, {0x09, 0x30}, {0x32, 0x20}};
        for (int[] x : w) {
            c.out(CmosRtc.INDEX, 1, x[0]);
            c.out(CmosRtc.DATA, 1, x[1]);
        }
        c.out(CmosRtc.INDEX, 1, 0x0B);
        c.out(CmosRtc.DATA, 1, 0x02);
        assertEquals(0x09, read(c, 0x04));
        assertEquals(0x15, read(c, 0x02));
        assertEquals(0x30, read(c, 0x09));
        assertEquals(0x02, read(c, 0x08));
    }

    @Test
    void scratchBytesReadBack() {
        CmosRtc c = new CmosRtc(clock, 64L << 20, 0, 0);
        c.out(CmosRtc.INDEX, 1, 0x80 | 0x40); // NMI masked, index 0x40
        c.out(CmosRtc.DATA, 1, 0x5A);
        assertEquals(0x5A, read(c, 0x40));
    }
}
