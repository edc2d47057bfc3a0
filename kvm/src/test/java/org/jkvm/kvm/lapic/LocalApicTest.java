package org.jkvm.kvm.lapic;

import static org.jkvm.kvm.lapic.ApicReg.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class LocalApicTest {
    /** A manual clock: the test moves time; the TSC runs at 1 GHz so TSC == ns. */
    static final class ManualClock implements ApicClock {
        long now = 1_000_000;
        public long nowNs() { return now; }
        public long guestTsc() { return now; }
        public long tscToNs(long tsc) { return tsc; }
    }

    static final class Bus implements ApicBus {
        final List<LocalApic> apics = new ArrayList<>();
        public int deliver(LocalApic src, int sh, boolean logical, int dest, int mode, int vector, boolean level) {
            int n = 0;
            for (LocalApic a : apics) {
                boolean hit = switch (sh) { case 1 -> a == src; case 2 -> true; case 3 -> a != src; default -> a.matchDest(logical, dest); };
                if (hit && a.accept(mode, vector, level, false)) n++;
            }
            return n;
        }
    }

    private static LocalApic enabled(int id, Bus bus, ManualClock c) {
        LocalApic a = new LocalApic(id, id == 0, bus, c);
        bus.apics.add(a);
        a.mmioWrite(SVR, 0x1FF);
        return a;
    }

    @Test
    void resetState() {
        LocalApic a = new LocalApic(0, true, new Bus(), new ManualClock());
        assertEquals(0xFEE0_0900L, a.apicBase());
        assertEquals(VERSION_VALUE, a.mmioRead(VERSION));
        assertEquals(0xFF, a.mmioRead(SVR));
        assertEquals(LVT_MASKED, a.mmioRead(LVT_TIMER));
        assertEquals(DM_EXTINT << 8, a.mmioRead(LVT_LINT0), "BSP LINT0 passes ExtINT");
        assertTrue(a.acceptsPicInterrupt());
        assertEquals(-1, a.hasInterrupt());
    }

    @Test
    void priorityIsrIrrAndEoi() {
        Bus bus = new Bus();
        LocalApic a = enabled(0, bus, new ManualClock());
        a.accept(DM_FIXED, 0x41, true, false);
        a.accept(DM_FIXED, 0x82, true, false);
        assertEquals(0x82, a.hasInterrupt());
        a.ackInterrupt(0x82);
        assertEquals(0x80, a.mmioRead(PPR) & 0xF0);
        assertEquals(-1, a.hasInterrupt(), "0x41 is below the in-service class");
        a.mmioWrite(EOI, 0);
        assertEquals(0x41, a.hasInterrupt());
        a.mmioWrite(TPR, 0x50);
        assertEquals(-1, a.hasInterrupt(), "TPR class 5 masks vector 0x41");
        a.setCr8(0);
        assertEquals(0x41, a.hasInterrupt());
    }

    @Test
    void oneShotPeriodicAndTscDeadline() {
        ManualClock c = new ManualClock();
        LocalApic a = enabled(0, new Bus(), c);
        a.mmioWrite(TDCR, 0xB); // divide by 1
        a.mmioWrite(LVT_TIMER, 0x30);
        a.mmioWrite(TMICT, 1000);
        assertFalse(a.checkTimer());
        c.now += 500;
        assertEquals(500, a.mmioRead(TMCCT));
        c.now += 500;
        assertTrue(a.checkTimer());
        assertEquals(0x30, a.hasInterrupt());
        assertFalse(a.checkTimer(), "one-shot fires once");

        a.mmioWrite(LVT_TIMER, 0x31 | TIMER_PERIODIC << 17);
        a.mmioWrite(TMICT, 100);
        c.now += 100;
        assertTrue(a.checkTimer());
        c.now += 100;
        assertTrue(a.checkTimer(), "periodic re-arms");

        a.mmioWrite(LVT_TIMER, 0x32 | TIMER_TSC_DEADLINE << 17);
        a.writeTscDeadline(c.now + 50);
        assertFalse(a.checkTimer());
        c.now += 50;
        assertTrue(a.checkTimer());
        assertEquals(0, a.tscDeadline(), "the deadline MSR reads 0 after it fired");
    }

    @Test
    void x2apicIcrFixedIpiAndSelfIpi() {
        Bus bus = new Bus();
        ManualClock c = new ManualClock();
        LocalApic a = enabled(0, bus, c), b = enabled(1, bus, c);
        assertTrue(a.setApicBase(0xFEE0_0000L | BASE_ENABLE | BASE_X2APIC | BASE_BSP, false));
        assertTrue(b.setApicBase(0xFEE0_0000L | BASE_ENABLE | BASE_X2APIC, false));
        assertNull(a.x2apicRead(0x800 + (DFR >> 4)), "no DFR in x2APIC mode");
        assertEquals(1L, a.x2apicRead(0x802) == null ? -1 : b.x2apicRead(0x802));
        assertTrue(a.x2apicWrite(0x830, (1L << 32) | 0x55));
        assertEquals(1, a.flushIpi());
        assertEquals(0x55, b.hasInterrupt());
        assertTrue(a.x2apicWrite(0x83F, 0x66));
        assertEquals(0x66, a.hasInterrupt());
        assertFalse(a.x2apicWrite(0x80B, 1), "EOI with non-zero data is #GP");
        assertFalse(a.setApicBase(0xFEE0_0000L | BASE_ENABLE, false), "x2APIC -> xAPIC directly is illegal");
    }

    @Test
    void initAndSipi() {
        Bus bus = new Bus();
        ManualClock c = new ManualClock();
        LocalApic a = enabled(0, bus, c), b = new LocalApic(1, false, bus, c);
        bus.apics.add(b);
        a.mmioWrite(ICR_HIGH, 1 << 24);
        a.mmioWrite(ICR_LOW, DM_INIT << 8 | 1 << 14);
        a.flushIpi();
        assertTrue(b.takeInit());
        a.mmioWrite(ICR_LOW, DM_SIPI << 8 | 1 << 14 | 0x9F);
        a.flushIpi();
        assertEquals(0x9F, b.takeSipi());
    }

    @Test
    void stateRoundTrip() {
        ManualClock c = new ManualClock();
        LocalApic a = enabled(0, new Bus(), c);
        a.mmioWrite(TPR, 0x20);
        a.mmioWrite(LVT_TIMER, 0x33 | TIMER_PERIODIC << 17);
        a.mmioWrite(TDCR, 0xB);
        a.mmioWrite(TMICT, 500);
        a.accept(DM_FIXED, 0x61, true, false);
        a.ackInterrupt(0x61);
        a.accept(DM_FIXED, 0x71, true, false);
        byte[] page = a.getState();
        LocalApic b = new LocalApic(0, true, new Bus(), c);
        b.setState(page);
        assertArrayEquals(page, b.getState());
        assertEquals(0x71, b.hasInterrupt());
        assertEquals(0x60, b.mmioRead(PPR) & 0xF0, "ISR 0x61 in service");
        c.now += 500;
        assertTrue(b.checkTimer(), "the periodic timer restarted from TMICT");
    }
}
