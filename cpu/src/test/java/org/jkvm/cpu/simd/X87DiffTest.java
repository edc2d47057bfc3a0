package org.jkvm.cpu.simd;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.jkvm.cpu.xstate.HostModel;
import org.jkvm.cpu.xstate.SegmentMemory;
import org.jkvm.cpu.xstate.TestContext;
import org.jkvm.cpu.xstate.XState;
import org.jkvm.cpu.xstate.XsaveUnit;
import org.jkvm.isa.Assembler;
import org.jkvm.isa.Decoder;
import org.jkvm.isa.Encoder;
import org.jkvm.isa.Instruction;
import org.jkvm.isa.Mnemonic;
import org.jkvm.isa.Operand;
import org.jkvm.isa.RegClass;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The x87 instructions the unit implements, against the host: random stacks (TOP, empty slots,
 * normals, denormals, zeros, infinities, NaNs, unnormals), random precision and rounding control
 * (exceptions masked: an unmasked one would fault later inside this JVM), every operand form.
 * Compared: the x87 part of the XSAVE image except the instruction/data pointers and opcode (not
 * tracked), stored memory, AX and the flags of FCOMI.
 */
class X87DiffTest {
    @BeforeAll
    static void host() {
        SimdDiffTest.host();
    }

    static long randomMant(Random r, int[] expOut) {
        int k = r.nextInt(10);
        switch (k) {
            case 0 -> { expOut[0] = 0; return 0; }
            case 1 -> { expOut[0] = 0x7FFF; return Long.MIN_VALUE; }
            case 2 -> { expOut[0] = 0x7FFF; return Long.MIN_VALUE | 0x4000_0000_0000_0000L | r.nextLong() >>> 2; }
            case 3 -> { expOut[0] = 0x7FFF; return Long.MIN_VALUE | r.nextLong() >>> 2 | 1; }
            case 4 -> { expOut[0] = 0; return r.nextLong() >>> 1; }
            case 5 -> { expOut[0] = 0x3FFF + r.nextInt(64); return Long.MIN_VALUE | (r.nextLong() >>> 40) << 40; }
            case 6 -> { expOut[0] = r.nextInt(0x7FFE) + 1; return Long.MIN_VALUE | r.nextLong(); }
            case 7 -> { expOut[0] = 0x3FFF + r.nextInt(4) - 2; return Long.MIN_VALUE | r.nextLong(); }
            default -> { expOut[0] = 0x3FF0 + r.nextInt(32); return Long.MIN_VALUE | r.nextLong(); }
        }
    }

    static void baseline(Random r) {
        SimdDiffTest.baseline(r);
        MemorySegment base = SimdDiffTest.base;
        int pc = new int[] {0, 2, 3}[r.nextInt(3)];
        base.set(ValueLayout.JAVA_SHORT, 0, (short) (0x3F | pc << 8 | r.nextInt(4) << 10 | 0x40));
        int top = r.nextInt(8);
        base.set(ValueLayout.JAVA_SHORT, 2, (short) (top << 11 | r.nextInt(0x4700 + 1) & 0x4700 | r.nextInt(64)));
        base.set(ValueLayout.JAVA_BYTE, 4, (byte) (r.nextInt(4) == 0 ? 0xFF : r.nextInt(256)));
        for (int i = 0; i < 8; i++) {
            int[] e = new int[1];
            long m = randomMant(r, e);
            if (r.nextInt(2) == 0) e[0] |= 0x8000;
            base.set(ValueLayout.JAVA_LONG, 32 + 16 * i, m);
            base.set(ValueLayout.JAVA_SHORT, 32 + 16 * i + 8, (short) e[0]);
        }
        base.set(ValueLayout.JAVA_LONG, 512, 0xE7L);
        // memory operands: a float, a double, an extended and integers, all in the first 16 bytes
        MemorySegment data = SimdDiffTest.data;
        switch (r.nextInt(4)) {
            case 0 -> data.set(ValueLayout.JAVA_LONG, 0, SimdDiffTest.fpBits(r, true));
            case 1 -> data.set(ValueLayout.JAVA_LONG, 0, SimdDiffTest.fpBits(r, false));
            case 2 -> {
                int[] e = new int[1];
                data.set(ValueLayout.JAVA_LONG, 0, randomMant(r, e));
                data.set(ValueLayout.JAVA_SHORT, 8, (short) (e[0] | (r.nextBoolean() ? 0x8000 : 0)));
            }
            default -> data.set(ValueLayout.JAVA_LONG, 0, r.nextInt(3) == 0 ? r.nextLong() : r.nextInt(100000) - 50000);
        }
    }

