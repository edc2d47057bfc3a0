package org.jkvm.cpu.simd;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.jkvm.cpu.xstate.HostModel;
import org.jkvm.cpu.xstate.NativeHost;
import org.jkvm.cpu.xstate.SegmentMemory;
import org.jkvm.cpu.xstate.TestContext;
import org.jkvm.cpu.xstate.XState;
import org.jkvm.cpu.xstate.XsaveUnit;
import org.jkvm.isa.Assembler;
import org.jkvm.isa.Decoder;
import org.jkvm.isa.Encoder;
import org.jkvm.isa.Instruction;
import org.jkvm.isa.Mnemonic;
import org.jkvm.isa.Mode;
import org.jkvm.isa.Operand;
import org.jkvm.isa.RegClass;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every SSE/AVX/AVX-512 instruction the unit implements, against the host CPU: random register
 * contents (integers and floating-point values including NaNs, infinities, denormals and
 * near-overflow values), random MXCSR rounding/DAZ/FTZ (exceptions masked: an unmasked one would be
 * a signal in this JVM), random operand forms (legacy, VEX 128/256, EVEX 128/256/512 with merge or
 * zero masking), memory operands. The vector registers, opmasks, MXCSR, stored memory, GPR results
 * and flags must match the host exactly.
 */
class SimdDiffTest {
    static final int AREA = 16384;
    static MemorySegment orig, base, data, out, ctx;
    static long xcr0;

    @BeforeAll
    static void host() {
        assumeTrue(NativeHost.hasOsXsave(), "needs Linux on x86-64 with XSAVE enabled");
        xcr0 = NativeHost.xgetbv(0);
        assumeTrue((xcr0 & 0xE6) == 0xE6, "host without AVX-512 state enabled");
        MemorySegment m = NativeHost.mmap(5L * AREA);
        orig = m.asSlice(0, AREA);
        base = m.asSlice(AREA, AREA);
        data = m.asSlice(2L * AREA, 256);
        out = m.asSlice(3L * AREA, AREA);
        ctx = m.asSlice(4L * AREA, 128);
        ctx.set(ValueLayout.JAVA_LONG, 0, orig.address());
        ctx.set(ValueLayout.JAVA_LONG, 8, base.address());
        ctx.set(ValueLayout.JAVA_LONG, 16, data.address());
        ctx.set(ValueLayout.JAVA_LONG, 24, out.address());
    }

    static MethodHandle stub(byte[] insn) {
        NativeHost.Stub s = new NativeHost.Stub();
        s.loadRbx(8).allOnes().emit("48 0F AE 2B"); // xrstor64 baseline
        s.emit("49 8B 44 24 30 49 8B 4C 24 38"); // rax, rcx inputs
        s.loadRbx(16);
        s.emit("41 FF 74 24 48 9D"); // push qword [r12+72]; popfq: the flags the instruction sees
        s.emit(insn);
        s.emit("9C 41 8F 44 24 40"); // flags
        s.emit("49 89 44 24 30 49 89 4C 24 38");
        s.loadRbx(24).allOnes().emit("48 0F AE 23"); // xsave64 out
        return NativeHost.function(s.build());
    }

    // ---------------------------------------------------------------- random operands

