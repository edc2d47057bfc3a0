package org.jkvm.cpu.simd;

import org.jkvm.cpu.fault.Fault;
import org.jkvm.cpu.mem.LinearMemory;
import org.jkvm.cpu.xstate.XContext;
import org.jkvm.cpu.xstate.XFeature;
import org.jkvm.cpu.xstate.XState;
import org.jkvm.isa.Insn;
import org.jkvm.isa.OperandKind;
import org.jkvm.isa.RegClass;

/**
 * The x87 FPU on an {@link XState}: the stack (TOP, tags, physical registers), loads and stores of
 * every memory format, integer conversions, the four basic operations and square root in extended
 * precision under FCW precision and rounding control ({@link F80}), comparisons (FCOM/FUCOM/FCOMI
 * families, FTST, FXAM), FCMOVcc, constants, and the environment instructions (FNINIT, FNCLEX,
 * FLDCW/FNSTCW, FNSTSW, FNSTENV/FLDENV, FNSAVE/FRSTOR). Masked exceptions give the IEEE default
 * results; an unmasked one sets FSW.ES/B, leaves the destination alone (pre-computation cases),
 * and the next waiting x87 instruction raises #MF (CR0.NE=1). Transcendentals are not implemented
 * (the caller counts them as #UD). The FPU instruction and data pointers are not tracked.
 */
public final class X87Unit {
    private final XState s;
    private final F80 f = new F80();

    public X87Unit(XState state) {
        this.s = state;
    }

    // ---------------------------------------------------------------- stack and status

    private int top() {
        return s.fsw >> 11 & 7;
    }

    private void setTop(int t) {
        s.fsw = s.fsw & ~0x3800 | (t & 7) << 11;
    }

    private int phys(int i) {
        return (top() + i) & 7;
    }

    private int tag(int p) {
        return s.ftw >> (2 * p) & 3;
    }

    private void setTag(int p, int t) {
        s.ftw = s.ftw & ~(3 << (2 * p)) | t << (2 * p);
    }

    private static int classify(short e, long m) {
        int x = e & 0x7FFF;
        if (x == 0) return m == 0 ? 1 : 2;
        if (x == 0x7FFF) return 2;
        return m < 0 ? 0 : 2;
    }

    private void write(int p, short e, long m) {
        s.fpExp[p] = e;
        s.fpMant[p] = m;
        setTag(p, classify(e, m));
    }

    private boolean empty(int i) {
        return tag(phys(i)) == 3;
    }

    private void setC(int c3, int c2, int c1, int c0) {
        s.fsw = s.fsw & ~0x4700 | c0 << 8 | c1 << 9 | c2 << 10 | c3 << 14;
    }

    private void setC1(boolean v) {
        s.fsw = s.fsw & ~0x200 | (v ? 0x200 : 0);
    }

    /**
     * Records exception flags; returns true when the operation may deliver its result (no unmasked
     * pre-computation exception). Unmasked exceptions set ES and B so the next waiting instruction faults.
     */
    private boolean raise(int flags) {
        s.fsw |= flags & 0x7F;
        int unmasked = flags & ~s.fcw & 0x3F;
        if (unmasked != 0) s.fsw |= 0x8080;
        return (unmasked & (F80.IE | F80.ZE | F80.DE)) == 0;
    }

    /** Stack underflow on reading an empty register: IE+SF, C1=0; true when masked (use the indefinite). */
    private boolean underflow() {
        setC1(false);
        return raise(F80.IE | F80.SF);
    }

    private void push(short e, long m) {
        int t = (top() - 1) & 7;
        if (tag(t) != 3) {
            setC1(true);
            if (!raise(F80.IE | F80.SF)) return;
            setTop(t);
            write(t, F80.NAN_EXP, F80.NAN_MANT);
            return;
        }
        setTop(t);
        write(t, e, m);
    }

    private void pop() {
        setTag(top(), 3);
        setTop(top() + 1);
    }

    // ---------------------------------------------------------------- entry

