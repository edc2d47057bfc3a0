package org.jkvm.cpu.xstate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.jkvm.cpu.fault.Fault;
import org.jkvm.cpu.model.CpuModelParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The XSAVE feature set against the SDM (vol. 1 ch. 13, vol. 2 XSAVE, XRSTOR, XSETBV, XGETBV) and
 * spec/isa.md: the fault conditions the host cannot be asked about (a fault there kills the test
 * JVM), supervisor components, APX, PKRU and XFD, which this host lacks or hides.
 */
class XsaveSemanticsTest {
    static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG_UNALIGNED;
    static final ValueLayout.OfInt I = ValueLayout.JAVA_INT_UNALIGNED;

    Arena arena;
    MemorySegment area;
    long a;
    SegmentMemory mem;
    TestContext c;

    @BeforeEach
    void setUp() {
        arena = Arena.ofConfined();
        area = arena.allocate(32768, 4096);
        a = area.address();
        mem = SegmentMemory.over(area);
        c = new TestContext();
    }

    @AfterEach
    void tearDown() {
        arena.close();
    }

    static XsaveUnit unit(String model) {
        return new XsaveUnit(new XState(CpuModelParser.parse(model)));
    }

    static int vector(Runnable r) {
        try {
            r.run();
        } catch (Fault f) {
            return f.vector;
        }
        return -1;
    }

    // ---------------------------------------------------------------- XSETBV / XGETBV

    @Test
    void xsetbvAcceptsExactlyTheArchitecturalCombinations() {
        XsaveUnit u = unit("sapphirerapids");
        c.cpl = 0;
        long supported = u.state().supportedXcr0;
        List<Long> accepted = new ArrayList<>();
        // Every subset of the supported bits, plus each unsupported bit alone on top of a valid value.
        for (long sub = supported; ; sub = (sub - 1) & supported) {
            int v = vector(() -> u.xsetbv(c, 0, 0));
            assertEquals(Fault.GP, v, "bit 0 clear");
            long value = sub;
            if (vector(() -> u.xsetbv(c, 0, value)) < 0) {
                accepted.add(value);
                assertEquals(value, u.xgetbv(c, 0));
            } else {
                assertTrue(u.xgetbv(c, 0) != value, "rejected value must not stick");
            }
            if (sub == 0) break;
        }
        // x87 always; SSE optional; AVX needs SSE; AVX-512 all three and AVX; PKRU free; AMX both or none.
        long[] expected = {0x1, 0x3, 0x7, 0xE7};
        List<Long> want = new ArrayList<>();
        for (long base : expected) for (long pk : new long[] {0, 0x200}) for (long amx : new long[] {0, 0x60000}) {
            want.add(base | pk | amx);
        }
        assertEquals(want.stream().sorted().toList(), accepted.stream().sorted().toList());
        u.xsetbv(c, 0, 0x602E7);
        for (int bit : new int[] {3, 4, 8, 10, 11, 12, 13, 14, 15, 16, 19, 20, 62, 63}) {
            long bad = 0x602E7L | 1L << bit;
            assertEquals(Fault.GP, vector(() -> u.xsetbv(c, 0, bad)), "bit " + bit);
        }
        assertEquals(0x602E7L, u.xgetbv(c, 0), "last valid value stays");
    }

    @Test
    void xsetbvFaultOrderAndConditions() {
        XsaveUnit u = unit("sapphirerapids");
        c.cpl = 0;
        assertEquals(Fault.GP, vector(() -> u.xsetbv(c, 1, 3)), "ECX != 0");
        c.cpl = 3;
        assertEquals(Fault.GP, vector(() -> u.xsetbv(c, 0, 3)), "CPL 3");
        c.cr4 &= ~XContext.CR4_OSXSAVE;
        assertEquals(Fault.UD, vector(() -> u.xsetbv(c, 0, 3)), "#UD before #GP without OSXSAVE");
        assertEquals(Fault.UD, vector(() -> u.xgetbv(c, 0)));
        assertEquals(1, u.xgetbv(withOsxsave(), 0), "reset value");
    }

