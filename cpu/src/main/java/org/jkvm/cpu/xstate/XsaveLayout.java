package org.jkvm.cpu.xstate;

/**
 * XSAVE area geometry derived from {@link XFeature}: the standard format (fixed offsets, what
 * XSAVE/XSAVEOPT/XRSTOR use) and the compacted format (XSAVEC/XSAVES/XRSTORS: components packed
 * from byte 576 in component order, each rounded up to 64 bytes when CPUID 0xD.i ECX[1] says so,
 * offsets depending on the requested-feature bitmap rather than on what is in use).
 */
public final class XsaveLayout {
    private XsaveLayout() {}

    /**
     * Bytes needed for the standard format holding {@code mask}: the end of the highest-ending
     * user component, and never less than the legacy region plus header. Supervisor bits are ignored
     * (they have no standard-format place). This is CPUID 0xD.0 EBX (mask = XCR0) and ECX (mask =
     * the supported XCR0).
     */
    public static int standardSize(long mask) {
        int end = XFeature.LEGACY_AND_HEADER;
        for (XFeature f : XFeature.all()) {
            if ((mask & f.mask) != 0 && !f.supervisor) end = Math.max(end, f.standardOffset + f.size);
        }
        return end;
    }

    /**
     * Offset of component {@code index} in a compacted area whose XCOMP_BV is {@code mask}, or -1
     * when {@code index} is not in {@code mask}. Components 0 and 1 keep their legacy offsets.
     */
    public static int compactedOffset(long mask, int index) {
        if ((mask & (1L << index)) == 0 || XFeature.byIndex(index) == null) return -1;
        if (index < 2) return XFeature.byIndex(index).standardOffset;
        int off = XFeature.LEGACY_AND_HEADER;
        for (XFeature f : XFeature.all()) {
            if (f.index < 2 || (mask & f.mask) == 0) continue;
            if (f.aligned64) off = align64(off);
            if (f.index == index) return off;
            off += f.size;
        }
        throw new AssertionError("unreachable: component " + index);
    }

    /** Bytes of a compacted area holding {@code mask} (CPUID 0xD.1 EBX for mask = XCR0 | IA32_XSS). */
    public static int compactedSize(long mask) {
        int off = XFeature.LEGACY_AND_HEADER;
        for (XFeature f : XFeature.all()) {
            if (f.index < 2 || (mask & f.mask) == 0) continue;
            if (f.aligned64) off = align64(off);
            off += f.size;
        }
        return off;
    }

    /**
     * Fills {@code out[i]} with the compacted offset of every component i in {@code mask} (others -1)
     * without allocating: the XSAVEC/XRSTOR paths call this once per instruction.
     */
    public static void compactedOffsets(long mask, int[] out) {
        java.util.Arrays.fill(out, -1);
        int off = XFeature.LEGACY_AND_HEADER;
        for (XFeature f : XFeature.all()) {
            if ((mask & f.mask) == 0) continue;
            if (f.index < 2) {
                out[f.index] = f.standardOffset;
                continue;
            }
            if (f.aligned64) off = align64(off);
            out[f.index] = off;
            off += f.size;
        }
    }

    static int align64(int off) {
        return (off + 63) & ~63;
    }
}
