package org.jkvm.cpu.simd;

import java.math.BigInteger;

/**
 * x87 extended-precision arithmetic: values are (sign+exponent 16 bits, 64-bit significand with
 * explicit integer bit). Operations are exact in BigInteger and then rounded once to the precision
 * control (24, 53 or 64 bits) and rounding control of the FPU control word, with the x87 exception
 * flags (IE, DE, ZE, OE, UE, PE; bit positions as in FSW) accumulated in {@link #flags}. The result
 * lands in {@link #exp}/{@link #mant}.
 */
final class F80 {
    static final int IE = 1, DE = 2, ZE = 4, OE = 8, UE = 16, PE = 32, SF = 64;
    static final int BIAS = 16383;
    /** The real indefinite (default NaN): negative, quiet. */
    static final short NAN_EXP = (short) 0xFFFF;
    static final long NAN_MANT = 0xC000_0000_0000_0000L;

    int flags;
    /** Rounding control 0-3 (RN, RD, RU, RZ) and precision in bits (24, 53, 64). */
    int rc, prec = 64;
    short exp;
    long mant;
    /** The last rounding went up in magnitude (C1 after an inexact result). */
    boolean roundedUp;

    void control(int fcw) {
        rc = fcw >> 10 & 3;
        prec = switch (fcw >> 8 & 3) {
            case 0 -> 24;
            case 2 -> 53;
            default -> 64;
        };
    }

    static boolean isNaN(short e, long m) {
        return (e & 0x7FFF) == 0x7FFF && (m << 1) != 0;
    }

    static boolean isSNaN(short e, long m) {
        return isNaN(e, m) && (m & 0x4000_0000_0000_0000L) == 0;
    }

    static boolean isInf(short e, long m) {
        return (e & 0x7FFF) == 0x7FFF && (m << 1) == 0;
    }

    static boolean isZero(short e, long m) {
        return (e & 0x7FFF) == 0 && m == 0;
    }

    /** Unnormals, pseudo-NaNs, pseudo-infinities: unsupported encodings, invalid operands on this FPU. */
    static boolean unsupported(short e, long m) {
        int x = e & 0x7FFF;
        return x != 0 && m >= 0;
    }

    static boolean denormal(short e, long m) {
        return (e & 0x7FFF) == 0 && m != 0;
    }

    static boolean neg(short e) {
        return e < 0;
    }

    void set(short e, long m) {
        exp = e;
        mant = m;
    }

    void indefinite() {
        flags |= IE;
        set(NAN_EXP, NAN_MANT);
    }

    /** NaN operand rules: the NaN (quieted); of two NaNs the larger significand. True when handled. */
    boolean nanOperands(short ae, long am, short be, long bm, boolean two) {
        boolean an = isNaN(ae, am), bn = two && isNaN(be, bm);
        if (!an && !bn) return false;
        if (isSNaN(ae, am) || two && isSNaN(be, bm)) flags |= IE;
        short e;
        long m;
        if (an && bn) {
            // x87: a quiet NaN beats a signalling one; otherwise the larger significand
            boolean sA = isSNaN(ae, am), sB = isSNaN(be, bm);
            long qa = am | 0x4000_0000_0000_0000L, qb = bm | 0x4000_0000_0000_0000L;
            boolean pickA = sA != sB ? sB : Long.compareUnsigned(qa, qb) > 0 || qa == qb && !neg(ae);
            e = pickA ? ae : be;
            m = pickA ? am : bm;
        } else if (an) {
            e = ae;
            m = am;
        } else {
            e = be;
            m = bm;
        }
        set(e, m | 0x4000_0000_0000_0000L);
        return true;
    }

    // ---------------------------------------------------------------- exact values

    private static BigInteger sig(long m) {
        BigInteger b = BigInteger.valueOf(m & Long.MAX_VALUE);
        return m < 0 ? b.setBit(63) : b;
    }

    /** The power of two of the significand's least bit. */
    private static int scale(short e) {
        int x = e & 0x7FFF;
        return (x == 0 ? 1 : x) - BIAS - 63;
    }

    // ---------------------------------------------------------------- operations

    static final int ADD = 0, SUB = 1, MUL = 2, DIV = 3;

