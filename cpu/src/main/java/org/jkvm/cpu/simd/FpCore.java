package org.jkvm.cpu.simd;

import java.math.BigDecimal;

/**
 * IEEE binary32/binary64 arithmetic as SSE does it under MXCSR: rounding control, DAZ, FTZ, the six
 * exception flags, x86 NaN rules (a NaN source propagates quieted, the first source winning; an
 * invalid operation gives the negative default NaN). Results are computed with Java's round-to-
 * nearest arithmetic plus an exact error term (two-sum, FMA residues; BigDecimal near the subnormal
 * range), which gives the direction of the exact result and so every other rounding and the
 * inexact flag. Flags accumulate in {@link #flags} for the caller to merge into MXCSR.
 */
final class FpCore {
    static final int ADD = 0, SUB = 1, MUL = 2, DIV = 3, SQRT = 4;
    static final double DNAN = Double.longBitsToDouble(0xFFF8_0000_0000_0000L);
    static final float FNAN = Float.intBitsToFloat(0xFFC0_0000);

    int rc;
    boolean daz, ftz;
    /** Exception flags raised so far (MXCSR bit positions 0-5). */
    int flags;

    void load(int mxcsr) {
        rc = (mxcsr >> Mxcsr.RC_SHIFT) & 3;
        daz = (mxcsr & Mxcsr.DAZ) != 0;
        ftz = (mxcsr & Mxcsr.FTZ) != 0;
        flags = 0;
    }

    // ---------------------------------------------------------------- double

    static boolean snan(double d) {
        return Double.isNaN(d) && (Double.doubleToRawLongBits(d) & 0x0008_0000_0000_0000L) == 0;
    }

    static double quiet(double d) {
        return Double.longBitsToDouble(Double.doubleToRawLongBits(d) | 0x0008_0000_0000_0000L);
    }

    static boolean denormal(double d) {
        return d != 0 && Math.abs(d) < Double.MIN_NORMAL;
    }

    /** A conversion source: DAZ applies, but conversions to integer do not signal denormal. */
    double noDe(double d) {
        return daz && denormal(d) ? Math.copySign(0.0, d) : d;
    }

    float noDe(float f) {
        return daz && denormal(f) ? Math.copySign(0f, f) : f;
    }

    double in(double d) {
        if (denormal(d)) {
            if (daz) return Math.copySign(0.0, d);
            flags |= Mxcsr.DE;
        }
        return d;
    }

