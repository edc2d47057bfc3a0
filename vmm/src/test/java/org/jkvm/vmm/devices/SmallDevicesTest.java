package org.jkvm.vmm.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** PM timer, PCI host bridge, debug-exit and the I/O APIC. */
class SmallDevicesTest {
    @Test
    void pmTimerRunsAt3579545Hz() {
        ManualClock clock = new ManualClock();
        PmTimer pm = new PmTimer(clock);
        int a = pm.in(PmTimer.PORT, 4);
        clock.advance(1_000_000_000L);
        int b = pm.in(PmTimer.PORT, 4);
        assertEquals(3_579_545 & 0xFFFFFF, (b - a) & 0xFFFFFF, "24-bit counter");
        assertTrue((b & ~0xFFFFFF) == 0);
    }

    @Test
    void pciHostBridgeOnlyAt0000() {
        PciHost pci = new PciHost();
        pci.out(0xCF8, 4, 0x80000000);
        assertEquals(0x80000000, pci.in(0xCF8, 4));
        assertEquals(0x12378086, pci.in(0xCFC, 4), "8086:1237");
        pci.out(0xCF8, 4, 0x80000008);
        assertEquals(0x06000002, pci.in(0xCFC, 4), "class 06/00, revision 2");
        assertEquals(0x0600, pci.in(0xCFE, 2));
        pci.out(0xCF8, 4, 0x80000800); // device 1
        assertEquals(0xFFFFFFFF, pci.in(0xCFC, 4), "absent device");
        pci.out(0xCF8, 4, 0x80010000); // bus 1
        assertEquals(0xFFFFFFFF, pci.in(0xCFC, 4));
        pci.out(0xCF8, 4, 0x80000000);
        pci.out(0xCFC, 4, 0xFFFFFFFF); // vendor/device are read-only
        assertEquals(0x12378086, pci.in(0xCFC, 4));
    }

    @Test
    void debugExitStatus() {
        DebugExit d = new DebugExit();
        assertEquals(-1, d.requestedStatus());
        d.out(0xF4, 4, 0);
        assertEquals(1, d.requestedStatus());
        d.out(0xF4, 1, 0x10);
        assertEquals(0x21, d.requestedStatus());
    }

    record Msi(long address, int data) {}

    @Test
    void ioApicDeliversUnmaskedEdgeAsMsi() {
        List<Msi> sent = new ArrayList<>();
        IoApic io = new IoApic((a, d) -> sent.add(new Msi(a, d)));
        io.write(0x00, 4, 0x01);
        assertEquals(0x00170020L, io.read(0x10, 4), "version 0x20, 24 entries");
        // pin 4: vector 0x34, fixed, physical, edge, destination APIC 1
        io.write(0x00, 4, 0x10 + 2 * 4);
        io.write(0x10, 4, 0x34);
        io.write(0x00, 4, 0x11 + 2 * 4);
        io.write(0x10, 4, 0x01000000);
        io.setIrq(4, true);
        assertEquals(List.of(new Msi(0xFEE01000L, 0x4034)), sent);
        io.setIrq(4, true);
        assertEquals(1, sent.size(), "edge: no new edge, no new message");
        io.setIrq(4, false);
        io.setIrq(4, true);
        assertEquals(2, sent.size());
    }

    @Test
    void ioApicMaskedAndLevel() {
        List<Msi> sent = new ArrayList<>();
        IoApic io = new IoApic((a, d) -> sent.add(new Msi(a, d)));
        io.setIrq(1, true);
        assertTrue(sent.isEmpty(), "entries start masked");
        io.setIrq(1, false);
        io.write(0x00, 4, 0x10 + 2 * 9);
        io.write(0x10, 4, 0x8000 | 0x49); // level, vector 0x49
        io.setIrq(9, true);
        assertEquals(1, sent.size());
        assertEquals(0xC049, sent.get(0).data(), "level + assert");
        assertEquals(IoApic.REMOTE_IRR, io.redirection(9) & IoApic.REMOTE_IRR);
        io.setIrq(9, true);
        assertEquals(1, sent.size(), "remote IRR holds it");
        io.write(0x40, 4, 0x49); // EOI register: pin still asserted, so it is sent again
        assertEquals(2, sent.size());
        io.setIrq(9, false);
        io.write(0x40, 4, 0x49);
        assertEquals(0, io.redirection(9) & IoApic.REMOTE_IRR);
    }
}
