package org.jkvm.isa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** decode(encode(form, operands)) gives the form's mnemonic and the same operands back, over the whole table. */
class RoundTripTest {
    /** Operands and encoding options of one sample. */
    record Sample(Operand[] ops, Encoder.Options opt) {}

    /** The sample operands of one form that need no encoding options (no mask, REP or forced operand size). */
    static List<Operand[]> samples(Form f, Mode mode) {
        List<Operand[]> out = new ArrayList<>();
        for (Sample s : cases(f, mode)) if (s.opt() == Encoder.Options.NONE) out.add(s.ops());
        return out;
    }

    /** Samples for one form: a few operand sizes, vector lengths and register numbers, with the options they need. */
    static List<Sample> cases(Form f, Mode mode) {
        List<Sample> out = new ArrayList<>();
        if (isString(f)) return stringCases(f, mode);
        int[] osz = f.space == Form.LEGACY || f.map == 4 && f.space == Form.EVEX ? new int[] {2, 4, 8} : new int[] {4, 8};
        int[] vls = {16, 32, 64};
        boolean egprOk = mode == Mode.BITS64 && (f.space == Form.EVEX || f.space == Form.LEGACY && f.map <= 1
                && Decoder.rex2AllowedForTest(f.map, f.opcode, f.w == 1));
        int[][] nums = mode == Mode.BITS64 ? (egprOk ? new int[][] {{1, 2, 3, 5}, {9, 10, 11, 13}, {17, 26, 19, 21}}
                : new int[][] {{1, 2, 3, 5}, {9, 10, 11, 13}}) : new int[][] {{1, 2, 3, 5}};
        for (int os : osz) {
            if (f.osz != 0 && os != f.osz) continue;
            if (os == 8 && mode != Mode.BITS64) continue;
            // Default-64 operations have no 32-bit operand size in 64-bit mode.
            if (os == 4 && mode == Mode.BITS64 && (f.d64 || f.f64) && f.space == Form.LEGACY) continue;
            if (os == 2 && mode == Mode.BITS64 && f.f64) continue;
            boolean hasY = false;
            for (Opnd od : f.ops) hasY |= od.width == Opnd.SZ_Y;
            if (os == 2 && hasY) continue;
            for (int vl : vls) {
                int lbit = vl == 16 ? 1 : vl == 32 ? 2 : 4;
                if (f.space == Form.LEGACY && vl != 16) continue;
                if (f.space != Form.LEGACY && (f.lmask & lbit) == 0 && f.lmask != 15) continue;
                if (f.lmask == 15 && vl != 16) continue;
                if (f.space == Form.VEX && vl == 64) continue;
                for (int[] ns : nums) {
                    for (int memForm = 0; memForm < 2; memForm++) {
                        Operand[] ops = build(f, mode, os, vl, ns, memForm == 1);
                        if (ops == null) continue;
                        Encoder.Options opt = Encoder.Options.NONE;
                        // gathers and scatters: a mask other than k0 is required
                        if (f.kReq) opt = opt.withMask(1 + ns[3] % 7, false);
                        // ptr16:16 needs the operand size said, the operand cannot
                        for (Opnd od : f.ops) if (od.src == Opnd.Src.FAR) opt = opt.withOperandSize(os);
                        out.add(new Sample(ops, opt));
                    }
                }
            }
        }
        return out;
    }

    static Operand[] build(Form f, Mode mode, int os, int vl, int[] ns, boolean useMem) {
        Operand[] ops = new Operand[f.ops.length];
        boolean anyRm = false;
        for (int i = 0; i < ops.length; i++) {
            Opnd od = f.ops[i];
            int n = ns[i % ns.length];
            switch (od.src) {
                case IMM -> ops[i] = Operand.imm(0x12);
                case CONST1 -> ops[i] = Operand.imm(1);
                case REL -> ops[i] = Operand.rel(0x10);
                case FAR -> {
                    if (useMem) return null;
                    ops[i] = Assembler.far(0x1234 + n, os == 2 ? 0x5678 : 0x89AB_CDEFL);
                }
                case MOFFS -> ops[i] = new Operand.Mem(0, -1, -1, -1, 1, 0x1234, false, 0, null, false);
                case STR_SI, STR_DI -> { return null; }
                case RM_MEM -> {
                    ops[i] = od.vsib != 0 ? vsibMem(f, od, mode, vl, ns, useMem) : mem(f, od, mode, ns);
                    anyRm = true;
                }
                case RM -> {
                    anyRm = true;
                    boolean m = f.mod == Form.MOD_MEM || (f.mod != Form.MOD_REG && useMem);
                    ops[i] = m ? mem(f, od, mode, ns) : reg(od, os, vl, n, mode, f.space == Form.EVEX);
                }
                case FIXED -> ops[i] = od.kind == Opnd.Kind.SEG ? Operand.reg(RegClass.SEG, od.fixed) : reg(od, os, vl, od.fixed, mode, f.space == Form.EVEX);
                default -> ops[i] = reg(od, os, vl, n, mode, f.space == Form.EVEX);
            }
            if (ops[i] == null) return null;
        }
        if (useMem && !anyRm) return null;
        for (int i = 0; i < ops.length; i++) {
            if (f.ops[i].src == Opnd.Src.RM_MEM && !useMem && f.mod == Form.MOD_ANY) { }
        }
        return ops;
    }

