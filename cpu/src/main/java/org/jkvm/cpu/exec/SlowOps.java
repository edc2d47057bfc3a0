package org.jkvm.cpu.exec;

import static org.jkvm.cpu.exec.Flags.*;
import static org.jkvm.cpu.exec.Op.*;

import org.jkvm.cpu.fault.Fault;
import org.jkvm.cpu.mem.PhysicalMemory;

/**
 * The less frequent operations: bit manipulation, string and I/O instructions, stack frames, flags, system
 * instructions and the VMX exits they cause. Kept apart from {@link Interpreter#execBlock} so that the hot
 * dispatch method stays compact.
 */
public abstract class SlowOps extends Interpreter {
    protected SlowOps(PhysicalMemory pmem) {
        super(pmem);
    }

    // ---- hooks of the physical CPU
    protected abstract boolean ioExits(int port, int size);

    protected abstract boolean msrExits(int msr, boolean write);

    /** RDMSR of an MSR owned by the extended-state unit (XSS, XFD, XFD_ERR); null if it is not one. */
    protected abstract Long extRdmsr(int msr);

    /** WRMSR of an extended-state MSR; false if it is not one (#GP for bad values is thrown inside). */
    protected abstract boolean extWrmsr(int msr, long v);

    protected abstract long xgetbv(int index);

    protected abstract void wrpkru(int v);

    public boolean halted;

    final ExitSignal exit(Uop u, int reason, long qual) {
        exitReason = reason;
        exitQualification = qual;
        exitInstrLen = u.len();
        exitAccessSize = 0;
        exitAccessData = 0;
        return ExitSignal.INSTANCE;
    }

    /** Turns an exit signalled inside {@code u} into a pending exit (see {@link Mmu#exitPending}). */
    final void exitAfterReturn(Uop u) {
        exitPending = true;
        exitRip = u.rip;
        stopBlock = true;
    }

    final void requireCpl0() {
        if (cpl != 0) throw Fault.gp0();
    }