    double op(int op, double x, double y) {
        if (Double.isNaN(x) || op != SQRT && Double.isNaN(y)) {
            if (snan(x) || op != SQRT && snan(y)) flags |= Mxcsr.IE;
            return quiet(Double.isNaN(x) ? x : y);
        }
        if (op == SUB) {
            y = -y;
            op = ADD;
        }
        boolean xd = denormal(x), yd = op != SQRT && denormal(y);
        if (daz) {
            if (xd) x = Math.copySign(0.0, x);
            if (yd) y = Math.copySign(0.0, y);
        }
        switch (op) {
            case ADD -> {
                if (Double.isInfinite(x) && Double.isInfinite(y) && x != y) return invalid();
            }
            case MUL -> {
                if (Double.isInfinite(x) && y == 0 || Double.isInfinite(y) && x == 0) return invalid();
            }
            case DIV -> {
                if (x == 0 && y == 0 || Double.isInfinite(x) && Double.isInfinite(y)) return invalid();
            }
            default -> {
                if (x < 0) return invalid();
            }
        }
        if (op == DIV && y == 0) {
            // division by zero (of a finite dividend: inf/0 is an exact inf) wins over a denormal dividend
            if (!Double.isInfinite(x)) flags |= Mxcsr.ZE;
            return (x < 0) != (Double.doubleToRawLongBits(y) < 0) ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (!daz && (xd || yd)) flags |= Mxcsr.DE;
        double r;
        int dir;
        boolean finiteIn = !Double.isInfinite(x) && (op == SQRT || !Double.isInfinite(y));
        switch (op) {
            case ADD -> {
                r = x + y;
                if (Double.isInfinite(r) && finiteIn) dir = r > 0 ? -1 : 1;
                else if (!finiteIn || r == 0 && x == -y) dir = 0;
                else {
                    double bb = r - x;
                    double err = (x - (r - bb)) + (y - bb);
                    dir = err > 0 ? 1 : err < 0 ? -1 : 0;
                }
                if (r == 0 && dir == 0 && rc == Mxcsr.RD && (x != 0 || y != 0 || (Double.doubleToRawLongBits(x) < 0
                    != Double.doubleToRawLongBits(y) < 0))) {
                    r = -0.0;
                }
            }
            case MUL -> {
                r = x * y;
                if (!finiteIn || x == 0 || y == 0) dir = 0;
                else if (Double.isInfinite(r)) dir = r > 0 ? -1 : 1;
                else if (Math.abs(r) < 0x1p-960) dir = new BigDecimal(x).multiply(new BigDecimal(y)).compareTo(new BigDecimal(r));
                else dir = (int) Math.signum(Math.fma(x, y, -r));
            }
            case DIV -> {
                r = x / y;
                if (!finiteIn || x == 0) dir = 0;
                else if (Double.isInfinite(r)) dir = r > 0 ? -1 : 1;
                else if (Math.abs(r) < 0x1p-960 || Math.abs(x) < 0x1p-960) {
                    // sign(x/y - r) = sign(x - r*y) * sign(y)
                    int c = new BigDecimal(x).compareTo(new BigDecimal(r).multiply(new BigDecimal(y)));
                    dir = y < 0 ? -c : c;
                } else {
                    double rem = Math.fma(-r, y, x);
                    dir = (int) (Math.signum(rem) * Math.signum(y));
                }
            }
            default -> {
                r = Math.sqrt(x);
                if (Double.isInfinite(x) || x == 0) dir = 0;
                else if (x < 0x1p-900) dir = new BigDecimal(x).compareTo(new BigDecimal(r).multiply(new BigDecimal(r)));
                else dir = (int) Math.signum(Math.fma(-r, r, x));
            }
        }
        return round(r, dir, finiteIn);
    }

    private double invalid() {
        flags |= Mxcsr.IE;
        return DNAN;
    }

    /** Applies the rounding mode to a round-to-nearest result whose exact value lies in direction {@code dir}. */
    double round(double r, int dir, boolean finiteIn) {
        boolean wasInf = Double.isInfinite(r);
        // The sign of the exact value: that of the nearest result, or the side it lies on when that is 0.
        boolean negative = r != 0 ? r < 0 : dir < 0;
        if (dir != 0) {
            switch (rc) {
                case Mxcsr.RD -> { if (dir < 0) r = Math.nextDown(r); }
                case Mxcsr.RU -> { if (dir > 0) r = Math.nextUp(r); }
                case Mxcsr.RZ -> {
                    if (dir < 0 && r > 0) r = Math.nextDown(r);
                    else if (dir > 0 && r < 0) r = Math.nextUp(r);
                }
                default -> { }
            }
            if (r == 0) r = negative ? -0.0 : 0.0;
            flags |= Mxcsr.PE;
        }
        if (finiteIn && (Double.isInfinite(r) || wasInf)) {
            flags |= Mxcsr.OE | Mxcsr.PE;
        } else if (dir != 0 && Math.abs(r) < Double.MIN_NORMAL) {
            if (ftz) {
                flags |= Mxcsr.UE | Mxcsr.PE;
                return negative ? -0.0 : 0.0;
            }
            flags |= Mxcsr.UE;
        } else if (dir == 0 && r != 0 && Math.abs(r) < Double.MIN_NORMAL) {
            tinyExact = true;
            if (ftz) {
                flags |= Mxcsr.UE | Mxcsr.PE;
                return Math.copySign(0.0, r);
            }
        }
        return r;
    }

    /** Set when the last result was tiny but exact (matters only with underflow unmasked). */
    boolean tinyExact;

    // ---------------------------------------------------------------- float

    static boolean snan(float f) {
        return Float.isNaN(f) && (Float.floatToRawIntBits(f) & 0x0040_0000) == 0;
    }

    static float quiet(float f) {
        return Float.intBitsToFloat(Float.floatToRawIntBits(f) | 0x0040_0000);
    }

    static boolean denormal(float f) {
        return f != 0 && Math.abs(f) < Float.MIN_NORMAL;
    }

    float in(float f) {
        if (denormal(f)) {
            if (daz) return Math.copySign(0f, f);
            flags |= Mxcsr.DE;
        }
        return f;
    }

    float op(int op, float x, float y) {
        if (Float.isNaN(x) || op != SQRT && Float.isNaN(y)) {
            if (snan(x) || op != SQRT && snan(y)) flags |= Mxcsr.IE;
            return quiet(Float.isNaN(x) ? x : y);
        }
        if (op == SUB) {
            y = -y;
            op = ADD;
        }
        boolean xd = denormal(x), yd = op != SQRT && denormal(y);
        if (daz) {
            if (xd) x = Math.copySign(0f, x);
            if (yd) y = Math.copySign(0f, y);
        }
        switch (op) {
            case ADD -> {
                if (Float.isInfinite(x) && Float.isInfinite(y) && x != y) return invalidF();
            }
            case MUL -> {
                if (Float.isInfinite(x) && y == 0 || Float.isInfinite(y) && x == 0) return invalidF();
            }
            case DIV -> {
                if (x == 0 && y == 0 || Float.isInfinite(x) && Float.isInfinite(y)) return invalidF();
            }
            default -> {
                if (x < 0) return invalidF();
            }
        }
        if (op == DIV && y == 0) {
            if (!Float.isInfinite(x)) flags |= Mxcsr.ZE;
            return (x < 0) != (Float.floatToRawIntBits(y) < 0) ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY;
        }
        if (!daz && (xd || yd)) flags |= Mxcsr.DE;
        // Every binary32 result is exact in binary64 except sums and quotients; get the exact direction in double.
        boolean finiteIn = !Float.isInfinite(x) && (op == SQRT || !Float.isInfinite(y));
        double dx = x, dy = y, exact;
        int dir0;
        switch (op) {
            case ADD -> { exact = dx + dy; dir0 = 0; } // exact in double unless the exponents are far apart
            case MUL -> { exact = dx * dy; dir0 = 0; } // 24 x 24 bits: exact
            case DIV -> {
                exact = dx / dy;
                double rem = Math.fma(-exact, dy, dx);
                dir0 = (int) (Math.signum(rem) * Math.signum(dy));
            }
            default -> {
                exact = Math.sqrt(dx);
                dir0 = (int) Math.signum(Math.fma(-exact, exact, dx));
            }
        }
        if (op == ADD && finiteIn) {
            double bb = exact - dx;
            double err = (dx - (exact - bb)) + (dy - bb);
            dir0 = err > 0 ? 1 : err < 0 ? -1 : 0;
        }
        float r = (float) exact;
        if (dir0 != 0 && (double) r != exact && !Float.isInfinite(r)) {
            // exact is inexact itself: if it sits on a binary32 midpoint, the true value decides.
            float lo = (double) r < exact ? r : Math.nextDown(r), hi = Math.nextUp(lo);
            if (exact - lo == (double) hi - exact) r = dir0 > 0 ? hi : lo;
        }
        int dir;
        if (!finiteIn) dir = 0;
        else if (Float.isInfinite(r)) dir = r > 0 ? -1 : 1;
        else {
            double diff = exact - r;
            dir = diff > 0 ? 1 : diff < 0 ? -1 : dir0;
        }
        if (op == ADD && r == 0 && dir == 0 && rc == Mxcsr.RD && (x != 0 || y != 0
            || (Float.floatToRawIntBits(x) < 0 != Float.floatToRawIntBits(y) < 0))) {
            r = -0f;
        }
        return roundF(r, dir, finiteIn);
    }

    private float invalidF() {
        flags |= Mxcsr.IE;
        return FNAN;
    }

    float roundF(float r, int dir, boolean finiteIn) {
        boolean wasInf = Float.isInfinite(r);
        boolean negative = r != 0 ? r < 0 : dir < 0;
        if (dir != 0) {
            switch (rc) {
                case Mxcsr.RD -> { if (dir < 0) r = Math.nextDown(r); }
                case Mxcsr.RU -> { if (dir > 0) r = Math.nextUp(r); }
                case Mxcsr.RZ -> {
                    if (dir < 0 && r > 0) r = Math.nextDown(r);
                    else if (dir > 0 && r < 0) r = Math.nextUp(r);
                }
                default -> { }
            }
            if (r == 0) r = negative ? -0f : 0f;
            flags |= Mxcsr.PE;
        }
        if (finiteIn && (Float.isInfinite(r) || wasInf)) {
            flags |= Mxcsr.OE | Mxcsr.PE;
        } else if (dir != 0 && Math.abs(r) < Float.MIN_NORMAL) {
            if (ftz) {
                flags |= Mxcsr.UE | Mxcsr.PE;
                return negative ? -0f : 0f;
            }
            flags |= Mxcsr.UE;
        } else if (dir == 0 && r != 0 && Math.abs(r) < Float.MIN_NORMAL) {
            tinyExact = true;
            if (ftz) {
                flags |= Mxcsr.UE | Mxcsr.PE;
                return Math.copySign(0f, r);
            }
        }
        return r;
    }
}