    /** a op b (SUB: a - b; DIV: a / b). */
    void op(int op, short ae, long am, short be, long bm) {
        flags = 0;
        if (unsupported(ae, am) || unsupported(be, bm)) {
            indefinite();
            return;
        }
        if (nanOperands(ae, am, be, bm, true)) return;
        if (op == SUB) {
            be ^= (short) 0x8000;
            op = ADD;
        }
        boolean aInf = isInf(ae, am), bInf = isInf(be, bm), aZero = isZero(ae, am), bZero = isZero(be, bm);
        boolean sa = neg(ae), sb = neg(be), sr = sa != sb;
        // a denormal operand is reported even when the other is an infinity, but division by zero wins
        boolean divByZero = op == DIV && bZero && !aZero && !aInf;
        if (!divByZero && (denormal(ae, am) || denormal(be, bm))) flags |= DE;
        switch (op) {
            case ADD -> {
                if (aInf && bInf) {
                    if (sa != sb) indefinite();
                    else set(ae, am);
                    return;
                }
                if (aInf || bInf) {
                    set(aInf ? ae : be, aInf ? am : bm);
                    return;
                }
            }
            case MUL -> {
                if (aInf && bZero || bInf && aZero) { indefinite(); return; }
                if (aInf || bInf) { set((short) (sr ? 0xFFFF : 0x7FFF), Long.MIN_VALUE); return; }
            }
            default -> {
                if (aInf && bInf || aZero && bZero) { indefinite(); return; }
                if (aInf) { set((short) (sr ? 0xFFFF : 0x7FFF), Long.MIN_VALUE); return; }
                if (bInf) { set((short) (sr ? 0x8000 : 0), 0); return; }
                if (bZero) {
                    flags |= ZE;
                    set((short) (sr ? 0xFFFF : 0x7FFF), Long.MIN_VALUE);
                    return;
                }
            }
        }
        BigInteger a = sig(am), b = sig(bm);
        int xa = scale(ae), xb = scale(be);
        switch (op) {
            case ADD -> {
                if (aZero && bZero) {
                    // +0 + -0 is +0 except when rounding down
                    boolean n = sa == sb ? sa : rc == 1;
                    set((short) (n ? 0x8000 : 0), 0);
                    return;
                }
                int x = Math.min(xa, xb);
                BigInteger va = a.shiftLeft(xa - x), vb = b.shiftLeft(xb - x);
                BigInteger sum = (sa ? va.negate() : va).add(sb ? vb.negate() : vb);
                if (sum.signum() == 0) {
                    set((short) (rc == 1 ? 0x8000 : 0), 0);
                    return;
                }
                round(sum.signum() < 0, sum.abs(), x, false);
            }
            case MUL -> {
                if (aZero || bZero) { set((short) (sr ? 0x8000 : 0), 0); return; }
                round(sr, a.multiply(b), xa + xb, false);
            }
            default -> {
                if (aZero) { set((short) (sr ? 0x8000 : 0), 0); return; }
                // enough quotient bits: 130 beyond the divisor
                int k = 130 + b.bitLength() - a.bitLength();
                BigInteger[] qr = a.shiftLeft(Math.max(k, 0)).divideAndRemainder(b);
                round(sr, qr[0], xa - xb - Math.max(k, 0), qr[1].signum() != 0);
            }
        }
    }

    void sqrt(short ae, long am) {
        flags = 0;
        if (unsupported(ae, am)) { indefinite(); return; }
        if (nanOperands(ae, am, (short) 0, 0, false)) return;
        if (isZero(ae, am)) { set(ae, am); return; }
        if (neg(ae)) { indefinite(); return; }
        if (isInf(ae, am)) { set(ae, am); return; }
        if (denormal(ae, am)) flags |= DE;
        BigInteger a = sig(am);
        int x = scale(ae);
        // make the exponent even and give 140 bits of root
        int sh = 280 - a.bitLength();
        if (((x - sh) & 1) != 0) sh++;
        BigInteger v = a.shiftLeft(sh);
        BigInteger r = v.sqrt();
        boolean sticky = !r.multiply(r).equals(v);
        round(false, r, (x - sh) / 2, sticky);
    }