    private static boolean noWait(String m) {
        return switch (m) {
            case "FNINIT", "FNCLEX", "FNSTSW", "FNSTCW", "FNSTENV", "FNSAVE" -> true;
            default -> false;
        };
    }

    /** Executes an x87 instruction; false when not implemented here. */
    public boolean execute(Insn in, SimdHost h) {
        String m = in.mnemonic().name();
        if (!implemented(m)) return false;
        if ((h.cr0() & (XContext.CR0_EM | XContext.CR0_TS)) != 0) throw Fault.nm();
        if (!noWait(m) && (s.fsw & 0x80) != 0 && (h.cr0() & XContext.CR0_NE) != 0) throw new Fault(Fault.MF, -1, 0);
        f.control(s.fcw);
        // Every x87 instruction marks the x87 state in use, except the pure stores of control/status
        // words (measured: FNSTCW leaves XINUSE[0] clear).
        if (!m.equals("FNSTCW") && !m.equals("FNSTSW")) s.touch(XFeature.X87.mask);
        LinearMemory mem = h.memory();
        boolean memOp = in.operandCount() > 0 && in.kind(0) == OperandKind.MEM;
        int size = memOp ? in.memSize() : 0;
        switch (m) {
            case "FNINIT" -> {
                s.fcw = 0x37F;
                s.fsw = 0;
                s.ftw = 0xFFFF;
                s.fop = 0;
                s.fip = s.fdp = 0;
                s.fcs = s.fds = 0;
            }
            case "FNCLEX" -> s.fsw &= 0x7F00;
            case "FLDCW" -> {
                s.fcw = mem.read16(h.ea()) & 0x1F3F | 0x40;
                recomputeEs();
            }
            case "FNSTCW" -> mem.write16(h.ea(), (short) s.fcw);
            case "FNSTSW" -> {
                if (memOp) mem.write16(h.ea(), (short) s.fsw);
                else h.set(0, h.get(0) & ~0xFFFFL | s.fsw & 0xFFFF);
            }
            case "FNSTENV" -> {
                storeEnv(mem, h.ea(), in.operandSize() == 2);
                s.fcw |= 0x3F;
            }
            case "FLDENV" -> loadEnv(mem, h.ea(), in.operandSize() == 2);
            case "FNSAVE" -> {
                boolean o16 = in.operandSize() == 2;
                int envSize = o16 ? 14 : 28;
                mem.probe(h.ea(), envSize + 80, true);
                storeEnv(mem, h.ea(), o16);
                for (int i = 0; i < 8; i++) {
                    int p = phys(i);
                    mem.write64(h.ea() + envSize + 10L * i, s.fpMant[p]);
                    mem.write16(h.ea() + envSize + 10L * i + 8, s.fpExp[p]);
                }
                s.fcw = 0x37F;
                s.fsw = 0;
                s.ftw = 0xFFFF;
                s.fop = 0;
                s.fip = s.fdp = 0;
            }
            case "FRSTOR" -> {
                boolean o16 = in.operandSize() == 2;
                int envSize = o16 ? 14 : 28;
                mem.probe(h.ea(), envSize + 80, false);
                loadEnv(mem, h.ea(), o16);
                for (int i = 0; i < 8; i++) {
                    int p = phys(i);
                    s.fpMant[p] = mem.read64(h.ea() + envSize + 10L * i);
                    s.fpExp[p] = mem.read16(h.ea() + envSize + 10L * i + 8);
                }
                retag();
            }
            case "FNOP" -> { }
            case "FINCSTP" -> { setTop(top() + 1); setC1(false); }
            case "FDECSTP" -> { setTop(top() - 1); setC1(false); }
            case "FFREE" -> { setTag(phys(in.reg(0)), 3); setC1(false); }
            case "FFREEP" -> { setTag(phys(in.reg(0)), 3); pop(); setC1(false); }
            case "FLD" -> fld(in, h, memOp, size);
            case "FLDZ" -> constant((short) 0, 0, false, false);
            case "FLD1" -> constant((short) 0x3FFF, Long.MIN_VALUE, false, false);
            // Truncated 64-bit significands; the constants are rounded by RC (the bits below decide RN).
            case "FLDPI" -> constant((short) 0x4000, 0xC90F_DAA2_2168_C234L, true, true);
            case "FLDL2E" -> constant((short) 0x3FFF, 0xB8AA_3B29_5C17_F0BBL, true, true);
            case "FLDL2T" -> constant((short) 0x4000, 0xD49A_784B_CD1B_8AFEL, true, false);
            case "FLDLG2" -> constant((short) 0x3FFD, 0x9A20_9A84_FBCF_F798L, true, true);
            case "FLDLN2" -> constant((short) 0x3FFE, 0xB172_17F7_D1CF_79ABL, true, true);
            case "FILD" -> {
                long v = switch (size) {
                    case 2 -> mem.read16(h.ea());
                    case 4 -> mem.read32(h.ea());
                    default -> mem.read64(h.ea());
                };
                f.fromLong(v);
                setC1(false);
                push(f.exp, f.mant);
            }
            case "FST", "FSTP" -> fst(in, h, memOp, size, m.equals("FSTP"));
            case "FIST", "FISTP", "FISTTP" -> {
                if (empty(0)) {
                    if (!underflow()) return true;
                    storeInt(mem, h.ea(), size, size == 8 ? Long.MIN_VALUE : size == 4 ? Integer.MIN_VALUE : Short.MIN_VALUE);
                } else {
                    int p = phys(0);
                    long v = f.toLong(s.fpExp[p], s.fpMant[p], size, m.equals("FISTTP"));
                    setC1(f.roundedUp && (f.flags & F80.IE) == 0);
                    if (!raise(f.flags & ~F80.DE)) return true; // unmasked invalid: nothing stored, nothing popped
                    storeInt(mem, h.ea(), size, v);
                }
                if (!m.equals("FIST")) pop();
            }
            case "FXCH" -> {
                int i = in.operandCount() > 0 ? in.reg(0) : 1;
                int p0 = phys(0), pi = phys(i);
                if (tag(p0) == 3 || tag(pi) == 3) {
                    if (!underflow()) return true;
                    if (tag(p0) == 3) write(p0, F80.NAN_EXP, F80.NAN_MANT);
                    if (tag(pi) == 3) write(pi, F80.NAN_EXP, F80.NAN_MANT);
                }
                short e = s.fpExp[p0];
                long mm = s.fpMant[p0];
                int t0 = tag(p0);
                s.fpExp[p0] = s.fpExp[pi];
                s.fpMant[p0] = s.fpMant[pi];
                setTag(p0, tag(pi));
                s.fpExp[pi] = e;
                s.fpMant[pi] = mm;
                setTag(pi, t0);
                setC1(false);
            }
            case "FCHS", "FABS" -> {
                if (empty(0)) {
                    if (underflow()) write(phys(0), F80.NAN_EXP, F80.NAN_MANT);
                    return true;
                }
                int p = phys(0);
                s.fpExp[p] = (short) (m.equals("FCHS") ? s.fpExp[p] ^ 0x8000 : s.fpExp[p] & 0x7FFF);
                setC1(false);
            }
            case "FADD", "FSUB", "FSUBR", "FMUL", "FDIV", "FDIVR", "FADDP", "FSUBP", "FSUBRP", "FMULP", "FDIVP",
                 "FDIVRP", "FIADD", "FISUB", "FISUBR", "FIMUL", "FIDIV", "FIDIVR" -> arith(in, h, m, memOp, size);
            case "FSQRT" -> {
                if (empty(0)) {
                    if (underflow()) write(phys(0), F80.NAN_EXP, F80.NAN_MANT);
                    return true;
                }
                int p = phys(0);
                f.sqrt(s.fpExp[p], s.fpMant[p]);
                setC1(f.roundedUp && (f.flags & F80.PE) != 0);
                if (raise(f.flags)) write(p, f.exp, f.mant);
            }
            case "FRNDINT" -> {
                if (empty(0)) {
                    if (underflow()) write(phys(0), F80.NAN_EXP, F80.NAN_MANT);
                    return true;
                }
                int p = phys(0);
                frndint(p);
            }
            case "FCOM", "FCOMP", "FCOMPP", "FUCOM", "FUCOMP", "FUCOMPP", "FICOM", "FICOMP", "FTST" -> compare(in, h, m, memOp, size);
            case "FCOMI", "FCOMPI", "FUCOMI", "FUCOMPI" -> comi(in, h, m);
            case "FXAM" -> fxam();
            case "FCMOVB", "FCMOVE", "FCMOVBE", "FCMOVU", "FCMOVNB", "FCMOVNE", "FCMOVNBE", "FCMOVNU" -> {
                long fl;
                try {
                    fl = h.rflags();
                } catch (UnsupportedOperationException e) {
                    return false;
                }
                boolean cf = (fl & SimdHost.CF) != 0, zf = (fl & SimdHost.ZF) != 0, pf = (fl & SimdHost.PF) != 0;
                boolean cond = switch (m) {
                    case "FCMOVB" -> cf;
                    case "FCMOVE" -> zf;
                    case "FCMOVBE" -> cf || zf;
                    case "FCMOVU" -> pf;
                    case "FCMOVNB" -> !cf;
                    case "FCMOVNE" -> !zf;
                    case "FCMOVNBE" -> !cf && !zf;
                    default -> !pf;
                };
                int i = in.reg(in.operandCount() - 1);
                if (empty(0) || empty(i)) {
                    if (underflow()) write(phys(0), F80.NAN_EXP, F80.NAN_MANT);
                    return true;
                }
                if (cond) write(phys(0), s.fpExp[phys(i)], s.fpMant[phys(i)]); // C1 is left alone
            }
            default -> { return false; }
        }
        return true;
    }

