package org.jkvm.kvm.guest;

import static org.jkvm.isa.Assembler.imm;
import static org.jkvm.isa.Regs.*;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

import org.jkvm.isa.Assembler;
import org.jkvm.isa.Label;
import org.jkvm.isa.Mnemonic;
import org.jkvm.isa.Mode;
import org.jkvm.isa.Operand;
import org.jkvm.isa.Operand.Mem;
import org.jkvm.isa.Operand.Reg;

/**
 * Guest machine code for the tests, assembled by the isa module's {@link Assembler} (the encoding of every
 * instruction comes from the opcode table, never from this class). Each instruction method emits exactly one
 * instruction; the few methods that emit more are the selftest library's macros and say so (GUEST_SYNC, a guarded
 * instruction, WRMSR of a constant). Branches go to labels; {@link #here()} addresses are labels too.
 */
public final class Code {
    public final long base;
    private final Assembler a;
    /** Labels bound by {@link #here()}, by offset, so that a branch to a here() address is a branch to a label. */
    private final Map<Integer, Label> marks = new HashMap<>();

    public Code(long base) {
        this.base = base;
        this.a = new Assembler(Mode.BITS64, base);
    }

    /** The assembler, for an instruction this facade does not name. */
    public Assembler asm() { return a; }

    /** The code, labels resolved. */
    public byte[] bytes() { return a.bytes(); }

    // ---- labels ----

    /** The address of the next instruction (a label is bound there, for {@link #jnz(long)} and {@link #jmp(long)}). */
    public long here() {
        mark();
        return base + a.offset();
    }

    /** A label bound at the next instruction. */
    public Label mark() { return marks.computeIfAbsent(a.offset(), o -> a.here("L" + o)); }

    /** A label to bind later with {@link #bind}. */
    public Label label() { return a.newLabel("L"); }

    public Code bind(Label l) {
        a.bind(l);
        return this;
    }

    public long address(Label l) { return a.address(l); }

    private Label at(long address) {
        Label l = marks.get((int) (address - base));
        if (l == null) throw new IllegalArgumentException("0x" + Long.toHexString(address) + " is not a here() address");
        return l;
    }

    // ---- operands ----

    /** qword [addr]: an absolute address (ModRM/SIB with neither base nor index). */
    public static Mem qwordAt(long addr) { return Assembler.ptr(8, null, null, 1, addr); }

    // ---- data movement and arithmetic ----

    public Code mov(Operand dst, Operand src) { return ok(a.mov(dst, src)); }

    /** MOV r, imm: the sign-extended imm32 form when the value allows it, else MOVABS (r32: zero-extending). */
    public Code mov(Reg dst, long imm) { return ok(a.mov(dst, imm)); }

    public Code lea(Reg dst, Mem m) { return ok(a.lea(dst, m)); }

    /** LEA r, [RIP + label]. */
    public Code lea(Reg dst, Label l) { return ok(a.emit(Mnemonic.LEA, dst, Assembler.rip(l, 0))); }

    public Code add(Operand dst, long imm) { return ok(a.add(dst, imm)); }

    public Code or(Operand dst, Operand src) { return ok(a.or(dst, src)); }

    public Code or(Operand dst, long imm) { return ok(a.or(dst, imm(imm))); }

    public Code shl(Operand dst, int count) { return ok(a.emit(Mnemonic.SHL, dst, imm(count))); }

    public Code shr(Operand dst, int count) { return ok(a.emit(Mnemonic.SHR, dst, imm(count))); }

    public Code test(Operand x, long imm) { return ok(a.test(x, imm(imm))); }

    public Code inc(Operand x) { return ok(a.inc(x)); }

    public Code dec(Operand x) { return ok(a.dec(x)); }

    /** XOR r32, r32 of the register's number (clears all 64 bits). */
    public Code zero(Reg r) { return ok(a.xor(r32(r.num()), r32(r.num()))); }

    // ---- branches ----

    public Code jmp(Label l) { return ok(a.jmp(l)); }

    public Code jnz(Label l) { return ok(a.jcc(Assembler.Cond.NE, l)); }

    public Code jz(Label l) { return ok(a.jcc(Assembler.Cond.E, l)); }

    /** JMP to an address {@link #here()} returned. */
    public Code jmp(long target) { return jmp(at(target)); }

    /** JNZ to an address {@link #here()} returned. */
    public Code jnz(long target) { return jnz(at(target)); }

    public Code iretq() { return ok(a.emit(Mnemonic.IRETQ)); }

    // ---- port I/O ----

    /** OUT imm8, AL. */
    public Code outAl(int port) { return ok(a.out(imm(port), AL)); }

    /** OUT DX, EAX. */
    public Code outDxEax() { return ok(a.out(DX, EAX)); }

    /** IN AL, imm8. */
    public Code inAl(int port) { return ok(a.in(AL, imm(port))); }

