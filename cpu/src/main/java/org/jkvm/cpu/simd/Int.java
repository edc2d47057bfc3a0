package org.jkvm.cpu.simd;

/** Integer element kernels and the compare predicates. */
final class Int {
    private Int() {}

    static final int ADD = 0, SUB = 1, ADDS = 2, ADDUS = 3, SUBS = 4, SUBUS = 5, MULLO = 6, MULHI = 7, MULHU = 8,
        AVG = 9, MINS = 10, MINU = 11, MAXS = 12, MAXU = 13, CMPEQ = 14, CMPGT = 15, SIGN = 16, MULHRS = 17;
    static final int SHL = 0, SHR = 1, SAR = 2;

    /** a op b on zero-extended elements of {@code es} bytes; the result is truncated by the caller. */
    static long bin(int op, long a, long b, int es) {
        int bits = 8 * es;
        int sh = 64 - bits;
        long sa = a << sh >> sh, sb = b << sh >> sh;
        long smax = (1L << (bits - 1)) - 1, smin = -(1L << (bits - 1)), umax = bits == 64 ? -1L : (1L << bits) - 1;
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case ADDS -> Math.max(smin, Math.min(smax, sa + sb));
            case ADDUS -> Math.min(umax, a + b);
            case SUBS -> Math.max(smin, Math.min(smax, sa - sb));
            case SUBUS -> Math.max(0, a - b);
            case MULLO -> sa * sb;
            case MULHI -> sa * sb >> bits;
            case MULHU -> a * b >>> bits;
            case MULHRS -> ((sa * sb >> 14) + 1) >> 1;
            case AVG -> (a + b + 1) >>> 1;
            case MINS -> Math.min(sa, sb);
            case MINU -> Long.compareUnsigned(a, b) < 0 ? a : b;
            case MAXS -> Math.max(sa, sb);
            case MAXU -> Long.compareUnsigned(a, b) > 0 ? a : b;
            case CMPEQ -> a == b ? -1 : 0;
            case CMPGT -> sa > sb ? -1 : 0;
            case SIGN -> sb < 0 ? -sa : sb == 0 ? 0 : sa;
            default -> throw new IllegalStateException("op " + op);
        };
    }

    /** Shifts an element of {@code es} bytes; counts past the width give 0 (or the sign for SAR). */
    static long shift(int op, long a, long count, int es) {
        int bits = 8 * es;
        if (op == SAR) {
            long sa = a << (64 - bits) >> (64 - bits);
            return sa >> (int) Math.min(count < 0 ? 63 : count, bits - 1);
        }
        if (count < 0 || count >= bits) return 0;
        return op == SHL ? a << count : a >>> count;
    }

    /**
     * The 32 CMPPS predicates (imm[4:0]; SSE uses 0-7) on a relation: 0 equal, 1 less, 2 greater,
     * 3 unordered. Predicate p and p+16 differ only in signalling.
     */
    static boolean cmpPredicate(int p, int rel) {
        boolean eq = rel == 0, lt = rel == 1, gt = rel == 2, un = rel == 3;
        return switch (p & 15) {
            case 0 -> eq;                 // EQ_OQ
            case 1 -> lt;                 // LT_OS
            case 2 -> lt || eq;           // LE_OS
            case 3 -> un;                 // UNORD_Q
            case 4 -> !eq;                // NEQ_UQ
            case 5 -> !lt;                // NLT_US
            case 6 -> !(lt || eq);        // NLE_US
            case 7 -> !un;                // ORD_Q
            case 8 -> eq || un;           // EQ_UQ
            case 9 -> lt || un;           // NGE_US
            case 10 -> lt || eq || un;    // NGT_US
            case 11 -> false;             // FALSE_OQ
            case 12 -> !eq && !un;        // NEQ_OQ
            case 13 -> gt || eq;          // GE_OS
            case 14 -> gt;                // GT_OS
            default -> true;              // TRUE_UQ
        };
    }

    /** Whether predicate p signals invalid on a quiet NaN. */
    static boolean signalingPredicate(int p) {
        boolean sig = switch (p & 15) {
            case 1, 2, 5, 6, 9, 10, 13, 14 -> true;
            default -> false;
        };
        return p < 16 ? sig : !sig;
    }
}
