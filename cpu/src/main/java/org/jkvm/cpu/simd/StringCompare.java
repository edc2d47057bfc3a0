package org.jkvm.cpu.simd;

/**
 * PCMPESTRI/PCMPESTRM/PCMPISTRI/PCMPISTRM: the SSE4.2 string compare. The immediate selects the
 * element format (unsigned/signed bytes/words), the aggregation (equal any, ranges, equal each,
 * equal ordered), the polarity and the output form. Elements past a string's length are invalid
 * and override the comparisons as the SDM's table says.
 */
final class StringCompare {
    private StringCompare() {}

    /** The IntRes2 bit vector for operands a (register) and b (register/memory) with lengths la, lb. */
    static int compute(long[] a, long[] b, int la, int lb, int imm) {
        boolean words = (imm & 1) != 0, signed = (imm & 2) != 0;
        int n = words ? 8 : 16, es = words ? 2 : 1;
        int agg = imm >> 2 & 3;
        boolean[][] res = new boolean[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                long x = signed ? V.sget(a, i, es) : V.get(a, i, es), y = signed ? V.sget(b, j, es) : V.get(b, j, es);
                boolean av = i < la, bv = j < lb, r;
                if (agg == 1) r = (i & 1) == 0 ? y >= x : y <= x;
                else r = x == y;
                // overrides for invalid elements
                if (!av || !bv) {
                    r = switch (agg) {
                        case 0, 1 -> false;
                        case 2 -> !av && !bv;
                        default -> !av;
                    };
                }
                res[i][j] = r;
            }
        }
        int int1 = 0;
        for (int j = 0; j < n; j++) {
            boolean v = false;
            switch (agg) {
                case 0 -> { for (int i = 0; i < n; i++) v |= res[i][j]; }
                case 1 -> { for (int i = 0; i + 1 < n; i += 2) v |= res[i][j] && res[i + 1][j]; }
                case 2 -> v = res[j][j];
                default -> {
                    v = true;
                    for (int k = 0; k < n - j; k++) v &= res[k][j + k];
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