    TestContext withOsxsave() {
        c.cr4 |= XContext.CR4_OSXSAVE;
        return c;
    }

    @Test
    void mpxAndApxTogetherAreRejected() {
        XsaveUnit u = unit("max,+mpx");
        c.cpl = 0;
        assertEquals(Fault.GP, vector(() -> u.xsetbv(c, 0, 0x7 | 0x18 | 1L << 19)));
        u.xsetbv(c, 0, 0x7 | 0x18);
        u.xsetbv(c, 0, 0x7 | 1L << 19);
        assertEquals(Fault.GP, vector(() -> u.xsetbv(c, 0, 0x7 | 0x8)), "BNDREGS without BNDCSR");
    }

    @Test
    void xgetbv1ReportsInUseAndNeedsTheFeature() {
        XsaveUnit u = unit("sapphirerapids");
        c.cpl = 0;
        u.xsetbv(c, 0, 0x602E7);
        assertEquals(0, u.xgetbv(c, 1));
        u.state().zmm[3 * 8 + 2] = 5; // YMM3 upper
        u.state().touch(XFeature.AVX.mask);
        assertEquals(XFeature.AVX.mask, u.xgetbv(c, 1));
        assertEquals(Fault.GP, vector(() -> u.xgetbv(c, 2)));
        assertEquals(Fault.GP, vector(() -> u.xgetbv(c, 0xFFFF_FFFFL)));
        XsaveUnit old = unit("icelake-server,-xgetbv1");
        assertEquals(Fault.GP, vector(() -> old.xgetbv(c, 1)));
    }

    // ---------------------------------------------------------------- save faults

    @Test
    void saveFaultConditions() {
        XsaveUnit u = unit("sapphirerapids");
        c.cpl = 0;
        u.xsetbv(c, 0, 0x602E7);
        c.cpl = 3;
        assertEquals(Fault.GP, vector(() -> u.xsave(c, mem, a + 16, -1, true)), "misaligned");
        assertEquals(Fault.GP, vector(() -> u.xsavec(c, mem, a + 32, -1, true)));
        assertEquals(Fault.GP, vector(() -> u.xsaves(c, mem, a, -1, true)), "XSAVES at CPL 3");
        assertEquals(Fault.GP, vector(() -> u.xrstors(c, mem, a, -1, true)), "XRSTORS at CPL 3");
        c.cr0 |= XContext.CR0_TS;
        assertEquals(Fault.NM, vector(() -> u.xsave(c, mem, a + 16, -1, true)), "#NM before #GP");
        assertEquals(Fault.NM, vector(() -> u.xrstor(c, mem, a, -1, true)));
        c.cr4 &= ~XContext.CR4_OSXSAVE;
        assertEquals(Fault.UD, vector(() -> u.xsaveopt(c, mem, a, -1, true)), "#UD before #NM");
        c.cr4 |= XContext.CR4_OSXSAVE;
        c.cr0 &= ~XContext.CR0_TS;
        // EM does not matter to XSAVE, but does to FXSAVE.
        c.cr0 |= XContext.CR0_EM;
        u.xsave(c, mem, a, -1, true);
        assertEquals(Fault.NM, vector(() -> u.fxsave(c, mem, a, true)));
        c.cr0 &= ~XContext.CR0_EM;
        assertEquals(Fault.GP, vector(() -> u.fxsave(c, mem, a + 8, true)), "FXSAVE needs 16-byte alignment");
        XsaveUnit noC = unit("icelake-server,-xsavec");
        assertEquals(Fault.UD, vector(() -> noC.xsavec(c, mem, a, -1, true)));
        assertEquals(Fault.UD, vector(() -> noC.xsaves(c, mem, a, -1, true)));
        XsaveUnit noOpt = unit("icelake-server,-xsaveopt");
        assertEquals(Fault.UD, vector(() -> noOpt.xsaveopt(c, mem, a, -1, true)));
    }

    // ---------------------------------------------------------------- restore header rules

    /** Writes a valid standard image of the reset state and returns its address. */
    long cleanArea() {
        area.fill((byte) 0);
        area.set(I, 24, XState.MXCSR_INIT);
        return a;
    }

