package org.jkvm.cpu.xstate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.jkvm.cpu.fault.Fault;
import org.jkvm.cpu.model.CpuModelParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * AMX fault and shape rules: isa.md's, plus what the SDM leaves open, settled by running each case
 * on a Sapphire Rapids class host (a separate process per case, reading the fatal signal: SIGSEGV
 * for #GP, SIGILL for #UD or an XFD #NM the kernel turns into SIGILL).
 */
class AmxSemanticsTest {
    Arena arena;
    MemorySegment buf;
    SegmentMemory mem;
    TestContext c;
    XState s;
    AmxUnit u;

    @BeforeEach
    void setUp() {
        arena = Arena.ofConfined();
        buf = arena.allocate(65536, 4096);
        mem = SegmentMemory.over(buf);
        c = new TestContext();
        s = new XState(CpuModelParser.parse("sapphirerapids"));
        s.loadXcr0(0x602E7);
        u = new AmxUnit(s);
    }

    @AfterEach
    void tearDown() {
        arena.close();
    }

    /** Writes a palette-1 configuration at buf+0: colsb/rows per tile, the rest zero. */
    long config(int startRow, int[] colsb, int[] rows) {
        buf.asSlice(0, 64).fill((byte) 0);
        buf.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
        buf.set(ValueLayout.JAVA_BYTE, 1, (byte) startRow);
        for (int t = 0; t < colsb.length; t++) {
            buf.set(ValueLayout.JAVA_SHORT_UNALIGNED, 16 + 2 * t, (short) colsb[t]);
            buf.set(ValueLayout.JAVA_BYTE, 48 + t, (byte) rows[t]);
        }
        return buf.address();
    }

    static int vector(Runnable r) {
        try {
            r.run();
        } catch (Fault f) {
            return f.vector;
        }
        return -1;
    }

    @Test
    void enablingRules() {
        long cfg = config(0, new int[] {64}, new int[] {16});
        c.long64 = false;
        assertEquals(Fault.UD, vector(() -> u.ldtilecfg(c, mem, cfg)), "outside 64-bit mode");
        c.long64 = true;
        s.loadXcr0(0x2E7);
        assertEquals(Fault.UD, vector(() -> u.ldtilecfg(c, mem, cfg)), "XCR0 without AMX");
        assertEquals(Fault.UD, vector(() -> u.tilerelease(c)));
        s.loadXcr0(0x602E7);
        u.ldtilecfg(c, mem, cfg);
    }

    @Test
    void ldtilecfgValidation() {
        int[][] bad = {{1, 0, 64, 17}, {1, 0, 65, 4}, {1, 0, 4, 0}, {1, 0, 0, 4}, {2, 0, 64, 16}};
        for (int[] b : bad) {
            long a = config(b[1], new int[] {b[2]}, new int[] {b[3]});
            buf.set(ValueLayout.JAVA_BYTE, 0, (byte) b[0]);
            assertEquals(Fault.GP, vector(() -> u.ldtilecfg(c, mem, a)), java.util.Arrays.toString(b));
        }
        long a = config(0, new int[] {64}, new int[] {16});
        buf.set(ValueLayout.JAVA_BYTE, 7, (byte) 1);
        assertEquals(Fault.GP, vector(() -> u.ldtilecfg(c, mem, a)), "reserved byte 7");
        config(0, new int[] {64}, new int[] {16});
        buf.set(ValueLayout.JAVA_BYTE, 56, (byte) 1);
        assertEquals(Fault.GP, vector(() -> u.ldtilecfg(c, mem, a)), "rows of tile 8");
        // Accepted: bytes per row not a multiple of 4, any start_row.
        u.ldtilecfg(c, mem, config(255, new int[] {3}, new int[] {16}));
        assertEquals(255, s.tiles.startRow);
        // Palette 0 with garbage is simply the initial configuration.
        config(5, new int[] {64}, new int[] {16});
        buf.set(ValueLayout.JAVA_BYTE, 0, (byte) 0);
        u.ldtilecfg(c, mem, a);
        assertEquals(false, s.tiles.configured());
    }

    @Test
    void ldtilecfgZeroesDataAndSttilecfgReportsIt() {
        u.ldtilecfg(c, mem, config(5, new int[] {64, 8}, new int[] {16, 4}));
        s.tiles.data[100] = 7;
        u.ldtilecfg(c, mem, config(5, new int[] {64, 8}, new int[] {16, 4}));
        assertEquals(0, s.tiles.data[100]);
        long out = buf.address() + 4096;
        u.sttilecfg(c, mem, out);
        assertEquals(1, buf.get(ValueLayout.JAVA_BYTE, 4096));
        assertEquals(5, buf.get(ValueLayout.JAVA_BYTE, 4097), "start_row is kept");
        assertEquals(8, buf.get(ValueLayout.JAVA_SHORT_UNALIGNED, 4096 + 18));
        u.tilerelease(c);
        buf.asSlice(4096, 64).fill((byte) 0x55);
        u.sttilecfg(c, mem, out);
        for (int i = 0; i < 64; i++) assertEquals(0, buf.get(ValueLayout.JAVA_BYTE, 4096 + i), "unconfigured: zeros");
    }

    @Test
    void tileUsability() {
        assertEquals(Fault.UD, vector(() -> u.tilezero(c, 0)), "not configured");
        u.ldtilecfg(c, mem, config(0, new int[] {3, 0, 64}, new int[] {2, 0, 4}));
        u.tilezero(c, 0); // bytes per row need not be a multiple of 4 for TILEZERO
        assertEquals(Fault.UD, vector(() -> u.tilezero(c, 1)), "unused tile");
        long data = buf.address() + 8192;
        assertEquals(Fault.UD, vector(() -> u.tileloadd(c, mem, data, 64, 0)), "load needs colsb % 4 == 0");
        assertEquals(Fault.UD, vector(() -> u.tilestored(c, mem, data, 64, 0)), "store too");
        u.tileloadd(c, mem, data, 64, 2);
        u.ldtilecfg(c, mem, config(4, new int[] {64}, new int[] {4}));
        assertEquals(Fault.UD, vector(() -> u.tileloadd(c, mem, data, 64, 0)), "start_row >= rows");
    }

    @Test
    void loadsAreRestartableRowByRow() {
        u.ldtilecfg(c, mem, config(0, new int[] {8}, new int[] {4}));
        long data = buf.address() + 8192;
        for (int r = 0; r < 4; r++) buf.set(ValueLayout.JAVA_LONG_UNALIGNED, 8192 + 4096L * r, 0x1111L * (r + 1));
        s.tiles.data[3 * 64] = 9; // row 3 will be loaded; bytes past colsb and rows past the shape are zeroed
        s.tiles.data[5 * 64] = 9;
        s.tiles.data[8] = 9;
        mem.faultBetween(data + 2 * 4096, data + 2 * 4096 + 8);
        assertEquals(Fault.PF, vector(() -> u.tileloadd(c, mem, data, 4096, 0)));
        assertEquals(2, s.tiles.startRow, "restart at the faulting row");
        assertEquals(0x1111L, s.tiles.dword(0, 0, 0));
        assertEquals(0x2222L, s.tiles.dword(0, 1, 0));
        mem.faultBetween(-1, -1);
        u.tileloadd(c, mem, data, 4096, 0);
        assertEquals(0, s.tiles.startRow);
        assertEquals(0x4444L, s.tiles.dword(0, 3, 0));
        assertEquals(0, s.tiles.data[8], "past colsb");
        assertEquals(0, s.tiles.data[5 * 64], "past rows");
    }

    @Test
    void dotProductShapes() {
        // dst 2x3 dwords, a 2x(K=2), b 2x3.
        u.ldtilecfg(c, mem, config(0, new int[] {12, 8, 12, 8, 12}, new int[] {2, 2, 2, 3, 3}));
        u.tdpbd(c, AmxUnit.SS, 0, 1, 2);
        assertEquals(Fault.UD, vector(() -> u.tdpbd(c, AmxUnit.SS, 0, 0, 2)), "dst = a");
        assertEquals(Fault.UD, vector(() -> u.tdpbd(c, AmxUnit.SS, 0, 1, 1)), "a = b");
        assertEquals(Fault.UD, vector(() -> u.tdpbd(c, AmxUnit.SS, 4, 1, 2)), "dst.rows != a.rows");
        assertEquals(Fault.UD, vector(() -> u.tdpbd(c, AmxUnit.SS, 0, 3, 2)), "a.colsb != 4 * b.rows");
        assertEquals(Fault.UD, vector(() -> u.tdpbf16ps(c, 0, 1, 4)), "b.colsb == dst.colsb but b.rows != K");
        assertEquals(Fault.UD, vector(() -> u.tdpbd(c, AmxUnit.SS, 0, 1, 5)), "unused tile");
    }

    @Test
    void int8DotProductSignedness() {
        u.ldtilecfg(c, mem, config(0, new int[] {4, 4, 4}, new int[] {1, 1, 1}));
        s.tiles.setDword(1, 0, 0, 0x80FF0201); // a bytes: 01 02 FF 80
        s.tiles.setDword(2, 0, 0, 0xFF02FF03); // b bytes: 03 FF 02 FF
        int[] expect = {
            1 * 3 + 2 * -1 + -1 * 2 + -128 * -1, // SS
            1 * 3 + 2 * 255 + -1 * 2 + -128 * 255, // SU
            1 * 3 + 2 * -1 + 255 * 2 + 128 * -1, // US
            1 * 3 + 2 * 255 + 255 * 2 + 128 * 255}; // UU
        for (int kind = 0; kind < 4; kind++) {
            s.tiles.setDword(0, 0, 0, 1000);
            u.tdpbd(c, kind, 0, 1, 2);
            assertEquals(1000 + expect[kind], s.tiles.dword(0, 0, 0), "kind " + kind);
        }
        s.tiles.setDword(0, 0, 0, Integer.MAX_VALUE);
        u.tdpbd(c, AmxUnit.UU, 0, 1, 2);
        assertEquals(Integer.MAX_VALUE + expect[3], s.tiles.dword(0, 0, 0), "wraps");
    }

    @Test
    void xfdArmsTileDataOnly() {
        s.writeXfd(XFeature.TILEDATA.mask);
        long cfg = config(0, new int[] {64}, new int[] {16});
        u.ldtilecfg(c, mem, cfg);
        u.sttilecfg(c, mem, buf.address() + 4096);
        assertEquals(Fault.NM, vector(() -> u.tilezero(c, 0)));
        assertEquals(XFeature.TILEDATA.mask, s.xfdErr());
        assertEquals(Fault.NM, vector(() -> u.tileloadd(c, mem, buf.address() + 8192, 64, 0)));
        u.tilerelease(c);
        s.writeXfd(0);
        s.writeXfdErr(0);
        u.ldtilecfg(c, mem, cfg);
        u.tileloadd(c, mem, buf.address() + 8192, 64, 0);
    }

    @Test
    void afterTilereleaseXsavecReportsTileDataInitial() {
        XsaveUnit x = new XsaveUnit(s);
        u.ldtilecfg(c, mem, config(0, new int[] {64}, new int[] {16}));
        buf.set(ValueLayout.JAVA_LONG, 8192, -1L);
        u.tileloadd(c, mem, buf.address() + 8192, 64, 0);
        long area = buf.address() + 16384;
        x.xsavec(c, mem, area, -1, true);
        long hdr = 16384 + 512;
        assertEquals(0x60000L, buf.get(ValueLayout.JAVA_LONG, hdr) & 0x60000L);
        u.tilerelease(c);
        x.xsavec(c, mem, area, -1, true);
        assertEquals(0L, buf.get(ValueLayout.JAVA_LONG, hdr) & 0x60000L, "XSTATE_BV[18:17] = 0");
        assertEquals(0x60000L, buf.get(ValueLayout.JAVA_LONG, hdr + 8) & 0x60000L, "XCOMP_BV[18:17] = 1");
    }

    @Test
    void xrstorOfABadConfigurationLoadsTheInitialOne() {
        XsaveUnit x = new XsaveUnit(s);
        u.ldtilecfg(c, mem, config(0, new int[] {64}, new int[] {16}));
        long area = buf.address() + 16384;
        x.xsave(c, mem, area, -1, true);
        buf.set(ValueLayout.JAVA_LONG, 16384 + 512, XFeature.TILECFG.mask);
        buf.set(ValueLayout.JAVA_BYTE, 16384 + 2752, (byte) 2); // palette 2
        x.xrstor(c, mem, area, -1, true);
        assertEquals(false, s.tiles.configured());
    }
}