    static final String[] NAMES = {"FLD", "FST", "FSTP", "FILD", "FIST", "FISTP", "FISTTP", "FXCH", "FCHS", "FABS",
        "FADD", "FSUB", "FSUBR", "FMUL", "FDIV", "FDIVR", "FADDP", "FSUBP", "FSUBRP", "FMULP", "FDIVP", "FDIVRP", "FIADD",
        "FISUB", "FISUBR", "FIMUL", "FIDIV", "FIDIVR", "FSQRT", "FRNDINT", "FCOM", "FCOMP", "FCOMPP", "FUCOM", "FUCOMP",
        "FUCOMPP", "FICOM", "FICOMP", "FTST", "FCOMI", "FCOMPI", "FUCOMI", "FUCOMPI", "FXAM", "FLDZ", "FLD1", "FLDPI",
        "FLDL2E", "FLDL2T", "FLDLG2", "FLDLN2", "FNINIT", "FNCLEX", "FNSTSW", "FNSTCW", "FLDCW", "FFREE", "FINCSTP",
        "FDECSTP", "FNOP", "FFREEP", "FCMOVB", "FCMOVE", "FCMOVBE", "FCMOVU", "FCMOVNB", "FCMOVNE", "FCMOVNBE", "FCMOVNU"};

    static byte[] encode(Random r, Mnemonic m) {
        List<Operand[]> cands = new ArrayList<>();
        Operand st0 = new Operand.Reg(RegClass.ST, 0), sti = new Operand.Reg(RegClass.ST, r.nextInt(8));
        cands.add(new Operand[] {});
        cands.add(new Operand[] {sti});
        cands.add(new Operand[] {st0, sti});
        cands.add(new Operand[] {sti, st0});
        for (int size : new int[] {2, 4, 8, 10}) cands.add(new Operand[] {new Operand.Mem(size, -1, 3, -1, 1, 0, false, 8, null, false)});
        cands.add(new Operand[] {new Operand.Reg(RegClass.GPR16, 0)});
        java.util.Collections.shuffle(cands, r);
        for (Operand[] ops : cands) {
            try {
                Assembler as = new Assembler(SimdDiffTest.M64);
                as.emit(Encoder.Options.NONE, m, ops);
                byte[] b = as.bytes();
                Instruction in = Decoder.decode(SimdDiffTest.M64, b);
                if (in.isValid() && in.mnemonic() == m) return b;
            } catch (RuntimeException e) {
                // not a form
            }
        }
        return null;
    }

