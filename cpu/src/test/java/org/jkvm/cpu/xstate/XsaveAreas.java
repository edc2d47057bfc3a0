package org.jkvm.cpu.xstate;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

/** Random XSAVE areas that XRSTOR accepts (valid header, MXCSR and tile configuration). */
public final class XsaveAreas {
    private XsaveAreas() {}

    static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG_UNALIGNED;

    /** Standard format with XSTATE_BV = {@code bv} (a subset of {@code xcr0}). */
    public static void randomStandard(Random r, MemorySegment a, long xcr0, long bv) {
        fillRandom(r, a, 0, 16384);
        legacy(r, a);
        header(r, a, bv, 0, r.nextBoolean());
        if ((xcr0 & XFeature.TILECFG.mask) != 0) tileConfig(r, a, XFeature.TILECFG.standardOffset);
    }

    /** Compacted format: XCOMP_BV = {@code comp} | bit 63, XSTATE_BV a random subset of it. */
    public static void randomCompacted(Random r, MemorySegment a, long xcr0, long comp) {
        fillRandom(r, a, 0, 16384);
        legacy(r, a);
        long bv = comp & (r.nextInt(4) == 0 ? -1L : r.nextLong());
        header(r, a, bv, comp | XFeature.XCOMP_BV_COMPACTED, false);
        if ((comp & XFeature.TILECFG.mask) != 0) tileConfig(r, a, XsaveLayout.compactedOffset(comp, 17));
    }

    static void fillRandom(Random r, MemorySegment a, int from, int to) {
        byte[] b = new byte[to - from];
        r.nextBytes(b);
        MemorySegment.copy(b, 0, a, ValueLayout.JAVA_BYTE, from, b.length);
    }

    static void legacy(Random r, MemorySegment a) {
        // A valid MXCSR; sometimes the reset value (which decides XSAVEC's treatment of SSE).
        int mx = r.nextInt(3) == 0 ? XState.MXCSR_INIT : r.nextInt() & XState.MXCSR_MASK;
        a.set(ValueLayout.JAVA_INT_UNALIGNED, 24, mx);
    }

    static void header(Random r, MemorySegment a, long bv, long comp, boolean garbageTail) {
        a.set(L, 512, bv);
        a.set(L, 520, comp);
        for (int i = 528; i < 576; i += 8) a.set(L, i, 0L);
        // The standard form ignores header bytes 24-63.
        if (garbageTail) for (int i = 536; i < 576; i += 8) a.set(L, i, r.nextLong());
    }

    static void tileConfig(Random r, MemorySegment a, int off) {
        for (int i = 0; i < 64; i++) a.set(ValueLayout.JAVA_BYTE, off + i, (byte) 0);
        if (r.nextInt(4) == 0) return; // palette 0: released
        a.set(ValueLayout.JAVA_BYTE, off, (byte) 1);
        a.set(ValueLayout.JAVA_BYTE, off + 1, (byte) r.nextInt(16));
        for (int t = 0; t < 8; t++) {
            if (r.nextInt(4) == 0) continue;
            a.set(ValueLayout.JAVA_SHORT_UNALIGNED, off + 16 + 2 * t, (short) (r.nextInt(AmxPalette.BYTES_PER_ROW) + 1));
            a.set(ValueLayout.JAVA_BYTE, off + 48 + t, (byte) (r.nextInt(AmxPalette.MAX_ROWS) + 1));
        }
    }
}
