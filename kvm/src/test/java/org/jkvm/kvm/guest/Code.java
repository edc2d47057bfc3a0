package org.jkvm.kvm.guest;

import java.io.ByteArrayOutputStream;

/**
 * Guest machine code for the tests, written as named instructions. Raw encodings (SDM vol. 2 and the isa
 * spec's REX2 table) until the isa module's assembler exposes a mnemonic-level API; each method names exactly
 * one instruction.
 */
public final class Code {
    private final ByteArrayOutputStream b = new ByteArrayOutputStream();
    public final long base;

    public Code(long base) { this.base = base; }

    public long here() { return base + b.size(); }

    public byte[] bytes() { return b.toByteArray(); }

    private Code emit(int... bytes) {
        for (int x : bytes) b.write(x);
        return this;
    }

    private Code imm32(long v) {
        for (int i = 0; i < 4; i++) b.write((int) (v >>> (8 * i)));
        return this;
    }

    private Code imm64(long v) {
        for (int i = 0; i < 8; i++) b.write((int) (v >>> (8 * i)));
        return this;
    }

    /**
     * r = imm64 for r = 0..31. A sign-extended imm32 uses MOV r/m64, imm32 (C7 /0); a full 64-bit value is loaded
     * RIP-relative from an inline constant jumped over (MOV r64, [RIP+2]; JMP +8; dq imm), which only needs the
     * plainest instructions.
     */
    public Code movImm(int r, long v) {
        if (v == (int) v) {
            if (r >= 16) emit(0xD5, 0x18 | ((r >> 3) & 1));
            else emit(0x48 | ((r >> 3) & 1));
            return emit(0xC7, 0xC0 | (r & 7)).imm32(v);
        }
        if (r >= 16) emit(0xD5, 0x48 | ((r >> 3) & 1) << 2);
        else emit(0x48 | ((r >> 3) & 1) << 2);
        emit(0x8B, 0x05 | (r & 7) << 3).imm32(2);
        return emit(0xEB, 0x08).imm64(v);
    }

    /** MOV dst, src (64-bit, any of R0-R31). */
    public Code mov(int dst, int src) {
        if (dst >= 16 || src >= 16) {
            int p = 0x08 | ((src >> 4) & 1) << 6 | ((dst >> 4) & 1) << 4 | ((src >> 3) & 1) << 2 | ((dst >> 3) & 1);
            return emit(0xD5, p, 0x89, 0xC0 | (src & 7) << 3 | (dst & 7));
        }
        return emit(0x48 | ((src >> 3) & 1) << 2 | ((dst >> 3) & 1), 0x89, 0xC0 | (src & 7) << 3 | (dst & 7));
    }

    /** MOV [RBX + disp32], r64 (R0-R15). */
    public Code storeRbx(int disp, int src) {
        return emit(0x48 | ((src >> 3) & 1) << 2, 0x89, 0x83 | (src & 7) << 3).imm32(disp);
    }

    /** OUT imm8, AL. */
    public Code outAl(int port) { return emit(0xE6, port); }

    /** OUT DX, EAX. */
    public Code outDxEax() { return emit(0xEF); }

    /** IN AL, imm8. */
    public Code inAl(int port) { return emit(0xE4, port); }

    public Code invd() { return emit(0x0F, 0x08); }

    public Code hlt() { return emit(0xF4); }

    public Code sti() { return emit(0xFB); }

    public Code cli() { return emit(0xFA); }

    public Code nop() { return emit(0x90); }

    public Code cpuid() { return emit(0x0F, 0xA2); }

    public Code wrmsr() { return emit(0x0F, 0x30); }

    public Code rdmsr() { return emit(0x0F, 0x32); }

    public Code xsetbv() { return emit(0x0F, 0x01, 0xD1); }

    public Code xgetbv() { return emit(0x0F, 0x01, 0xD0); }

    public Code wrpkru() { return emit(0x0F, 0x01, 0xEF); }

    public Code rdpkru() { return emit(0x0F, 0x01, 0xEE); }

    /** MOV ECX, imm32 etc.: MOV r32, imm32 (zero-extends). */
    public Code movImm32(int r, long v) {
        if (r >= 8) emit(0x41);
        return emit(0xB8 + (r & 7)).imm32(v);
    }

    /** INC r64. */
    public Code inc(int r) { return emit(0x48 | ((r >> 3) & 1), 0xFF, 0xC0 | (r & 7)); }

    /** DEC r64. */
    public Code dec(int r) { return emit(0x48 | ((r >> 3) & 1), 0xFF, 0xC8 | (r & 7)); }

