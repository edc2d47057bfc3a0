package org.jkvm.cpu.simd;

/** Conversions between integers, binary32 and binary64 under MXCSR. */
final class Cvt {
    private Cvt() {}

    static final int SI2SS = 0, SI2SD = 1, SS2SI = 2, TSS2SI = 3, SD2SI = 4, TSD2SI = 5, SS2SD = 6, SD2SS = 7,
        DQ2PS = 8, PS2DQ = 9, TPS2DQ = 10, DQ2PD = 11, PS2PD = 12, PD2DQ = 13, TPD2DQ = 14, PD2PS = 15;

    /** The sign of v - x, for x a double approximating v (x may be 2^63, beyond long). */
    private static int dirOf(long v, double x) {
        if (x >= 0x1p63) return -1;
        if (x < -0x1p63) return 1;
        return Long.compare(v, (long) x);
    }

    static double longToDouble(FpCore fp, long v) {
        double r = v;
        return fp.round(r, dirOf(v, r), true);
    }

    static float longToFloat(FpCore fp, long v) {
        float r = v;
        return fp.roundF(r, dirOf(v, r), true);
    }

    /**
     * x (already DAZ-filtered) to a signed integer of {@code size} bytes, rounding per MXCSR or
     * truncating; NaN and out-of-range give the integer indefinite value with invalid.
     */
    static long toInt(FpCore fp, double x, int size, boolean truncate) {
        long indefinite = size == 8 ? Long.MIN_VALUE : Integer.MIN_VALUE;
        if (Double.isNaN(x)) {
            fp.flags |= Mxcsr.IE;
            return indefinite;
        }
        double rounded;
        if (truncate) rounded = x < 0 ? Math.ceil(x) : Math.floor(x);
        else rounded = switch (fp.rc) {
            case Mxcsr.RD -> Math.floor(x);
            case Mxcsr.RU -> Math.ceil(x);
            case Mxcsr.RZ -> x < 0 ? Math.ceil(x) : Math.floor(x);
            default -> Math.rint(x);
        };
        double lim = size == 8 ? 0x1p63 : 0x1p31;
        if (rounded >= lim || rounded < -lim) {
            fp.flags |= Mxcsr.IE;
            return indefinite;
        }
        if (rounded != x) fp.flags |= Mxcsr.PE;
        return (long) rounded;
    }

    static double floatToDouble(FpCore fp, float f) {
        if (Float.isNaN(f)) {
            if (FpCore.snan(f)) fp.flags |= Mxcsr.IE;
            int fb = Float.floatToRawIntBits(f);
            return Double.longBitsToDouble((long) (fb & 0x8000_0000) << 32 | 0x7FF8_0000_0000_0000L | (long) (fb & 0x3F_FFFF) << 29);
        }
        return fp.in(f);
    }

    static float doubleToFloat(FpCore fp, double d) {
        if (Double.isNaN(d)) {
            if (FpCore.snan(d)) fp.flags |= Mxcsr.IE;
            // the payload's top bits carry over
            long bits = Double.doubleToRawLongBits(d);
            int fb = (int) (bits >>> 32) & 0x8000_0000 | 0x7FC0_0000 | (int) (bits >>> 29) & 0x003F_FFFF;
            return Float.intBitsToFloat(fb);
        }
        d = fp.in(d);
        if (Double.isInfinite(d) || d == 0) return (float) d;
        float r = (float) d; // round to nearest even, exact for the direction below
        double diff = d - r;
        int dir = diff > 0 ? 1 : diff < 0 ? -1 : 0;
        if (Float.isInfinite(r)) dir = r > 0 ? -1 : 1;
        return fp.roundF(r, dir, true);
    }
}