    /**
     * WAIT/FWAIT: #NM when CR0.TS and CR0.MP are both set; #MF (CR0.NE=1) when an unmasked x87
     * exception is pending. The CPU calls this for the WAIT opcode (9B).
     */
    public void fwait(SimdHost h) {
        long cr0 = h.cr0();
        if ((cr0 & XContext.CR0_TS) != 0 && (cr0 & XContext.CR0_MP) != 0) throw Fault.nm();
        if ((s.fsw & 0x80) != 0 && (cr0 & XContext.CR0_NE) != 0) throw new Fault(Fault.MF, -1, 0);
        s.touch(XFeature.X87.mask); // WAIT marks the x87 state in use (measured)
    }

    private static boolean implemented(String m) {
        return switch (m) {
            case "FNINIT", "FNCLEX", "FLDCW", "FNSTCW", "FNSTSW", "FNSTENV", "FLDENV", "FNSAVE", "FRSTOR", "FNOP",
                 "FINCSTP", "FDECSTP", "FFREE", "FFREEP", "FLD", "FLDZ", "FLD1", "FLDPI", "FLDL2E", "FLDL2T", "FLDLG2",
                 "FLDLN2", "FILD", "FST", "FSTP", "FIST", "FISTP", "FISTTP", "FXCH", "FCHS", "FABS", "FADD", "FSUB",
                 "FSUBR", "FMUL", "FDIV", "FDIVR", "FADDP", "FSUBP", "FSUBRP", "FMULP", "FDIVP", "FDIVRP", "FIADD",
                 "FISUB", "FISUBR", "FIMUL", "FIDIV", "FIDIVR", "FSQRT", "FRNDINT", "FCOM", "FCOMP", "FCOMPP", "FUCOM",
                 "FUCOMP", "FUCOMPP", "FICOM", "FICOMP", "FTST", "FCOMI", "FCOMPI", "FUCOMI", "FUCOMPI", "FXAM",
                 "FCMOVB", "FCMOVE", "FCMOVBE", "FCMOVU", "FCMOVNB", "FCMOVNE", "FCMOVNBE", "FCMOVNU" -> true;
            default -> false;
        };
    }