    @Test
    void x87AgreesWithTheHost() {
        Random r = new Random(11);
        int rounds = Boolean.getBoolean("jkvm.long") ? 1000 : 60;
        Map<String, Integer> tested = new TreeMap<>(), failures = new TreeMap<>();
        List<String> messages = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            for (String n : NAMES) {
                Mnemonic m;
                try {
                    m = Mnemonic.valueOf(n);
                } catch (IllegalArgumentException e) {
                    continue;
                }
                byte[] insn = encode(r, m);
                if (insn == null) continue;
                baseline(r);
                TestSimdHost th = new TestSimdHost();
                byte[] d0 = SimdDiffTest.data.toArray(ValueLayout.JAVA_BYTE);
                SimdDiffTest.Outcome mo = runModel(insn, th);
                MemorySegment.copy(d0, 0, SimdDiffTest.data, ValueLayout.JAVA_BYTE, 0, d0.length);
                if (mo == null) continue;
                SimdDiffTest.Outcome ho = SimdDiffTest.runHost(insn);
                tested.merge(n, 1, Integer::sum);
                String diff = compare(ho, mo, th.flagsWritten);
                if (diff != null) {
                    boolean first = !failures.containsKey(n);
                    failures.merge(n, 1, Integer::sum);
                    if (first) {
                        MemorySegment b = SimdDiffTest.base;
                        int top = b.get(ValueLayout.JAVA_SHORT, 2) >> 11 & 7;
                        messages.add(Decoder.decode(SimdDiffTest.M64, insn) + " [" + HexFormat.ofDelimiter(" ").formatHex(insn) + "]: " + diff
                            + String.format(" st0=%04x:%016x st1=%04x:%016x tag=%02x mem=%016x fcw=%04x", b.get(ValueLayout.JAVA_SHORT, 40),
                                b.get(ValueLayout.JAVA_LONG, 32), b.get(ValueLayout.JAVA_SHORT, 56), b.get(ValueLayout.JAVA_LONG, 48),
                                b.get(ValueLayout.JAVA_BYTE, 4) & 0xFF, SimdDiffTest.data.get(ValueLayout.JAVA_LONG, 0), b.get(ValueLayout.JAVA_SHORT, 0)));
                    }
                }
            }
        }
        System.out.println("x87 differential: " + tested.size() + " mnemonics, " + tested.values().stream().mapToInt(i -> i).sum()
            + " cases, failures " + failures);
        assertTrue(failures.isEmpty(), String.join("\n", messages));
    }

    static SimdDiffTest.Outcome runModel(byte[] insn, TestSimdHost th) {
        XState st = new XState(HostModel.get());
        st.loadXcr0(SimdDiffTest.xcr0);
        XsaveUnit xu = new XsaveUnit(st);
        TestContext c = new TestContext();
        MemorySegment base = SimdDiffTest.base, data = SimdDiffTest.data, out = SimdDiffTest.out, ctx = SimdDiffTest.ctx;
        SegmentMemory mem = SegmentMemory.over(base, data, out);
        xu.xrstor(c, mem, base.address(), -1, true);
        th.mem = mem;
        th.ea = data.address();
        th.r[0] = ctx.get(ValueLayout.JAVA_LONG, 48);
        th.r[1] = ctx.get(ValueLayout.JAVA_LONG, 56);
        th.rflags = ctx.get(ValueLayout.JAVA_LONG, 72);
        Instruction in = Decoder.decode(SimdDiffTest.M64, insn);
        if (!new ExtendedUnit(st).execute(in, th)) return null;
        xu.xsave(c, mem, out.address(), -1, true);
        return new SimdDiffTest.Outcome(out.asSlice(0, 2752).toArray(ValueLayout.JAVA_BYTE), data.toArray(ValueLayout.JAVA_BYTE),
            th.r[0], th.r[1], th.flags);
    }

    static String compare(SimdDiffTest.Outcome h, SimdDiffTest.Outcome m, boolean flags) {
        byte[] ha = h.area().clone(), ma = m.area().clone();
        for (int i = 6; i < 24; i++) ha[i] = ma[i] = 0; // FOP, FIP, FDP (and selectors) are not tracked
        int at = java.util.Arrays.mismatch(ha, ma);
        if (at >= 0 && at < 160) {
            int from = at & ~7;
            return "x87 byte " + at + " host " + SimdDiffTest.hex(ha, from) + " model " + SimdDiffTest.hex(ma, from)
                + "  (fsw host " + Integer.toHexString(ha[2] & 0xFF | (ha[3] & 0xFF) << 8) + " model "
                + Integer.toHexString(ma[2] & 0xFF | (ma[3] & 0xFF) << 8) + ")";
        }
        at = java.util.Arrays.mismatch(h.data(), m.data());
        if (at >= 0) return "memory byte " + at + " host " + SimdDiffTest.hex(h.data(), at & ~7) + " model " + SimdDiffTest.hex(m.data(), at & ~7);
        if ((h.rax() & 0xFFFF) != (m.rax() & 0xFFFF)) return String.format("ax host %x model %x", h.rax() & 0xFFFF, m.rax() & 0xFFFF);
        if (flags && (h.flags() & SimdDiffTest.ARITH) != (m.flags() & SimdDiffTest.ARITH)) {
            return String.format("flags host %x model %x", h.flags() & SimdDiffTest.ARITH, m.flags() & SimdDiffTest.ARITH);
        }
        return null;
    }
}