    static long fpBits(Random r, boolean dbl) {
        int k = r.nextInt(16);
        if (dbl) {
            return switch (k) {
                case 0 -> Double.doubleToRawLongBits(r.nextBoolean() ? 0.0 : -0.0);
                case 1 -> Double.doubleToRawLongBits(r.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY);
                case 2 -> 0x7FF8_0000_0000_0000L | r.nextLong() & 0x8007_FFFF_FFFF_FFFFL; // QNaN
                case 3 -> 0x7FF0_0000_0000_0001L | r.nextLong() & 0x8003_FFFF_FFFF_FFFFL; // SNaN
                case 4 -> r.nextLong() & 0x800F_FFFF_FFFF_FFFFL; // denormal
                case 5 -> Double.doubleToRawLongBits((r.nextBoolean() ? 1 : -1) * Double.MAX_VALUE * r.nextDouble());
                case 6 -> Double.doubleToRawLongBits((r.nextBoolean() ? 1 : -1) * Double.MIN_NORMAL * (1 + 4 * r.nextDouble()));
                case 7 -> Double.doubleToRawLongBits(Math.rint(r.nextGaussian() * 1e6));
                case 8 -> Double.doubleToRawLongBits(r.nextGaussian() * 1e19);
                default -> Double.doubleToRawLongBits(r.nextGaussian() * Math.pow(10, r.nextInt(20) - 10));
            };
        }
        return switch (k) {
            case 0 -> Float.floatToRawIntBits(r.nextBoolean() ? 0f : -0f);
            case 1 -> Float.floatToRawIntBits(r.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY);
            case 2 -> 0x7FC0_0000 | r.nextInt() & 0x803F_FFFF;
            case 3 -> 0x7F80_0001 | r.nextInt() & 0x801F_FFFF;
            case 4 -> r.nextInt() & 0x807F_FFFF;
            case 5 -> Float.floatToRawIntBits((r.nextBoolean() ? 1 : -1) * Float.MAX_VALUE * r.nextFloat());
            case 6 -> Float.floatToRawIntBits((r.nextBoolean() ? 1 : -1) * Float.MIN_NORMAL * (1 + 4 * r.nextFloat()));
            case 7 -> Float.floatToRawIntBits((float) Math.rint(r.nextGaussian() * 1e6));
            case 8 -> Float.floatToRawIntBits((float) (r.nextGaussian() * 3e9));
            default -> Float.floatToRawIntBits((float) (r.nextGaussian() * Math.pow(10, r.nextInt(12) - 6)));
        } & 0xFFFF_FFFFL;
    }