    /** Rounds |v| x 2^x (+sticky below it) to the precision and range, setting exp/mant and flags. */
    void round(boolean negative, BigInteger v, int x, boolean sticky) {
        roundedUp = false;
        int len = v.bitLength();
        int e = x + len - 1; // unbiased exponent of the leading bit
        int keep = prec;
        int biased = e + BIAS;
        if (biased < 1) keep = prec - (1 - biased); // denormal: fewer bits
        int drop = len - keep;
        BigInteger q;
        boolean inexact;
        if (drop <= 0) {
            q = v.shiftLeft(-drop);
            inexact = sticky;
        } else {
            q = v.shiftRight(drop);
            BigInteger rem = v.subtract(q.shiftLeft(drop));
            boolean half = rem.testBit(drop - 1), below = rem.clearBit(drop - 1).signum() != 0 || sticky;
            inexact = half || below;
            boolean up = switch (rc) {
                case 0 -> half && (below || q.testBit(0));
                case 1 -> negative && inexact;
                case 2 -> !negative && inexact;
                default -> false;
            };
            if (up) {
                q = q.add(BigInteger.ONE);
                roundedUp = true;
            }
        }
        int qx = x + drop;
        // q x 2^qx is the rounded value; renormalise to 64 bits
        int qlen = q.bitLength();
        if (q.signum() == 0) {
            flags |= UE | PE;
            set((short) (negative ? 0x8000 : 0), 0);
            return;
        }
        int ue = qx + qlen - 1;
        int be = ue + BIAS;
        if (be >= 0x7FFF) {
            flags |= OE | PE;
            boolean toInf = rc == 0 || rc == 1 && negative || rc == 2 && !negative;
            if (toInf) set((short) (negative ? 0xFFFF : 0x7FFF), Long.MIN_VALUE);
            else {
                long max = prec == 64 ? -1L : -1L << (64 - prec);
                set((short) (negative ? 0xFFFE : 0x7FFE), max);
            }
            roundedUp = toInf;
            return;
        }
        long m;
        short ex;
        if (be < 1) {
            // denormal: significand aligned to the minimum exponent
            int shift = (1 - BIAS - 63) - qx;
            m = q.shiftRight(Math.max(shift, 0)).shiftLeft(Math.max(-shift, 0)).longValue();
            ex = (short) (negative ? 0x8000 : 0);
            if (m < 0) ex |= 1; // rounded up into the normal range
            if (inexact) flags |= UE;
        } else {
            m = q.shiftLeft(64 - qlen).longValue();
            ex = (short) ((negative ? 0x8000 : 0) | be);
        }
        if (inexact) flags |= PE;
        set(ex, m);
    }

    // ---------------------------------------------------------------- conversions

    /** From a binary32/binary64 value (bits): exact, DE for denormals, IE for signalling NaNs. */
    void fromDouble(long bits, boolean single) {
        flags = 0;
        int expBits = single ? 8 : 11, fracBits = single ? 23 : 52, bias = single ? 127 : 1023;
        boolean negative = single ? (bits & 0x8000_0000L) != 0 : bits < 0;
        long frac = bits & ((1L << fracBits) - 1);
        int e = (int) (bits >>> fracBits) & ((1 << expBits) - 1);
        short sgn = (short) (negative ? 0x8000 : 0);
        if (e == (1 << expBits) - 1) {
            if (frac == 0) set((short) (sgn | 0x7FFF), Long.MIN_VALUE);
            else {
                // kept signalling here (arithmetic ranks NaNs by kind); FLD quiets it
                if ((frac >>> (fracBits - 1) & 1) == 0) flags |= IE;
                set((short) (sgn | 0x7FFF), Long.MIN_VALUE | frac << (63 - fracBits));
            }
            return;
        }
        if (e == 0) {
            if (frac == 0) { set(sgn, 0); return; }
            flags |= DE;
            int lz = Long.numberOfLeadingZeros(frac);
            long m = frac << lz;
            int unb = (1 - bias) - fracBits + (63 - lz) ;
            set((short) (sgn | (unb + BIAS)), m);
            return;
        }
        set((short) (sgn | (e - bias + BIAS)), Long.MIN_VALUE | frac << (63 - fracBits));
    }

