package org.jkvm.cpu.simd;

/**
 * PCMPESTRI/PCMPESTRM/PCMPISTRI/PCMPISTRM: the SSE4.2 string compare. The immediate selects the
 * element format (unsigned/signed bytes/words), the aggregation (equal any, ranges, equal each,
 * equal ordered), the polarity and the output form. Elements past a string's length are invalid
 * and override the comparisons as the SDM's table says.
 */
final class StringCompare {
    private StringCompare() {}

    /** The IntRes2 bit vector for operands a (register) and b (register/memory) with lengths la, lb. No allocation. */
    static int compute(long[] a, long[] b, int la, int lb, int imm) {
        boolean words = (imm & 1) != 0;
        int n = words ? 8 : 16;
        int agg = imm >> 2 & 3;
        int int1 = 0;
        for (int j = 0; j < n; j++) {
            boolean v = false;
            switch (agg) {
                case 0 -> { for (int i = 0; i < n; i++) v |= cmp(a, b, i, j, la, lb, imm); }
                case 1 -> { for (int i = 0; i + 1 < n; i += 2) v |= cmp(a, b, i, j, la, lb, imm) && cmp(a, b, i + 1, j, la, lb, imm); }
                case 2 -> v = cmp(a, b, j, j, la, lb, imm);
                default -> {
                    v = true;
                    for (int k = 0; k < n - j; k++) v &= cmp(a, b, k, j + k, la, lb, imm);
                }
            }
            if (v) int1 |= 1 << j;
        }
        int mask = (1 << n) - 1;
        return switch (imm >> 4 & 3) {
            case 1 -> ~int1 & mask;
            case 3 -> int1 ^ ((1 << Math.min(lb, n)) - 1) & mask;
            default -> int1;
        };
    }

    /** One comparison of a[i] with b[j], with the overrides for elements past either length. */
    private static boolean cmp(long[] a, long[] b, int i, int j, int la, int lb, int imm) {
        boolean words = (imm & 1) != 0, signed = (imm & 2) != 0;
        int es = words ? 2 : 1, agg = imm >> 2 & 3;
        boolean av = i < la, bv = j < lb;
        if (!av || !bv) {
            return switch (agg) {
                case 0, 1 -> false;
                case 2 -> !av && !bv;
                default -> !av;
            };
        }
        long x = signed ? V.sget(a, i, es) : V.get(a, i, es), y = signed ? V.sget(b, j, es) : V.get(b, j, es);
        if (agg == 1) return (i & 1) == 0 ? y >= x : y <= x;
        return x == y;
    }

    /** The implicit length: the index of the first zero element, or the element count. */
    static int implicitLength(long[] v, boolean words) {
        int n = words ? 8 : 16, es = words ? 2 : 1;
        for (int i = 0; i < n; i++) if (V.get(v, i, es) == 0) return i;
        return n;
    }

    /** The explicit length: |reg| saturated to the element count. */
    static int explicitLength(long reg, boolean wide, boolean words) {
        long v = wide ? reg : (int) reg;
        long abs = v == Long.MIN_VALUE ? Long.MAX_VALUE : Math.abs(v);
        return (int) Math.min(abs, words ? 8 : 16);
    }
}