    static long randomLane(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> r.nextLong();
            case 1 -> fpBits(r, true);
            case 2 -> fpBits(r, false) | fpBits(r, false) << 32;
            default -> r.nextInt(8) == 0 ? 0 : r.nextLong() & 0x8080_8080_8080_8080L * (r.nextBoolean() ? 1 : 0) | r.nextInt(256);
        };
    }

    /** A random baseline: vector registers, opmasks and MXCSR (exceptions masked). */
    static void baseline(Random r) {
        base.fill((byte) 0);
        int mx = 0x1F80 | (r.nextInt(4) << 13) | (r.nextInt(4) == 0 ? 0x8000 : 0) | (r.nextInt(4) == 0 ? 0x40 : 0)
            | (r.nextInt(3) == 0 ? r.nextInt(64) : 0);
        base.set(ValueLayout.JAVA_INT, 24, mx);
        base.set(ValueLayout.JAVA_SHORT, 0, (short) 0x37F);
        base.set(ValueLayout.JAVA_LONG, 512, 0xE7L); // x87, SSE, AVX, AVX-512 present
        for (int reg = 0; reg < 16; reg++) {
            for (int q = 0; q < 2; q++) base.set(ValueLayout.JAVA_LONG, 160 + 16 * reg + 8 * q, randomLane(r));
            for (int q = 0; q < 2; q++) base.set(ValueLayout.JAVA_LONG, 576 + 16 * reg + 8 * q, randomLane(r));
            for (int q = 0; q < 4; q++) base.set(ValueLayout.JAVA_LONG, 1152 + 32 * reg + 8 * q, randomLane(r));
        }
        for (int reg = 0; reg < 16; reg++) for (int q = 0; q < 8; q++) base.set(ValueLayout.JAVA_LONG, 1664 + 64 * reg + 8 * q, randomLane(r));
        for (int k = 0; k < 8; k++) base.set(ValueLayout.JAVA_LONG, 1088 + 8 * k, r.nextInt(4) == 0 ? -1L : r.nextLong());
        for (int q = 0; q < 32; q++) data.set(ValueLayout.JAVA_LONG, 8L * q, randomLane(r));
        ctx.set(ValueLayout.JAVA_LONG, 48, r.nextBoolean() ? r.nextLong() : r.nextInt(1 << 20) - (1 << 19));
        ctx.set(ValueLayout.JAVA_LONG, 56, r.nextLong());
        ctx.set(ValueLayout.JAVA_LONG, 72, 0x202L | r.nextInt() & 0x8D5);
    }

    // ---------------------------------------------------------------- instruction generation

    static final Mode M64 = Mode.BITS64;

    static Operand vr(Random r, RegClass c, boolean evex) {
        return new Operand.Reg(c, r.nextInt(evex ? 32 : 16));
    }

    static final Operand MEM = new Operand.Mem(0, -1, 3, -1, 1, 0, false, 8, null, false);

    /** Candidate operand lists for one encoding flavour. */
    static List<Operand[]> candidates(Random r, RegClass c, boolean evex) {
        List<Operand[]> l = new ArrayList<>();
        Operand a = vr(r, c, evex), b = vr(r, c, evex), d = vr(r, c, evex), x = vr(r, RegClass.XMM, evex);
        Operand i8 = Assembler.imm(r.nextInt(256));
        Operand g32 = new Operand.Reg(RegClass.GPR32, r.nextInt(2)), g64 = new Operand.Reg(RegClass.GPR64, r.nextInt(2));
        Operand k = new Operand.Reg(RegClass.K, r.nextInt(8));
        l.add(new Operand[] {a, b});
        l.add(new Operand[] {a, MEM});
        l.add(new Operand[] {MEM, a});
        l.add(new Operand[] {a, b, d});
        l.add(new Operand[] {a, b, MEM});
        l.add(new Operand[] {a, b, i8});
        l.add(new Operand[] {a, MEM, i8});
        l.add(new Operand[] {a, b, d, i8});
        l.add(new Operand[] {a, b, MEM, i8});
        l.add(new Operand[] {a, x});
        l.add(new Operand[] {a, b, x});
        l.add(new Operand[] {g32, a});
        l.add(new Operand[] {g64, a});
        l.add(new Operand[] {a, g32});
        l.add(new Operand[] {a, g64});
        l.add(new Operand[] {a, b, g32});
        l.add(new Operand[] {a, b, g64});
        l.add(new Operand[] {g32, a, i8});
        l.add(new Operand[] {g64, a, i8});
        l.add(new Operand[] {MEM, a, i8});
        l.add(new Operand[] {a, b, g32, i8});
        l.add(new Operand[] {a, b, g64, i8});
        l.add(new Operand[] {a, g32, i8});
        l.add(new Operand[] {k, b, d, i8});
        l.add(new Operand[] {k, b, MEM, i8});
        l.add(new Operand[] {k, b, d});
        l.add(new Operand[] {k, k});
        Operand k2 = new Operand.Reg(RegClass.K, r.nextInt(8)), k3 = new Operand.Reg(RegClass.K, r.nextInt(8));
        l.add(new Operand[] {k, k2, k3});
        l.add(new Operand[] {k, k2, i8});
        l.add(new Operand[] {k2, k3});
        l.add(new Operand[] {x, b, i8});
        l.add(new Operand[] {MEM, b, i8});
        l.add(new Operand[] {a, b, x, i8});
        l.add(new Operand[] {a, b, MEM, i8});
        l.add(new Operand[] {k, g32});
        l.add(new Operand[] {g32, k});
        l.add(new Operand[] {k, MEM});
        l.add(new Operand[] {MEM, k});
        l.add(new Operand[] {MEM});
        l.add(new Operand[] {});
        return l;
    }

    /** Tries to encode {@code m} in a random flavour; null if no candidate fits. */
    static byte[] encode(Random r, Mnemonic m) {
        int flavour = r.nextInt(6);
        RegClass c = switch (flavour) {
            case 0, 1, 3 -> RegClass.XMM;
            case 2, 4 -> RegClass.YMM;
            default -> RegClass.ZMM;
        };
        boolean evex = flavour >= 3;
        Encoder.Options opt = Encoder.Options.NONE;
        if (evex && r.nextBoolean()) opt = opt.withMask(1 + r.nextInt(7), r.nextBoolean());
        List<Operand[]> cands = candidates(r, c, evex);
        java.util.Collections.shuffle(cands, r);
        for (Operand[] ops : cands) {
            for (Encoder.Options o : new Encoder.Options[] {opt, Encoder.Options.NONE}) {
                try {
                    Assembler as = new Assembler(M64);
                    as.emit(o, m, ops);
                    byte[] b = as.bytes();
                    Instruction in = Decoder.decode(M64, b);
                    if (in.isValid() && in.mnemonic() == m) return b;
                } catch (RuntimeException e) {
                    // not a form of this mnemonic
                }
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- the comparison

    record Outcome(byte[] area, byte[] data, long rax, long rcx, long flags) {}

    static Outcome runHost(byte[] insn) {
        MethodHandle h = stub(insn);
        byte[] d0 = data.toArray(ValueLayout.JAVA_BYTE);
        long rax = ctx.get(ValueLayout.JAVA_LONG, 48), rcx = ctx.get(ValueLayout.JAVA_LONG, 56);
        NativeHost.call(h, ctx);
        Outcome o = new Outcome(out.asSlice(0, 2752).toArray(ValueLayout.JAVA_BYTE), data.toArray(ValueLayout.JAVA_BYTE),
            ctx.get(ValueLayout.JAVA_LONG, 48), ctx.get(ValueLayout.JAVA_LONG, 56), ctx.get(ValueLayout.JAVA_LONG, 64));
        MemorySegment.copy(d0, 0, data, ValueLayout.JAVA_BYTE, 0, d0.length);
        ctx.set(ValueLayout.JAVA_LONG, 48, rax);
        ctx.set(ValueLayout.JAVA_LONG, 56, rcx);
        return o;
    }

    /** Runs the model; null when the unit does not implement the instruction. */
    static Outcome runModel(byte[] insn, TestSimdHost th) {
        XState st = new XState(HostModel.get());
        st.loadXcr0(xcr0);
        XsaveUnit xu = new XsaveUnit(st);
        TestContext c = new TestContext();
        SegmentMemory mem = SegmentMemory.over(base, data, out);
        xu.xrstor(c, mem, base.address(), -1, true);
        th.mem = mem;
        th.ea = data.address();
        th.r[0] = ctx.get(ValueLayout.JAVA_LONG, 48);
        th.r[1] = ctx.get(ValueLayout.JAVA_LONG, 56);
        th.r[3] = data.address();
        th.r[2] = 0xFFFF_FFFFL; // the stub leaves EDX = -1 (zero-extended) from its last XRSTOR mask
        th.rflags = ctx.get(ValueLayout.JAVA_LONG, 72);
        Instruction in = Decoder.decode(M64, insn);
        if (!new SimdUnit(st).execute(in, th)) return null;
        xu.xsave(c, mem, out.address(), -1, true);
        return new Outcome(out.asSlice(0, 2752).toArray(ValueLayout.JAVA_BYTE), data.toArray(ValueLayout.JAVA_BYTE),
            th.r[0], th.r[1], th.flags);
    }

    static final long ARITH = 0x8D5;

    @Test
    void everyImplementedInstructionAgreesWithTheHost() {
        Random r = new Random(7);
        int rounds = Boolean.getBoolean("jkvm.long") ? 400 : 25;
        Map<String, Integer> tested = new TreeMap<>(), failures = new TreeMap<>();
        List<String> messages = new ArrayList<>();
        List<Mnemonic> ms = new ArrayList<>();
        for (Mnemonic m : Mnemonic.values()) if (SimdOps.op(m) != SimdOps.NONE) ms.add(m);
        for (int round = 0; round < rounds; round++) {
            for (Mnemonic m : ms) {
                byte[] insn = encode(r, m);
                if (insn == null) continue;
                baseline(r);
                TestSimdHost th = new TestSimdHost();
                // Model first: an instruction the host would fault on must not be sent there.
                byte[] d0 = data.toArray(ValueLayout.JAVA_BYTE);
                Outcome mo;
                try {
                    mo = runModel(insn, th);
                } catch (org.jkvm.cpu.fault.Fault f) {
                    continue;
                }
                MemorySegment.copy(d0, 0, data, ValueLayout.JAVA_BYTE, 0, d0.length);
                if (mo == null) continue;
                if (System.getProperty("simdtrace") != null) { System.err.println("HOST " + Decoder.decode(M64, insn) + " [" + HexFormat.ofDelimiter(" ").formatHex(insn) + "]"); System.err.flush(); }
                Outcome ho = runHost(insn);
                tested.merge(m.name(), 1, Integer::sum);
                String diff = compare(ho, mo, th.flagsWritten);
                if (diff != null) {
                    boolean first = !failures.containsKey(m.name());
                    failures.merge(m.name(), 1, Integer::sum);
                    if (first && messages.size() < 60) messages.add(Decoder.decode(M64, insn) + " [" + HexFormat.ofDelimiter(" ").formatHex(insn) + "]: " + diff
                        + (System.getProperty("simdtrace") != null ? detail(Decoder.decode(M64, insn)) : ""));
                }
            }
        }
 if (System.getProperty("simdtrace") != null) System.out.println(tested);
        System.out.println("SIMD differential: " + tested.size() + " mnemonics, " + tested.values().stream().mapToInt(i -> i).sum()
            + " cases, failures " + failures);
        assertTrue(failures.isEmpty(), String.join("\n", messages));
    }

    static String compare(Outcome h, Outcome m, boolean flags) {
        int at = java.util.Arrays.mismatch(h.area(), m.area());
        if (at >= 0) {
            int from = at & ~7;
            return "state byte " + at + " (" + region(at) + ") host " + hex(h.area(), from) + " model " + hex(m.area(), from);
        }
        at = java.util.Arrays.mismatch(h.data(), m.data());
        if (at >= 0) return "memory byte " + at + " host " + hex(h.data(), at & ~7) + " model " + hex(m.data(), at & ~7);
        if (h.rax() != m.rax()) return String.format("rax host %x model %x", h.rax(), m.rax());
        if (h.rcx() != m.rcx()) return String.format("rcx host %x model %x", h.rcx(), m.rcx());
        if (flags && (h.flags() & ARITH) != (m.flags() & ARITH)) return String.format("flags host %x model %x", h.flags() & ARITH, m.flags() & ARITH);
        return null;
    }

    static String detail(Instruction in) {
        StringBuilder sb = new StringBuilder(String.format("%n   mxcsr=%04x", base.get(ValueLayout.JAVA_INT, 24)));
        for (int i = 0; i < in.operandCount(); i++) {
            if (in.kind(i) == org.jkvm.isa.OperandKind.REG && in.regClass(i).isVector() && in.reg(i) < 16) {
                int rg = in.reg(i);
                sb.append(String.format(" op%d=%016x_%016x", i, base.get(ValueLayout.JAVA_LONG, 160 + 16 * rg + 8), base.get(ValueLayout.JAVA_LONG, 160 + 16 * rg)));
            }
        }
        sb.append(String.format(" mem=%016x_%016x", data.get(ValueLayout.JAVA_LONG, 8), data.get(ValueLayout.JAVA_LONG, 0)));
        return sb.toString();
    }

    static String region(int at) {
        if (at < 24) return "x87";
        if (at < 28) return "MXCSR";
        if (at < 160) return "x87";
        if (at < 416) return "XMM" + (at - 160) / 16;
        if (at >= 512 && at < 576) return "header";
        if (at >= 576 && at < 832) return "YMM_H" + (at - 576) / 16;
        if (at >= 1088 && at < 1152) return "k" + (at - 1088) / 8;
        if (at >= 1152 && at < 1664) return "ZMM_H" + (at - 1152) / 32;
        if (at >= 1664) return "ZMM" + (16 + (at - 1664) / 64);
        return "?";
    }

    static String hex(byte[] b, int from) {
        return HexFormat.of().formatHex(b, from, Math.min(b.length, from + 8));
    }
}
