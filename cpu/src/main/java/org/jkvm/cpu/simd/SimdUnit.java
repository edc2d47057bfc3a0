package org.jkvm.cpu.simd;

import org.jkvm.cpu.fault.Fault;
import org.jkvm.cpu.mem.LinearMemory;
import org.jkvm.cpu.xstate.XContext;
import org.jkvm.cpu.xstate.XFeature;
import org.jkvm.cpu.xstate.XState;
import org.jkvm.isa.Insn;
import org.jkvm.isa.Mnemonic;
import org.jkvm.isa.OperandKind;
import org.jkvm.isa.RegClass;

/**
 * SSE, AVX, AVX2 and AVX-512 (the forms the decoder knows) on an {@link XState}. One entry point,
 * {@link #execute}: the interpreter hands over a decoded instruction and returns to its loop; false
 * means "decoded but not implemented here" (the caller counts it by name and raises #UD).
 *
 * <p>Semantics are driven by {@link SimdOps}, a table from mnemonic to operation, element size and
 * flags. The unit itself knows the encodings' common rules: legacy SSE leaves bits 128 and up alone
 * and wants 16-byte-aligned memory except for the unaligned moves and narrower accesses; VEX zeroes
 * above the vector length; EVEX adds per-element merge or zero masking, broadcast and embedded
 * rounding; FP arithmetic follows MXCSR ({@link FpCore}) and raises #XM (or #UD without
 * CR4.OSXMMEXCPT) for unmasked exceptions, leaving the destination untouched. No allocation.
 */
public final class SimdUnit {
    private final XState s;
    private final FpCore fp = new FpCore();
    private final long[] a = new long[8], b = new long[8], r = new long[8], t = new long[8];

    public SimdUnit(XState state) {
        this.s = state;
    }

    public XState state() {
        return s;
    }

