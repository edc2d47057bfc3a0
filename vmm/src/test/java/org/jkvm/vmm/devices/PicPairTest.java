package org.jkvm.vmm.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The 8259A pair as PC operating systems program it (ICW1-4, masks, EOI, cascade on IRQ2). */
class PicPairTest {
    PicPair pic;
    int kicks;

    @BeforeEach
    void setUp() {
        pic = new PicPair(() -> kicks++);
        // Linux's init_8259A: ICW1 edge/cascade/ICW4, vector bases 0x20 and 0x28, slave on IRQ2, 8086 mode
        pic.out(0x20, 1, 0x11); pic.out(0x21, 1, 0x20); pic.out(0x21, 1, 0x04); pic.out(0x21, 1, 0x01);
        pic.out(0xA0, 1, 0x11); pic.out(0xA1, 1, 0x28); pic.out(0xA1, 1, 0x02); pic.out(0xA1, 1, 0x01);
        pic.out(0x21, 1, 0x00);
        pic.out(0xA1, 1, 0x00);
    }

    @Test
    void edgeOnIrq1DeliversVectorAndIsInServiceUntilEoi() {
        pic.setIrq(1, true);
        assertTrue(pic.hasInterrupt());
        assertTrue(kicks > 0);
        assertEquals(0x21, pic.acknowledge());
        assertFalse(pic.hasInterrupt(), "in service, request cleared");
        pic.out(0x20, 1, 0x0B); // OCW3: read ISR
        assertEquals(0x02, pic.in(0x20, 1));
        pic.out(0x20, 1, 0x20); // non-specific EOI
        assertEquals(0x00, pic.in(0x20, 1));
    }

    @Test
    void maskedLinesDoNotInterrupt() {
        pic.out(0x21, 1, 0x02);
        assertEquals(0x02, pic.in(0x21, 1), "IMR reads back");
        pic.setIrq(1, true);
        assertFalse(pic.hasInterrupt());
        pic.out(0x21, 1, 0x00);
        assertTrue(pic.hasInterrupt(), "the request stays latched in IRR");
    }

    @Test
    void edgeNeedsANewRisingEdge() {
        pic.setIrq(3, true);
        assertEquals(0x23, pic.acknowledge());
        pic.out(0x20, 1, 0x20);
        pic.setIrq(3, true); // still high: no new edge
        assertFalse(pic.hasInterrupt());
        pic.setIrq(3, false);
        pic.setIrq(3, true);
        assertTrue(pic.hasInterrupt());
    }

    @Test
    void priorityLowerIrqFirstAndNesting() {
        pic.setIrq(4, true);
        pic.setIrq(0, true);
        assertEquals(0x20, pic.acknowledge());
        assertFalse(pic.hasInterrupt(), "IRQ4 waits while IRQ0 is in service");
        pic.out(0x20, 1, 0x20);
        assertEquals(0x24, pic.acknowledge());
    }

    @Test
    void slaveCascadesThroughIrq2() {
        pic.setIrq(12, true);
        assertTrue(pic.hasInterrupt());
        assertEquals(0x2C, pic.acknowledge());
        pic.out(0xA0, 1, 0x0B);
        assertEquals(0x10, pic.in(0xA0, 1), "slave ISR bit 4");
        pic.out(0x20, 1, 0x0B);
        assertEquals(0x04, pic.in(0x20, 1), "master ISR bit 2");
    }

    @Test
    void spuriousWhenNothingPending() {
        assertEquals(0x27, pic.acknowledge());
    }

    @Test
    void irrReadAndSpecificEoi() {
        pic.out(0x21, 1, 0xFF);
        pic.setIrq(5, true);
        pic.out(0x20, 1, 0x0A); // OCW3: read IRR
        assertEquals(0x20, pic.in(0x20, 1));
        pic.out(0x21, 1, 0x00);
        assertEquals(0x25, pic.acknowledge());
        pic.out(0x20, 1, 0x65); // specific EOI for IRQ5
        pic.out(0x20, 1, 0x0B);
        assertEquals(0x00, pic.in(0x20, 1));
    }

    @Test
    void levelTriggeredViaElcr() {
        pic.out(PicPair.ELCR + 1, 1, 0x08); // IRQ11 level
        assertEquals(0x08, pic.in(PicPair.ELCR + 1, 1));
        pic.setIrq(11, true);
        assertEquals(0x2B, pic.acknowledge());
        pic.out(0xA0, 1, 0x20);
        pic.out(0x20, 1, 0x20);
        assertTrue(pic.hasInterrupt(), "a level line still asserted requests again");
        pic.setIrq(11, false);
        // The master latched the cascade edge; with the slave's request gone the INTA finds nothing there:
        // the slave answers with its spurious vector (IRQ 15), as real 8259s do.
        assertEquals(0x2F, pic.acknowledge());
        pic.out(0xA0, 1, 0x0B);
        assertEquals(0x00, pic.in(0xA0, 1), "a spurious interrupt is not in service on the slave");
    }

    @Test
    void autoEoi() {
        pic.out(0x20, 1, 0x11); pic.out(0x21, 1, 0x30); pic.out(0x21, 1, 0x04); pic.out(0x21, 1, 0x03);
        pic.setIrq(6, true);
        assertEquals(0x36, pic.acknowledge());
        pic.out(0x20, 1, 0x0B);
        assertEquals(0, pic.in(0x20, 1), "auto-EOI leaves nothing in service");
    }
}
