package org.jkvm.isa;

import static org.jkvm.isa.Assembler.dword;
import static org.jkvm.isa.Assembler.imm;
import static org.jkvm.isa.Assembler.mem;
import static org.jkvm.isa.Assembler.qword;
import static org.jkvm.isa.Regs.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The assembler emits what the decoder reads back, picks short forms, and resolves labels both ways. */
class AssemblerTest {
    static List<String> listing(Mode mode, byte[] code) {
        List<String> out = new ArrayList<>();
        Decoder d = new Decoder(mode);
        for (int off = 0; off < code.length; ) {
            Instruction i = d.decode(code, off, code.length - off);
            out.add(Disassembler.intel(i));
            off += i.length();
        }
        return out;
    }

    @Test
    void apxAmxAndSystemProgram() {
        Assembler a = new Assembler(Mode.BITS64);
        a.mov(R16, 10).mov(EAX, 0xFFFF_FFFFL).mov(RAX, 0x1_0000_0000L).add(R17, 1000).push2(R16, R17).pop2(R17, R16)
                .pushp(RBX).xsetbv().ldtilecfg(mem(RAX, 0x40)).tileloadd(tmm(1), Assembler.mem(RSI, RDI, 1, 0))
                .tdpbssd(tmm(0), tmm(1), tmm(2)).tilestored(Assembler.mem(RDX, RCX, 4, 8), tmm(0)).tilerelease()
                .emit(Mnemonic.ADD, R18, R16, R17).emit(Encoder.Options.NONE.withNf(), Mnemonic.SUB, RAX, RBX)
                .add(dword(RBX, 8), imm(-1)).mov(qword(R20, 0x100), R21).jmpabs(0x1122334455667788L);
        assertEquals(List.of("mov r16, 10", "mov eax, 4294967295", "movabs rax, 4294967296", "add r17, 1000",
                "push2 r16, r17", "pop2 r17, r16", "pushp rbx", "xsetbv", "ldtilecfg [rax + 64]",
                "tileloadd tmm1, [rsi + rdi]", "tdpbssd tmm0, tmm1, tmm2", "tilestored [rdx + 4*rcx + 8], tmm0",
                "tilerelease", "add r18, r16, r17", "{nf} sub rax, rbx", "add dword ptr [rbx + 8], -1",
                "mov qword ptr [r20 + riz + 256], r21", "jmpabs 1234605616436508552"), listing(Mode.BITS64, a.bytes()));
    }

    @Test
    void indexWithoutBaseKeepsTheIndex() {
        // mov eax, [8*ecx + 0x1000]: moffs (A1) cannot hold an index, so ModRM/SIB with no base (8B 04 CD disp32)
        byte[] b = new Assembler(Mode.BITS32).mov(EAX, Assembler.ptr(4, null, ECX, 8, 0x1000)).bytes();
        assertArrayEquals(new byte[] {(byte) 0x8B, 0x04, (byte) 0xCD, 0x00, 0x10, 0, 0}, b);
        // a plain absolute address still takes the short moffs form
        byte[] a = new Assembler(Mode.BITS32).mov(EAX, Assembler.ptr(4, null, null, 1, 0x1000)).bytes();
        assertArrayEquals(new byte[] {(byte) 0xA1, 0x00, 0x10, 0, 0}, a);
    }

    @Test
    void mov16ImmediateUsesTheShortForm() {
        // "mov r16d, imm32" is REX2 + B8: the 7 bytes of the APX spec's example.
        byte[] b = new Assembler(Mode.BITS64).mov(r32(16), 1).bytes();
        assertArrayEquals(new byte[] {(byte) 0xD5, 0x10, (byte) 0xB8, 1, 0, 0, 0}, b);
    }

    @Test
    void labelsBackwardShortForwardLong() {
        Assembler a = new Assembler(Mode.BITS64, 0x1000);
        Label top = a.here("top");
        Label end = a.newLabel("end");
        a.dec(ECX).jcc(Assembler.Cond.NE, top).jmp(end).nop().nop().bind(end).ret();
        byte[] b = a.bytes();
        List<String> l = listing(Mode.BITS64, b);
        assertEquals(List.of("dec ecx", "jne -4", "jmp 2", "nop", "nop", "ret"), l);
        assertEquals(0x1000 + b.length - 1, a.address(end));
    }

    @Test
    void ripRelativeLabelReferences() {
        Assembler a = new Assembler(Mode.BITS64);
        Label data = a.newLabel("data");
        a.lea(RAX, Assembler.mem(RAX, 0));
        a.emit(Mnemonic.LEA, RSI, Assembler.rip(data, 0)).emit(Mnemonic.MOV, EAX, Assembler.rip(data, 4))
                .emit(Mnemonic.ADD, Assembler.rip(data, 4), imm(7)).hlt().bind(data).dd(0x1234);
        byte[] b = a.bytes();
        List<String> l = listing(Mode.BITS64, java.util.Arrays.copyOf(b, a.offset() - 4));
        // lea rax,[rax] (3) | lea rsi,[rip+d] (7) | mov eax,[rip+d] (6) | add dword [rip+d],7 (7) | hlt (1) | data
        assertEquals(List.of("lea rax, [rax]", "lea rsi, [rip + 14]", "mov eax, dword ptr [rip + 8]",
                "add dword ptr [rip + 1], 7", "hlt"), l);
    }

