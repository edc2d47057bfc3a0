package org.jkvm.kvm.guest;

import static org.jkvm.isa.Assembler.byte_;
import static org.jkvm.isa.Assembler.dword;
import static org.jkvm.isa.Assembler.imm;
import static org.jkvm.isa.Assembler.mem;
import static org.jkvm.isa.Assembler.qword;
import static org.jkvm.isa.Regs.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;

import org.jkvm.isa.Decoder;
import org.jkvm.isa.Disassembler;
import org.jkvm.isa.Instruction;
import org.jkvm.isa.Label;
import org.jkvm.isa.Mode;
import org.junit.jupiter.api.Test;

/**
 * The guest code the tests run is the code they claim: the facade's instructions, macros and the exception
 * handlers, assembled and read back through the isa module's decoder and disassembler, one instruction each.
 */
class CodeTest {
    static List<String> listing(Code c) {
        byte[] b = c.bytes();
        List<String> out = new ArrayList<>();
        for (int off = 0; off < b.length; ) {
            Instruction i = Decoder.decode(Mode.BITS64, b, off, b.length - off);
            assertTrue(i.isValid(), "invalid instruction at +" + off + " of " + out);
            out.add(Disassembler.intel(i));
            off += i.length();
        }
        return out;
    }

    @Test
    void exceptionHandlers() {
        assertEquals(List.of("add rsp, 8", "mov r14, 13", "inc r15", "mov qword ptr [rsp], rbp", "iretq"),
            listing(LongModeGuest.handler(13, LongModeGuest.HANDLERS + 32 * 13)));
        assertEquals(List.of("mov r14, 7", "inc r15", "mov qword ptr [rsp], rbp", "iretq"),
            listing(LongModeGuest.handler(7, LongModeGuest.HANDLERS + 32 * 7)));
    }

    @Test
    void macros() {
        Code c = new Code(LongModeGuest.CODE);
        c.xsetbvGuarded(0x2_0000_0007L).sync(3).wrmsrImm(0x1C4, 1L << 18);
        // the guard points RBP just behind the 3-byte XSETBV
        assertEquals(List.of("mov ecx, 0", "mov eax, 7", "mov edx, 2", "lea rbp, [rip + 3]", "xsetbv", "mov eax, 3",
            "out 224, al", "mov ecx, 452", "mov eax, 262144", "mov edx, 0", "wrmsr"), listing(c));
    }

    @Test
    void branchesGoToTheirLabels() {
        Code c = new Code(LongModeGuest.CODE);
        long top = c.here();
        Label skip = c.label();
        c.test(byte_(RSI, 0x100), 2).jz(skip).nop().bind(skip);
        Label loop = c.mark();
        c.invd().dec(RCX).jnz(loop).jmp(top);
        List<String> l = listing(c);
        // jz over the 1-byte NOP; jnz back over DEC (3) + INVD (2) + itself (2); jmp back to the start
        assertEquals(List.of("test byte ptr [rsi + 256], 2", "je 1", "nop", "invd", "dec rcx", "jne -7", "jmp -23"), l);
        assertEquals(LongModeGuest.CODE + 14, c.address(loop));
        assertThrows(IllegalArgumentException.class, () -> c.jnz(LongModeGuest.CODE + 1), "not a here() address");
    }

    /** The register-number forms, as the INVD benchmark's guest uses them: XCR0 = 7, a sync, then INVD; DEC; JNZ back. */
    @Test
    void registerNumberFormsBuildTheInvdLoop() {
        Code c = new Code(LongModeGuest.CODE);
        c.zero(1).movImm32(0, 7).zero(2).xsetbv().outAl(0x80).movImm(1, 20_000_000);
        long loop = c.here();
        c.invd().dec(1).jnz(loop).outAl(0x81);
        assertEquals(List.of("xor ecx, ecx", "mov eax, 7", "xor edx, edx", "xsetbv", "out 128, al", "mov rcx, 20000000",
            "invd", "dec rcx", "jne -7", "out 129, al"), listing(c));
    }

    @Test
    void apxAmxAndSystemInstructions() {
        Code c = new Code(LongModeGuest.CODE);
        c.mov(R16, 0xabcd).mov(R31, 0x1234_5678_9ABCL).mov(RAX, R17).mov(R20, qword(RSI, 0x80)).mov(Code.qwordAt(0x100000), RAX);
        c.mov(RDI, 0x101000).ldtilecfg(mem(RDI, 0)).tileloadd(tmm(3), mem(RAX, RCX, 1, 0)).tilestored(mem(RSI, RCX, 1, 0), tmm(0));
        c.zero(R15).mov(RAX, CR0).or(RAX, 0xC00).shl(RDX, 32).shr(RDX, 32).mov(dword(RBX, 0x300), imm(0x4051));
        c.wrpkru().rdpkru().xgetbv().cpuid().rdtsc().sti().cli().hlt().repOutsb().repInsb();
        assertEquals(List.of("mov r16, 43981", "movabs r31, 20015998343868", "mov rax, r17", "mov r20, qword ptr [rsi + 128]",
            "mov qword ptr [1048576], rax", "mov rdi, 1052672", "ldtilecfg [rdi]", "tileloadd tmm3, [rax + rcx]",
            "tilestored [rsi + rcx], tmm0", "xor r15d, r15d", "mov rax, cr0", "or rax, 3072", "shl rdx, 32", "shr rdx, 32",
            "mov dword ptr [rbx + 768], 16465", "wrpkru", "rdpkru", "xgetbv", "cpuid", "rdtsc", "sti", "cli", "hlt",
            "rep outsb dx, byte ptr [rsi]", "rep insb byte ptr es:[rdi], dx"), listing(c));
    }
}