    /** JNZ rel32 to {@code target}. */
    public Code jnz(long target) {
        long rel = target - (here() + 6);
        return emit(0x0F, 0x85).imm32(rel);
    }

    /** JMP rel32 to {@code target}. */
    public Code jmp(long target) {
        long rel = target - (here() + 5);
        return emit(0xE9).imm32(rel);
    }

    /** MOV RAX, CR4 / MOV CR4, RAX. */
    public Code movRaxCr4() { return emit(0x0F, 0x20, 0xE0); }

    public Code movCr4Rax() { return emit(0x0F, 0x22, 0xE0); }

    /** OR RAX, imm32 (sign-extended). */
    public Code orRax(int imm) { return emit(0x48, 0x0D).imm32(imm); }

    /** XOR r32, r32. */
    public Code zero(int r) {
        if (r >= 8) emit(0x45);
        return emit(0x31, 0xC0 | (r & 7) << 3 | (r & 7));
    }

    /**
     * Arms the exception handlers for the next instruction of {@code length} bytes: RBP = the address after it,
     * so a fault there resumes right behind it with R14 = vector and R15 incremented.
     */
    public Code guard(int length) {
        long resume = here() + 7 + length;
        return movImm(5, resume);
    }

    /** MOV [abs32], r64 (R0-R15) through a SIB with no base or index. */
    public Code store(long addr, int src) {
        return emit(0x48 | ((src >> 3) & 1) << 2, 0x89, 0x04 | (src & 7) << 3, 0x25).imm32(addr);
    }

    /** MOV r64, [abs32] (R0-R15). */
    public Code load(int dst, long addr) {
        return emit(0x48 | ((dst >> 3) & 1) << 2, 0x8B, 0x04 | (dst & 7) << 3, 0x25).imm32(addr);
    }

    /** GUEST_SYNC(n): AL = n, OUT to the sync port (clobbers RAX). */
    public Code sync(int n) { return movImm32(0, n).outAl(0xE0); }

    /** XSETBV with XCR0 = {@code value} (ECX = 0), guarded: a #GP resumes after it with R15 incremented. */
    public Code xsetbvGuarded(long value) {
        movImm32(1, 0).movImm32(0, value & 0xFFFF_FFFFL).movImm32(2, value >>> 32);
        return guard(3).xsetbv();
    }

    /** MOV r64, [RSI + disp32] for r = 0..31. */
    public Code loadRsi(int r, int disp) {
        if (r >= 16) emit(0xD5, 0x48 | ((r >> 3) & 1) << 2);
        else emit(0x48 | ((r >> 3) & 1) << 2);
        return emit(0x8B, 0x86 | (r & 7) << 3).imm32(disp);
    }

    /** MOV r32, [RSI + disp32] (zero-extends) for r = 0..15. */
    public Code loadRsi32(int r, int disp) {
        if (r >= 8) emit(0x44);
        return emit(0x8B, 0x86 | (r & 7) << 3).imm32(disp);
    }

    /** TEST byte [RSI + disp32], imm8. */
    public Code testRsi8(int disp, int imm) { return emit(0xF6, 0x86).imm32(disp).emit(imm); }

    /** JZ rel32 skipping the next {@code bytes} bytes. */
    public Code jzSkip(int bytes) { return emit(0x0F, 0x84).imm32(bytes); }

    /** ADD RSI, imm32. */
    public Code addRsi(int imm) { return emit(0x48, 0x81, 0xC6).imm32(imm); }

    /** Appends another block's bytes (position-independent code only). */
    public Code append(Code other) {
        byte[] o = other.bytes();
        b.write(o, 0, o.length);
        return this;
    }

    public Code rdtsc() { return emit(0x0F, 0x31); }

    /** RAX = EDX:EAX (SHL RDX,32; OR RAX,RDX). */
    public Code combineEdxEax() { return emit(0x48, 0xC1, 0xE2, 0x20, 0x48, 0x09, 0xD0); }

    /** EDX:EAX = RAX (MOV RDX,RAX; SHR RDX,32). */
    public Code splitRax() { return mov(2, 0).emit(0x48, 0xC1, 0xEA, 0x20); }

    /** ADD RAX, imm32. */
    public Code addRax(int imm) { return emit(0x48, 0x05).imm32(imm); }

    /** WRMSR of a constant: ECX = msr, EDX:EAX = value (clobbers RAX, RCX, RDX). */
    public Code wrmsrImm(int msr, long value) {
        return movImm32(1, msr & 0xFFFF_FFFFL).movImm32(0, value & 0xFFFF_FFFFL).movImm32(2, value >>> 32).wrmsr();
    }

    /** Raw bytes, for an instruction this class does not name yet. */
    public Code raw(int... bytes) { return emit(bytes); }
}