    void assertGp(XsaveUnit u, Runnable r, String why) {
        XState s = u.state();
        long x = s.xinuse;
        int mx = s.mxcsr;
        s.zmm[0] = 0x1234;
        assertEquals(Fault.GP, vector(r), why);
        assertEquals(0x1234, s.zmm[0], why + ": state unchanged");
        assertEquals(mx, s.mxcsr, why);
        assertEquals(x, s.xinuse, why);
    }

    @Test
    void xrstorHeaderRules() {
        XsaveUnit u = unit("sapphirerapids");
        c.cpl = 0;
        u.xsetbv(c, 0, 0x2E7); // no AMX in XCR0
        cleanArea();
        area.set(L, 512, 0x3);
        u.xrstor(c, mem, a, -1, true);

        cleanArea();
        area.set(L, 528, 1);
        assertGp(u, () -> u.xrstor(c, mem, a, -1, true), "header bytes 16-23");
        cleanArea();
        area.set(L, 520, 1);
        assertGp(u, () -> u.xrstor(c, mem, a, -1, true), "standard form with XCOMP_BV != 0");
        cleanArea();
        area.set(L, 512, XFeature.TILECFG.mask);
        assertGp(u, () -> u.xrstor(c, mem, a, 0, true), "XSTATE_BV outside XCR0, even with RFBM 0");
        cleanArea();
        area.set(L, 560, -1L);
        u.xrstor(c, mem, a, -1, true); // the standard form ignores bytes 24-63

        cleanArea();
        area.set(L, 520, XFeature.XCOMP_BV_COMPACTED | 0x3 | XFeature.TILECFG.mask);
        assertGp(u, () -> u.xrstor(c, mem, a, -1, true), "XCOMP_BV outside XCR0");
        cleanArea();
        area.set(L, 520, XFeature.XCOMP_BV_COMPACTED | 0x3);
        area.set(L, 512, 0x7);
        assertGp(u, () -> u.xrstor(c, mem, a, -1, true), "XSTATE_BV not a subset of XCOMP_BV");
        cleanArea();
        area.set(L, 520, XFeature.XCOMP_BV_COMPACTED | 0x3);
        area.set(L, 568, 1);
        assertGp(u, () -> u.xrstor(c, mem, a, -1, true), "compacted header bytes 24-63");
        cleanArea();
        area.set(L, 520, XFeature.XCOMP_BV_COMPACTED | 0x3);
        u.xrstor(c, mem, a, -1, true);

        cleanArea();
        assertGp(u, () -> u.xrstors(c, mem, a, -1, true), "XRSTORS of a standard-format area");
    }

    @Test
    void mxcsrRules() {
        XsaveUnit u = unit("sapphirerapids");
        c.cpl = 0;
        u.xsetbv(c, 0, 0x2E7);
        XState s = u.state();
        cleanArea();
        area.set(I, 24, 0x1_0000);
        assertGp(u, () -> u.xrstor(c, mem, a, 0x2, true), "reserved MXCSR bit, RFBM[1]");
        assertGp(u, () -> u.xrstor(c, mem, a, 0x4, true), "reserved MXCSR bit, RFBM[2] (standard form)");
        u.xrstor(c, mem, a, 0x1, true); // neither SSE nor AVX requested: MXCSR not read

        // Standard form: MXCSR loads whenever RFBM[1] or RFBM[2], whatever XSTATE_BV says.
        cleanArea();
        area.set(I, 24, 0x9FC0);
        u.xrstor(c, mem, a, 0x4, true);
        assertEquals(0x9FC0, s.mxcsr);
        // Compacted form: only with the SSE data; SSE requested but absent resets it.
        cleanArea();
        area.set(L, 520, XFeature.XCOMP_BV_COMPACTED | 0x6);
        area.set(I, 24, 0x1_0000); // invalid but never read
        u.xrstor(c, mem, a, 0x4, true);
        assertEquals(0x9FC0, s.mxcsr, "RFBM[2] alone does not touch MXCSR when compacted");
        u.xrstor(c, mem, a, 0x2, true);
        assertEquals(XState.MXCSR_INIT, s.mxcsr);
        area.set(L, 512, 0x2);
        area.set(I, 24, 0x7F80);
        u.xrstor(c, mem, a, 0x2, true);
        assertEquals(0x7F80, s.mxcsr);
        area.set(I, 24, 0x1_0000);
        assertGp(u, () -> u.xrstor(c, mem, a, 0x2, true), "compacted, SSE present, reserved bit");

        // FXRSTOR checks MXCSR too.
        cleanArea();
        area.set(I, 24, 0x8000_0000);
        assertGp(u, () -> u.fxrstor(c, mem, a, true), "FXRSTOR reserved MXCSR bit");
    }