    private void recomputeEs() {
        boolean es = (s.fsw & 0x3F & ~s.fcw) != 0;
        s.fsw = s.fsw & ~0x8080 | (es ? 0x8080 : 0);
    }

    private void retag() {
        for (int p = 0; p < 8; p++) if (tag(p) != 3) setTag(p, classify(s.fpExp[p], s.fpMant[p]));
    }

    /** A constant with more bits than 64: inexact, and above the halfway point when {@code aboveHalf}. */
    private void constant(short e, long m, boolean inexact, boolean aboveHalf) {
        setC1(false);
        if (inexact) {
            int rc = s.fcw >> 10 & 3;
            if (rc == 0 && aboveHalf || rc == 2) m++;
        }
        push(e, m);
    }

    private void storeInt(LinearMemory mem, long ea, int size, long v) {
        switch (size) {
            case 2 -> mem.write16(ea, (short) v);
            case 4 -> mem.write32(ea, (int) v);
            default -> mem.write64(ea, v);
        }
    }

    // ---------------------------------------------------------------- loads and stores

    private void fld(Insn in, SimdHost h, boolean memOp, int size) {
        LinearMemory mem = h.memory();
        setC1(false);
        if (!memOp) {
            int i = in.reg(0);
            if (empty(i)) {
                // source underflow takes precedence; the indefinite goes on the stack regardless of its slot
                if (underflow()) {
                    int t = (top() - 1) & 7;
                    setTop(t);
                    write(t, F80.NAN_EXP, F80.NAN_MANT);
                }
                return;
            }
            int p = phys(i);
            push(s.fpExp[p], s.fpMant[p]);
            return;
        }
        if (size == 10) {
            long m = mem.read64(h.ea());
            short e = mem.read16(h.ea() + 8);
            push(e, m);
            return;
        }
        long bits = size == 4 ? mem.read32(h.ea()) & 0xFFFF_FFFFL : mem.read64(h.ea());
        f.fromDouble(bits, size == 4);
        int t = (top() - 1) & 7;
        if (tag(t) != 3) {
            push(f.exp, f.mant); // stack overflow: the source is not examined (push stores the indefinite)
            return;
        }
        if (!raise(f.flags)) return;
        push(f.exp, F80.isNaN(f.exp, f.mant) ? f.mant | 0x4000_0000_0000_0000L : f.mant);
    }