    /** To binary32/binary64 bits with the FCW rounding (not precision) control. */
    long toDouble(short ae, long am, boolean single, int masks) {
        flags = 0;
        roundedUp = false;
        int fracBits = single ? 23 : 52, bias = single ? 127 : 1023, maxE = single ? 255 : 2047;
        boolean negative = neg(ae);
        long sgn = negative ? (single ? 0x8000_0000L : Long.MIN_VALUE) : 0;
        if (unsupported(ae, am)) { flags |= IE; return single ? 0xFFC0_0000L : 0xFFF8_0000_0000_0000L; }
        if (isNaN(ae, am)) {
            if (isSNaN(ae, am)) flags |= IE;
            long q = (am | 0x4000_0000_0000_0000L) << 1 >>> (64 - fracBits);
            return sgn | (long) maxE << fracBits | q;
        }
        if (isInf(ae, am)) return sgn | (long) maxE << fracBits;
        if (isZero(ae, am)) return sgn;
        if (denormal(ae, am)) flags |= DE;
        // round the exact value to the target format via the generic rounder at the target precision
        int savedPrec = prec;
        prec = fracBits + 1;
        BigInteger v = sig(am);
        int x = scale(ae);
        int len = v.bitLength();
        int e = x + len - 1;
        int biased = e + bias;
        int keep = prec;
        if (biased < 1) keep = prec - (1 - biased);
        int drop = len - keep;
        BigInteger q;
        boolean inexact = false;
        if (keep <= 0 && drop > len) {
            q = BigInteger.ZERO;
            inexact = true;
            boolean up = rc == 1 && negative || rc == 2 && !negative;
            if (up) {
                q = BigInteger.ONE;
                roundedUp = true;
            }
            drop = len - keep;
        } else if (drop <= 0) {
            q = v.shiftLeft(-drop);
        } else {
            q = v.shiftRight(drop);
            BigInteger rem = v.subtract(q.shiftLeft(drop));
            boolean half = rem.testBit(drop - 1), below = rem.clearBit(drop - 1).signum() != 0;
            inexact = half || below;
            boolean up = switch (rc) {
                case 0 -> half && (below || q.testBit(0));
                case 1 -> negative && inexact;
                case 2 -> !negative && inexact;
                default -> false;
            };
            if (up) {
                q = q.add(BigInteger.ONE);
                roundedUp = true;
            }
        }
        prec = savedPrec;
        int qx = x + drop;
        if (q.signum() == 0) {
            flags |= UE | PE;
            return sgn;
        }
        int ue = qx + q.bitLength() - 1, be = ue + bias;
        if (be >= maxE) {
            flags |= OE | PE;
            boolean toInf = rc == 0 || rc == 1 && negative || rc == 2 && !negative;
            roundedUp = toInf;
            return toInf ? sgn | (long) maxE << fracBits : sgn | ((long) (maxE - 1) << fracBits | ((1L << fracBits) - 1));
        }
        long out;
        if (be < 1) {
            int shift = (1 - bias - fracBits) - qx;
            out = q.shiftRight(Math.max(shift, 0)).shiftLeft(Math.max(-shift, 0)).longValue();
            if (inexact) flags |= UE;
        } else {
            long frac = q.shiftLeft(fracBits + 1 - q.bitLength()).longValue() & ((1L << fracBits) - 1);
            out = (long) be << fracBits | frac;
        }
        if (inexact) flags |= PE;
        return sgn | out;
    }

    /** From a signed integer: exact (64-bit significand). */
    void fromLong(long v) {
        flags = 0;
        if (v == 0) { set((short) 0, 0); return; }
        boolean negative = v < 0;
        long a = negative ? -v : v; // Long.MIN_VALUE stays as 2^63 (unsigned)
        int lz = Long.numberOfLeadingZeros(a);
        set((short) ((negative ? 0x8000 : 0) | (BIAS + 63 - lz)), a << lz);
    }

    /**
     * To a signed integer of {@code bytes}; truncating or per RC. Out of range or NaN: IE and the
     * integer indefinite (most negative value). Returns the value; flags set.
     */
    long toLong(short ae, long am, int bytes, boolean truncate) {
        flags = 0;
        roundedUp = false;
        long indefinite = bytes == 8 ? Long.MIN_VALUE : bytes == 4 ? Integer.MIN_VALUE : Short.MIN_VALUE;
        if (unsupported(ae, am) || isNaN(ae, am) || isInf(ae, am)) { flags |= IE; return indefinite; }
        if (isZero(ae, am)) return 0;
        if (denormal(ae, am)) flags |= DE;
        boolean negative = neg(ae);
        BigInteger v = sig(am);
        int x = scale(ae);
        BigInteger q;
        boolean inexact;
        if (x >= 0) {
            q = v.shiftLeft(x);
            inexact = false;
        } else {
            int drop = -x;
            q = v.shiftRight(drop);
            BigInteger rem = v.subtract(q.shiftLeft(drop));
            boolean half = drop <= v.bitLength() + 1 && rem.testBit(drop - 1);
            boolean below = rem.clearBit(drop - 1).signum() != 0;
            inexact = rem.signum() != 0;
            int mode = truncate ? 3 : rc;
            boolean up = switch (mode) {
                case 0 -> half && (below || q.testBit(0));
                case 1 -> negative && inexact;
                case 2 -> !negative && inexact;
                default -> false;
            };
            if (up) {
                q = q.add(BigInteger.ONE);
                roundedUp = true;
            }
        }
        BigInteger s = negative ? q.negate() : q;
        int bits = 8 * bytes;
        if (s.bitLength() > bits - 1) { flags |= IE; return indefinite; }
        if (inexact) flags |= PE;
        return s.longValue();
    }
}
