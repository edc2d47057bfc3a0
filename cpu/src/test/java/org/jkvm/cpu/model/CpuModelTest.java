package org.jkvm.cpu.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.jkvm.cpu.xstate.XFeature;
import org.jkvm.isa.CpuFeature;
import org.junit.jupiter.api.Test;

class CpuModelTest {
    static CpuidLeaf leaf(List<CpuidLeaf> t, int fn, int idx) {
        return t.stream().filter(l -> l.function() == fn && l.index() == idx).findFirst()
            .orElseThrow(() -> new AssertionError("no leaf " + Integer.toHexString(fn) + "." + idx));
    }

    @Test
    void sapphireRapidsLeafDMatchesTheRealPart() {
        CpuModel spr = CpuModelParser.parse("sapphirerapids");
        assertEquals(0x602E7L, spr.supportedXcr0());
        assertEquals(0xDD00L, spr.supportedXss());
        assertEquals(0x8400L, spr.osXss());
        List<CpuidLeaf> t = CpuidTable.cpuidTable(spr);
        CpuidLeaf d0 = leaf(t, 0xD, 0), d1 = leaf(t, 0xD, 1);
        assertEquals(0x602E7, d0.eax());
        assertEquals(0x2B00, d0.ebx());
        assertEquals(0x2B00, d0.ecx());
        assertEquals(0, d0.edx());
        assertEquals(0x1F, d1.eax());
        assertEquals(0x2D00, d1.ebx());
        assertEquals(0xDD00, d1.ecx());
        assertEquals(CpuidLeaf.SIGNIFICANT_INDEX, d0.flags());
        assertEquals(2816, leaf(t, 0xD, 18).ebx());
        assertEquals(6, leaf(t, 0xD, 18).ecx());
        // Geometry Linux's amx_test reads.
        CpuidLeaf p = leaf(t, 0x1D, 1);
        assertEquals(8192 | 1024 << 16, p.eax());
        assertEquals(64 | 8 << 16, p.ebx());
        assertEquals(16, p.ecx());
        assertEquals(16 | 64 << 8, leaf(t, 0x1E, 0).ebx());
        // Family 6 model 0x8F stepping 8: 0x806F8.
        assertEquals(0x806F8, leaf(t, 1, 0).eax());
    }

    @Test
    void icelakeHasAvx512ButNoAmxOrApx() {
        CpuModel icx = CpuModels.byName("icelake-server");
        assertEquals(0x2E7L, icx.supportedXcr0());
        assertTrue(icx.has(CpuFeature.AVX512F));
        assertFalse(icx.has(CpuFeature.AMX_TILE));
        assertFalse(icx.has(CpuFeature.APX_F));
        List<CpuidLeaf> t = CpuidTable.cpuidTable(icx);
        assertEquals(0xD, leaf(t, 0, 0).eax());
        assertEquals(0x606A6, leaf(t, 1, 0).eax());
        assertEquals(2696, leaf(t, 0xD, 0).ebx());
        assertTrue(t.stream().noneMatch(l -> l.function() == 0x1D || l.function() == 0x29));
    }

    @Test
    void diamondRapidsAndMaxHaveApxAndAmx() {
        for (String n : new String[] {"diamondrapids", "max"}) {
            CpuModel m = CpuModels.byName(n);
            long xcr0 = m.supportedXcr0();
            assertEquals(0x602E7L | XFeature.APX.mask, xcr0, n);
            List<CpuidLeaf> t = CpuidTable.cpuidTable(m);
            assertEquals(0x29, leaf(t, 0, 0).eax(), n);
            assertEquals(1, leaf(t, 0x29, 0).ebx(), n);
            assertTrue((leaf(t, 7, 1).edx() & 1 << 21) != 0, n);
            assertEquals(128, leaf(t, 0xD, 19).eax());
            assertEquals(960, leaf(t, 0xD, 19).ebx());
        }
        // Family 19 model 1: base family 0xF, extended family 4.
        assertEquals(0x00400F10, CpuidTable.cpuidTable(CpuModels.byName("diamondrapids")).get(1).eax());
    }