    static Operand mem(Form f, Opnd od, Mode mode, int[] ns) {
        if (od.vsib != 0) return null;
        boolean m64 = mode == Mode.BITS64;
        int base = ns[1] == 4 ? 3 : ns[1];
        int index = ns[2] == 4 ? 6 : ns[2];
        if (!m64) { base &= 7; index &= 7; }
        return new Operand.Mem(0, -1, base, index, 4, 0x40, false, 0, RegClass.gpr(m64 ? 8 : 4), false);
    }

    /**
     * A VSIB operand [base + vindex*scale + disp]: the index vector's number is ns[3], which no register operand
     * of a gather or scatter takes (at most three operands), so destination, index and mask all differ. The
     * second variant has no base and a displacement too large for disp8*N.
     */
    static Operand vsibMem(Form f, Opnd od, Mode mode, int vl, int[] ns, boolean noBase) {
        boolean m64 = mode == Mode.BITS64;
        int index = m64 ? (f.space == Form.EVEX ? ns[3] : ns[3] & 15) : ns[3] & 7;
        int base = noBase ? -1 : m64 ? ns[1] : ns[1] & 7;
        int scale = 1 << ((ns[0] >> 3 & 3) + (noBase ? 1 : 0));
        RegClass ic = RegClass.vec(Opnd.vecBytes(od.vsib, vl));
        return new Operand.Mem(0, -1, base, index, scale, noBase ? 0x12340 : 0x40, false, 0, ic, false);
    }

    static boolean isString(Form f) {
        for (Opnd od : f.ops) if (od.src == Opnd.Src.STR_SI || od.src == Opnd.Src.STR_DI) return true;
        return false;
    }

    /** String instructions: [rSI] and ES:[rDI] at each address size, with and without segment overrides and REP. */
    static List<Sample> stringCases(Form f, Mode mode) {
        List<Sample> out = new ArrayList<>();
        if (f.osz == 8 && mode != Mode.BITS64) return out;
        boolean hasSi = false;
        for (Opnd od : f.ops) hasSi |= od.src == Opnd.Src.STR_SI;
        int[] sizes = mode == Mode.BITS64 ? new int[] {8, 4} : new int[] {4, 2};
        // segment: none, ES (on a lone [rDI] an explicit ES:, which takes no prefix), FS and SS on [rSI]
        int[] segs = hasSi ? new int[] {-1, 0, 4, 2} : new int[] {-1, 0};
        for (int asz : sizes) {
            for (int seg : segs) {
                for (int rep = 0; rep < 3; rep++) {
                    if (rep == 2 && !f.repe) continue;
                    Operand[] ops = new Operand[f.ops.length];
                    for (int i = 0; i < ops.length; i++) {
                        Opnd od = f.ops[i];
                        ops[i] = switch (od.src) {
                            case STR_SI -> new Operand.Mem(od.width, seg, 6, -1, 1, 0, false, asz, null, false);
                            case STR_DI -> new Operand.Mem(od.width, seg == 0 ? 0 : -1, 7, -1, 1, 0, false, asz, null, false);
                            case FIXED -> reg(od, od.width, 16, od.fixed, mode);
                            default -> throw new IllegalStateException(f + ": " + od);
                        };
                    }
                    Encoder.Options opt = rep == 0 ? Encoder.Options.NONE : rep == 1 ? Encoder.Options.NONE.withRep()
                            : Encoder.Options.NONE.withRepne();
                    out.add(new Sample(ops, opt));
                }
            }
        }
        return out;
    }