    private void fst(Insn in, SimdHost h, boolean memOp, int size, boolean popAfter) {
        LinearMemory mem = h.memory();
        int p0 = phys(0);
        if (!memOp) {
            int i = in.reg(0);
            if (empty(0)) {
                if (!underflow()) return;
                write(phys(i), F80.NAN_EXP, F80.NAN_MANT);
            } else {
                write(phys(i), s.fpExp[p0], s.fpMant[p0]);
                setC1(false);
            }
            if (popAfter) pop();
            return;
        }
        if (empty(0)) {
            if (!underflow()) return;
            if (size == 10) {
                mem.write64(h.ea(), F80.NAN_MANT);
                mem.write16(h.ea() + 8, F80.NAN_EXP);
            } else if (size == 4) mem.write32(h.ea(), 0xFFC0_0000);
            else mem.write64(h.ea(), 0xFFF8_0000_0000_0000L);
        } else if (size == 10) {
            mem.probe(h.ea(), 10, true);
            mem.write64(h.ea(), s.fpMant[p0]);
            mem.write16(h.ea() + 8, s.fpExp[p0]);
            setC1(false);
        } else {
            long bits = f.toDouble(s.fpExp[p0], s.fpMant[p0], size == 4, s.fcw);
            f.flags &= ~F80.DE; // storing a denormal register is not a denormal-operand exception
            setC1(f.roundedUp);
            int unmasked = f.flags & ~s.fcw & 0x3F;
            s.fsw |= f.flags & 0x3F;
            if (unmasked != 0) {
                s.fsw |= 0x8080;
                return; // no store with an unmasked exception
            }
            if (size == 4) mem.write32(h.ea(), (int) bits);
            else mem.write64(h.ea(), bits);
        }
        if (popAfter) pop();
    }

