package org.jkvm.cpu.xstate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The XSAVE geometry against the facts in spec/isa.md (a Sapphire Rapids' CPUID 0xD and the
 * compacted layout Linux reports on one) and the SDM's fixed standard offsets.
 *
 * <p>How the Sapphire Rapids figures decompose (worked out from the component table):
 * <ul>
 * <li>Supported XCR0 0x602E7 = x87, SSE, AVX, opmask, ZMM_Hi256, Hi16_ZMM, PKRU, TILECFG, TILEDATA.
 *     Its standard size is TILEDATA's end, 2816 + 8192 = 11008 = 0x2B00 (0xD.0 EBX with XCR0 =
 *     all, and ECX).</li>
 * <li>Supported XSS 0xDD00 = PT(8), PASID(10), CET_U(11), CET_S(12), UINTR(14), Arch LBR(15).</li>
 * <li>0xD.1 EBX 0x2D00 = 11520 is the compacted size of XCR0 0x602E7 | IA32_XSS 0x8400 (PASID +
 *     Arch LBR, what Linux writes to IA32_XSS there: its supervisor feature plus the "independent"
 *     LBR feature): ... PKRU 2432, PASID 2440, LBR 2448..3256, TILECFG aligned to 3264, TILEDATA
 *     3328..11520. XSS = LBR alone or CET_U + LBR give the same size; PT or UINTR would not.</li>
 * <li>The compacted offsets 576, 832, 896, 1408, 2432, 2440, 2496, 2560 (total 10752) are those of
 *     XCR0 | PASID = 0x606E7 (Linux's kernel fpstate there): AVX, opmask, ZMM_Hi256, Hi16_ZMM,
 *     PKRU, PASID, TILECFG (2448 rounded up to 2496), TILEDATA. Only the TILE components carry the
 *     alignment flag; were PKRU or PASID aligned the figures would differ.</li>
 * </ul>
 */
class XsaveLayoutTest {
    static final long SPR_XCR0 = 0x602E7L;
    static final long SPR_XSS = 0xDD00L;
    static final long LINUX_SPR_XSS = 0x8400L;
    static final int SPR_D1_EAX = 0x1F;

    @Test
    void sprSupportedMasksAreTheComponentsTheTableEnablesByName() {
        long user = 0, sup = 0;
        for (XFeature f : new XFeature[] {XFeature.X87, XFeature.SSE, XFeature.AVX, XFeature.OPMASK, XFeature.ZMM_HI256,
                XFeature.HI16_ZMM, XFeature.PKRU, XFeature.TILECFG, XFeature.TILEDATA}) user |= f.mask;
        for (XFeature f : new XFeature[] {XFeature.PT, XFeature.PASID, XFeature.CET_U, XFeature.CET_S, XFeature.UINTR,
                XFeature.LBR}) sup |= f.mask;
        assertEquals(SPR_XCR0, user);
        assertEquals(SPR_XSS, sup);
    }

    @Test
    void sprLeafD0() {
        assertArrayEquals(new int[] {0x602E7, 0x2B00, 0x2B00, 0},
            XsaveCpuid.subleaf(0, SPR_XCR0, SPR_XSS, SPR_XCR0, LINUX_SPR_XSS, SPR_D1_EAX));
    }

    @Test
    void sprLeafD1() {
        assertArrayEquals(new int[] {0x1F, 0x2D00, 0xDD00, 0},
            XsaveCpuid.subleaf(1, SPR_XCR0, SPR_XSS, SPR_XCR0, LINUX_SPR_XSS, SPR_D1_EAX));
    }

    @Test
    void sprComponentSubleavesMatchTheIsaTable() {
        int[][] expect = { // i, size, offset, ecx
            {2, 256, 576, 0}, {5, 64, 1088, 0}, {6, 512, 1152, 0}, {7, 1024, 1664, 0}, {8, 128, 0, 1},
            {9, 8, 2688, 0}, {10, 8, 0, 1}, {11, 16, 0, 1}, {12, 24, 0, 1}, {14, 48, 0, 1}, {15, 808, 0, 1},
            {17, 64, 2752, 2}, {18, 8192, 2816, 6}};
        for (int[] e : expect) {
            assertArrayEquals(new int[] {e[1], e[2], e[3], 0},
                XsaveCpuid.subleaf(e[0], SPR_XCR0, SPR_XSS, SPR_XCR0, 0, SPR_D1_EAX), "0xD." + e[0]);
        }
        // Not supported there: MPX, APX, and undefined numbers read as zero.
        for (int i : new int[] {3, 4, 13, 16, 19, 20, 62, 63}) {
            assertArrayEquals(new int[4], XsaveCpuid.subleaf(i, SPR_XCR0, SPR_XSS, SPR_XCR0, 0, SPR_D1_EAX), "0xD." + i);
        }
    }

    @Test
    void sprCompactedOffsetsOfLinuxFpstate() {
        long mask = SPR_XCR0 | XFeature.PASID.mask;
        assertEquals(0x606E7L, mask);
        int[] idx = {2, 5, 6, 7, 9, 10, 17, 18};
        int[] off = {576, 832, 896, 1408, 2432, 2440, 2496, 2560};
        for (int k = 0; k < idx.length; k++) assertEquals(off[k], XsaveLayout.compactedOffset(mask, idx[k]), "component " + idx[k]);
        assertEquals(10752, XsaveLayout.compactedSize(mask));
        int[] all = new int[64];
        XsaveLayout.compactedOffsets(mask, all);
        for (int k = 0; k < idx.length; k++) assertEquals(off[k], all[idx[k]]);
        assertEquals(0, all[0]);
        assertEquals(160, all[1]);
        assertEquals(-1, all[8]);
        assertEquals(-1, XsaveLayout.compactedOffset(mask, 8));
    }

    @Test
    void currentXcr0DrivesD0EbxAndD1Ebx() {
        // After reset XCR0 = x87 only: the legacy area plus header.
        assertEquals(576, XsaveCpuid.subleaf(0, SPR_XCR0, SPR_XSS, 1, 0, SPR_D1_EAX)[1]);
        assertEquals(576, XsaveCpuid.subleaf(1, SPR_XCR0, SPR_XSS, 1, 0, SPR_D1_EAX)[1]);
        // x87|SSE|AVX: 576 + 256 in both formats.
        assertEquals(832, XsaveCpuid.subleaf(0, SPR_XCR0, SPR_XSS, 7, 0, SPR_D1_EAX)[1]);
        assertEquals(832, XsaveCpuid.subleaf(1, SPR_XCR0, SPR_XSS, 7, 0, SPR_D1_EAX)[1]);
        // PKRU alone sits far out in the standard format, right after the header when compacted.
        assertEquals(2696, XsaveLayout.standardSize(0x203));
        assertEquals(584, XsaveLayout.compactedSize(0x203));
        // XCR0 without XSS: the same 10752 total as with PASID (TILECFG alignment absorbs it).
        assertEquals(10752, XsaveCpuid.subleaf(1, SPR_XCR0, SPR_XSS, SPR_XCR0, 0, SPR_D1_EAX)[1]);
        // Without XSAVEC/XSAVES the compacted size is not reported.
        assertEquals(0, XsaveCpuid.subleaf(1, SPR_XCR0, 0, SPR_XCR0, 0, XsaveCpuid.D1_XSAVEOPT)[1]);
    }

    @Test
    void apxReusesTheMpxArea() {
        assertEquals(960, XFeature.APX.standardOffset);
        assertEquals(XFeature.BNDREGS.standardOffset, XFeature.APX.standardOffset);
        long xcr0 = 0x7 | XFeature.APX.mask;
        assertEquals(1088, XsaveLayout.standardSize(xcr0));
        assertEquals(576 + 256, XsaveLayout.compactedOffset(xcr0, 19));
        // With the AMX tiles enabled too, APX comes after TILEDATA when compacted.
        long all = SPR_XCR0 | XFeature.APX.mask;
        assertEquals(10752, XsaveLayout.compactedOffset(all, 19));
        assertEquals(10880, XsaveLayout.compactedSize(all));
        assertEquals(11008, XsaveLayout.standardSize(all));
    }

    @Test
    void alignmentOnlyWhereFlagged() {
        // AVX + TILECFG: 576 + 256 = 832 is already aligned; opmask + TILECFG: 576 + 64 = 640 also;
        // PKRU + TILECFG: 584 rounds to 640.
        assertEquals(640, XsaveLayout.compactedOffset(0x3 | XFeature.PKRU.mask | XFeature.TILECFG.mask, 17));
        assertEquals(704, XsaveLayout.compactedSize(0x3 | XFeature.PKRU.mask | XFeature.TILECFG.mask));
        // A supervisor component that is not aligned packs right after PKRU.
        assertEquals(584, XsaveLayout.compactedOffset(0x3 | XFeature.PKRU.mask | XFeature.CET_U.mask, 11));
    }

    @Test
    void standardOffsetsAreContiguousWhereTheSdmSaysSo() {
        for (XFeature f : XFeature.all()) {
            if (f.supervisor) assertEquals(-1, f.standardOffset, f.name());
        }
        assertEquals(XFeature.AVX.standardOffset + XFeature.AVX.size, XFeature.BNDREGS.standardOffset - 128);
        assertEquals(XFeature.OPMASK.standardOffset + 64, XFeature.ZMM_HI256.standardOffset);
        assertEquals(XFeature.ZMM_HI256.standardOffset + 512, XFeature.HI16_ZMM.standardOffset);
        assertEquals(XFeature.HI16_ZMM.standardOffset + 1024, XFeature.PKRU.standardOffset);
        assertEquals(XFeature.TILECFG.standardOffset + 64, XFeature.TILEDATA.standardOffset);
    }
}