    /** REP OUTSB: RCX bytes from [RSI] to port DX. */
    public Code repOutsb() { return ok(a.rep(Mnemonic.OUTSB, DX, Assembler.byte_(RSI, 0))); }

    /** REP INSB: RCX bytes from port DX to ES:[RDI]. */
    public Code repInsb() { return ok(a.rep(Mnemonic.INSB, Assembler.byte_(RDI, 0), DX)); }

    // ---- system ----

    public Code invd() { return ok(a.emit(Mnemonic.INVD)); }

    public Code hlt() { return ok(a.hlt()); }

    public Code sti() { return ok(a.emit(Mnemonic.STI)); }

    public Code cli() { return ok(a.emit(Mnemonic.CLI)); }

    public Code nop() { return ok(a.nop()); }

    public Code cpuid() { return ok(a.cpuid()); }

    public Code rdtsc() { return ok(a.emit(Mnemonic.RDTSC)); }

    public Code wrmsr() { return ok(a.wrmsr()); }

    public Code rdmsr() { return ok(a.rdmsr()); }

    public Code xsetbv() { return ok(a.xsetbv()); }

    public Code xgetbv() { return ok(a.xgetbv()); }

    public Code wrpkru() { return ok(a.emit(Mnemonic.WRPKRU)); }

    public Code rdpkru() { return ok(a.emit(Mnemonic.RDPKRU)); }

    // ---- x87, SSE, AVX, AVX-512 ----

    /** FLD m64fp. */
    public Code fld(Mem m) { return ok(a.emit(Mnemonic.FLD, m)); }

    /** MOVDQU xmm, m128. */
    public Code movdqu(Reg x, Mem m) { return ok(a.emit(Mnemonic.MOVDQU, x, m)); }

    /** VMOVDQU xmm/ymm, m (VEX). */
    public Code vmovdqu(Reg x, Mem m) { return ok(a.emit(Mnemonic.VMOVDQU, x, m)); }

    /** VMOVDQU64 xmm/ymm/zmm 0-31, m (EVEX). */
    public Code vmovdqu64(Reg x, Mem m) { return ok(a.emit(Mnemonic.VMOVDQU64, x, m)); }

    /** KMOVQ k, m64. */
    public Code kmovq(Reg k, Mem m) { return ok(a.emit(Mnemonic.KMOVQ, k, m)); }

    public Code xsavec(Mem m) { return ok(a.xsavec(m)); }

    // ---- AMX ----

    public Code ldtilecfg(Mem m) { return ok(a.ldtilecfg(m)); }

    /** TILELOADD tmm, [base + stride]. */
    public Code tileloadd(Reg t, Mem m) { return ok(a.tileloadd(t, m)); }

    public Code tilestored(Mem m, Reg t) { return ok(a.tilestored(m, t)); }

    public Code tilerelease() { return ok(a.tilerelease()); }

    // ---- the selftest library's macros (several instructions each) ----

    /** GUEST_SYNC(n): MOV EAX, n; OUT {@link LongModeGuest#SYNC_PORT}, AL. */
    public Code sync(int n) { return mov(EAX, n).outAl(LongModeGuest.SYNC_PORT); }

    /**
     * {@code insn} under the exception handlers of {@link LongModeGuest#installIdt}: LEA RBP, [RIP + after]; insn;
     * after: so a fault in it resumes right behind it with R14 = vector and R15 incremented.
     */
    public Code guarded(Consumer<Code> insn) {
        Label after = label();
        lea(RBP, after);
        insn.accept(this);
        return bind(after);
    }

    /** XSETBV with XCR0 = {@code value} (ECX = 0), guarded: a #GP resumes after it with R15 incremented. */
    public Code xsetbvGuarded(long value) {
        mov(ECX, 0).mov(EAX, value & 0xFFFF_FFFFL).mov(EDX, value >>> 32);
        return guarded(Code::xsetbv);
    }

    /** WRMSR of a constant: ECX = msr, EDX:EAX = value (clobbers RAX, RCX, RDX). */
    public Code wrmsrImm(int msr, long value) {
        return mov(ECX, msr & 0xFFFF_FFFFL).mov(EAX, value & 0xFFFF_FFFFL).mov(EDX, value >>> 32).wrmsr();
    }

    // ---- register-number forms (kept for the INVD benchmark's guest) ----

    /** MOV r64, imm (register number 0-31). */
    public Code movImm(int r, long v) { return mov(r64(r), v); }

    /** MOV r32, imm32 (register number 0-15; zero-extends). */
    public Code movImm32(int r, long v) { return mov(r32(r), v); }

    /** XOR r32, r32 (register number). */
    public Code zero(int r) { return zero(r64(r)); }

    /** DEC r64 (register number). */
    public Code dec(int r) { return dec(r64(r)); }

    private Code ok(Assembler emitted) { return this; }
}