    // ---------------------------------------------------------------- arithmetic

    private void arith(Insn in, SimdHost h, String m, boolean memOp, int size) {
        boolean popAfter = m.endsWith("P") && !m.equals("FCOMP");
        String base = popAfter ? m.substring(0, m.length() - 1) : m;
        boolean integer = base.startsWith("FI");
        if (integer) base = "F" + base.substring(2);
        boolean reverse = base.endsWith("R");
        if (reverse) base = base.substring(0, base.length() - 1);
        int op = switch (base) {
            case "FADD" -> F80.ADD;
            case "FSUB" -> F80.SUB;
            case "FMUL" -> F80.MUL;
            default -> F80.DIV;
        };
        // Destination and the other operand (physical indices); memory sources go into a temp.
        int dst, srcP = -1;
        short se = 0;
        long sm = 0;
        int srcFlags = 0;
        if (memOp) {
            dst = phys(0);
            LinearMemory mem = h.memory();
            if (integer) {
                long v = size == 2 ? mem.read16(h.ea()) : mem.read32(h.ea());
                f.fromLong(v);
            } else {
                long bits = size == 4 ? mem.read32(h.ea()) & 0xFFFF_FFFFL : mem.read64(h.ea());
                f.fromDouble(bits, size == 4);
                srcFlags = f.flags & (F80.IE | F80.DE); // a signalling NaN or denormal source
            }
            se = f.exp;
            sm = f.mant;
            if (empty(0)) {
                if (underflow()) write(dst, F80.NAN_EXP, F80.NAN_MANT);
                return;
            }
        } else {
            int a = in.reg(0), b = in.operandCount() > 1 ? in.reg(1) : 0;
            if (in.operandCount() == 0) { a = 1; b = 0; } // FADDP with no operands: ST(1), ST(0)
            dst = phys(a);
            srcP = phys(b);
            if (tag(dst) == 3 || tag(srcP) == 3) {
                if (underflow()) {
                    write(dst, F80.NAN_EXP, F80.NAN_MANT);
                    if (popAfter) pop();
                }
                return;
            }
            se = s.fpExp[srcP];
            sm = s.fpMant[srcP];
        }
        short de = s.fpExp[dst];
        long dm = s.fpMant[dst];
        if (reverse) f.op(op, se, sm, de, dm);
        else f.op(op, de, dm, se, sm);
        // a NaN operand or an invalid operation hides a denormal memory source
        boolean nanInvolved = F80.isNaN(de, dm) || F80.isNaN(se, sm) || (f.flags & (F80.IE | F80.ZE)) != 0;
        f.flags |= nanInvolved ? srcFlags & F80.IE : srcFlags;
        setC1(f.roundedUp && (f.flags & F80.PE) != 0);
        if (raise(f.flags)) write(dst, f.exp, f.mant);
        if (popAfter) pop();
    }

    private void frndint(int p) {
        setC1(false);
        short e = s.fpExp[p];
        long m = s.fpMant[p];
        if (F80.isNaN(e, m) || F80.isInf(e, m) || F80.isZero(e, m) || F80.unsupported(e, m)) {
            int fl = F80.unsupported(e, m) || F80.isSNaN(e, m) ? F80.IE : 0;
            if (raise(fl)) {
                if (F80.unsupported(e, m)) write(p, F80.NAN_EXP, F80.NAN_MANT);
                else if (F80.isNaN(e, m)) write(p, e, m | 0x4000_0000_0000_0000L);
            }
            return;
        }
        long v = f.toLong(e, m, 8, false);
        if ((f.flags & F80.IE) != 0) {
            // |x| >= 2^63: already an integer
            f.flags = 0;
            return;
        }
        int fl = f.flags & (F80.PE | F80.DE);
        boolean magnitudeUp = f.roundedUp;
        f.fromLong(v);
        if (v == 0) f.set((short) (e & 0x8000), 0);
        // C1: the result was rounded up in magnitude
        setC1((fl & F80.PE) != 0 && magnitudeUp);
        if (raise(fl)) write(p, f.exp, f.mant);
    }