    /** Executes {@code in}; false when this unit does not implement its mnemonic. */
    public boolean execute(Insn in, SimdHost h) {
        Mnemonic mn = in.mnemonic();
        int op = SimdOps.op(mn);
        if (op == SimdOps.NONE) return false;
        int es = SimdOps.esize(mn);
        boolean evex = (in.prefixes() & Insn.P_EVEX) != 0, vex = evex || (in.prefixes() & Insn.P_VEX) != 0;
        enabled(in, h, vex, evex, op);
        // Zeroing-masking has no meaning for a memory or opmask destination.
        if (evex && in.zeroing() && in.operandCount() > 0 && (isMem(in, 0) || in.regClass(0) == RegClass.K)) throw Fault.ud();
        int vl = vex ? Math.max(16, in.vectorLength()) : 16;
        switch (op) {
            case SimdOps.VZEROUPPER -> {
                int n = h.long64() ? 16 : 8;
                for (int i = 0; i < n; i++) java.util.Arrays.fill(s.zmm, i * 8 + 2, i * 8 + 8, 0);
                if (n == 16) s.clearInUse(XFeature.AVX.mask | XFeature.ZMM_HI256.mask);
            }
            case SimdOps.VZEROALL -> {
                int n = h.long64() ? 16 : 8;
                for (int i = 0; i < n; i++) java.util.Arrays.fill(s.zmm, i * 8, i * 8 + 8, 0);
                if (n == 16) s.clearInUse(XFeature.SSE.mask | XFeature.AVX.mask | XFeature.ZMM_HI256.mask);
            }
            case SimdOps.LDMXCSR -> {
                int v = h.memory().read32(h.ea());
                if ((v & ~XState.MXCSR_MASK) != 0) throw Fault.gp0();
                s.mxcsr = v;
                s.touch(XFeature.SSE.mask); // even loading 1F80H marks SSE in use (as on hardware)
            }
            case SimdOps.STMXCSR -> h.memory().write32(h.ea(), s.mxcsr);
            case SimdOps.KMOV -> kmov(in, h, es);
            case SimdOps.KLOGIC, SimdOps.KNOT, SimdOps.KORTEST, SimdOps.KTEST, SimdOps.KSHIFT, SimdOps.KUNPCK ->
                kop(in, h, op, SimdOps.sub(mn), es);
            case SimdOps.MOV -> move(in, h, vl, es, vex, evex, mn);
            case SimdOps.MOVSCALAR -> movScalar(in, h, vl, es, vex, evex);
            case SimdOps.MOVGPR -> movGpr(in, h, vl, vex);
            case SimdOps.MOVQ -> movq(in, h, vl, vex);
            case SimdOps.MOVLP, SimdOps.MOVHP, SimdOps.MOVHLPS, SimdOps.MOVLHPS -> movHalf(in, h, op, vex);
            case SimdOps.MOVMSK -> movmsk(in, h, es, vl);
            case SimdOps.PTEST -> ptest(in, h, vl);
            case SimdOps.FCOMI -> comi(in, h, es, SimdOps.sub(mn) != 0);
            default -> {
                if (!compute(in, h, op, SimdOps.sub(mn), es, vl, vex, evex)) return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- checks

    private void enabled(Insn in, SimdHost h, boolean vex, boolean evex, int op) {
        if (op == SimdOps.KMOV || op >= SimdOps.KLOGIC && op <= SimdOps.KUNPCK) evex = true;
        if (vex) {
            if ((h.cr4() & XContext.CR4_OSXSAVE) == 0) throw Fault.ud();
            long need = evex ? 0xE6 : 0x6;
            if ((s.xcr0() & need) != need) throw Fault.ud();
        } else {
            if ((h.cr0() & XContext.CR0_EM) != 0 || (h.cr4() & XContext.CR4_OSFXSR) == 0) throw Fault.ud();
        }
        if (in.feature() != null && !s.features.contains(in.feature())) throw Fault.ud();
        if ((h.cr0() & XContext.CR0_TS) != 0) throw Fault.nm();
    }

    private void checkFpExceptions(SimdHost h, boolean suppress) {
        if (suppress) return;
        int f = fp.flags;
        if (fp.tinyExact && (s.mxcsr & Mxcsr.UM) == 0) f |= Mxcsr.UE;
        s.mxcsr |= f;
        int unmasked = f & ~(s.mxcsr >> 7) & 0x3F;
        if (unmasked != 0) throw (h.cr4() & XContext.CR4_OSXMMEXCPT) != 0 ? new Fault(Fault.XM, -1, 0) : Fault.ud();
    }

    private void beginFp(Insn in) {
        fp.load(s.mxcsr);
        fp.tinyExact = false;
        if (in.roundingControl() >= 0) fp.rc = in.roundingControl();
    }

    private boolean suppressed(Insn in) {
        return in.roundingControl() >= 0 || in.sae();
    }

    // ---------------------------------------------------------------- operand access

    /** Reads vector operand {@code i} ({@code bytes} wide, or the memory operand's own size) into {@code v}. */
    private void fetch(Insn in, SimdHost h, int i, long[] v, int bytes, int es) {
        V.zero(v);
        if (in.kind(i) == OperandKind.REG) {
            RegClass rc = in.regClass(i);
            if (rc.isVector()) {
                int base = in.reg(i) * 8;
                for (int q = 0; q < (bytes + 7) / 8; q++) v[q] = s.zmm[base + q];
                if (bytes < 8) v[0] &= (1L << (8 * bytes)) - 1;
            } else if (rc == RegClass.K) {
                v[0] = s.k[in.reg(i)];
            } else {
                v[0] = h.get(in.reg(i)) & (rc.size() == 8 ? -1L : (1L << (8 * rc.size())) - 1);
            }
            return;
        }
        LinearMemory m = h.memory();
        long ea = h.ea();
        if (in.broadcast()) {
            long x = readN(m, ea, es);
            for (int e = 0; e < bytes / es; e++) V.set(v, e, es, x);
            return;
        }
        int n = in.memSize() > 0 ? Math.min(in.memSize(), bytes) : bytes;
        m.probe(ea, n, false);
        int q = 0;
        for (; q + 8 <= n; q += 8) v[q >> 3] = m.read64(ea + q);
        for (; q < n; q++) V.set(v, q, 1, m.read8(ea + q));
    }

    private static long readN(LinearMemory m, long ea, int n) {
        return switch (n) {
            case 1 -> m.read8(ea) & 0xFF;
            case 2 -> m.read16(ea) & 0xFFFF;
            case 4 -> m.read32(ea) & 0xFFFF_FFFFL;
            default -> m.read64(ea);
        };
    }

    private static void writeN(LinearMemory m, long ea, int n, long v) {
        switch (n) {
            case 1 -> m.write8(ea, (byte) v);
            case 2 -> m.write16(ea, (short) v);
            case 4 -> m.write32(ea, (int) v);
            default -> m.write64(ea, v);
        }
    }

    private boolean isMem(Insn in, int i) {
        return in.kind(i) == OperandKind.MEM;
    }

    private void alignCheck(Insn in, SimdHost h, int bytes) {
        if ((h.ea() & (bytes - 1)) != 0) throw Fault.gp0();
    }

    /** Legacy SSE: a 16-byte memory operand must be 16-byte aligned unless the instruction says otherwise. */
    private void legacyAlign(Insn in, SimdHost h, int i, Mnemonic mn) {
        if (isMem(in, i) && in.memSize() == 16 && !SimdOps.unaligned(mn)) alignCheck(in, h, 16);
    }

    /**
     * Writes {@code v} to vector register {@code reg}: legacy writes 16 bytes and keeps the rest; VEX
     * writes {@code vl} bytes and zeroes the rest; EVEX merges or zeroes element-wise under the mask.
     */
    private void writeReg(Insn in, int reg, long[] v, int vl, int es, boolean vex, boolean evex) {
        int base = reg * 8;
        int k = evex ? in.maskReg() : 0;
        if (k != 0 && es > 0) {
            long mask = s.k[k];
            boolean z = in.zeroing();
            for (int q = 0; q < vl / 8; q++) t[q] = s.zmm[base + q];
            for (int e = 0; e < vl / es; e++) {
                if ((mask >>> e & 1) != 0) V.set(t, e, es, V.get(v, e, es));
                else if (z) V.set(t, e, es, 0);
            }
            for (int q = 0; q < vl / 8; q++) s.zmm[base + q] = t[q];
        } else {
            for (int q = 0; q < vl / 8; q++) s.zmm[base + q] = v[q];
        }
        if (vex) for (int q = vl / 8; q < 8; q++) s.zmm[base + q] = 0;
        touch(reg, vex ? vl : 16);
    }

    private void touch(int reg, int vl) {
        long m = XFeature.SSE.mask;
        if (reg >= 16) m = XFeature.HI16_ZMM.mask;
        else {
            if (vl >= 32) m |= XFeature.AVX.mask;
            if (vl == 64) m |= XFeature.ZMM_HI256.mask;
        }
        s.touch(m);
    }

    /** Stores {@code bytes} of {@code v} to memory; EVEX masked stores write only selected elements (and fault only on those). */
    private void writeMem(Insn in, SimdHost h, long[] v, int bytes, int es, boolean evex) {
        LinearMemory m = h.memory();
        long ea = h.ea();
        int k = evex ? in.maskReg() : 0;
        if (k != 0) {
            long mask = s.k[k];
            for (int e = 0; e < bytes / es; e++) if ((mask >>> e & 1) != 0) m.probe(ea + (long) e * es, es, true);
            for (int e = 0; e < bytes / es; e++) if ((mask >>> e & 1) != 0) writeN(m, ea + (long) e * es, es, V.get(v, e, es));
            return;
        }
        m.probe(ea, bytes, true);
        int q = 0;
        for (; q + 8 <= bytes; q += 8) m.write64(ea + q, v[q >> 3]);
        for (; q < bytes; q++) m.write8(ea + q, (byte) V.get(v, q, 1));
    }

    // ---------------------------------------------------------------- moves

    private void move(Insn in, SimdHost h, int vl, int es, boolean vex, boolean evex, Mnemonic mn) {
        boolean aligned = SimdOps.aligned(mn);
        if (isMem(in, 0)) {
            if (aligned || !vex && !SimdOps.unaligned(mn)) alignCheck(in, h, vl);
            fetch(in, h, 1, r, vl, es);
            writeMem(in, h, r, vl, es, evex);
            return;
        }
        if (isMem(in, 1) && (aligned || !vex && !SimdOps.unaligned(mn))) alignCheck(in, h, vl);
        if (isMem(in, 1) && evex && in.maskReg() != 0) {
            // Masked loads read (and fault on) only the selected elements.
            V.zero(r);
            long mask = s.k[in.maskReg()];
            for (int e = 0; e < vl / es; e++) if ((mask >>> e & 1) != 0) h.memory().probe(h.ea() + (long) e * es, es, false);
            for (int e = 0; e < vl / es; e++) if ((mask >>> e & 1) != 0) V.set(r, e, es, readN(h.memory(), h.ea() + (long) e * es, es));
        } else {
            fetch(in, h, 1, r, vl, es);
        }
        writeReg(in, in.reg(0), r, vl, es, vex, evex);
    }

    private void movScalar(Insn in, SimdHost h, int vl, int es, boolean vex, boolean evex) {
        int n = in.operandCount();
        if (isMem(in, 0)) {
            fetch(in, h, n - 1, r, 16, es);
            if (evex && in.maskReg() != 0 && (s.k[in.maskReg()] & 1) == 0) return;
            h.memory().probe(h.ea(), es, true);
            writeN(h.memory(), h.ea(), es, V.get(r, 0, es));
            return;
        }
        int dst = in.reg(0);
        if (isMem(in, n - 1)) {
            fetch(in, h, n - 1, r, es, es); // load: the rest of the 128 bits cleared
        } else {
            // register forms: legacy merges into dst; VEX/EVEX take bits above the element from the middle operand
            fetch(in, h, n == 3 ? 1 : 0, r, 16, es);
            fetch(in, h, n - 1, b, 16, es);
            V.set(r, 0, es, V.get(b, 0, es));
            if (!vex) {
                for (int q = 0; q < 2; q++) b[q] = s.zmm[dst * 8 + q];
                V.set(b, 0, es, V.get(r, 0, es));
                V.copy(b, r);
            }
        }
        scalarWrite(in, dst, r, es, vex, evex);
    }

    /** Writes a scalar result whose bits 0..127 are in {@code v}: EVEX masks only element 0. */
    private void scalarWrite(Insn in, int dst, long[] v, int es, boolean vex, boolean evex) {
        if (evex && in.maskReg() != 0 && (s.k[in.maskReg()] & 1) == 0) {
            V.set(v, 0, es, in.zeroing() ? 0 : elem0(dst, es));
        }
        for (int q = 2; q < 8; q++) v[q] = 0;
        if (!vex) {
            s.zmm[dst * 8] = v[0];
            s.zmm[dst * 8 + 1] = v[1];
            touch(dst, 16);
        } else {
            for (int q = 0; q < 8; q++) s.zmm[dst * 8 + q] = v[q];
            touch(dst, 16);
        }
    }

    private long elem0(int reg, int es) {
        long x = s.zmm[reg * 8];
        return es == 8 ? x : x & 0xFFFF_FFFFL;
    }

    private void movGpr(Insn in, SimdHost h, int vl, boolean vex) {
        // MOVD/MOVQ between a vector register and a GPR or memory.
        if (in.regClass(0).isVector()) {
            int sz = in.size(1);
            V.zero(r);
            r[0] = isMem(in, 1) ? readN(h.memory(), h.ea(), sz) : h.get(in.reg(1)) & (sz == 8 ? -1L : 0xFFFF_FFFFL);
            writeReg(in, in.reg(0), r, 16, 0, vex, false);
            if (!vex) s.zmm[in.reg(0) * 8 + 1] = 0;
        } else {
            int sz = in.size(0);
            long v = s.zmm[in.reg(1) * 8] & (sz == 8 ? -1L : 0xFFFF_FFFFL);
            if (isMem(in, 0)) writeN(h.memory(), h.ea(), sz, v);
            else h.set(in.reg(0), v);
        }
    }

    private void movq(Insn in, SimdHost h, int vl, boolean vex) {
        if (!in.regClass(0).isVector() && !isMem(in, 0) || !in.regClass(1).isVector() && !isMem(in, 1)
                || isMem(in, 1) && in.size(1) == 8 && (in.opcode() == 0x6E)) {
            movGpr(in, h, vl, vex);
            return;
        }
        // MOVQ xmm, xmm/m64 (F3 0F 7E) and MOVQ xmm/m64, xmm (66 0F D6): the low quadword, upper quadword zeroed.
        if (isMem(in, 0)) {
            writeN(h.memory(), h.ea(), 8, s.zmm[in.reg(1) * 8]);
            return;
        }
        V.zero(r);
        r[0] = isMem(in, 1) ? h.memory().read64(h.ea()) : s.zmm[in.reg(1) * 8];
        int d = in.reg(0);
        if (vex) writeReg(in, d, r, 16, 0, true, false);
        else {
            s.zmm[d * 8] = r[0];
            s.zmm[d * 8 + 1] = 0;
            touch(d, 16);
        }
    }

    private void movHalf(Insn in, SimdHost h, int op, boolean vex) {
        int n = in.operandCount();
        if (isMem(in, 0)) {
            long v = s.zmm[in.reg(n - 1) * 8 + (op == SimdOps.MOVHP ? 1 : 0)];
            writeN(h.memory(), h.ea(), 8, v);
            return;
        }
        int d = in.reg(0);
        long lo, hi;
        long[] z = s.zmm;
        int src1 = vex ? in.reg(1) : d;
        long other = isMem(in, n - 1) ? h.memory().read64(h.ea()) : 0;
        int src2 = isMem(in, n - 1) ? -1 : in.reg(n - 1);
        switch (op) {
            case SimdOps.MOVLP -> { lo = other; hi = z[src1 * 8 + 1]; }
            case SimdOps.MOVHP -> { lo = z[src1 * 8]; hi = other; }
            case SimdOps.MOVHLPS -> { lo = z[src2 * 8 + 1]; hi = z[src1 * 8 + 1]; }
            default -> { lo = z[src1 * 8]; hi = z[src2 * 8]; } // MOVLHPS
        }
        V.zero(r);
        r[0] = lo;
        r[1] = hi;
        writeReg(in, d, r, 16, 0, vex, false);
    }

    private void movmsk(Insn in, SimdHost h, int es, int vl) {
        fetch(in, h, 1, a, vl, es);
        long m = 0;
        for (int e = 0; e < vl / es; e++) m |= (V.get(a, e, es) >>> (8 * es - 1) & 1) << e;
        h.set(in.reg(0), m);
    }

    private void ptest(Insn in, SimdHost h, int vl) {
        fetch(in, h, 0, a, vl, 8);
        fetch(in, h, 1, b, vl, 8);
        boolean zf = true, cf = true;
        for (int q = 0; q < vl / 8; q++) {
            if ((a[q] & b[q]) != 0) zf = false;
            if ((~a[q] & b[q]) != 0) cf = false;
        }
        h.setArithFlags((zf ? SimdHost.ZF : 0) | (cf ? SimdHost.CF : 0));
    }

    private void kmov(Insn in, SimdHost h, int es) {
        long mask = es == 8 ? -1L : (1L << (8 * es)) - 1;
        long v;
        if (isMem(in, 1)) v = readN(h.memory(), h.ea(), es);
        else if (in.regClass(1) == RegClass.K) v = s.k[in.reg(1)];
        else v = h.get(in.reg(1));
        v &= mask;
        if (isMem(in, 0)) writeN(h.memory(), h.ea(), es, v);
        else if (in.regClass(0) == RegClass.K) {
            s.k[in.reg(0)] = v;
            s.touch(XFeature.OPMASK.mask);
        } else h.set(in.reg(0), v);
    }

    /** The opmask instructions (VEX-encoded, opmask state required). */
    private void kop(Insn in, SimdHost h, int op, int sub, int es) {
        int bits = 8 * (op == SimdOps.KUNPCK ? es : es);
        long mask = bits == 64 ? -1L : (1L << bits) - 1;
        long[] k = s.k;
        switch (op) {
            case SimdOps.KLOGIC -> {
                long x = k[in.reg(1)], y = k[in.reg(2)];
                long v = switch (sub) {
                    case 0 -> x & y;
                    case 1 -> ~x & y;
                    case 2 -> x | y;
                    case 3 -> x ^ y;
                    case 4 -> ~(x ^ y);
                    default -> x + y;
                };
                k[in.reg(0)] = v & mask;
            }
            case SimdOps.KNOT -> k[in.reg(0)] = ~k[in.reg(1)] & mask;
            case SimdOps.KORTEST -> {
                long t = (k[in.reg(0)] | k[in.reg(1)]) & mask;
                h.setArithFlags((t == 0 ? SimdHost.ZF : 0) | (t == mask ? SimdHost.CF : 0));
                return;
            }
            case SimdOps.KTEST -> {
                long x = k[in.reg(0)] & mask, y = k[in.reg(1)] & mask;
                h.setArithFlags(((x & y) == 0 ? SimdHost.ZF : 0) | ((~x & y & mask) == 0 ? SimdHost.CF : 0));
                return;
            }
            case SimdOps.KSHIFT -> {
                int n = (int) in.imm() & 0xFF;
                long x = k[in.reg(1)] & mask;
                k[in.reg(0)] = n >= bits ? 0 : (sub == 0 ? x << n : x >>> n) & mask;
            }
            default -> {
                // KUNPCKBW/WD/DQ: the low halves of the two sources, the first source on top
                int half = bits / 2;
                long hm = (1L << half) - 1;
                k[in.reg(0)] = (k[in.reg(1)] & hm) << half | k[in.reg(2)] & hm;
            }
        }
        s.touch(XFeature.OPMASK.mask);
    }

    // ---------------------------------------------------------------- COMISS / UCOMISS

    private void comi(Insn in, SimdHost h, int es, boolean signaling) {
        fetch(in, h, 0, a, 16, es);
        fetch(in, h, 1, b, 16, es);
        beginFp(in);
        int rel; // 0 equal, 1 less, 2 greater, 3 unordered
        if (es == 4) {
            float x = V.f(a, 0), y = V.f(b, 0);
            rel = relF(x, y, signaling);
        } else {
            double x = V.d(a, 0), y = V.d(b, 0);
            rel = relD(x, y, signaling);
        }
        checkFpExceptions(h, in.sae());
        long f = switch (rel) {
            case 0 -> SimdHost.ZF;
            case 1 -> SimdHost.CF;
            case 2 -> 0;
            default -> SimdHost.ZF | SimdHost.PF | SimdHost.CF;
        };
        h.setArithFlags(f);
    }

    /** The relation of two operands (0 equal, 1 less, 2 greater, 3 unordered) with invalid before denormal. */
    private int relF(float x, float y, boolean signalOnQnan) {
        if (Float.isNaN(x) || Float.isNaN(y)) {
            if (signalOnQnan || FpCore.snan(x) || FpCore.snan(y)) fp.flags |= Mxcsr.IE;
            return 3; // a NaN operand: no denormal report for the other
        }
        x = fp.in(x);
        y = fp.in(y);
        return x == y ? 0 : x < y ? 1 : 2;
    }

    private int relD(double x, double y, boolean signalOnQnan) {
        if (Double.isNaN(x) || Double.isNaN(y)) {
            if (signalOnQnan || FpCore.snan(x) || FpCore.snan(y)) fp.flags |= Mxcsr.IE;
            return 3; // a NaN operand: no denormal report for the other
        }
        x = fp.in(x);
        y = fp.in(y);
        return x == y ? 0 : x < y ? 1 : 2;
    }

    // ---------------------------------------------------------------- element-wise and shuffles

    private boolean compute(Insn in, SimdHost h, int op, int sub, int es, int vl, boolean vex, boolean evex) {
        Mnemonic mn = in.mnemonic();
        int n = in.operandCount();
        boolean hasImm = in.kind(n - 1) == OperandKind.IMM;
        int last = hasImm ? n - 2 : n - 1;
        if (op == SimdOps.BLENDV && !vex) last = 1; // the implicit XMM0 operand is not a source here
        int imm = hasImm ? (int) in.imm() & 0xFF : 0;
        if (!vex) legacyAlign(in, h, last, mn);
        boolean scalar = SimdOps.scalar(mn);
        // Sources: VEX/EVEX three-operand forms read operand 1 and the last; legacy reads dst and the last.
        boolean unary = SimdOps.unary(op);
        int srcA = unary ? last : vex ? (last >= 2 ? 1 : 0) : 0;
        fetch(in, h, srcA, a, scalar ? 16 : vl, es);
        if (!unary) fetch(in, h, last, b, scalar ? (isMem(in, last) ? es : 16) : vl, es);
        int dst = in.reg(0);
        V.zero(r);
        switch (op) {
            case SimdOps.IBIN -> { for (int e = 0; e < vl / es; e++) V.set(r, e, es, Int.bin(sub, V.get(a, e, es), V.get(b, e, es), es)); }
            case SimdOps.LOGIC -> {
                for (int q = 0; q < vl / 8; q++) r[q] = switch (sub) {
                    case 0 -> a[q] & b[q];
                    case 1 -> ~a[q] & b[q];
                    case 2 -> a[q] | b[q];
                    default -> a[q] ^ b[q];
                };
            }
            case SimdOps.IUNARY -> { for (int e = 0; e < vl / es; e++) V.set(r, e, es, Math.abs(V.sget(a, e, es))); }
            case SimdOps.EXTEND -> {
                int from = sub & 0xF;
                boolean signed = (sub & 0x10) != 0;
                for (int e = 0; e < vl / es; e++) V.set(r, e, es, signed ? V.sget(a, e, from) : V.get(a, e, from));
            }
            case SimdOps.SHIFT -> {
                long count;
                if (hasImm) {
                    count = imm;
                    // the immediate forms: legacy Uo,Ib (operand 0 is the source too); VEX Hx,Ux,Ib
                    fetch(in, h, vex ? 1 : 0, a, vl, es);
                } else {
                    count = b[0]; // the low quadword of the count operand, unsigned
                }
                for (int e = 0; e < vl / es; e++) V.set(r, e, es, Int.shift(sub, V.get(a, e, es), count, es));
            }
            case SimdOps.BYTESHIFT -> {
                fetch(in, h, vex ? 1 : 0, a, vl, 1);
                int sh = Math.min(imm, 16);
                for (int lane = 0; lane < vl; lane += 16) {
                    for (int i = 0; i < 16; i++) {
                        int src = sub == 0 ? i - sh : i + sh; // 0: PSLLDQ
                        V.set(r, lane + i, 1, src >= 0 && src < 16 ? V.get(a, lane + src, 1) : 0);
                    }
                }
            }
            case SimdOps.UNPCKL, SimdOps.UNPCKH -> {
                int per = 16 / es, half = per / 2, off = op == SimdOps.UNPCKH ? half : 0;
                for (int lane = 0; lane < vl / 16; lane++) {
                    int base = lane * per;
                    for (int i = 0; i < half; i++) {
                        V.set(r, base + 2 * i, es, V.get(a, base + off + i, es));
                        V.set(r, base + 2 * i + 1, es, V.get(b, base + off + i, es));
                    }
                }
            }
            case SimdOps.PACK -> pack(sub, es, vl);
            case SimdOps.PSHUFD -> {
                for (int lane = 0; lane < vl / 16; lane++) {
                    for (int i = 0; i < 4; i++) V.set(r, lane * 4 + i, 4, V.get(a, lane * 4 + (imm >> (2 * i) & 3), 4));
                }
            }
            case SimdOps.PSHUFLW, SimdOps.PSHUFHW -> {
                V.copy(a, r);
                int off = op == SimdOps.PSHUFHW ? 4 : 0;
                for (int lane = 0; lane < vl / 16; lane++) {
                    for (int i = 0; i < 4; i++) V.set(r, lane * 8 + off + i, 2, V.get(a, lane * 8 + off + (imm >> (2 * i) & 3), 2));
                }
            }
            case SimdOps.SHUFPS -> {
                for (int lane = 0; lane < vl / 16; lane++) {
                    int bs = lane * 4;
                    V.set(r, bs, 4, V.get(a, bs + (imm & 3), 4));
                    V.set(r, bs + 1, 4, V.get(a, bs + (imm >> 2 & 3), 4));
                    V.set(r, bs + 2, 4, V.get(b, bs + (imm >> 4 & 3), 4));
                    V.set(r, bs + 3, 4, V.get(b, bs + (imm >> 6 & 3), 4));
                }
            }
            case SimdOps.SHUFPD -> {
                for (int lane = 0; lane < vl / 16; lane++) {
                    r[2 * lane] = a[2 * lane + (imm >> (2 * lane) & 1)];
                    r[2 * lane + 1] = b[2 * lane + (imm >> (2 * lane + 1) & 1)];
                }
            }
            case SimdOps.PSHUFB -> {
                for (int lane = 0; lane < vl; lane += 16) {
                    for (int i = 0; i < 16; i++) {
                        long c = V.get(b, lane + i, 1);
                        V.set(r, lane + i, 1, (c & 0x80) != 0 ? 0 : V.get(a, lane + (int) (c & 15), 1));
                    }
                }
            }
            case SimdOps.PALIGNR -> {
                for (int lane = 0; lane < vl; lane += 16) {
                    for (int i = 0; i < 16; i++) {
                        int j = i + imm; // concatenation a:b, b is the low half
                        long v = j < 16 ? V.get(b, lane + j, 1) : j < 32 ? V.get(a, lane + j - 16, 1) : 0;
                        V.set(r, lane + i, 1, v);
                    }
                }
            }
            case SimdOps.BLENDI -> {
                for (int e = 0; e < vl / es; e++) {
                    int bit = es == 2 ? e & 7 : e;
                    V.set(r, e, es, (imm >> bit & 1) != 0 ? V.get(b, e, es) : V.get(a, e, es));
                }
            }
            case SimdOps.BLENDV -> {
                // legacy: XMM0 is the selector; VEX: the register in imm[7:4]
                int selReg = vex ? imm >> 4 : 0;
                for (int e = 0; e < vl / es; e++) {
                    long sel = V.get(s.zmm, selReg * (64 / es) + e, es);
                    V.set(r, e, es, (sel >>> (8 * es - 1) & 1) != 0 ? V.get(b, e, es) : V.get(a, e, es));
                }
            }
            case SimdOps.PMADDWD -> {
                for (int e = 0; e < vl / 4; e++) {
                    long x = V.sget(a, 2 * e, 2) * V.sget(b, 2 * e, 2) + V.sget(a, 2 * e + 1, 2) * V.sget(b, 2 * e + 1, 2);
                    V.set(r, e, 4, x);
                }
            }
            case SimdOps.PMULUDQ -> {
                for (int q = 0; q < vl / 8; q++) {
                    r[q] = sub == 0 ? (a[q] & 0xFFFF_FFFFL) * (b[q] & 0xFFFF_FFFFL) : (long) (int) a[q] * (int) b[q];
                }
            }
            case SimdOps.PSADBW -> {
                for (int q = 0; q < vl / 8; q++) {
                    long sum = 0;
                    for (int i = 0; i < 8; i++) sum += Math.abs(V.get(a, 8 * q + i, 1) - V.get(b, 8 * q + i, 1));
                    r[q] = sum;
                }
            }
            case SimdOps.PINSR -> {
                fetch(in, h, vex ? 1 : 0, a, 16, es);
                V.copy(a, r);
                long v = isMem(in, last) ? readN(h.memory(), h.ea(), es) : h.get(in.reg(last));
                V.set(r, imm & (16 / es - 1), es, v);
                writeReg(in, dst, r, 16, 0, vex, false);
                return true;
            }
            case SimdOps.PEXTR -> {
                fetch(in, h, 1, a, 16, es);
                long v = V.get(a, imm & (16 / es - 1), es);
                if (isMem(in, 0)) writeN(h.memory(), h.ea(), es, v);
                else h.set(in.reg(0), v); // zero-extended into the 32/64-bit register
                return true;
            }
            case SimdOps.FBIN, SimdOps.FSQRT, SimdOps.FMINMAX -> {
                if (!fpArith(in, h, op, sub, es, vl, scalar)) return false;
            }
            case SimdOps.FCMP -> {
                fpCompare(in, h, imm, es, vl, scalar, evex);
                return true;
            }
            case SimdOps.CVT -> {
                return convert(in, h, sub, vl, vex, evex);
            }
            case SimdOps.TERNLOG -> {
                // the destination is the first source
                fetch(in, h, 0, t, vl, es);
                for (int q = 0; q < vl / 8; q++) {
                    long x = t[q], y = a[q], z = b[q], res = 0;
                    for (int i = 0; i < 8; i++) {
                        if ((imm >> i & 1) == 0) continue;
                        long sx = (i & 4) != 0 ? x : ~x, sy = (i & 2) != 0 ? y : ~y, sz = (i & 1) != 0 ? z : ~z;
                        res |= sx & sy & sz;
                    }
                    r[q] = res;
                }
            }
            case SimdOps.VPCMP -> {
                long m = 0;
                for (int e = 0; e < vl / es; e++) {
                    long x = sub == 1 ? V.get(a, e, es) : V.sget(a, e, es), y = sub == 1 ? V.get(b, e, es) : V.sget(b, e, es);
                    int c = sub == 1 ? Long.compareUnsigned(x, y) : Long.compare(x, y);
                    boolean res = switch (imm & 7) {
                        case 0 -> c == 0;
                        case 1 -> c < 0;
                        case 2 -> c <= 0;
                        case 3 -> false;
                        case 4 -> c != 0;
                        case 5 -> c >= 0;
                        case 6 -> c > 0;
                        default -> true;
                    };
                    if (res) m |= 1L << e;
                }
                if (in.maskReg() != 0) m &= s.k[in.maskReg()];
                s.k[dst] = m;
                s.touch(XFeature.OPMASK.mask);
                return true;
            }
            case SimdOps.BROADCAST -> {
                int chunk = sub;
                // the source: memory, a vector register's low chunk, or (AVX-512) a GPR
                V.zero(b);
                if (isMem(in, last)) {
                    LinearMemory lm = h.memory();
                    for (int q = 0; q < chunk; q += Math.min(8, chunk)) b[q / 8] = readN(lm, h.ea() + q, Math.min(8, chunk));
                } else if (in.regClass(last).isVector()) {
                    for (int q = 0; q < (chunk + 7) / 8; q++) b[q] = s.zmm[in.reg(last) * 8 + q];
                } else {
                    b[0] = h.get(in.reg(last));
                }
                for (int off = 0; off < vl; off += chunk) {
                    for (int i = 0; i < chunk; i += Math.min(chunk, 8)) {
                        int w = Math.min(chunk, 8);
                        long v = V.get(b, i / w, w);
                        V.set(r, (off + i) / w, w, v);
                    }
                }
            }
            case SimdOps.INSERT -> {
                int chunk = sub, lanes = vl / chunk;
                fetch(in, h, 1, a, vl, es);
                fetch(in, h, last, b, chunk, es);
                V.copy(a, r);
                int at = (imm & (lanes - 1)) * chunk / 8;
                for (int q = 0; q < chunk / 8; q++) r[at + q] = b[q];
            }
            case SimdOps.EXTRACT -> {
                int chunk = sub, srcVl = Math.max(vl, 2 * chunk);
                int srcReg = in.reg(1);
                int lanes = (vex ? in.vectorLength() : 32) / chunk;
                int at = (imm & (Math.max(lanes, 2) - 1)) * chunk / 8;
                V.zero(r);
                for (int q = 0; q < chunk / 8; q++) r[q] = s.zmm[srcReg * 8 + at + q];
                if (isMem(in, 0)) {
                    writeMem(in, h, r, chunk, es, evex);
                    return true;
                }
                writeReg(in, dst, r, chunk, es, true, evex);
                return true;
            }
            case SimdOps.PERMVAR -> {
                int cnt = vl / es;
                for (int e = 0; e < cnt; e++) V.set(r, e, es, V.get(b, (int) (V.get(a, e, es) & (cnt - 1)), es));
            }
            case SimdOps.PERMIMM -> {
                if (in.operandCount() == 3 && hasImm) {
                    fetch(in, h, 1, b, vl, 8);
                    for (int half = 0; half < vl / 32; half++) {
                        for (int i = 0; i < 4; i++) r[half * 4 + i] = b[half * 4 + (imm >> (2 * i) & 3)];
                    }
                } else {
                    int cnt = vl / 8;
                    for (int e = 0; e < cnt; e++) r[e] = b[(int) (a[e] & (cnt - 1))];
                }
            }
            case SimdOps.ROUND -> {
                // imm[2]: use MXCSR.RC; else imm[1:0]; imm[3]: suppress the precision exception
                beginFp(in);
                int mode = (imm & 4) != 0 ? fp.rc : imm & 3;
                int count = scalar ? 1 : vl / es;
                for (int e = 0; e < count; e++) {
                    if (es == 4) V.setF(r, e, roundF(V.f(b, e), mode, (imm & 8) != 0));
                    else V.setD(r, e, roundD(V.d(b, e), mode, (imm & 8) != 0));
                }
                checkFpExceptions(h, false);
            }
            case SimdOps.FHORIZ -> {
                beginFp(in);
                int per = 16 / es;
                for (int lane = 0; lane < vl / 16; lane++) {
                    int bs = lane * per;
                    for (int i = 0; i < per; i++) {
                        long[] src = i < per / 2 ? a : b;
                        int j = bs + 2 * (i % (per / 2));
                        if (sub == 2) {
                            // ADDSUB: even elements subtract, odd add
                            int op2 = (i & 1) == 0 ? FpCore.SUB : FpCore.ADD;
                            if (es == 4) V.setF(r, bs + i, fp.op(op2, V.f(a, bs + i), V.f(b, bs + i)));
                            else V.setD(r, bs + i, fp.op(op2, V.d(a, bs + i), V.d(b, bs + i)));
                            continue;
                        }
                        int op2 = sub == 0 ? FpCore.ADD : FpCore.SUB;
                        if (es == 4) V.setF(r, bs + i, fp.op(op2, V.f(src, j), V.f(src, j + 1)));
                        else V.setD(r, bs + i, fp.op(op2, V.d(src, j), V.d(src, j + 1)));
                    }
                }
                checkFpExceptions(h, false);
            }
            case SimdOps.IHORIZ -> {
                int per = 16 / es;
                for (int lane = 0; lane < vl / 16; lane++) {
                    int bs = lane * per;
                    for (int i = 0; i < per; i++) {
                        long[] src = i < per / 2 ? a : b;
                        int j = bs + 2 * (i % (per / 2));
                        long x = V.sget(src, j, es), y = V.sget(src, j + 1, es);
                        long v = switch (sub) {
                            case 0 -> x + y;
                            case 1 -> x - y;
                            case 2 -> Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, x + y));
                            default -> Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, x - y));
                        };
                        V.set(r, bs + i, es, v);
                    }
                }
            }
            case SimdOps.PMADDUBSW -> {
                for (int e = 0; e < vl / 2; e++) {
                    long v = V.get(a, 2 * e, 1) * V.sget(b, 2 * e, 1) + V.get(a, 2 * e + 1, 1) * V.sget(b, 2 * e + 1, 1);
                    V.set(r, e, 2, Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, v)));
                }
            }
            case SimdOps.PCLMUL -> {
                for (int lane = 0; lane < vl / 16; lane++) {
                    long x = a[2 * lane + (imm & 1)], y = b[2 * lane + (imm >> 4 & 1)];
                    long lo = 0, hi = 0;
                    for (int i = 0; i < 64; i++) {
                        if ((y >>> i & 1) != 0) {
                            lo ^= x << i;
                            if (i > 0) hi ^= x >>> (64 - i);
                        }
                    }
                    r[2 * lane] = lo;
                    r[2 * lane + 1] = hi;
                }
            }
            case SimdOps.EXTRACTPS -> {
                fetch(in, h, 1, a, 16, 4);
                long v = V.get(a, imm & 3, 4);
                if (isMem(in, 0)) writeN(h.memory(), h.ea(), 4, v);
                else h.set(in.reg(0), v);
                return true;
            }
            case SimdOps.INSERTPS -> {
                // imm[7:6] source element (register form), imm[5:4] destination, imm[3:0] zero mask
                long v = isMem(in, last) ? h.memory().read32(h.ea()) & 0xFFFF_FFFFL : V.get(b, imm >> 6 & 3, 4);
                V.copy(a, r);
                V.set(r, imm >> 4 & 3, 4, v);
                for (int i = 0; i < 4; i++) if ((imm >> i & 1) != 0) V.set(r, i, 4, 0);
                r[2] = r[3] = 0;
                writeReg(in, dst, r, 16, 0, vex, false);
                return true;
            }
            case SimdOps.PCMPSTR -> {
                fetch(in, h, 0, a, 16, 1);
                boolean words = (imm & 1) != 0, explicit = (sub & 1) != 0;
                int ne = words ? 8 : 16;
                int la = explicit ? StringCompare.explicitLength(h.get(0), in.w(), words) : StringCompare.implicitLength(a, words);
                int lb = explicit ? StringCompare.explicitLength(h.get(2), in.w(), words) : StringCompare.implicitLength(b, words);
                int res = StringCompare.compute(a, b, la, lb, imm);
                if ((sub & 2) == 0) {
                    int idx = res == 0 ? ne : (imm & 0x40) != 0 ? 31 - Integer.numberOfLeadingZeros(res) : Integer.numberOfTrailingZeros(res);
                    h.set(1, idx);
                } else {
                    V.zero(r);
                    if ((imm & 0x40) == 0) r[0] = res;
                    else for (int e = 0; e < ne; e++) V.set(r, e, words ? 2 : 1, (res >> e & 1) != 0 ? -1L : 0);
                    writeReg(in, 0, r, 16, 0, vex, false);
                }
                h.setArithFlags((res != 0 ? SimdHost.CF : 0) | (lb < ne ? SimdHost.ZF : 0) | (la < ne ? SimdHost.SF : 0)
                    | ((res & 1) != 0 ? SimdHost.OF : 0));
                return true;
            }
            case SimdOps.DUP -> {
                for (int e = 0; e < vl / es; e++) {
                    int srcE = switch (sub) {
                        case 0 -> e & ~1; // MOVSLDUP
                        case 1 -> e | 1;  // MOVSHDUP
                        default -> e & ~1; // MOVDDUP (qwords)
                    };
                    V.set(r, e, es, V.get(a, srcE, es));
                }
            }
            default -> { return false; }
        }
        if (in.regClass(0) == RegClass.K) {
            // AVX-512 compares write a mask (handled above for FP); integer ones produce all-ones elements here.
            long m = 0;
            for (int e = 0; e < vl / es; e++) if (V.get(r, e, es) != 0) m |= 1L << e;
            if (evex && in.maskReg() != 0) m &= s.k[in.maskReg()];
            s.k[dst] = m;
            s.touch(XFeature.OPMASK.mask);
            return true;
        }
        if (scalar) {
            for (int q = 0; q < 2; q++) t[q] = a[q];
            V.set(t, 0, es, V.get(r, 0, es));
            V.copy(t, r);
            if (!vex) {
                // legacy scalar: the destination's other bits stay
                long[] z = s.zmm;
                r[1] = z[dst * 8 + 1];
                if (es == 4) r[0] = r[0] & 0xFFFF_FFFFL | z[dst * 8] & 0xFFFF_FFFF_0000_0000L;
            }
            scalarWrite(in, dst, r, es, vex, evex);
            return true;
        }
        writeReg(in, dst, r, vl, es, vex, evex);
        return true;
    }

    /** ROUNDPD/ROUNDSD: to an integral value in {@code mode}; SNaN invalid, precision unless suppressed, DAZ honoured. */
    private double roundD(double x, int mode, boolean noPrecision) {
        if (Double.isNaN(x)) {
            if (FpCore.snan(x)) fp.flags |= Mxcsr.IE;
            return FpCore.quiet(x);
        }
        if (fp.daz && FpCore.denormal(x)) x = Math.copySign(0.0, x);
        double r = switch (mode) {
            case 1 -> Math.floor(x);
            case 2 -> Math.ceil(x);
            case 3 -> x < 0 ? Math.ceil(x) : Math.floor(x);
            default -> Math.rint(x);
        };
        if (r != x && !noPrecision) fp.flags |= Mxcsr.PE;
        return r;
    }

    private float roundF(float x, int mode, boolean noPrecision) {
        if (Float.isNaN(x)) {
            if (FpCore.snan(x)) fp.flags |= Mxcsr.IE;
            return FpCore.quiet(x);
        }
        if (fp.daz && FpCore.denormal(x)) x = Math.copySign(0f, x);
        double d = x;
        double r = switch (mode) {
            case 1 -> Math.floor(d);
            case 2 -> Math.ceil(d);
            case 3 -> d < 0 ? Math.ceil(d) : Math.floor(d);
            default -> Math.rint(d);
        };
        if (r != d && !noPrecision) fp.flags |= Mxcsr.PE;
        return (float) r;
    }

    private void pack(int sub, int es, int vl) {
        // es is the destination element size; sources are twice as wide.
        int src = es * 2, per = 16 / src;
        boolean unsigned = sub == 1;
        long max = unsigned ? (1L << (8 * es)) - 1 : (1L << (8 * es - 1)) - 1, min = unsigned ? 0 : -(1L << (8 * es - 1));
        for (int lane = 0; lane < vl / 16; lane++) {
            for (int i = 0; i < per; i++) {
                V.set(r, lane * 2 * per + i, es, Math.max(min, Math.min(max, V.sget(a, lane * per + i, src))));
                V.set(r, lane * 2 * per + per + i, es, Math.max(min, Math.min(max, V.sget(b, lane * per + i, src))));
            }
        }
    }

    // ---------------------------------------------------------------- floating point

    private boolean fpArith(Insn in, SimdHost h, int op, int sub, int es, int vl, boolean scalar) {
        beginFp(in);
        int count = scalar ? 1 : vl / es;
        int k = in.maskReg();
        boolean evex = (in.prefixes() & Insn.P_EVEX) != 0;
        for (int e = 0; e < count; e++) {
            if (evex && k != 0 && (s.k[k] >>> e & 1) == 0) continue; // masked-off elements raise nothing
            if (es == 4) {
                float x = V.f(a, e), y = V.f(b, e), res;
                if (op == SimdOps.FMINMAX) res = minmaxF(sub, x, y);
                else if (op == SimdOps.FSQRT) res = fp.op(FpCore.SQRT, y, 0f);
                else res = fp.op(sub, x, y);
                V.setF(r, e, res);
            } else {
                double x = V.d(a, e), y = V.d(b, e), res;
                if (op == SimdOps.FMINMAX) res = minmaxD(sub, x, y);
                else if (op == SimdOps.FSQRT) res = fp.op(FpCore.SQRT, y, 0.0);
                else res = fp.op(sub, x, y);
                V.setD(r, e, res);
            }
        }
        checkFpExceptions(h, suppressed(in));
        return true;
    }

    /** MIN/MAX: any NaN, or two zeros, return the second source; NaNs of either kind are invalid. */
    private float minmaxF(int sub, float x, float y) {
        if (Float.isNaN(x) || Float.isNaN(y)) {
            fp.flags |= Mxcsr.IE; // invalid hides a denormal in the same element
            return fp.noDe(y);   // the returned operand has been through DAZ
        }
        x = fp.in(x);
        y = fp.in(y);
        if (x == 0 && y == 0) return y;
        return sub == 0 ? (x < y ? x : y) : (x > y ? x : y);
    }

    private double minmaxD(int sub, double x, double y) {
        if (Double.isNaN(x) || Double.isNaN(y)) {
            fp.flags |= Mxcsr.IE;
            return fp.noDe(y);
        }
        x = fp.in(x);
        y = fp.in(y);
        if (x == 0 && y == 0) return y;
        return sub == 0 ? (x < y ? x : y) : (x > y ? x : y);
    }

    private void fpCompare(Insn in, SimdHost h, int imm, int es, int vl, boolean scalar, boolean evex) {
        beginFp(in);
        int pred = (in.prefixes() & (Insn.P_VEX | Insn.P_EVEX)) != 0 ? imm & 31 : imm & 7;
        int count = scalar ? 1 : vl / es;
        long kmask = 0;
        for (int e = 0; e < count; e++) {
            if (evex && in.maskReg() != 0 && (s.k[in.maskReg()] >>> e & 1) == 0) continue;
            // Signalling predicates (LT, LE, NLT, NLE and their _S kin) raise invalid on any NaN.
            boolean sig = Int.signalingPredicate(pred);
            int rel = es == 4 ? relF(V.f(a, e), V.f(b, e), sig) : relD(V.d(a, e), V.d(b, e), sig);
            boolean res = Int.cmpPredicate(pred, rel);
            if (res) kmask |= 1L << e;
            V.set(r, e, es, res ? -1L : 0);
        }
        checkFpExceptions(h, in.sae());
        int dst = in.reg(0);
        if (in.regClass(0) == RegClass.K) {
            s.k[dst] = kmask;
            s.touch(XFeature.OPMASK.mask);
            return;
        }
        boolean vex = (in.prefixes() & (Insn.P_VEX | Insn.P_EVEX)) != 0;
        if (scalar) {
            t[0] = a[0];
            t[1] = a[1];
            V.set(t, 0, es, V.get(r, 0, es));
            if (!vex) {
                t[1] = s.zmm[dst * 8 + 1];
                if (es == 4) t[0] = t[0] & 0xFFFF_FFFFL | s.zmm[dst * 8] & 0xFFFF_FFFF_0000_0000L;
            }
            V.zero(r);
            r[0] = t[0];
            r[1] = t[1];
            scalarWrite(in, dst, r, es, vex, evex);
        } else {
            writeReg(in, dst, r, vl, es, vex, evex);
        }
    }

    private boolean convert(Insn in, SimdHost h, int sub, int vl, boolean vex, boolean evex) {
        beginFp(in);
        int n = in.operandCount();
        int last = in.kind(n - 1) == OperandKind.IMM ? n - 2 : n - 1;
        int dst = in.reg(0);
        switch (sub) {
            case Cvt.SI2SS, Cvt.SI2SD -> {
                int sz = in.size(last);
                long v = isMem(in, last) ? readN(h.memory(), h.ea(), sz) : h.get(in.reg(last));
                if (sz == 4) v = (int) v;
                fetch(in, h, vex ? 1 : 0, a, 16, 8);
                if (sub == Cvt.SI2SS) V.setF(a, 0, Cvt.longToFloat(fp, v));
                else V.setD(a, 0, Cvt.longToDouble(fp, v));
                checkFpExceptions(h, suppressed(in));
                V.copy(a, r);
                if (!vex) {
                    r[1] = s.zmm[dst * 8 + 1];
                    if (sub == Cvt.SI2SS) r[0] = r[0] & 0xFFFF_FFFFL | s.zmm[dst * 8] & 0xFFFF_FFFF_0000_0000L;
                }
                scalarWrite(in, dst, r, sub == Cvt.SI2SS ? 4 : 8, vex, false);
            }
            case Cvt.SS2SI, Cvt.TSS2SI, Cvt.SD2SI, Cvt.TSD2SI -> {
                boolean single = sub == Cvt.SS2SI || sub == Cvt.TSS2SI;
                fetch(in, h, last, b, single ? 4 : 8, single ? 4 : 8);
                boolean trunc = sub == Cvt.TSS2SI || sub == Cvt.TSD2SI;
                int sz = in.size(0);
                double x = single ? (double) fp.noDe(V.f(b, 0)) : fp.noDe(V.d(b, 0));
                long v = Cvt.toInt(fp, x, sz, trunc);
                checkFpExceptions(h, suppressed(in));
                h.set(dst, sz == 8 ? v : v & 0xFFFF_FFFFL);
            }
            case Cvt.SS2SD, Cvt.SD2SS -> {
                boolean up = sub == Cvt.SS2SD;
                fetch(in, h, last, b, up ? 4 : 8, up ? 4 : 8);
                fetch(in, h, vex ? 1 : 0, a, 16, 8);
                boolean off = evex && in.maskReg() != 0 && (s.k[in.maskReg()] & 1) == 0;
                if (off) { /* masked off: no conversion, no exceptions */ }
                else if (up) V.setD(a, 0, Cvt.floatToDouble(fp, V.f(b, 0)));
                else V.setF(a, 0, Cvt.doubleToFloat(fp, V.d(b, 0)));
                checkFpExceptions(h, suppressed(in));
                V.copy(a, r);
                if (!vex) {
                    r[1] = s.zmm[dst * 8 + 1];
                    if (!up) r[0] = r[0] & 0xFFFF_FFFFL | s.zmm[dst * 8] & 0xFFFF_FFFF_0000_0000L;
                }
                scalarWrite(in, dst, r, up ? 8 : 4, vex, evex);
            }
            case Cvt.DQ2PS, Cvt.PS2DQ, Cvt.TPS2DQ -> {
                fetch(in, h, last, b, vl, 4);
                V.zero(r);
                for (int e = 0; e < vl / 4; e++) {
                    if (evex && in.maskReg() != 0 && (s.k[in.maskReg()] >>> e & 1) == 0) continue;
                    if (sub == Cvt.DQ2PS) V.setF(r, e, Cvt.longToFloat(fp, (int) V.get(b, e, 4)));
                    else V.set(r, e, 4, Cvt.toInt(fp, fp.noDe(V.f(b, e)), 4, sub == Cvt.TPS2DQ));
                }
                checkFpExceptions(h, suppressed(in));
                writeReg(in, dst, r, vl, 4, vex, evex);
            }
            case Cvt.DQ2PD, Cvt.PS2PD -> {
                fetch(in, h, last, b, vl / 2, 4);
                V.zero(r);
                for (int e = 0; e < vl / 8; e++) {
                    if (evex && in.maskReg() != 0 && (s.k[in.maskReg()] >>> e & 1) == 0) continue;
                    if (sub == Cvt.DQ2PD) V.setD(r, e, (int) V.get(b, e, 4));
                    else V.setD(r, e, Cvt.floatToDouble(fp, V.f(b, e)));
                }
                checkFpExceptions(h, suppressed(in));
                writeReg(in, dst, r, vl, 8, vex, evex);
            }
            case Cvt.PD2DQ, Cvt.TPD2DQ, Cvt.PD2PS -> {
                // legacy only here (the VEX forms need a memory-size-aware operand width)
                if (vex) return false;
                fetch(in, h, last, b, 16, 8);
                V.zero(r);
                for (int e = 0; e < 2; e++) {
                    if (sub == Cvt.PD2PS) V.setF(r, e, Cvt.doubleToFloat(fp, V.d(b, e)));
                    else V.set(r, e, 4, Cvt.toInt(fp, fp.noDe(V.d(b, e)), 4, sub == Cvt.TPD2DQ));
                }
                checkFpExceptions(h, false);
                writeReg(in, dst, r, 16, 4, false, false);
            }
            default -> { return false; }
        }
        return true;
    }
}
