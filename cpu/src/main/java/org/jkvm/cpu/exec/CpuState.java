package org.jkvm.cpu.exec;

import static org.jkvm.cpu.exec.Flags.*;

/**
 * The architectural state of the physical CPU, kept in plain fields of one object so that the interpreter's
 * hot loop reaches everything without indirection. Status flags are lazy: the last flag-setting operation
 * records its kind, operand width and operands, and a flag is derived only when something reads it.
 */
public abstract class CpuState {
    // segment register numbers (also the VMCS order)
    public static final int ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5, LDTR = 6, TR = 7;
    public static final int NO_SEG = -1;
    static final int[] FLAT_SEGS = {ES, CS, SS, DS};

    /** RAX..R31. */
    public final long[] r = new long[32];
    public long rip;
    /** RFLAGS except the six status flags while {@link #lfOp} != {@link #LF_NONE}. */
    public long rflags = FIXED;

    // ---- lazy flags: kind of the last flag-setting operation, its width in bits and its (masked) values
    public static final int LF_NONE = 0, LF_ADD = 1, LF_SUB = 2, LF_ADC = 3, LF_SBB = 4, LF_LOGIC = 5, LF_INC = 6,
        LF_DEC = 7, LF_SHL = 8, LF_SHR = 9, LF_SAR = 10;
    public int lfOp = LF_NONE;
    public int lfBits = 64;
    public long lfDst, lfSrc, lfRes;
    /** Carry into ADC/SBB, or the preserved CF of INC/DEC. */
    public long lfCarry;

    // ---- segments: selector, base, limit, VMX access rights
    public final int[] segSel = new int[8];
    public final long[] segBase = new long[8];
    public final int[] segLimit = new int[8];
    public final int[] segAr = new int[8];
    public long gdtrBase, idtrBase;
    public int gdtrLimit, idtrLimit;

    // ---- control, debug and model-specific registers of the physical CPU
    public long cr0 = 0x6000_0010L, cr2, cr3, cr4, cr8;
    public long efer;
    public final long[] dr = {0, 0, 0, 0, 0, 0, 0xFFFF0FF0L, 0x400};
    public long pat = 0x0007_0406_0007_0406L, debugctl;
    public long sysenterCs, sysenterEsp, sysenterEip;
    public long star, lstar, cstar, fmask, kernelGsBase, tscAux, specCtrl, miscEnable = 1, apicBase = 0xFEE0_0900L,
        tscDeadline, tscAdjust, mcgStatus;
    public final long[] pdpte = new long[4];
    /** MSRs that are stored and read back without effect (MTRRs and similar), keyed by index. */
    public final java.util.HashMap<Integer, Long> plainMsrs = new java.util.HashMap<>();

    // ---- derived mode, recomputed by updateMode() whenever CR0, EFER, CS or SS changes
    public static final int MODE_REAL = 0, MODE_PROT16 = 1, MODE_PROT32 = 2, MODE_LONG64 = 3;
    /** Code size: 0 = 16-bit, 1 = 32-bit, 2 = 64-bit. */
    public int codeSize;
    public int cpl;
    public boolean long64;
    /** DS, ES, SS and CS all have base 0 and a 4 GiB expand-up limit (always true in 64-bit mode). */
    public boolean flat;

    // ---- counters
    public long retired;
    /** The timestamp counter of the physical CPU (advances with retired instructions, see tsc()). */
    public long tscBase;

    // ---------------------------------------------------------------- registers

    public final long reg(int size, int n) {
        return switch (size) {
            case 8 -> r[n];
            case 4 -> r[n] & 0xFFFF_FFFFL;
            case 2 -> r[n] & 0xFFFF;
            default -> n >= 32 ? (r[n - 32] >>> 8) & 0xFF : r[n] & 0xFF;
        };
    }