    // ---------------------------------------------------------------- XSAVE, XSAVEOPT, XSAVEC layouts

    @Test
    void xsaveWritesOnlyRequestedComponentsAndTheHeaderBits() {
        XsaveUnit u = unit("sapphirerapids");
        XState s = u.state();
        c.cpl = 0;
        u.xsetbv(c, 0, 0x2E7);
        area.fill((byte) 0xAA);
        s.zmm[1 * 8 + 2] = 0x1111; // YMM1 upper low qword
        s.touch(XFeature.AVX.mask);
        u.xsave(c, mem, a, 0x4, true);
        assertEquals(0x1111, area.get(L, 576 + 16));
        assertEquals(XState.MXCSR_INIT, area.get(I, 24), "MXCSR written for RFBM[2]");
        assertEquals(0xAAAAAAAAAAAAAAAAL & ~0x4L | 0x4L, area.get(L, 512), "other XSTATE_BV bits kept");
        assertEquals(0xAAAAAAAAAAAAAAAAL, area.get(L, 520), "XCOMP_BV untouched");
        assertEquals((byte) 0xAA, area.get(ValueLayout.JAVA_BYTE, 0), "x87 not requested");
        assertEquals((byte) 0xAA, area.get(ValueLayout.JAVA_BYTE, 160), "XMM not requested");
        assertEquals((byte) 0xAA, area.get(ValueLayout.JAVA_BYTE, 1088), "opmask not requested");
    }

    @Test
    void outsideLongModeOnlyTheLowEightRegistersMove() {
        XsaveUnit u = unit("sapphirerapids");
        XState s = u.state();
        c.cpl = 0;
        u.xsetbv(c, 0, 0xE7);
        c.long64 = false;
        for (int r = 0; r < 32; r++) for (int q = 0; q < 8; q++) s.zmm[r * 8 + q] = r * 100 + q + 1;
        s.touch(0xE6);
        area.fill((byte) 0xAA);
        u.xsave(c, mem, a, -1, false);
        assertEquals(8 * 100 + 0 + 1 - 100, area.get(L, 160 + 16 * 7), "XMM7");
        assertEquals(0xAAAAAAAAAAAAAAAAL, area.get(L, 160 + 16 * 8), "XMM8 slot untouched");
        assertEquals(0xAAAAAAAAAAAAAAAAL, area.get(L, 576 + 16 * 8), "YMM8_H untouched");
        assertEquals(0xAAAAAAAAAAAAAAAAL, area.get(L, 1664), "Hi16_ZMM untouched");
        // And XRSTOR init leaves XMM8-15 and ZMM16-31 alone there.
        area.set(L, 512, 0);
        area.set(L, 520, 0);
        area.set(L, 528, 0);
        area.set(I, 24, XState.MXCSR_INIT);
        u.xrstor(c, mem, a, -1, false);
        assertEquals(0, s.zmm[7 * 8]);
        assertEquals(8 * 100 + 1, s.zmm[8 * 8]);
        assertEquals(16 * 100 + 1, s.zmm[16 * 8]);
        assertEquals(XFeature.SSE.mask | XFeature.AVX.mask | XFeature.ZMM_HI256.mask | XFeature.HI16_ZMM.mask,
            u.inUse(c) & 0xE6, "still in use: the upper registers were not initialised");
    }