    @Test
    void removingAFeatureRemovesItsDependents() {
        CpuModel m = CpuModelParser.parse("sapphirerapids,-avx");
        assertFalse(m.has(CpuFeature.AVX2));
        assertFalse(m.has(CpuFeature.AVX512F));
        assertFalse(m.has(CpuFeature.AVX512FP16));
        assertFalse(m.has(CpuFeature.AVX_VNNI));
        assertTrue(m.has(CpuFeature.AMX_TILE));
        assertEquals(0x60203L, m.supportedXcr0());

        CpuModel nx = CpuModelParser.parse("max,-xsave");
        assertEquals(0, nx.supportedXcr0());
        assertEquals(0, nx.supportedXss());
        for (CpuFeature f : new CpuFeature[] {CpuFeature.AVX, CpuFeature.AMX_TILE, CpuFeature.APX_F, CpuFeature.XSAVES,
                CpuFeature.XFD, CpuFeature.CET_SS}) assertFalse(nx.has(f), f.name());
        assertTrue(nx.has(CpuFeature.SSE4_2));
        assertTrue(CpuidTable.cpuidTable(nx).stream().noneMatch(l -> l.function() == 0xD));

        CpuModel na = CpuModelParser.parse("sapphirerapids,-amx-tile");
        assertEquals(0x2E7L, na.supportedXcr0());
        assertFalse(na.has(CpuFeature.AMX_INT8));
    }

    @Test
    void addingAFeatureAddsWhatItNeeds() {
        CpuModel m = CpuModelParser.parse("icelake-server,+amx-int8,+APX_F");
        assertTrue(m.has(CpuFeature.AMX_TILE));
        assertTrue(m.has(CpuFeature.XFD));
        assertEquals(0x602E7L | XFeature.APX.mask, m.supportedXcr0());
        assertEquals(0x1F, m.xsaveExtensions());
    }

    @Test
    void errorsNameTheProblem() {
        var e = assertThrows(IllegalArgumentException.class, () -> CpuModelParser.parse("skylake9000"));
        assertTrue(e.getMessage().contains("'skylake9000'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CpuModelParser.parse("max,+warp-drive"));
        assertTrue(e.getMessage().contains("'warp-drive'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CpuModelParser.parse("max,avx"));
        assertTrue(e.getMessage().contains("'avx'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CpuModelParser.parse(""));
    }

    @Test
    void everyModelIsClosedUnderItsDependencies() {
        for (String n : CpuModels.names()) {
            assertTrue(FeatureDeps.unsatisfied(CpuModels.byName(n).features()).isEmpty(), n);
        }
    }

    @Test
    void dynamicBitsFollowTheRunningState() {
        CpuidTable t = CpuidTable.of(CpuModels.byName("sapphirerapids"));
        int[] r = new int[4];
        t.query(1, 0, false, false, 1, 0, 3, r);
        assertEquals(0, r[2] & CpuFeature.OSXSAVE.mask());
        assertEquals(3, r[1] >>> 24);
        t.query(1, 0, true, false, 1, 0, 0, r);
        assertTrue((r[2] & CpuFeature.OSXSAVE.mask()) != 0);
        t.query(7, 0, false, true, 1, 0, 0, r);
        assertTrue((r[2] & CpuFeature.OSPKE.mask()) != 0);
        t.query(0xD, 0, true, false, 0x7, 0, 0, r);
        assertEquals(832, r[1]);
        // Above the maximum basic leaf: the highest basic leaf's data (Intel behaviour).
        int[] hi = new int[4];
        t.query(0x1E, 0, true, false, 1, 0, 0, hi);
        t.query(0x50, 0, true, false, 1, 0, 0, r);
        assertEquals(java.util.Arrays.toString(hi), java.util.Arrays.toString(r));
        t.query(0x8000_0000, 0, true, false, 1, 0, 0, r);
        assertEquals(0x8000_0008, r[0]);
    }

    @Test
    void brandAndVendor() {
        List<CpuidLeaf> t = CpuidTable.cpuidTable(CpuModels.byName("sapphirerapids"));
        StringBuilder sb = new StringBuilder();
        for (int fn = 0x8000_0002; fn <= 0x8000_0004; fn++) {
            CpuidLeaf l = leaf(t, fn, 0);
            for (int v : new int[] {l.eax(), l.ebx(), l.ecx(), l.edx()}) {
                for (int i = 0; i < 4; i++) if ((v >>> 8 * i & 0xFF) != 0) sb.append((char) (v >>> 8 * i & 0xFF));
            }
        }
        assertEquals("Intel Xeon Processor (SapphireRapids)", sb.toString());
        CpuidLeaf l0 = leaf(t, 0, 0);
        assertEquals(0x756E6547, l0.ebx()); // "Genu"
        assertEquals(0x49656E69, l0.edx()); // "ineI"
        assertEquals(0x6C65746E, l0.ecx()); // "ntel"
    }
}