    @Override
    final void slow(Uop u) {
        switch (u.op) {
            case UD -> {
                if (u.aux == 1) countUnimplemented(u.name);
                throw Fault.ud();
            }
            case NOP -> { }
            case XCHG_RR -> {
                long a = reg(u.size, u.r1), b = reg(u.size, u.r2);
                setReg(u.size, u.r1, b);
                setReg(u.size, u.r2, a);
            }
            case XCHG_RM -> {
                if (u.lock) {
                    setReg(u.size, u.r1, lockedRmw(eaW(u), u.size, Atomics.XCHG, reg(u.size, u.r1), 0));
                    return;
                }
                long a = eaW(u);
                long v = read(a, u.size);
                write(a, u.size, reg(u.size, u.r1));
                setReg(u.size, u.r1, v);
            }
            case CBW -> {
                switch (u.size) {
                    case 2 -> setReg(2, 0, sext(1, r[0]));
                    case 4 -> setReg(4, 0, sext(2, r[0]));
                    default -> r[0] = sext(4, r[0]);
                }
            }
            case CWD -> setReg(u.size, 2, sext(u.size, r[0]) < 0 ? -1 : 0);
            case LEAVE -> {
                long bp = reg(stackSize(), 5);
                long v = read(stackLin(bp), u.size);
                setRsp(bp + u.size);
                setReg(u.size, 5, v);
            }
            case ENTER -> enter(u);
            case BT_RR, BT_RI -> {
                int bits = u.size * 8;
                long v = reg(u.size, u.r1);
                int bit = (int) ((u.op == BT_RR ? reg(u.size, u.r2) : u.imm) & (bits - 1));
                long res = btOp(u.aux, v, bit);
                if (u.aux != 4) setReg(u.size, u.r1, res);
            }
            case BT_MR, BT_MI -> {
                int bits = u.size * 8;
                long a;
                int bit;
                if (u.op == BT_MR) {
                    long off = sext(u.size, reg(u.size, u.r2));
                    a = (u.aux == 4 ? ea(u) : eaW(u)) + (off >> (bits == 64 ? 6 : bits == 32 ? 5 : 4)) * u.size;
                    bit = (int) (off & (bits - 1));
                } else {
                    a = u.aux == 4 ? ea(u) : eaW(u);
                    bit = (int) (u.imm & (bits - 1));
                }
                if (u.lock && u.aux != 4) {
                    long old = lockedRmw(a, u.size, Atomics.BTS + (u.aux - 5), bit, 0);
                    setArith(CF, ((old >>> bit) & 1) != 0 ? CF : 0);
                    return;
                }
                long v = read(a, u.size);
                long save = flags();
                long res = btOp(u.aux, v, bit);
                if (u.aux != 4) {
                    long f = flags();
                    setFlagsRaw(save);
                    write(a, u.size, res);
                    setFlagsRaw(f);
                }
            }
            case BITSCAN_RR, BITSCAN_RM -> {
                long v = u.op == BITSCAN_RR ? reg(u.size, u.r2) : read(ea(u), u.size);
                long save = u.nf ? flags() : 0;
                bitscan(u, v);
                if (u.nf) setFlagsRaw(save);
            }
            case BSWAP -> {
                if (u.size == 8) r[u.r1] = Long.reverseBytes(r[u.r1]);
                else if (u.size == 4) r[u.r1] = Integer.reverseBytes((int) r[u.r1]) & 0xFFFF_FFFFL;
                else setReg(2, u.r1, 0);
            }
            case CMPXCHG_R -> {
                long d = reg(u.size, u.r1);
                alu(CMP, u.size, r[0], d, false);
                if (zf()) setReg(u.size, u.r1, reg(u.size, u.r2));
                else setReg(u.size, 0, d);
            }
            case CMPXCHG_M -> {
                if (u.lock) {
                    long d = lockedRmw(eaW(u), u.size, Atomics.CMPXCHG, reg(u.size, u.r2), r[0] & mask(u.size));
                    boolean eq = d == (r[0] & mask(u.size));
                    alu(CMP, u.size, r[0], d, false);
                    if (!eq) setReg(u.size, 0, d);
                    return;
                }
                long a = eaW(u);
                long d = read(a, u.size);
                boolean eq = (d == (r[0] & mask(u.size)));
                write(a, u.size, eq ? reg(u.size, u.r2) : d);
                alu(CMP, u.size, r[0], d, false);
                if (!eq) setReg(u.size, 0, d);
            }
            case XADD_R -> {
                long d = reg(u.size, u.r1), s = reg(u.size, u.r2);
                long sum = alu(ADD, u.size, d, s, false);
                setReg(u.size, u.r2, d);
                setReg(u.size, u.r1, sum);
            }
            case XADD_M -> {
                if (u.lock) {
                    long s = reg(u.size, u.r2);
                    long d = lockedRmw(eaW(u), u.size, Atomics.XADD, s, 0);
                    alu(ADD, u.size, d, s, false);
                    setReg(u.size, u.r2, d);
                    return;
                }
                long a = eaW(u);
                long d = read(a, u.size), s = reg(u.size, u.r2);
                long sum = (d + s) & mask(u.size);
                write(a, u.size, sum);
                alu(ADD, u.size, d, s, false);
                setReg(u.size, u.r2, d);
            }
            case CMPXCHG8B -> cmpxchg8b(u);
            case SHD_RR -> setReg(u.size, u.r1, shd(u, reg(u.size, u.r1)));
            case SHD_MR -> {
                long a = eaW(u);
                long v = read(a, u.size);
                long save = flags();
                long res = shd(u, v);
                long f = flags();
                setFlagsRaw(save);
                write(a, u.size, res);
                setFlagsRaw(f);
            }
            case FLAGOP -> flagOp(u);
            case PUSHF -> {
                if ((rflags & VM) != 0 && ((rflags >>> 12) & 3) != 3) throw Fault.gp0();
                push(u.size, flags() & ~(VM | RF));
            }
            case POPF -> popf(u);
            case LAHF -> setReg(1, 32 + 0, flags() & 0xFF);
            case SAHF -> setArith(CF | PF | AF | ZF | SF, (r[0] >>> 8) & 0xFF);
            case STRING -> string(u);
            case IO -> io(u);
            case LOOP -> {
                int as = u.asize;
                long c = (reg(as, 1) - 1) & mask(as);
                setReg(as, 1, c);
                boolean take = c != 0 && (u.aux == 0 || (u.aux == 1) == zf());
                rip = take ? u.imm : u.next;
            }
            case JRCXZ -> rip = reg(u.asize, 1) == 0 ? u.imm : u.next;
            case MOVBE_RM -> {
                long v = read(ea(u), u.size);
                setReg(u.size, u.r1, bswap(u.size, v));
            }
            case MOVBE_MR -> write(eaW(u), u.size, bswap(u.size, reg(u.size, u.r2)));
            case SYS -> sys(u);
            case INT -> softInt(u);
            case IRET -> iret(u);
            case RET_FAR -> retFar(u);
            case JMP_FAR -> {
                if (long64) throw Fault.ud();
                farJump((int) u.imm2, u.imm);
            }
            case CALL_FAR -> {
                if (long64) throw Fault.ud();
                callFar((int) u.imm2, u.imm, u);
            }
            case JMP_FAR_M, CALL_FAR_M -> {
                long a = ea(u);
                long off = read(a, u.size);
                int sel = (int) read(a + u.size, 2);
                if (u.op == JMP_FAR_M) farJump(sel, off);
                else callFar(sel, off, u);
            }
            case LFS -> {
                long a = ea(u);
                long off = read(a, u.size);
                int sel = (int) read(a + u.size, 2);
                loadSegment(u.aux, sel);
                setReg(u.size, u.r1, off);
            }
            case MOV_SEG -> {
                int sel = (int) (u.r2 >= 0 ? r[u.r2] & 0xFFFF : read(ea(u), 2));
                if (u.aux == CS) throw Fault.ud();
                loadSegment(u.aux, sel);
                if (u.aux == SS) { interruptShadow = 2; stopBlock = true; }
            }
            case MOV_FROM_SEG -> {
                if (u.r1 >= 0) setReg(u.size == 2 ? 2 : u.size, u.r1, segSel[u.aux]);
                else write(eaW(u), 2, segSel[u.aux]);
            }
            case PUSH_SEG -> push(u.size, segSel[u.aux]);
            case POP_SEG -> {
                long v = read(stackLin(r[4]), u.size);
                loadSegment(u.aux, (int) v);
                setRsp(r[4] + u.size);
                if (u.aux == SS) { interruptShadow = 2; stopBlock = true; }
            }
            case MOV_CR -> movCr(u);
            case MOV_DR -> movDr(u);
            case BMI -> bmi(u);
            case EXT -> execExtended(u);
            case XLAT -> {
                long off = (r[3] + (r[0] & 0xFF)) & mask(u.asize);
                long a = u.segCheck ? segCheck(u.seg, off, 1, false) : off + (u.seg >= 0 ? segBase[u.seg] : 0);
                setReg(1, 0, read8(a));
            }
            case PUSHA -> {
                long sp = r[4];
                for (int k = 0; k < 8; k++) push(u.size, k == 4 ? sp : r[k]);
            }
            case POPA -> {
                for (int k = 7; k >= 0; k--) {
                    long v = pop(u.size);
                    if (k != 4) setReg(u.size, k, v);
                }
            }
            case JMPABS -> rip = u.imm;
            case AAX -> bcd(u);
            case CRC32 -> {
                long src = u.r2 >= 0 ? reg(u.aux, u.r2) : read(ea(u), u.aux);
                int crc = (int) r[u.r1];
                for (int k = 0; k < u.aux; k++) crc = (crc >>> 8) ^ CRC32C[(crc ^ (int) (src >>> (8 * k))) & 0xFF];
                r[u.r1] = crc & 0xFFFF_FFFFL;
            }
            case BOUND_CHECK -> {
                long a = ea(u);
                long idx = sext(u.size, reg(u.size, u.r1));
                long lo = sext(u.size, read(a, u.size)), hi = sext(u.size, read(a + u.size, u.size));
                if (idx < lo || idx > hi) throw new Fault(Fault.BR, -1, 0);
            }
            case ARPL -> {
                if (!pe() || (rflags & VM) != 0) throw Fault.ud();
                long a = u.r1 < 0 ? eaW(u) : 0;
                long dst = u.r1 >= 0 ? reg(2, u.r1) : read(a, 2);
                long src = reg(2, u.r2);
                if ((dst & 3) < (src & 3)) {
                    long nv = (dst & ~3L) | (src & 3);
                    if (u.r1 >= 0) setReg(2, u.r1, nv);
                    else write(a, 2, nv);
                    setArith(ZF, ZF);
                } else {
                    setArith(ZF, 0);
                }
            }
            case SALC -> setReg(1, 0, cf() ? 0xFF : 0);
            default -> apx(u);
        }
    }