    // ---------------------------------------------------------------- comparisons

    /** 0 equal, 1 less, 2 greater, 3 unordered; sets IE per the signalling rule. */
    private int relation(short ae, long am, short be, long bm, boolean signalQnan) {
        boolean nan = F80.isNaN(ae, am) || F80.isNaN(be, bm) || F80.unsupported(ae, am) || F80.unsupported(be, bm);
        if (nan) {
            if (signalQnan || F80.isSNaN(ae, am) || F80.isSNaN(be, bm) || F80.unsupported(ae, am) || F80.unsupported(be, bm)) {
                raise(F80.IE);
            }
            return 3;
        }
        if (F80.denormal(ae, am) || F80.denormal(be, bm)) raise(F80.DE);
        int c = order(ae, am, be, bm);
        return c == 0 ? 0 : c < 0 ? 1 : 2;
    }

    /** Numeric order of two non-NaN extended values (zeros equal whatever their signs). */
    private static int order(short ae, long am, short be, long bm) {
        boolean az = F80.isZero(ae, am), bz = F80.isZero(be, bm);
        if (az && bz) return 0;
        boolean an = !az && F80.neg(ae), bn = !bz && F80.neg(be);
        if (an != bn || az || bz) {
            int sa = az ? 0 : an ? -1 : 1, sb = bz ? 0 : bn ? -1 : 1;
            return Integer.compare(sa, sb);
        }
        // same sign, both nonzero: compare magnitudes (denormals have exponent 1 in value)
        int xa = Math.max(ae & 0x7FFF, 1), xb = Math.max(be & 0x7FFF, 1);
        long ma = am, mb = bm;
        // normalise so that the exponents are comparable
        while (ma > 0 && xa > 0) { ma <<= 1; xa--; }
        while (mb > 0 && xb > 0) { mb <<= 1; xb--; }
        int mag = xa != xb ? Integer.compare(xa, xb) : Long.compareUnsigned(ma, mb);
        return an ? -mag : mag;
    }

    private void compare(Insn in, SimdHost h, String m, boolean memOp, int size) {
        boolean unordered = m.startsWith("FUCOM");
        int pops = m.endsWith("PP") ? 2 : m.endsWith("P") ? 1 : 0;
        short be;
        long bm;
        f.flags = 0;
        if (m.equals("FTST")) {
            be = 0;
            bm = 0;
        } else if (memOp) {
            LinearMemory mem = h.memory();
            if (m.startsWith("FICOM")) f.fromLong(size == 2 ? mem.read16(h.ea()) : mem.read32(h.ea()));
            else f.fromDouble(size == 4 ? mem.read32(h.ea()) & 0xFFFF_FFFFL : mem.read64(h.ea()), size == 4);
            be = f.exp;
            bm = f.mant;
        } else {
            int i = in.operandCount() > 0 ? in.reg(in.operandCount() - 1) : 1;
            if (empty(i)) {
                if (underflow()) setC(1, 1, 0, 1);
                for (int k = 0; k < pops; k++) pop();
                return;
            }
            be = s.fpExp[phys(i)];
            bm = s.fpMant[phys(i)];
        }
        if (empty(0)) {
            if (underflow()) setC(1, 1, 0, 1);
            for (int k = 0; k < pops; k++) pop();
            return;
        }
        int p = phys(0);
        int convFlags = memOp ? f.flags & (F80.IE | F80.DE) : 0;
        int rel = relation(s.fpExp[p], s.fpMant[p], be, bm, !unordered);
        if (convFlags != 0 && rel != 3) raise(convFlags);
        else if ((convFlags & F80.IE) != 0) raise(F80.IE);
        switch (rel) {
            case 0 -> setC(1, 0, 0, 0);
            case 1 -> setC(0, 0, 0, 1);
            case 2 -> setC(0, 0, 0, 0);
            default -> setC(1, 1, 0, 1);
        }
        for (int k = 0; k < pops; k++) pop();
    }

