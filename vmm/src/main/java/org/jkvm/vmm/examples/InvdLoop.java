package org.jkvm.vmm.examples;

import static org.jkvm.isa.Assembler.imm;
import static org.jkvm.isa.Regs.*;

import java.io.IOException;

import org.jkvm.isa.Assembler;
import org.jkvm.isa.Assembler.Cond;
import org.jkvm.isa.Label;
import org.jkvm.isa.Mnemonic;
import org.jkvm.isa.Mode;

/**
 * Builds examples/invd-loop.elf: the fastpath benchmark guest (Sean Christopherson's INVD loop). A 64-bit guest
 * (run with {@code jkvm run --entry64 --stats}) that turns on CR4.OSXSAVE and sets XCR0 = x87|SSE|AVX, so that its XCR0 differs from the
 * host's and the per-entry placement really switches it on every exit, then executes INVD {@link #ITERATIONS}
 * times (every one a VM exit that KVM handles in the fastpath) and ends through isa-debug-exit with status 1.
 *
 * <p>Usage: {@code java -cp jkvm.jar org.jkvm.vmm.examples.InvdLoop OUTPUT.elf}. Byte-for-byte reproducible.
 */
public final class InvdLoop {
    static final long BASE = 0x100000;
    public static final long ITERATIONS = 10_000_000;

    private InvdLoop() {}

    public static void main(String[] args) throws IOException {
        ImageWriter.main("InvdLoop", args, InvdLoop::build);
    }

    /** The ELF64 image. */
    public static byte[] build() {
        Assembler a = new Assembler(Mode.BITS64, BASE);
        a.mov(RAX, CR4).or(RAX, imm(1L << 18)).mov(CR4, RAX); // CR4.OSXSAVE
        a.xor(ECX, ECX).xor(EDX, EDX).mov(EAX, 7).emit(Mnemonic.XSETBV); // XCR0 = x87 | SSE | AVX
        a.mov(RCX, ITERATIONS);
        Label loop = a.newLabel("loop");
        a.bind(loop).emit(Mnemonic.INVD).dec(RCX).jcc(Cond.NE, loop);
        a.xor(EAX, EAX).emit(Mnemonic.MOV, DX, imm(0xF4)).emit(Mnemonic.OUT, DX, EAX).emit(Mnemonic.HLT);
        byte[] code = a.bytes();
        return Elf64Image.build(BASE, code, code.length, BASE);
    }
}
