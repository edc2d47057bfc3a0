package org.jkvm.isa;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.jkvm.isa.Operand.Imm;
import org.jkvm.isa.Operand.Mem;
import org.jkvm.isa.Operand.Reg;
import org.jkvm.isa.Operand.Rel;

/**
 * A small assembler over the opcode table: {@link #emit} picks the shortest form of a mnemonic whose
 * encoding decodes back to exactly the given operands, so anything the decoder knows (APX, AVX-512, AMX)
 * can be assembled. Labels are bound once; forward branches use rel32 and are patched on {@link #bytes()}.
 *
 * <pre>{@code
 * Assembler a = new Assembler(Mode.BITS64);
 * Label loop = a.newLabel("loop");
 * a.mov(R16, 10).bind(loop).dec(R16).jcc(Cond.NE, loop).push2(R16, R17).xsetbv().hlt();
 * byte[] code = a.bytes();
 * }</pre>
 */
public final class Assembler {
    /** Condition codes in encoding order. */
    public enum Cond { O, NO, B, AE, E, NE, BE, A, S, NS, P, NP, L, GE, LE, G }

    private static final Map<Mnemonic, List<Form>> BY_MNEMONIC = new EnumMap<>(Mnemonic.class);

    static {
        for (Form f : OpcodeTable.FORMS) BY_MNEMONIC.computeIfAbsent(f.mnemonic, k -> new ArrayList<>()).add(f);
    }

    private final Mode mode;
    private final long origin;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final List<Fixup> fixups = new ArrayList<>();
    private final List<Label> labels = new ArrayList<>();

    private record Fixup(int at, int size, int end, Label target) {}

    public Assembler(Mode mode) { this(mode, 0); }

    /** {@code origin} is the address of the first byte (for {@link #address(Label)}). */
    public Assembler(Mode mode, long origin) {
        this.mode = mode;
        this.origin = origin;
    }

    public Mode mode() { return mode; }

    /** Current offset. */
    public int offset() { return out.size(); }

    public Label newLabel(String name) {
        Label l = new Label(name);
        labels.add(l);
        return l;
    }

    /** Binds a label at the current offset. */
    public Assembler bind(Label l) {
        if (l.isBound()) throw new IllegalStateException("label " + l.name + " bound twice");
        l.offset = out.size();
        return this;
    }

    /** A new label bound here. */
    public Label here(String name) {
        Label l = newLabel(name);
        bind(l);
        return l;
    }

    public long address(Label l) { return origin + l.offset(); }

    /** The code, with all label references resolved. */
    public byte[] bytes() {
        byte[] b = out.toByteArray();
        for (Fixup f : fixups) {
            long d = (long) f.target.offset() - f.end;
            if (f.size == 1 && (d < -128 || d > 127)) throw new IllegalStateException("short branch out of range to " + f.target);
            for (int i = 0; i < f.size; i++) b[f.at + i] = (byte) (d >>> (8 * i));
        }
        return b;
    }

    /** Emits raw bytes. */
    public Assembler db(int... bytes) {
        for (int x : bytes) out.write(x);
        return this;
    }

    public Assembler dw(int v) { return le(v, 2); }

    public Assembler dd(int v) { return le(v, 4); }

    public Assembler dq(long v) { return le(v, 8); }

