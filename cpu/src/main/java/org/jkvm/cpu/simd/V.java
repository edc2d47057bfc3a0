package org.jkvm.cpu.simd;

/** Element access on a 512-bit value held as eight little-endian quadwords. */
final class V {
    private V() {}

    /** Element {@code i} of {@code size} bytes, zero-extended. */
    static long get(long[] v, int i, int size) {
        return switch (size) {
            case 1 -> v[i >> 3] >>> ((i & 7) << 3) & 0xFF;
            case 2 -> v[i >> 2] >>> ((i & 3) << 4) & 0xFFFF;
            case 4 -> v[i >> 1] >>> ((i & 1) << 5) & 0xFFFF_FFFFL;
            default -> v[i];
        };
    }

    /** Element {@code i}, sign-extended. */
    static long sget(long[] v, int i, int size) {
        long x = get(v, i, size);
        int sh = 64 - 8 * size;
        return x << sh >> sh;
    }

    static void set(long[] v, int i, int size, long x) {
        switch (size) {
            case 1 -> { int sh = (i & 7) << 3; v[i >> 3] = v[i >> 3] & ~(0xFFL << sh) | (x & 0xFF) << sh; }
            case 2 -> { int sh = (i & 3) << 4; v[i >> 2] = v[i >> 2] & ~(0xFFFFL << sh) | (x & 0xFFFF) << sh; }
            case 4 -> { int sh = (i & 1) << 5; v[i >> 1] = v[i >> 1] & ~(0xFFFF_FFFFL << sh) | (x & 0xFFFF_FFFFL) << sh; }
            default -> v[i] = x;
        }
    }

    static float f(long[] v, int i) {
        return Float.intBitsToFloat((int) get(v, i, 4));
    }

    static void setF(long[] v, int i, float x) {
        set(v, i, 4, Float.floatToRawIntBits(x));
    }

    static double d(long[] v, int i) {
        return Double.longBitsToDouble(v[i]);
    }

    static void setD(long[] v, int i, double x) {
        v[i] = Double.doubleToRawLongBits(x);
    }

    static void copy(long[] from, long[] to) {
        System.arraycopy(from, 0, to, 0, 8);
    }

    static void zero(long[] v) {
        java.util.Arrays.fill(v, 0);
    }
}