    /** Writes a register of {@code size} bytes: 32-bit writes zero the upper half, 8/16-bit writes merge. */
    public final void setReg(int size, int n, long v) {
        switch (size) {
            case 8 -> r[n] = v;
            case 4 -> r[n] = v & 0xFFFF_FFFFL;
            case 2 -> r[n] = (r[n] & ~0xFFFFL) | (v & 0xFFFF);
            default -> {
                if (n >= 32) r[n - 32] = (r[n - 32] & ~0xFF00L) | ((v & 0xFF) << 8);
                else r[n] = (r[n] & ~0xFFL) | (v & 0xFF);
            }
        }
    }

    public static long mask(int size) {
        return size == 8 ? -1L : (1L << (size * 8)) - 1;
    }

    public static long sext(int size, long v) {
        int s = 64 - size * 8;
        return (v << s) >> s;
    }

    // ---------------------------------------------------------------- lazy flags

    public final void setFlagsLogic(int bits, long res) {
        lfOp = LF_LOGIC;
        lfBits = bits;
        lfRes = res;
    }

    public final void setFlags(int op, int bits, long dst, long src, long res) {
        lfOp = op;
        lfBits = bits;
        lfDst = dst;
        lfSrc = src;
        lfRes = res;
    }

    public final boolean zf() {
        return lfOp == LF_NONE ? (rflags & ZF) != 0 : lfRes == 0;
    }

    public final boolean sf() {
        return lfOp == LF_NONE ? (rflags & SF) != 0 : ((lfRes >>> (lfBits - 1)) & 1) != 0;
    }

    public final boolean cf() {
        long d = lfDst, s = lfSrc, res = lfRes;
        return switch (lfOp) {
            case LF_NONE -> (rflags & CF) != 0;
            case LF_ADD -> Long.compareUnsigned(res, d) < 0;
            case LF_ADC -> lfCarry != 0 ? Long.compareUnsigned(res, d) <= 0 : Long.compareUnsigned(res, d) < 0;
            case LF_SUB -> Long.compareUnsigned(d, s) < 0;
            case LF_SBB -> lfCarry != 0 ? Long.compareUnsigned(d, s) <= 0 : Long.compareUnsigned(d, s) < 0;
            case LF_INC, LF_DEC -> lfCarry != 0;
            case LF_SHL -> s <= lfBits && ((d >>> (lfBits - s)) & 1) != 0;
            case LF_SHR -> ((d >>> (s - 1)) & 1) != 0;
            case LF_SAR -> ((sext(lfBits / 8, d) >> Math.min(s - 1, 63)) & 1) != 0;
            default -> false;
        };
    }

    public final boolean of() {
        long d = lfDst, s = lfSrc, res = lfRes;
        int sh = lfBits - 1;
        return switch (lfOp) {
            case LF_NONE -> (rflags & OF) != 0;
            case LF_ADD, LF_ADC -> (((d ^ res) & (s ^ res)) >>> sh & 1) != 0;
            case LF_SUB, LF_SBB -> (((d ^ s) & (d ^ res)) >>> sh & 1) != 0;
            case LF_INC -> res == 1L << sh;
            case LF_DEC -> res == (1L << sh) - 1 || (sh == 63 && res == Long.MAX_VALUE);
            case LF_SHL -> (((res >>> sh) & 1) != 0) != cf();
            case LF_SHR -> (((d ^ res) >>> sh) & 1) != 0;
            default -> false;
        };
    }

    public final boolean af() {
        return switch (lfOp) {
            case LF_NONE -> (rflags & AF) != 0;
            case LF_ADD, LF_ADC, LF_SUB, LF_SBB -> (((lfDst ^ lfSrc ^ lfRes) >>> 4) & 1) != 0;
            case LF_INC -> (lfRes & 0xF) == 0;
            case LF_DEC -> (lfRes & 0xF) == 0xF;
            default -> false;
        };
    }

    public final boolean pf() {
        return lfOp == LF_NONE ? (rflags & PF) != 0 : (Integer.bitCount((int) lfRes & 0xFF) & 1) == 0;
    }