    /** CRC32 instruction table: the Castagnoli polynomial, bit-reflected (0x82F63B78). */
    static final int[] CRC32C = new int[256];

    static {
        for (int i = 0; i < 256; i++) {
            int c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >>> 1) ^ 0x82F6_3B78 : c >>> 1;
            CRC32C[i] = c;
        }
    }

    /** aux: 0 AAA, 1 AAS, 2 DAA, 3 DAS, 4 AAM, 5 AAD (legacy modes only; the decoder rejects them in 64-bit). */
    final void bcd(Uop u) {
        long al = r[0] & 0xFF, ah = (r[0] >>> 8) & 0xFF;
        boolean af = af(), cf = cf();
        switch (u.aux) {
            case 0, 1 -> {
                boolean adj = (al & 0xF) > 9 || af;
                long ax = r[0] & 0xFFFF;
                if (adj) ax = u.aux == 0 ? ax + 0x106 : ((ax - 6) & 0xFF) | ((((ax >>> 8) - 1) & 0xFF) << 8);
                setReg(2, 0, (ax & 0xFF00) | (ax & 0xF));
                setArith(CF | AF, adj ? CF | AF : 0);
            }
            case 2, 3 -> {
                boolean add = u.aux == 2;
                long v = al;
                boolean ncf = false, naf = false;
                if ((al & 0xF) > 9 || af) {
                    v = add ? v + 6 : v - 6;
                    ncf = cf || (add ? v > 0xFF : v < 0);
                    naf = true;
                    v &= 0xFF;
                }
                if (al > 0x99 || cf) {
                    v = (add ? v + 0x60 : v - 0x60) & 0xFF;
                    ncf = true;
                }
                setReg(1, 0, v);
                setArith(ARITH, szp(v) | (ncf ? CF : 0) | (naf ? AF : 0));
            }
            case 4 -> {
                long base = u.imm & 0xFF;
                if (base == 0) throw new Fault(Fault.DE, -1, 0);
                long q = al / base, rem = al % base;
                setReg(2, 0, q << 8 | rem);
                setArith(ARITH, szp(rem));
            }
            default -> {
                long v = (al + ah * (u.imm & 0xFF)) & 0xFF;
                setReg(2, 0, v);
                setArith(ARITH, szp(v));
            }
        }
    }

    private static long szp(long v8) {
        return (v8 == 0 ? ZF : 0) | ((v8 & 0x80) != 0 ? SF : 0) | ((Integer.bitCount((int) v8) & 1) == 0 ? PF : 0);
    }

    /** APX-only operations (PUSH2/POP2, CCMP/CTEST, CFCMOV, SETZU, NDD forms). */
    abstract void apx(Uop u);

    static long bswap(int size, long v) {
        return switch (size) {
            case 8 -> Long.reverseBytes(v);
            case 4 -> Integer.reverseBytes((int) v) & 0xFFFF_FFFFL;
            default -> Short.reverseBytes((short) v) & 0xFFFFL;
        };
    }

    /** BT (4), BTS (5), BTR (6), BTC (7): sets CF, returns the updated value. */
    final long btOp(int kind, long v, int bit) {
        boolean set = ((v >>> bit) & 1) != 0;
        setArith(CF, set ? CF : 0);
        return switch (kind) {
            case 5 -> v | (1L << bit);
            case 6 -> v & ~(1L << bit);
            case 7 -> v ^ (1L << bit);
            default -> v;
        };
    }

    /** aux: 0 BSF, 1 BSR, 2 TZCNT, 3 LZCNT, 4 POPCNT. */
    final void bitscan(Uop u, long v) {
        int bits = u.size * 8;
        v &= mask(u.size);
        switch (u.aux) {
            case 0, 1 -> {
                if (v == 0) {
                    setArith(ZF, ZF);
                    if (u.size == 4) r[u.r1] &= 0xFFFF_FFFFL;
                    return;
                }
                setArith(ZF, 0);
                setReg(u.size, u.r1, u.aux == 0 ? Long.numberOfTrailingZeros(v) : 63 - Long.numberOfLeadingZeros(v));
            }
            case 2 -> {
                long res = v == 0 ? bits : Long.numberOfTrailingZeros(v);
                setReg(u.size, u.r1, res);
                setArith(CF | ZF, (v == 0 ? CF : 0) | (res == 0 ? ZF : 0));
            }
            case 3 -> {
                long res = Long.numberOfLeadingZeros(v) - (64 - bits);
                setReg(u.size, u.r1, res);
                setArith(CF | ZF, (v == 0 ? CF : 0) | (res == 0 ? ZF : 0));
            }
            default -> {
                setReg(u.size, u.r1, Long.bitCount(v));
                setArith(ARITH, v == 0 ? ZF : 0);
            }
        }
    }

    final void cmpxchg8b(Uop u) {
        long a = eaW(u);
        if (u.size == 16) {
            if ((a & 15) != 0) throw Fault.gp0();
            long lo = read64(a), hi = read64(a + 8);
            if (lo == r[0] && hi == r[2]) {
                write64(a, r[3]);
                write64(a + 8, r[1]);
                setArith(ZF, ZF);
            } else {
                write64(a, lo);
                write64(a + 8, hi);
                r[0] = lo;
                r[2] = hi;
                setArith(ZF, 0);
            }
        } else {
            long v = read64(a);
            long cmp = (r[0] & 0xFFFF_FFFFL) | (r[2] << 32);
            if (v == cmp) {
                write64(a, (r[3] & 0xFFFF_FFFFL) | (r[1] << 32));
                setArith(ZF, ZF);
            } else {
                write64(a, v);
                r[0] = v & 0xFFFF_FFFFL;
                r[2] = v >>> 32;
                setArith(ZF, 0);
            }
        }
    }

    /** SHLD (aux 0) / SHRD (aux 1); count from imm or CL (aux2 = 1). */
    final long shd(Uop u, long dst) {
        int size = u.size, bits = size * 8;
        long m = mask(size);
        dst &= m;
        long src = reg(size, u.r2);
        int c = (int) (u.aux2 == 1 ? r[1] : u.imm) & (size == 8 ? 63 : 31);
        if (c == 0) return dst;
        long res;
        long cfv;
        if (size == 2 && c > 16) {
            // undefined result on 16-bit operands with count > 16: model as a 48-bit rotate like Intel
            long wide = u.aux == 0 ? (dst << 32 | src << 16 | dst) : (dst << 32 | src << 16 | dst);
            res = u.aux == 0 ? (wide >>> (48 - c)) & m : (wide >>> c) & m;
            cfv = u.aux == 0 ? (wide >>> (48 - c + 16)) & 1 : (wide >>> (c - 1)) & 1;
        } else if (u.aux == 0) {
            res = ((dst << c) | (c == bits ? src : src >>> (bits - c))) & m;
            cfv = (dst >>> (bits - c)) & 1;
        } else {
            res = ((dst >>> c) | (src << (bits - c))) & m;
            cfv = (dst >>> (c - 1)) & 1;
        }
        long f = cfv;
        if (res == 0) f |= ZF;
        if (((res >>> (bits - 1)) & 1) != 0) f |= SF;
        if ((Integer.bitCount((int) res & 0xFF) & 1) == 0) f |= PF;
        if ((((res ^ dst) >>> (bits - 1)) & 1) != 0) f |= OF;
        setArith(ARITH, f);
        return res;
    }

    final void flagOp(Uop u) {
        switch (u.aux) {
            case 0 -> setArith(CF, 0);
            case 1 -> setArith(CF, CF);
            case 2 -> setArith(CF, cf() ? 0 : CF);
            case 3 -> rflags &= ~DF;
            case 4 -> rflags |= DF;
            case 5 -> { // CLI
                if (pe() && cpl > ((rflags >>> 12) & 3)) throw Fault.gp0();
                rflags &= ~IF;
            }
            case 6 -> { // STI
                if (pe() && cpl > ((rflags >>> 12) & 3)) throw Fault.gp0();
                if ((rflags & IF) == 0) {
                    rflags |= IF;
                    interruptShadow = 1;
                }
                stopBlock = true;
            }
            case 7, 8 -> { // CLAC, STAC
                if (cpl != 0) throw Fault.ud();
                if (u.aux == 7) rflags &= ~AC;
                else rflags |= AC;
                if ((cr4 & CR4_SMAP) != 0) flushTlb();
            }
            default -> throw Fault.ud();
        }
    }

    final void popf(Uop u) {
        long v = read(stackLin(r[4]), u.size);
        long cur = flags();
        long mask = ARITH | TF | DF | NT | AC | ID;
        int iopl = (int) (cur >>> 12) & 3;
        if ((cur & VM) != 0) {
            if (iopl != 3) throw Fault.gp0();
            mask |= IF;
        } else {
            if (cpl == 0) mask |= IOPL | IF;
            else if (cpl <= iopl) mask |= IF;
        }
        if (u.size == 2) mask &= 0xFFFF;
        setRsp(r[4] + u.size);
        long nf = (cur & ~mask) | (v & mask);
        nf &= ~RF;
        boolean ifOn = (nf & IF) != 0 && (cur & IF) == 0;
        setFlagsRaw(nf);
        if (((cur ^ nf) & AC) != 0 && (cr4 & CR4_SMAP) != 0) flushTlb();
        if (ifOn || (nf & TF) != 0) stopBlock = true;
    }

    final void enter(Uop u) {
        int size = u.size;
        long alloc = u.imm & 0xFFFF;
        int level = (int) (u.imm2 & 0x1F);
        push(size, reg(size, 5));
        long frame = reg(stackSize(), 4);
        if (level > 0) {
            long bp = reg(stackSize(), 5);
            for (int k = 1; k < level; k++) {
                bp -= size;
                push(size, read(stackLin(bp), size));
            }
            push(size, frame);
        }
        setReg(size, 5, frame);
        setRsp(r[4] - alloc);
    }

    // ---------------------------------------------------------------- strings

    /** aux: 0 MOVS 1 CMPS 2 STOS 3 LODS 4 SCAS 5 INS 6 OUTS; aux2: 0 none, 1 REP/REPE, 2 REPNE. */
    final void string(Uop u) {
        int as = u.asize, size = u.size;
        long am = mask(as);
        long delta = (rflags & DF) != 0 ? -size : size;
        boolean rep = u.aux2 != 0;
        while (true) {
            if (rep && (r[1] & am) == 0) return;
            switch (u.aux) {
                case 0 -> {
                    long v = read(srcLin(u), size);
                    write(dstLin(u), size, v);
                    setReg(as, 6, r[6] + delta);
                    setReg(as, 7, r[7] + delta);
                }
                case 1 -> {
                    long a = read(srcLin(u), size), b = read(dstLin(u), size);
                    alu(CMP, size, a, b, false);
                    setReg(as, 6, r[6] + delta);
                    setReg(as, 7, r[7] + delta);
                }
                case 2 -> {
                    write(dstLin(u), size, r[0]);
                    setReg(as, 7, r[7] + delta);
                }
                case 3 -> {
                    setReg(size, 0, read(srcLin(u), size));
                    setReg(as, 6, r[6] + delta);
                }
                case 4 -> {
                    long b = read(dstLin(u), size);
                    alu(CMP, size, r[0], b, false);
                    setReg(as, 7, r[7] + delta);
                }
                default -> {
                    ioString(u, delta);
                }
            }
            if (!rep) return;
            setReg(as, 1, r[1] - 1);
            if (u.aux == 1 || u.aux == 4) {
                if (u.aux2 == 1 && !zf() || u.aux2 == 2 && zf()) return;
            }
            if (kickPending && (r[1] & am) != 0) { // let the run loop look at events; resume later
                throw restartString(u);
            }
        }
    }

    private RuntimeException restartString(Uop u) {
        // the instruction is restartable: registers already reflect the finished iterations
        exitReason = -1;
        return ExitSignal.INSTANCE;
    }

    final long srcLin(Uop u) {
        long off = r[6] & mask(u.asize);
        if (u.segCheck) return segCheck(u.seg, off, u.size, false);
        return u.seg >= 0 ? off + segBase[u.seg] : off;
    }

    final long dstLin(Uop u) {
        long off = r[7] & mask(u.asize);
        if (long64) return off;
        if (!flat || u.segCheck) return segCheck(ES, off, u.size, u.aux == 0 || u.aux == 2 || u.aux == 5);
        return off;
    }

    // ---------------------------------------------------------------- I/O

    /** Whether the TSS I/O permission bitmap allows the access (protected mode with CPL > IOPL, or V86). */
    final void ioPermission(int port, int size) {
        if (!pe()) return;
        long f = flags();
        if ((f & VM) == 0 && cpl <= ((f >>> 12) & 3)) return;
        int trType = segAr[TR] & 0xF;
        if (trType != 0xB && trType != 0x9) throw Fault.gp0();
        long lim = segLimit[TR] & 0xFFFF_FFFFL;
        if (lim < 0x67) throw Fault.gp0();
        long iobase = readSys(segBase[TR] + 0x66, 2);
        long byteOff = iobase + (port >>> 3);
        if (byteOff + 1 > lim) throw Fault.gp0();
        long bits = readSys(segBase[TR] + byteOff, 2);
        if (((bits >>> (port & 7)) & ((1 << size) - 1)) != 0) throw Fault.gp0();
    }

    /** aux: 0 IN imm, 1 IN DX, 2 OUT imm, 3 OUT DX. */
    final void io(Uop u) {
        boolean in = u.aux < 2;
        int port = (int) (u.aux == 0 || u.aux == 2 ? u.imm : r[2] & 0xFFFF);
        int size = u.size;
        ioPermission(port, size);
        if (guestMode && ioExits(port, size)) {
            pendingIo = u;
            exit(u, 30, (size - 1) | (in ? 8 : 0) | ((u.aux & 1) == 0 ? 64 : 0) | (long) port << 16);
            exitAccessSize = size;
            exitAccessData = in ? 0 : r[0] & mask(size);
            exitAfterReturn(u);
            return;
        }
        if (in) setReg(size, 0, -1L); // nothing answers on the physical machine
    }

    /** One INS/OUTS element (the REP loop is in string()). */
    final void ioString(Uop u, long delta) {
        boolean in = u.aux == 5;
        int port = (int) (r[2] & 0xFFFF);
        int size = u.size;
        ioPermission(port, size);
        if (guestMode && ioExits(port, size)) {
            pendingIo = u;
            long data = 0;
            long lin;
            if (in) {
                lin = dstLin(u);
                probe(lin, size, true);
            } else {
                lin = srcLin(u);
                data = read(lin, size);
            }
            ExitSignal e = exit(u, 30, (size - 1) | (in ? 8 : 0) | 16 | (u.aux2 != 0 ? 32 : 0) | (long) port << 16);
            exitGla = lin;
            exitAccessSize = size;
            exitAccessData = data;
            throw e;
        }
        if (in) {
            write(dstLin(u), size, -1L);
            setReg(u.asize, 7, r[7] + delta);
        } else {
            read(srcLin(u), size);
            setReg(u.asize, 6, r[6] + delta);
        }
    }

    /**
     * Completes the I/O instruction of the last IO exit: IN/INS store {@code value}, OUT/OUTS just advance.
     * For REP string forms one element is done per exit; RIP moves past the instruction when the count ends.
     */
    public final void completeIo(long value) {
        Uop u = pendingIo;
        if (u == null) throw new IllegalStateException("no I/O exit outstanding");
        pendingIo = null;
        if (u.op == IO) {
            if (u.aux < 2) setReg(u.size, 0, value);
            rip = u.next;
            retired++;
            return;
        }
        long delta = (rflags & DF) != 0 ? -u.size : u.size;
        if (u.aux == 5) {
            write(dstLin(u), u.size, value);
            setReg(u.asize, 7, r[7] + delta);
        } else {
            setReg(u.asize, 6, r[6] + delta);
        }
        if (u.aux2 != 0) {
            setReg(u.asize, 1, r[1] - 1);
            if ((r[1] & mask(u.asize)) != 0) return; // RIP stays: the next entry does the next element
        }
        rip = u.next;
        retired++;
    }

    // ---------------------------------------------------------------- software interrupts and far transfers

    /** aux: 0 INT n, 1 INT3, 2 INTO, 3 INT1. */
    final void softInt(Uop u) {
        rip = u.rip;
        switch (u.aux) {
            case 0 -> {
                if ((rflags & VM) != 0 && ((rflags >>> 12) & 3) != 3) throw Fault.gp0();
                deliverEvent((int) u.imm & 0xFF, 4, -1, u.next, false);
            }
            case 1 -> deliverEvent(3, 6, -1, u.next, true);
            case 2 -> {
                if (long64) throw Fault.ud();
                if (of()) deliverEvent(4, 6, -1, u.next, true);
                else rip = u.next;
            }
            default -> deliverEvent(1, 5, -1, u.next, true);
        }
    }

    final void iret(Uop u) {
        int size = u.size;
        if (!pe()) {
            long ip = pop(size), cs = pop(size), fl = pop(size);
            farReturn((int) cs & 0xFFFF, ip, false, 0, 0, fl, true, size);
            nmiBlocked = false;
            return;
        }
        if ((rflags & VM) != 0) throw Fault.gp0();
        if ((rflags & NT) != 0) throw Fault.gp0(); // task return: no hardware task switching
        long sp = r[4];
        long ip = read(stackLin(sp), size);
        long cs = read(stackLin(sp + size), size) & 0xFFFF;
        long fl = read(stackLin(sp + 2L * size), size);
        int rpl = (int) cs & 3;
        if (long64 || rpl != cpl) {
            long nsp = read(stackLin(sp + 3L * size), size);
            long ss = read(stackLin(sp + 4L * size), size) & 0xFFFF;
            farReturn((int) cs, ip, true, (int) ss, nsp, fl, true, size);
        } else {
            farReturn((int) cs, ip, false, 0, 0, fl, true, size);
            setRsp(sp + 3L * size);
        }
        nmiBlocked = false;
        stopBlock = true;
    }

    final void retFar(Uop u) {
        int size = u.size;
        long sp = r[4];
        long ip = read(stackLin(sp), size);
        long cs = read(stackLin(sp + size), size) & 0xFFFF;
        if (!pe() || (rflags & VM) != 0) {
            setRsp(sp + 2L * size + u.imm);
            farReturn((int) cs, ip, false, 0, 0, 0, false, size);
            return;
        }
        if ((cs & 3) != cpl) {
            long nsp = read(stackLin(sp + 2L * size + u.imm), size);
            long ss = read(stackLin(sp + 3L * size + u.imm), size) & 0xFFFF;
            farReturn((int) cs, ip, true, (int) ss, nsp + u.imm, 0, false, size);
        } else {
            farReturn((int) cs, ip, false, 0, 0, 0, false, size);
            setRsp(sp + 2L * size + u.imm);
        }
    }

    final void callFar(int sel, long off, Uop u) {
        int size = u.size;
        int oldCs = segSel[CS];
        long ret = u.next;
        if (!pe() || (rflags & VM) != 0) {
            push(size, oldCs);
            push(size, ret);
            farJump(sel, off);
            return;
        }
        long d = checkFarTarget(sel, true);
        long sp = r[4];
        try {
            push(size, oldCs);
            push(size, ret);
        } catch (RuntimeException e) {
            r[4] = sp;
            throw e;
        }
        loadCs(sel, d, cpl);
        rip = long64 ? off : off & 0xFFFF_FFFFL;
        updateFlat();
        stopBlock = true;
    }

    // ---------------------------------------------------------------- control and debug registers

    /** aux: CR number; aux2: 0 = MOV to CR, 1 = MOV from CR; r1: the GPR. */
    final void movCr(Uop u) {
        requireCpl0();
        int cr = u.aux;
        boolean to = u.aux2 == 0;
        long qualBase = cr | (to ? 0 : 16) | (long) (u.r1 & 15) << 8;
        if (to) {
            long v = long64 ? r[u.r1] : r[u.r1] & 0xFFFF_FFFFL;
            switch (cr) {
                case 0 -> {
                    if (guestMode && (((v ^ cr0Shadow) & cr0Mask) != 0)) throw exit(u, 28, qualBase);
                    writeCr0((v & ~cr0Mask) | (cr0 & cr0Mask));
                }
                case 2 -> cr2 = v;
                case 3 -> {
                    if (guestMode && (cpuControls & 0x8000) != 0 && !cr3Target(v)) throw exit(u, 28, qualBase);
                    writeCr3(v);
                }
                case 4 -> {
                    if (guestMode && (((v ^ cr4Shadow) & cr4Mask) != 0)) throw exit(u, 28, qualBase);
                    writeCr4((v & ~cr4Mask) | (cr4 & cr4Mask));
                }
                case 8 -> {
                    if (guestMode && (cpuControls & (1 << 19)) != 0) throw exit(u, 28, qualBase);
                    if ((v >>> 4) != 0) throw Fault.gp0();
                    cr8 = v;
                }
                default -> throw Fault.ud();
            }
        } else {
            long v = switch (cr) {
                case 0 -> (cr0 & ~cr0Mask) | (cr0Shadow & cr0Mask);
                case 2 -> cr2;
                case 3 -> {
                    if (guestMode && (cpuControls & 0x1_0000) != 0) throw exit(u, 28, qualBase);
                    yield cr3;
                }
                case 4 -> (cr4 & ~cr4Mask) | (cr4Shadow & cr4Mask);
                case 8 -> {
                    if (guestMode && (cpuControls & (1 << 20)) != 0) throw exit(u, 28, qualBase);
                    yield cr8;
                }
                default -> throw Fault.ud();
            };
            if (long64) r[u.r1] = v;
            else r[u.r1] = v & 0xFFFF_FFFFL;
        }
    }

    /** CR3-target values (VMX): a MOV to CR3 with one of them does not exit. */
    protected abstract boolean cr3Target(long v);

    final void movDr(Uop u) {
        requireCpl0();
        int n = u.aux;
        if ((n == 4 || n == 5) && (cr4 & 8) != 0) throw Fault.ud();
        if (n == 4) n = 6;
        if (n == 5) n = 7;
        if (guestMode && (cpuControls & (1 << 23)) != 0)
            throw exit(u, 29, n | (u.aux2 == 0 ? 0 : 16) | (long) (u.r1 & 15) << 8);
        if (u.aux2 == 0) {
            long v = long64 ? r[u.r1] : r[u.r1] & 0xFFFF_FFFFL;
            if ((n == 6 || n == 7) && (v >>> 32) != 0) throw Fault.gp0();
            dr[n] = n == 6 ? (v | 0xFFFF0FF0L) & 0xFFFF_FFFFL : n == 7 ? (v | 0x400) & ~0x1000L : v;
        } else {
            r[u.r1] = long64 ? dr[n] : dr[n] & 0xFFFF_FFFFL;
        }
    }

    // ---------------------------------------------------------------- BMI1/BMI2

    /** aux: 0 ANDN 1 BEXTR 2 BLSI 3 BLSMSK 4 BLSR 5 BZHI 6 MULX 7 PDEP 8 PEXT 9 RORX 10 SARX 11 SHLX 12 SHRX. */
    final void bmi(Uop u) {
        int size = u.size, bits = size * 8;
        long m = mask(size);
        long src = (u.r2 >= 0 ? reg(size, u.r2) : read(ea(u), size)) & m; // r/m operand
        long v = u.r3 >= 0 ? reg(size, u.r3) & m : 0;                    // vvvv operand
        long res;
        switch (u.aux) {
            case 0 -> { res = ~v & src & m; logicFlagsClearCfOf(size, res); }
            case 1 -> {
                int start = (int) (v & 0xFF), len = (int) ((v >>> 8) & 0xFF);
                res = start >= bits ? 0 : src >>> start;
                if (len < 64) res &= (1L << len) - 1;
                res &= m;
                logicFlagsClearCfOf(size, res);
            }
            case 2 -> { res = -src & src & m; bmiFlags(size, res, src != 0); }
            case 3 -> { res = (src ^ (src - 1)) & m; bmiFlags(size, res, src == 0); setArith(ZF, 0); }
            case 4 -> { res = (src & (src - 1)) & m; bmiFlags(size, res, src == 0); }
            case 5 -> {
                int n = (int) (v & 0xFF);
                res = n >= bits ? src : src & ((1L << n) - 1);
                res &= m;
                long f = (n >= bits ? CF : 0) | (res == 0 ? ZF : 0) | (((res >>> (bits - 1)) & 1) != 0 ? SF : 0);
                setArith(ARITH, f);
            }
            case 6 -> { // MULX: r1 = high, r3 = low (vvvv is the low destination), rDX implicit
                long d = reg(size, 2);
                long lo, hi;
                if (size == 8) { lo = d * src; hi = Math.unsignedMultiplyHigh(d, src); }
                else { long p = d * src; lo = p & m; hi = p >>> 32; }
                setReg(size, u.r3, lo);
                setReg(size, u.r1, hi);
                return;
            }
            case 7 -> { res = pdep(v, src, bits); }
            case 8 -> { res = pext(v, src, bits); }
            case 9 -> {
                int c = (int) (u.imm & (bits - 1));
                res = c == 0 ? src : ((src >>> c) | (src << (bits - c))) & m;
            }
            case 10 -> { int c = (int) (v & (bits - 1)); res = (sext(size, src) >> c) & m; }
            case 11 -> { int c = (int) (v & (bits - 1)); res = (src << c) & m; }
            default -> { int c = (int) (v & (bits - 1)); res = src >>> c; }
        }
        setReg(size, u.r1, res);
    }

    private void logicFlagsClearCfOf(int size, long res) {
        setFlagsLogic(size * 8, res);
    }

    private void bmiFlags(int size, long res, boolean carry) {
        int bits = size * 8;
        long f = (carry ? CF : 0) | (res == 0 ? ZF : 0) | (((res >>> (bits - 1)) & 1) != 0 ? SF : 0);
        setArith(CF | ZF | SF | OF, f);
    }

    static long pdep(long src, long mask, int bits) {
        long res = 0;
        int k = 0;
        for (int i = 0; i < bits; i++) {
            if (((mask >>> i) & 1) != 0) {
                if (((src >>> k) & 1) != 0) res |= 1L << i;
                k++;
            }
        }
        return res;
    }

    static long pext(long src, long mask, int bits) {
        long res = 0;
        int k = 0;
        for (int i = 0; i < bits; i++) {
            if (((mask >>> i) & 1) != 0) {
                if (((src >>> i) & 1) != 0) res |= 1L << k;
                k++;
            }
        }
        return res;
    }

    // ---------------------------------------------------------------- system instructions

    abstract void sys(Uop u);
}