    @Test
    void xsaveoptSkipsInitialComponents() {
        XsaveUnit u = unit("sapphirerapids");
        c.cpl = 0;
        u.xsetbv(c, 0, 0x2E7);
        area.fill((byte) 0xAA);
        u.xsaveopt(c, mem, a, -1, true);
        assertEquals(0xAAAAAAAAAAAAAAAAL & ~0x2E7L, area.get(L, 512));
        assertEquals((byte) 0xAA, area.get(ValueLayout.JAVA_BYTE, 0), "x87 initial: not written");
        assertEquals(XState.MXCSR_INIT, area.get(I, 24), "MXCSR always written");
        assertEquals(0xFFFF, area.get(I, 28), "MXCSR_MASK");
    }

    @Test
    void xsavecCompactsOverRfbmNotOverInUse() {
        XsaveUnit u = unit("sapphirerapids");
        XState s = u.state();
        c.cpl = 0;
        u.xsetbv(c, 0, 0x602E7);
        s.k[2] = 0xBEEF;
        s.touch(XFeature.OPMASK.mask);
        s.pkru = 0x55555554;
        s.touch(XFeature.PKRU.mask);
        area.fill((byte) 0xAA);
        long rfbm = 0x602E7;
        u.xsavec(c, mem, a, rfbm, true);
        assertEquals(XFeature.OPMASK.mask | XFeature.PKRU.mask, area.get(L, 512));
        assertEquals(rfbm | XFeature.XCOMP_BV_COMPACTED, area.get(L, 520));
        assertEquals(0xAAAAAAAAAAAAAAAAL, area.get(L, 528), "XSAVEC writes only XSTATE_BV and XCOMP_BV");
        assertEquals(0xBEEF, area.get(L, 832 + 16), "k2 at the opmask offset that follows AVX");
        assertEquals(0x55555554, area.get(I, 2432), "PKRU after Hi16_ZMM");
        assertEquals((byte) 0xAA, area.get(ValueLayout.JAVA_BYTE, 576), "AVX initial: not written");
        assertEquals((byte) 0xAA, area.get(ValueLayout.JAVA_BYTE, 24), "MXCSR at reset value: SSE not saved");
        s.mxcsr = 0x1F81;
        u.xsavec(c, mem, a, rfbm, true);
        assertEquals(XFeature.OPMASK.mask | XFeature.PKRU.mask | XFeature.SSE.mask, area.get(L, 512),
            "a non-default MXCSR makes XSAVEC save SSE");
        assertEquals(0x1F81, area.get(I, 24));
        // Round trip through the compacted form (XSAVEC left header bytes 16-63 alone: clear them).
        for (int i = 528; i < 576; i += 8) area.set(L, i, 0L);
        XsaveUnit v = unit("sapphirerapids");
        v.xsetbv(c, 0, 0x602E7);
        v.xrstor(c, mem, a, -1, true);
        assertEquals(0xBEEF, v.state().k[2]);
        assertEquals(0x55555554, v.state().pkru);
        assertEquals(0x1F81, v.state().mxcsr);
    }

    // ---------------------------------------------------------------- supervisor state

    @Test
    void xsavesSupervisorComponentsAtSapphireRapidsOffsets() {
        XsaveUnit u = unit("sapphirerapids");
        XState s = u.state();
        c.cpl = 0;
        u.xsetbv(c, 0, 0x602E7);
        assertEquals(Fault.GP, vector(() -> s.writeXss(1L << 9)), "PKRU is not a supervisor component");
        assertEquals(Fault.GP, vector(() -> s.writeXss(1L << 13)), "HDC not supported");
        s.writeXss(XFeature.PASID.mask);
        s.opaque[10][0] = 0x42; // IA32_PASID value
        s.touch(XFeature.PASID.mask);
        s.pkru = 1;
        s.touch(XFeature.PKRU.mask);
        area.fill((byte) 0);
        u.xsaves(c, mem, a, -1, true);
        assertEquals(0x606E7L | XFeature.XCOMP_BV_COMPACTED, area.get(L, 520));
        assertEquals(0x42, area.get(ValueLayout.JAVA_BYTE, 2440));
        assertEquals(1, area.get(I, 2432));
        // XSAVEC cannot reach the supervisor component.
        area.fill((byte) 0);
        u.xsavec(c, mem, a, -1, true);
        assertEquals(0x602E7L | XFeature.XCOMP_BV_COMPACTED, area.get(L, 520));
        // XRSTORS puts it back; XRSTOR of an area naming it is #GP (outside XCR0).
        u.xsaves(c, mem, a, -1, true);
        s.opaque[10][0] = 0;
        u.xrstors(c, mem, a, -1, true);
        assertEquals(0x42, s.opaque[10][0]);
        assertGp(u, () -> u.xrstor(c, mem, a, -1, true), "XRSTOR with a supervisor bit in XCOMP_BV");
    }

