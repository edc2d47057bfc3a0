package org.jkvm.vmm.devices;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** fw_cfg keys of machine.md: 0x00 "QEMU", 0x03 RAM size, 0x05 CPUs, 0x0F max CPUs, unknown keys zero. */
class FwCfgTest {
    final FwCfg fw = new FwCfg(256L << 20, 1, 4, "console=ttyS0");

    long read(int key, int n) {
        fw.out(FwCfg.SELECTOR, 2, key);
        long v = 0;
        for (int i = 0; i < n; i++) v |= (long) fw.in(FwCfg.DATA, 1) << (8 * i);
        return v;
    }

    @Test
    void signature() {
        fw.out(FwCfg.SELECTOR, 2, FwCfg.SIGNATURE);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 4; i++) b.append((char) fw.in(FwCfg.DATA, 1));
        assertEquals("QEMU", b.toString());
        assertEquals(0, fw.in(FwCfg.DATA, 1), "past the end reads zero");
    }

    @Test
    void ramSizeIsLittleEndian64() {
        assertEquals(256L << 20, read(FwCfg.RAM_SIZE, 8));
    }

    @Test
    void cpuCounts() {
        assertEquals(1, read(FwCfg.NB_CPUS, 2));
        assertEquals(4, read(FwCfg.MAX_CPUS, 2));
    }

    @Test
    void unknownKeyReadsZero() {
        assertEquals(0, read(0x1234, 8));
    }

    @Test
    void selectingAgainRestartsTheItem() {
        fw.out(FwCfg.SELECTOR, 2, FwCfg.SIGNATURE);
        fw.in(FwCfg.DATA, 1);
        fw.in(FwCfg.DATA, 1);
        assertEquals('Q', read(FwCfg.SIGNATURE, 1));
    }

    @Test
    void commandLine() {
        assertEquals(14, read(FwCfg.CMDLINE_SIZE, 4));
        fw.out(FwCfg.SELECTOR, 2, FwCfg.CMDLINE_DATA);
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = fw.in(FwCfg.DATA, 1)) != 0) b.append((char) c);
        assertEquals("console=ttyS0", b.toString());
    }
}