    /** The full RFLAGS value. */
    public final long flags() {
        if (lfOp == LF_NONE) return rflags;
        long f = rflags & ~ARITH;
        if (cf()) f |= CF;
        if (pf()) f |= PF;
        if (af()) f |= AF;
        if (zf()) f |= ZF;
        if (sf()) f |= SF;
        if (of()) f |= OF;
        return f;
    }

    /** Replaces RFLAGS entirely (status flags become eager until the next flag-setting operation). */
    public final void setFlagsRaw(long f) {
        rflags = (f & ~0x8028L) | FIXED; // bits 3, 5, 15 read as zero
        lfOp = LF_NONE;
    }

    /** Sets only the status flags given in {@code which} to the values in {@code f}. */
    public final void setArith(long which, long f) {
        long cur = flags();
        rflags = (cur & ~which) | (f & which);
        lfOp = LF_NONE;
    }

    /** Evaluates condition code {@code cc} (the low nibble of Jcc/SETcc/CMOVcc). */
    public final boolean cond(int cc) {
        if (lfOp == LF_SUB) {
            int sh = 64 - lfBits;
            long d = lfDst, s = lfSrc;
            switch (cc) {
                case 2: return Long.compareUnsigned(d, s) < 0;
                case 3: return Long.compareUnsigned(d, s) >= 0;
                case 4: return d == s;
                case 5: return d != s;
                case 6: return Long.compareUnsigned(d, s) <= 0;
                case 7: return Long.compareUnsigned(d, s) > 0;
                case 0xC: return (d << sh) < (s << sh);
                case 0xD: return (d << sh) >= (s << sh);
                case 0xE: return (d << sh) <= (s << sh);
                case 0xF: return (d << sh) > (s << sh);
                default: break;
            }
        } else if (lfOp == LF_LOGIC) {
            long v = lfRes << (64 - lfBits);
            switch (cc) {
                case 2, 0: return false;
                case 3, 1: return true;
                case 4, 6: return v == 0;
                case 5, 7: return v != 0;
                case 8, 0xC: return v < 0;
                case 9, 0xD: return v >= 0;
                case 0xE: return v <= 0;
                case 0xF: return v > 0;
                default: break;
            }
        }
        return switch (cc) {
            case 0 -> of();
            case 1 -> !of();
            case 2 -> cf();
            case 3 -> !cf();
            case 4 -> zf();
            case 5 -> !zf();
            case 6 -> cf() || zf();
            case 7 -> !cf() && !zf();
            case 8 -> sf();
            case 9 -> !sf();
            case 0xA -> pf();
            case 0xB -> !pf();
            case 0xC -> sf() != of();
            case 0xD -> sf() == of();
            case 0xE -> zf() || sf() != of();
            default -> !zf() && sf() == of();
        };
    }

    // ---------------------------------------------------------------- mode

    public final boolean pe() {
        return (cr0 & 1) != 0;
    }

    public final boolean paging() {
        return (cr0 & 0x8000_0000L) != 0;
    }

    public final boolean lma() {
        return (efer & 0x400) != 0;
    }

    /** Recomputes the derived mode fields after CR0, EFER, CS, SS or a segment change. */
    public void updateMode() {
        int csAr = segAr[CS];
        if (!pe()) {
            codeSize = 0;
            cpl = 0;
            long64 = false;
        } else if ((rflags & VM) != 0) {
            codeSize = 0;
            cpl = 3;
            long64 = false;
        } else {
            long64 = lma() && (csAr & 0x2000) != 0;
            codeSize = long64 ? 2 : (csAr & 0x4000) != 0 ? 1 : 0;
            cpl = (segAr[SS] >>> 5) & 3;
        }
        if (long64) flat = true;
        else {
            boolean f = pe();
            for (int s : FLAT_SEGS) {
                int ar = segAr[s];
                if ((ar & 0x10000) != 0 && s != CS) continue; // unusable: faults anyway when used
                if (segBase[s] != 0 || segLimit[s] != -1 || (ar & 0x1C) == 0x14) { f = false; break; }
            }
            flat = f;
        }
    }
}