    // ---------------------------------------------------------------- APX, PKRU

    @Test
    void apxComponentCarriesR16ToR31() {
        XsaveUnit u = unit("diamondrapids");
        c.cpl = 0;
        u.xsetbv(c, 0, 0x7 | XFeature.APX.mask);
        area.fill((byte) 0);
        u.xsave(c, mem, a, -1, true);
        assertEquals(0, area.get(L, 512) & XFeature.APX.mask, "all zero: initial");
        for (int n = 16; n < 32; n++) c.r[n] = 0xabcd + n;
        u.xsave(c, mem, a, -1, true);
        assertEquals(XFeature.APX.mask, area.get(L, 512) & XFeature.APX.mask);
        for (int n = 16; n < 32; n++) assertEquals(0xabcd + n, area.get(L, 960 + 8 * (n - 16)), "R" + n);
        for (int n = 16; n < 32; n++) area.set(L, 960 + 8 * (n - 16), 0xbcde + n);
        u.xrstor(c, mem, a, -1, true);
        for (int n = 16; n < 32; n++) assertEquals(0xbcde + n, c.r[n], "R" + n);
        area.set(L, 512, area.get(L, 512) & ~XFeature.APX.mask);
        u.xrstor(c, mem, a, XFeature.APX.mask, true);
        for (int n = 16; n < 32; n++) assertEquals(0, c.r[n], "XSTATE_BV[19]=0 zeroes R" + n);
        assertEquals(0, u.xgetbv(c, 1) & XFeature.APX.mask);
        // RFBM without bit 19 leaves them alone.
        c.r[20] = 7;
        u.xrstor(c, mem, a, 0x7, true);
        assertEquals(7, c.r[20]);
        // Compacted: right after AVX when only x87/SSE/AVX/APX are enabled.
        u.xsavec(c, mem, a, -1, true);
        assertEquals(7, area.get(L, 832 + 8 * 4));
    }

    @Test
    void pkruInstructionsAndComponent() {
        XsaveUnit u = unit("sapphirerapids");
        XState s = u.state();
        c.cpl = 0;
        u.xsetbv(c, 0, 0x203);
        s.wrpkru(0, 0, 0x55555554);
        assertEquals(0x55555554, s.rdpkru(0));
        assertEquals(Fault.GP, vector(() -> s.wrpkru(1, 0, 0)));
        assertEquals(Fault.GP, vector(() -> s.wrpkru(0, 1, 0)));
        assertEquals(Fault.GP, vector(() -> s.rdpkru(2)));
        area.fill((byte) 0);
        u.xsave(c, mem, a, -1, true);
        assertEquals(0x55555554, area.get(I, 2688));
        assertEquals(0x200, area.get(L, 512), "x87 and SSE still initial");
        area.set(L, 512, 0x3);
        u.xrstor(c, mem, a, -1, true);
        assertEquals(0, s.pkru, "XSTATE_BV[9]=0 initialises PKRU to 0");
        // Linux's default: key 0 full access, keys 1-15 access-disabled.
        s.pkru = 0x55555554;
        assertTrue(s.pkeyAllows(0, true, true, true));
        assertFalse(s.pkeyAllows(1, false, true, true));
        s.pkru = 0b10 << 4; // key 2 write-disabled
        assertTrue(s.pkeyAllows(2, false, true, true));
        assertFalse(s.pkeyAllows(2, true, true, false), "user write");
        assertFalse(s.pkeyAllows(2, true, false, true), "supervisor write with CR0.WP");
        assertTrue(s.pkeyAllows(2, true, false, false), "supervisor write without CR0.WP");
    }