    static Operand reg(Opnd od, int os, int vl, int n, Mode mode) { return reg(od, os, vl, n, mode, false); }

    static Operand reg(Opnd od, int os, int vl, int n, Mode mode, boolean evex) {
        boolean m64 = mode == Mode.BITS64;
        switch (od.kind) {
            case GPR -> {
                int w = switch (od.width) {
                    case Opnd.SZ_OPSIZE -> os;
                    case Opnd.SZ_Y -> os == 8 ? 8 : 4;
                    case Opnd.SZ_Z -> os == 2 ? 2 : 4;
                    case Opnd.SZ_ADDR -> mode.addressSize();
                    case Opnd.SZ_NATIVE -> mode == Mode.BITS64 ? 8 : 4;
                    default -> od.width;
                };
                if (!m64) n &= 7;
                if (w == 1 && n >= 4 && n < 8) n = 1;
                return Operand.reg(RegClass.gpr(w), n);
            }
            case VEC -> {
                int w = Opnd.vecBytes(od.width, vl);
                return Operand.reg(RegClass.vec(w), m64 ? (evex ? n : n & 15) : n & 7);
            }
            case K -> { return Operand.reg(RegClass.K, od.width == 16 ? n & 6 : n & 7); }
            case TMM -> { return Operand.reg(RegClass.TMM, n & 7); }
            case MMX -> { return Operand.reg(RegClass.MMX, n & 7); }
            case ST -> { return Operand.reg(RegClass.ST, n & 7); }
            case SEG -> { return Operand.reg(RegClass.SEG, 3); }
            case CR -> { return Operand.reg(RegClass.CR, 3); }
            case DR -> { return Operand.reg(RegClass.DR, 3); }
            case BND -> { return Operand.reg(RegClass.BND, n & 3); }
            default -> { return null; }
        }
    }

    static String check(Form f, Mode mode, Operand[] ops) { return check(f, mode, ops, Encoder.Options.NONE); }

    static String check(Form f, Mode mode, Operand[] ops, Encoder.Options opt) {
        byte[] b;
        try {
            b = Encoder.encode(mode, f, opt, ops);
        } catch (IllegalArgumentException e) {
            return "encode: " + e.getMessage();
        }
        Instruction i = Decoder.decode(mode, b);
        if (!i.isValid()) return "decodes invalid (" + i.invalidReason() + ") " + hex(b);
        if (i.length() != b.length) return "length " + i.length() + " != " + b.length + " " + hex(b);
        if (i.mnemonic() != f.mnemonic) return "mnemonic " + i.mnemonic() + " " + hex(b) + " = " + Disassembler.intel(i);
        if (i.operandCount() != ops.length) return "operand count " + hex(b);
        if (i.maskReg() != (opt.mask() & 7)) return "mask k" + i.maskReg() + " " + hex(b);
        if (i.hasRep() != opt.rep() || i.hasRepne() != opt.repne()) return "rep prefix " + hex(b);
        if (opt.opsize() != 0 && i.operandSize() != opt.opsize()) return "operand size " + i.operandSize() + " " + hex(b);
        for (int k = 0; k < ops.length; k++) {
            Operand o = ops[k];
            Opnd.Src src = f.ops[k].src;
            if (src == Opnd.Src.FAR) {
                long v = ((Operand.Imm) o).value();
                if (i.kind(k) != OperandKind.FAR || i.imm() != (v & 0xFFFF_FFFFL) || i.imm2() != v >>> 32) {
                    return "far pointer " + Long.toHexString(i.imm2()) + ":" + Long.toHexString(i.imm()) + " " + hex(b);
                }
                continue;
            }
            if (src == Opnd.Src.STR_SI || src == Opnd.Src.STR_DI) {
                Operand.Mem m = (Operand.Mem) o;
                boolean si = src == Opnd.Src.STR_SI;
                int asz = m.addrSize() != 0 ? m.addrSize() : mode.addressSize();
                if (i.kind(k) != (si ? OperandKind.MEM_SI : OperandKind.MEM_DI) || i.reg(k) != (si ? 6 : 7)
                        || i.size(k) != f.ops[k].width || i.addressSize() != asz) {
                    return "string operand " + k + " decoded as " + Disassembler.intel(i) + " " + hex(b);
                }
                if (si) {
                    Segment want = m.segment() >= 0 ? Segment.of(m.segment()) : null;
                    if (i.segmentOverride() != want || i.segment() != (want != null ? want : Segment.DS)) {
                        return "segment " + i.segmentOverride() + " " + hex(b);
                    }
                }
                continue;
            }
            if (o instanceof Operand.Reg r) {
                if (i.kind(k) != OperandKind.REG || i.regClass(k) != r.cls() || i.reg(k) != r.num()) {
                    return "operand " + k + " " + r + " decoded as " + Disassembler.intel(i) + " " + hex(b);
                }
            } else if (o instanceof Operand.Imm im) {
                if (f.ops[k].src == Opnd.Src.CONST1) continue;
                long got = isSecond(f, k) ? i.imm2() : i.imm();
                if (got != im.value()) return "imm " + got + " " + hex(b);
            } else if (o instanceof Operand.Rel rl) {
                if (i.imm() != rl.disp()) return "rel " + i.imm() + " " + hex(b);
            } else if (o instanceof Operand.Mem m) {
                if (f.ops[k].src == Opnd.Src.MOFFS) {
                    if (i.memDisp() != m.disp()) return "moffs " + hex(b);
                    continue;
                }
                if (i.kind(k) != OperandKind.MEM || i.memBase() != m.base() || i.memIndex() != m.index()
                        || i.memDisp() != m.disp() || (m.index() >= 0 && i.memScale() != m.scale())) {
                    return "memory decoded as " + Disassembler.intel(i) + " " + hex(b);
                }
                if (m.index() >= 0 && m.indexClass() != null && i.memIndexClass() != m.indexClass()) {
                    return "index class " + i.memIndexClass() + " != " + m.indexClass() + " " + hex(b);
                }
            }
        }
        return null;
    }