    @Test
    void byteImmediatesTakeEitherSign() {
        // or byte [rax], 0x80 is 80 /1 80: for a byte operation 0x80 and -128 are the same immediate byte
        byte[] pos = new Assembler(Mode.BITS64).or(Assembler.byte_(RAX, 0), imm(0x80)).bytes();
        byte[] neg = new Assembler(Mode.BITS64).or(Assembler.byte_(RAX, 0), imm(-128)).bytes();
        assertArrayEquals(new byte[] {(byte) 0x80, 0x08, (byte) 0x80}, pos);
        assertArrayEquals(pos, neg);
        Assembler a = new Assembler(Mode.BITS64);
        a.mov(AL, 0xFF).test(Assembler.byte_(RSI, 8), imm(0xC0)).or(EAX, imm(0x80)).add(RAX, 0xFF);
        // a wider operation still must not sign-extend 0x80 into 0xFFFFFF80: it takes the imm32 form
        assertEquals(List.of("mov al, -1", "test byte ptr [rsi + 8], -64", "or eax, 128", "add rax, 255"),
                listing(Mode.BITS64, a.bytes()));
        assertThrows(IllegalArgumentException.class, () -> new Assembler(Mode.BITS64).or(AL, imm(0x100)));
    }

    @Test
    void stringInstructionsTakeOnlyTheirImpliedOperands() {
        Assembler a = new Assembler(Mode.BITS64);
        a.rep(Mnemonic.OUTSB, DX, Assembler.byte_(RSI, 0)).rep(Mnemonic.INSB, Assembler.byte_(RDI, 0), DX)
                .emit(Mnemonic.MOVSQ, Assembler.qword(RDI, 0), Assembler.qword(RSI, 0));
        assertArrayEquals(new byte[] {(byte) 0xF3, 0x6E, (byte) 0xF3, 0x6C, 0x48, (byte) 0xA5}, a.bytes());
        // [rdi] is not what OUTSB reads, and ES:[rdi] cannot be displaced
        assertThrows(IllegalArgumentException.class, () -> new Assembler(Mode.BITS64).rep(Mnemonic.OUTSB, DX, Assembler.byte_(RDI, 0)));
        assertThrows(IllegalArgumentException.class, () -> new Assembler(Mode.BITS64).rep(Mnemonic.INSB, Assembler.byte_(RDI, 8), DX));
    }

    @Test
    void operandSizeOverridesAndFarPointers() {
        // push imm16 (66 68 iw) and push imm32 sign-extended to 64 bits (68 id)
        assertArrayEquals(new byte[] {0x66, 0x68, 0x34, 0x12}, new Assembler(Mode.BITS64).push(2, 0x1234).bytes());
        assertArrayEquals(new byte[] {0x68, 0x34, 0x12, 0, 0}, new Assembler(Mode.BITS64).push(8, 0x1234).bytes());
        assertArrayEquals(new byte[] {0x66, 0x68, 0x34, 0x12, 0, 0}, new Assembler(Mode.BITS16).push(4, 0x1234).bytes());
        // real mode to protected mode: jmp dword 0x08:0x00100000 (66 EA ptr16:32); jmp 0x0000:0x7C00 (EA ptr16:16)
        assertArrayEquals(new byte[] {0x66, (byte) 0xEA, 0, 0, 0x10, 0, 0x08, 0},
                new Assembler(Mode.BITS16).ljmp(4, 0x08, 0x10_0000).bytes());
        assertArrayEquals(new byte[] {(byte) 0xEA, 0, 0x7C, 0, 0}, new Assembler(Mode.BITS16).ljmp(2, 0, 0x7C00).bytes());
        Assembler a = new Assembler(Mode.BITS32);
        a.ljmp(4, 0x10, 0x1234_5678).lcall(2, 0x18, 0x9ABC);
        assertEquals(List.of("ljmp 16, 305419896", "lcall 24, 39612"), listing(Mode.BITS32, a.bytes()));
        // no far pointer in 64-bit mode, no 32-bit push there, no ptr16:16 with a 32-bit offset
        assertThrows(IllegalArgumentException.class, () -> new Assembler(Mode.BITS64).ljmp(4, 8, 0x1000));
        assertThrows(IllegalArgumentException.class, () -> new Assembler(Mode.BITS64).push(4, 1));
        assertThrows(IllegalArgumentException.class, () -> new Assembler(Mode.BITS16).ljmp(2, 8, 0x10_0000));
    }

    @Test
    void impossibleOperandsAreRejected() {
        Assembler a = new Assembler(Mode.BITS64);
        assertThrows(IllegalArgumentException.class, () -> a.emit(Mnemonic.PUSH2, RAX));
        assertThrows(IllegalArgumentException.class, () -> a.add(AL, RAX));
        assertThrows(IllegalArgumentException.class, () -> new Assembler(Mode.BITS32).push2(R16, R17));
    }
}