    // ---------------------------------------------------------------- XFD

    @Test
    void xfdArmedTileData() {
        XsaveUnit u = unit("sapphirerapids");
        XState s = u.state();
        c.cpl = 0;
        u.xsetbv(c, 0, 0x602E7);
        assertEquals(Fault.GP, vector(() -> s.writeXfd(XFeature.TILECFG.mask)), "only TILEDATA is XFD-capable");
        s.tiles.data[5] = 9;
        s.touch(XFeature.TILEDATA.mask);
        area.fill((byte) 0);
        area.set(I, 24, XState.MXCSR_INIT);
        area.set(L, 512, XFeature.TILEDATA.mask);
        area.set(ValueLayout.JAVA_BYTE, 2816, (byte) 1);
        s.writeXfd(XFeature.TILEDATA.mask);
        // Saves treat the armed component as initial.
        assertEquals(0, u.xgetbv(c, 1) & XFeature.TILEDATA.mask);
        MemorySegment out = arena.allocate(16384, 64);
        SegmentMemory om = SegmentMemory.over(out);
        u.xsavec(c, om, out.address(), -1, true);
        assertEquals(0, out.get(L, 512) & XFeature.TILEDATA.mask);
        // Loading it is #NM with XFD_ERR set, and nothing changes.
        assertEquals(Fault.NM, vector(() -> u.xrstor(c, mem, a, -1, true)));
        assertEquals(XFeature.TILEDATA.mask, s.xfdErr());
        assertEquals(9, s.tiles.data[5]);
        // Initialising it is fine.
        area.set(L, 512, 0);
        u.xrstor(c, mem, a, -1, true);
        assertEquals(0, s.tiles.data[5]);
        // #NM from CR0.TS does not touch XFD_ERR, and hardware never clears it.
        s.writeXfdErr(0);
        c.cr0 |= XContext.CR0_TS;
        area.set(L, 512, XFeature.TILEDATA.mask);
        assertEquals(Fault.NM, vector(() -> u.xrstor(c, mem, a, -1, true)));
        assertEquals(0, s.xfdErr());
        c.cr0 &= ~XContext.CR0_TS;
        // Disarmed: the load works.
        s.writeXfd(0);
        u.xrstor(c, mem, a, -1, true);
        assertEquals(1, s.tiles.data[0]);
        // XFD arming a component outside XCR0 does nothing.
        u.xsetbv(c, 0, 0x2E7);
        s.writeXfd(XFeature.TILEDATA.mask);
        s.xfdCheck(XFeature.TILEDATA.mask);
    }

    // ---------------------------------------------------------------- atomicity

    @Test
    void aPageFaultChangesNothing() {
        XsaveUnit u = unit("sapphirerapids");
        XState s = u.state();
        c.cpl = 0;
        u.xsetbv(c, 0, 0x602E7);
        Supplier<Integer> save = () -> {
            mem.writes = 0;
            return vector(() -> u.xsave(c, mem, a, -1, true));
        };
        s.tiles.data[0] = 1;
        s.touch(XFeature.TILEDATA.mask);
        mem.faultBetween(a + 4096, a + 8192); // inside TILEDATA (2816..11008)
        assertEquals(Fault.PF, save.get());
        assertEquals(0, mem.writes, "XSAVE probed before writing");
        mem.faultBetween(-1, -1);
        u.xsave(c, mem, a, -1, true);
        byte[] image = area.asSlice(0, 11008).toArray(ValueLayout.JAVA_BYTE);
        s.tiles.data[0] = 2;
        s.zmm[0] = 3;
        mem.faultBetween(a + 4096, a + 8192);
        assertEquals(Fault.PF, vector(() -> u.xrstor(c, mem, a, -1, true)));
        assertEquals(2, s.tiles.data[0], "XRSTOR probed before loading");
        assertEquals(3, s.zmm[0]);
        mem.faultBetween(-1, -1);
        u.xrstor(c, mem, a, -1, true);
        assertEquals(1, s.tiles.data[0]);
        assertArrayEquals(image, area.asSlice(0, 11008).toArray(ValueLayout.JAVA_BYTE));
    }
}