    static boolean isSecond(Form f, int k) {
        for (int j = 0; j < k; j++) if (f.ops[j].src == Opnd.Src.IMM) return true;
        return false;
    }

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) sb.append(String.format("%02x ", x));
        return sb.toString().trim();
    }

    @Test
    void wholeTableRoundTrips() {
        int tried = 0, ok = 0, forms = 0, formsCovered = 0, shadowed = 0;
        List<String> failures = new ArrayList<>(), uncovered = new ArrayList<>();
        for (Form f : OpcodeTable.FORMS) {
            forms++;
            boolean any = false;
            for (Mode mode : new Mode[] {Mode.BITS64, Mode.BITS32}) {
                if (mode == Mode.BITS64 && f.i64 || mode == Mode.BITS32 && (f.o64 || f.rex2Only || f.space == Form.LEGACY && f.w == 1)) continue;
                for (Sample smp : cases(f, mode)) {
                    String err = check(f, mode, smp.ops(), smp.opt());
                    if (err != null && (err.startsWith("encode: shadowed") || err.startsWith("encode: not encodable: EGPR not allowed")
                            || err.startsWith("encode: not encodable: PUSH2/POP2") || err.startsWith("encode: not encodable: POP2"))) {
                        // bytes owned by another form, or an architectural restriction the decoder enforces
                        shadowed++;
                        continue;
                    }
                    tried++;
                    if (err == null) { ok++; any = true; }
                    else if (failures.size() < 4000) failures.add(f + " (" + mode + "): " + err);
                }
            }
            if (any) formsCovered++;
            else uncovered.add(f.toString());
        }
        System.out.printf("round trip: %d/%d encodings over %d/%d forms (%d samples skipped: bytes owned by another form or architecturally undefined)%n",
                ok, tried, formsCovered, forms, shadowed);
        System.out.println("forms without a round-tripped sample: " + uncovered);
        java.util.Map<String, Integer> kinds = new java.util.TreeMap<>();
        for (String x : failures) kinds.merge(x.replaceAll(":.*", ""), 1, Integer::sum);
        kinds.forEach((k, v) -> System.out.println("  " + v + " " + k));
        failures.stream().filter(x -> !x.contains("shadowed")).filter(x -> System.getProperty("rt.grep") == null || x.contains(System.getProperty("rt.grep"))).limit(40).forEach(System.out::println);
        assertEquals(tried, ok, failures.size() + " round-trip failures");
        // every form of the table has at least one operand set that round-trips
        assertEquals(forms, formsCovered, "forms without a round-tripped sample: " + uncovered);
    }
}