    private void comi(Insn in, SimdHost h, String m) {
        boolean unordered = m.startsWith("FUCOM");
        int i = in.reg(in.operandCount() - 1);
        long flags;
        if (empty(0) || empty(i)) {
            underflow();
            flags = SimdHost.ZF | SimdHost.PF | SimdHost.CF;
        } else {
            int rel = relation(s.fpExp[phys(0)], s.fpMant[phys(0)], s.fpExp[phys(i)], s.fpMant[phys(i)], !unordered);
            flags = switch (rel) {
                case 0 -> SimdHost.ZF;
                case 1 -> SimdHost.CF;
                case 2 -> 0;
                default -> SimdHost.ZF | SimdHost.PF | SimdHost.CF;
            };
        }
        h.setArithFlags(flags);
        if (m.endsWith("PI")) pop();
    }

    private void fxam() {
        int p = phys(0);
        short e = s.fpExp[p];
        long m = s.fpMant[p];
        int c1 = F80.neg(e) ? 1 : 0;
        if (tag(p) == 3) setC(1, 0, c1, 1);
        else if (F80.unsupported(e, m)) setC(0, 0, c1, 0);
        else if (F80.isNaN(e, m)) setC(0, 0, c1, 1);
        else if (F80.isInf(e, m)) setC(0, 1, c1, 1);
        else if (F80.isZero(e, m)) setC(1, 0, c1, 0);
        else if (F80.denormal(e, m)) setC(1, 1, c1, 0);
        else setC(0, 1, c1, 0);
    }

    // ---------------------------------------------------------------- environment

    private void storeEnv(LinearMemory mem, long ea, boolean o16) {
        if (o16) {
            mem.probe(ea, 14, true);
            mem.write16(ea, (short) s.fcw);
            mem.write16(ea + 2, (short) s.fsw);
            mem.write16(ea + 4, (short) s.ftw);
            mem.write16(ea + 6, (short) s.fip);
            mem.write16(ea + 8, (short) s.fcs);
            mem.write16(ea + 10, (short) s.fdp);
            mem.write16(ea + 12, (short) s.fds);
            return;
        }
        mem.probe(ea, 28, true);
        mem.write32(ea, 0xFFFF_0000 | s.fcw);
        mem.write32(ea + 4, 0xFFFF_0000 | s.fsw);
        mem.write32(ea + 8, 0xFFFF_0000 | s.ftw);
        mem.write32(ea + 12, (int) s.fip);
        mem.write32(ea + 16, (s.zeroFcsFds ? 0 : s.fcs) | (s.fop & 0x7FF) << 16);
        mem.write32(ea + 20, (int) s.fdp);
        mem.write32(ea + 24, 0xFFFF_0000 | (s.zeroFcsFds ? 0 : s.fds));
    }

    private void loadEnv(LinearMemory mem, long ea, boolean o16) {
        if (o16) {
            mem.probe(ea, 14, false);
            s.fcw = mem.read16(ea) & 0x1F3F | 0x40;
            s.fsw = mem.read16(ea + 2) & 0xFFFF;
            s.ftw = mem.read16(ea + 4) & 0xFFFF;
        } else {
            mem.probe(ea, 28, false);
            s.fcw = mem.read32(ea) & 0x1F3F | 0x40;
            s.fsw = mem.read32(ea + 4) & 0xFFFF;
            s.ftw = mem.read32(ea + 8) & 0xFFFF;
            s.fip = mem.read32(ea + 12) & 0xFFFF_FFFFL;
            int w = mem.read32(ea + 16);
            s.fcs = w & 0xFFFF;
            s.fop = w >>> 16 & 0x7FF;
            s.fdp = mem.read32(ea + 20) & 0xFFFF_FFFFL;
            s.fds = mem.read32(ea + 24) & 0xFFFF;
        }
        recomputeEs();
        retag();
    }
}