    public Assembler bytes(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    /** Pads with NOP (0x90) or zero bytes to a multiple of {@code n}. */
    public Assembler align(int n, boolean nops) {
        while (out.size() % n != 0) out.write(nops ? 0x90 : 0);
        return this;
    }

    private Assembler le(long v, int n) {
        for (int i = 0; i < n; i++) out.write((int) (v >>> (8 * i)));
        return this;
    }

    // ---- generic ----

    /** Emits the shortest encoding of {@code m} with these operands. */
    public Assembler emit(Mnemonic m, Operand... ops) { return emit(Encoder.Options.NONE, m, ops); }

    public Assembler emit(Encoder.Options opt, Mnemonic m, Operand... ops) {
        for (int i = 0; i < ops.length; i++) {
            if (ops[i] instanceof Operand.LabelRef lr) return emitRipLabel(opt, m, ops, i, lr);
        }
        List<Form> forms = BY_MNEMONIC.get(m);
        if (forms == null) throw new IllegalArgumentException("no forms for " + m);
        byte[] best = null;
        Form bestForm = null;
        int relIndex = -1;
        String why = "no form of " + m + " takes these operands";
        for (Form f : forms) {
            if (f.ops.length != ops.length) continue;
            if (f.i64 && mode == Mode.BITS64 || (f.o64 || f.rex2Only) && mode != Mode.BITS64) continue;
            if (opt.nf() && !(f.space == Form.EVEX && (f.nfOk || f.nf == 1))) continue;
            Operand[] trial = ops.clone();
            int ri = -1;
            boolean skip = false;
            for (int i = 0; i < trial.length; i++) {
                if (trial[i] instanceof Rel r && r.label() != null) {
                    if (f.ops[i].src != Opnd.Src.REL) { skip = true; break; }
                    ri = i;
                    long d = r.label().isBound() ? r.label().offset - out.size() : Long.MIN_VALUE;
                    if (d == Long.MIN_VALUE && f.ops[i].width == 1) { skip = true; break; }
                    // Displacement from the end: the length is not known yet; assume 2/6 and check below.
                    trial[i] = Operand.rel(0);
                }
            }
            if (skip) continue;
            byte[] enc;
            try {
                enc = Encoder.encode(mode, f, opt, trial);
            } catch (IllegalArgumentException e) {
                why = e.getMessage();
                continue;
            }
            if (ri >= 0) {
                Label l = ((Rel) ops[ri]).label();
                if (l.isBound()) {
                    long d = l.offset - (out.size() + enc.length);
                    int sz = f.ops[ri].width == 1 ? 1 : 4;
                    if (sz == 1 && (d < -128 || d > 127)) continue;
                    trial[ri] = Operand.rel(d);
                    enc = Encoder.encode(mode, f, opt, trial);
                }
            } else if (!matches(f, enc, ops) || opt.opsize() != 0 && Decoder.decode(mode, enc).operandSize() != opt.opsize()) {
                continue;
            }
            if (best == null || enc.length < best.length) {
                best = enc;
                bestForm = f;
                relIndex = ri;
            }
        }
        if (best == null) throw new IllegalArgumentException(m + " " + java.util.Arrays.toString(ops) + ": " + why);
        int start = out.size();
        out.writeBytes(best);
        if (relIndex >= 0) {
            Label l = ((Rel) ops[relIndex]).label();
            if (!l.isBound()) {
                int size = bestForm.ops[relIndex].width == 1 ? 1 : 4;
                int immAfter = 0;
                for (int i = relIndex + 1; i < bestForm.ops.length; i++) {
                    if (bestForm.ops[i].src == Opnd.Src.IMM) immAfter += 1;
                }
                int end = start + best.length;
                fixups.add(new Fixup(end - size - immAfter, size, end, l));
            }
        }
        return this;
    }

    /** [rip + label]: assembled with two trial displacements to locate the disp32 field, then patched. */
    private Assembler emitRipLabel(Encoder.Options opt, Mnemonic m, Operand[] ops, int at, Operand.LabelRef lr) {
        if (mode != Mode.BITS64) throw new IllegalArgumentException("RIP-relative addressing needs 64-bit mode");
        Operand[] a = ops.clone(), b = ops.clone();
        a[at] = Operand.rip(lr.size(), 0x11223344);
        b[at] = Operand.rip(lr.size(), 0x55667788);
        byte[] first = new Assembler(mode).emit(opt, m, a).out.toByteArray();
        byte[] second = new Assembler(mode).emit(opt, m, b).out.toByteArray();
        if (first.length != second.length) throw new IllegalStateException("RIP-relative encoding is not stable");
        int field = -1;
        for (int k = 0; k + 4 <= first.length && field < 0; k++) {
            if ((first[k] & 0xFF) == 0x44 && (first[k + 3] & 0xFF) == 0x11 && (second[k] & 0xFF) == 0x88
                    && (second[k + 3] & 0xFF) == 0x55) {
                field = k;
            }
        }
        if (field < 0) throw new IllegalStateException("displacement field not found");
        int start = out.size();
        out.writeBytes(first);
        fixups.add(new Fixup(start + field, 4, start + first.length, lr.label()));
        return this;
    }

    /** [rip + label] of {@code size} bytes (0: unsized, e.g. for LEA). */
    public static Operand.LabelRef rip(Label l, int size) { return new Operand.LabelRef(size, l); }

    /** Whether the bytes decode to the given operands (immediates compared at their operand width). */
    private boolean matches(Form f, byte[] enc, Operand[] ops) {
        Instruction i = Decoder.decode(mode, enc);
        if (!i.isValid() || i.mnemonic() != f.mnemonic) return false;
        for (int k = 0; k < ops.length; k++) {
            Opnd.Src src = f.ops[k].src;
            if ((src == Opnd.Src.STR_SI || src == Opnd.Src.STR_DI) && !stringOperand((Mem) ops[k], src == Opnd.Src.STR_SI)) {
                return false;
            }
            if (src == Opnd.Src.FAR && ((Imm) ops[k]).value() != ((i.imm2() & 0xFFFF) << 32 | i.imm())) return false;
            if (ops[k] instanceof Mem m && m.size() > 0 && i.kind(k) == OperandKind.MEM && i.size(k) != 0 && i.size(k) != m.size()) {
                return false;
            }
            if (ops[k] instanceof Reg r && i.kind(k) == OperandKind.REG && (i.regClass(k) != r.cls() || i.reg(k) != r.num())) {
                return false;
            }
            if (ops[k] instanceof Imm im && f.ops[k].src == Opnd.Src.IMM) {
                boolean second = false;
                for (int j = 0; j < k; j++) second |= f.ops[j].src == Opnd.Src.IMM;
                long got = second ? i.imm2() : i.imm();
                int w = Math.max(i.size(k), 1);
                // A sign-extended imm8 of a byte operation (Eb,Ibs) extends to nothing: 0x80 and -128 are the same
                // byte, whatever width the decoder reports for the immediate.
                if (f.ops[k].signExt && k > 0 && i.size(0) == 1) w = 1;
                long mask = w >= 8 ? -1L : (1L << (8 * w)) - 1;
                if (((got ^ im.value()) & mask) != 0) return false;
                // An immediate that only fits when sign-extended must be given as such.
                if (w < 8 && f.ops[k].signExt && got != im.value() && (im.value() & ~mask) != 0) return false;
                if (!f.ops[k].signExt && (im.value() & ~mask) != 0 && im.value() >= 0) return false;
            }
        }
        return true;
    }

    /**
     * A string instruction's memory operand is implied by the opcode: [rSI] (any segment) or ES:[rDI]. The encoder
     * takes any Mem there, so reject one the instruction would not access rather than emit something else.
     */
    private static boolean stringOperand(Mem m, boolean si) {
        if (m.rip() || m.index() >= 0 || m.disp() != 0 || m.base() != (si ? 6 : 7)) return false;
        return si || m.segment() < 0 || m.segment() == 0;
    }

    // ---- operand helpers ----

    public static Imm imm(long v) { return new Imm(v); }

    /** A far pointer selector:offset (the Ap operand of LJMP/LCALL), as one immediate: selector << 32 | offset. */
    public static Imm far(int selector, long offset) {
        if ((selector & ~0xFFFF) != 0 || (offset & ~0xFFFF_FFFFL) != 0) {
            throw new IllegalArgumentException("far pointer " + Integer.toHexString(selector) + ":" + Long.toHexString(offset));
        }
        return new Imm((long) selector << 32 | offset);
    }

    public static Rel to(Label l) { return new Rel(0, l); }

    public static Mem ptr(int size, Reg base, Reg index, int scale, long disp) { return Operand.mem(size, base, index, scale, disp); }

    public static Mem ptr(int size, Reg base, long disp) { return Operand.mem(size, base, null, 1, disp); }

    public static Mem byte_(Reg base, long disp) { return ptr(1, base, disp); }

    public static Mem word(Reg base, long disp) { return ptr(2, base, disp); }

    public static Mem dword(Reg base, long disp) { return ptr(4, base, disp); }

    public static Mem qword(Reg base, long disp) { return ptr(8, base, disp); }

    /** An unsized memory operand (FXSAVE, LDTILECFG, LEA ...). */
    public static Mem mem(Reg base, long disp) { return ptr(0, base, disp); }

    public static Mem mem(Reg base, Reg index, int scale, long disp) { return ptr(0, base, index, scale, disp); }

    // ---- common instructions ----

    public Assembler mov(Operand dst, Operand src) { return emit(Mnemonic.MOV, dst, src); }

    public Assembler mov(Reg dst, long imm) {
        try {
            return emit(Mnemonic.MOV, dst, imm(imm));
        } catch (IllegalArgumentException e) {
            return emit(Mnemonic.MOVABS, dst, imm(imm));
        }
    }

    public Assembler add(Operand dst, Operand src) { return emit(Mnemonic.ADD, dst, src); }

    public Assembler add(Operand dst, long imm) { return emit(Mnemonic.ADD, dst, imm(imm)); }

    public Assembler sub(Operand dst, Operand src) { return emit(Mnemonic.SUB, dst, src); }

    public Assembler sub(Operand dst, long imm) { return emit(Mnemonic.SUB, dst, imm(imm)); }

    public Assembler and(Operand dst, Operand src) { return emit(Mnemonic.AND, dst, src); }

    public Assembler or(Operand dst, Operand src) { return emit(Mnemonic.OR, dst, src); }

    public Assembler xor(Operand dst, Operand src) { return emit(Mnemonic.XOR, dst, src); }

    public Assembler cmp(Operand a, Operand b) { return emit(Mnemonic.CMP, a, b); }

    public Assembler cmp(Operand a, long imm) { return emit(Mnemonic.CMP, a, imm(imm)); }

    public Assembler test(Operand a, Operand b) { return emit(Mnemonic.TEST, a, b); }

    public Assembler inc(Operand a) { return emit(Mnemonic.INC, a); }

    public Assembler dec(Operand a) { return emit(Mnemonic.DEC, a); }

    public Assembler lea(Reg dst, Mem m) { return emit(Mnemonic.LEA, dst, m); }

    public Assembler push(Operand a) { return emit(Mnemonic.PUSH, a); }

    public Assembler pop(Operand a) { return emit(Mnemonic.POP, a); }

    /** APX PUSHP/POPP (REX2.W hint). */
    public Assembler pushp(Reg r) { return emit(Mnemonic.PUSHP, r); }

    public Assembler popp(Reg r) { return emit(Mnemonic.POPP, r); }

    /** APX PUSH2: [RSP-8] = a, [RSP-16] = b. */
    public Assembler push2(Reg a, Reg b) { return emit(Mnemonic.PUSH2, a, b); }

    public Assembler pop2(Reg a, Reg b) { return emit(Mnemonic.POP2, a, b); }

    public Assembler push2p(Reg a, Reg b) { return emit(Mnemonic.PUSH2P, a, b); }

    public Assembler pop2p(Reg a, Reg b) { return emit(Mnemonic.POP2P, a, b); }

    /** APX JMPABS imm64. */
    public Assembler jmpabs(long target) { return emit(Mnemonic.JMPABS, imm(target)); }

    public Assembler jmp(Label l) { return emit(Mnemonic.JMP, to(l)); }

    public Assembler jmp(Operand target) { return emit(Mnemonic.JMP, target); }

    /**
     * JMP ptr16:16 or ptr16:32 (EA; not in 64-bit mode) with {@code opsize} 2 or 4 bytes of offset, e.g. the
     * 32-bit far jump into protected mode from 16-bit code ({@code 66 EA}).
     */
    public Assembler ljmp(int opsize, int selector, long offset) {
        return emit(Encoder.Options.NONE.withOperandSize(opsize), Mnemonic.LJMP, far(selector, offset));
    }

    /** CALL ptr16:16 or ptr16:32 (9A; not in 64-bit mode). */
    public Assembler lcall(int opsize, int selector, long offset) {
        return emit(Encoder.Options.NONE.withOperandSize(opsize), Mnemonic.LCALL, far(selector, offset));
    }

    /** PUSH imm of {@code opsize} bytes, e.g. 2 for PUSH imm16 (66 68 iw) in 32- or 64-bit mode. */
    public Assembler push(int opsize, long imm) {
        return emit(Encoder.Options.NONE.withOperandSize(opsize), Mnemonic.PUSH, imm(imm));
    }

    public Assembler call(Label l) { return emit(Mnemonic.CALL, to(l)); }

    public Assembler call(Operand target) { return emit(Mnemonic.CALL, target); }

    public Assembler jcc(Cond c, Label l) { return emit(Mnemonic.valueOf("J" + c.name()), to(l)); }

    /** A string instruction with a REP prefix, e.g. {@code rep(OUTSB, DX, byte_(RSI, 0))}. */
    public Assembler rep(Mnemonic m, Operand... ops) { return emit(Encoder.Options.NONE.withRep(), m, ops); }

    public Assembler ret() { return emit(Mnemonic.RET); }

    public Assembler nop() { return emit(Mnemonic.NOP); }

    public Assembler hlt() { return emit(Mnemonic.HLT); }

    public Assembler int3() { return emit(Mnemonic.INT3); }

    public Assembler cpuid() { return emit(Mnemonic.CPUID); }

    public Assembler rdmsr() { return emit(Mnemonic.RDMSR); }

    public Assembler wrmsr() { return emit(Mnemonic.WRMSR); }

    public Assembler xgetbv() { return emit(Mnemonic.XGETBV); }

    public Assembler xsetbv() { return emit(Mnemonic.XSETBV); }

    public Assembler xsave(Mem m) { return emit(mode == Mode.BITS64 ? Mnemonic.XSAVE64 : Mnemonic.XSAVE, m); }

    public Assembler xrstor(Mem m) { return emit(mode == Mode.BITS64 ? Mnemonic.XRSTOR64 : Mnemonic.XRSTOR, m); }

    public Assembler xsavec(Mem m) { return emit(mode == Mode.BITS64 ? Mnemonic.XSAVEC64 : Mnemonic.XSAVEC, m); }

    public Assembler xsaves(Mem m) { return emit(mode == Mode.BITS64 ? Mnemonic.XSAVES64 : Mnemonic.XSAVES, m); }

    public Assembler xrstors(Mem m) { return emit(mode == Mode.BITS64 ? Mnemonic.XRSTORS64 : Mnemonic.XRSTORS, m); }

    public Assembler out(Operand port, Reg src) { return emit(Mnemonic.OUT, port, src); }

    public Assembler in(Reg dst, Operand port) { return emit(Mnemonic.IN, dst, port); }

    public Assembler ldtilecfg(Mem m) { return emit(Mnemonic.LDTILECFG, m); }

    public Assembler sttilecfg(Mem m) { return emit(Mnemonic.STTILECFG, m); }

    public Assembler tileloadd(Reg t, Mem m) { return emit(Mnemonic.TILELOADD, t, m); }

    public Assembler tilestored(Mem m, Reg t) { return emit(Mnemonic.TILESTORED, m, t); }

    public Assembler tilezero(Reg t) { return emit(Mnemonic.TILEZERO, t); }

    public Assembler tilerelease() { return emit(Mnemonic.TILERELEASE); }

    /** TDPBSSD dst += a . b (dst = ModRM.reg, a = ModRM.rm, b = vvvv). */
    public Assembler tdpbssd(Reg dst, Reg a, Reg b) { return emit(Mnemonic.TDPBSSD, dst, a, b); }
}
