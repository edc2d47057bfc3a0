package org.jkvm.cpu.exec;

import static org.jkvm.cpu.Gpr.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.ValueLayout;

import org.jkvm.cpu.rig.GuestRig;
import org.jkvm.cpu.vmx.ExitReason;
import org.jkvm.cpu.vmx.VmcsField;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * General-purpose instructions in 64-bit mode with their status flags. Expected values are the SDM's
 * definitions worked out by hand for each operand pair (flags the SDM leaves undefined are masked out).
 * Code bytes were produced by GNU as from the text in the comment.
 */
class InstructionTest {
    static final String ADD32OVERFLOW = "b8ffffff7f83c0019c5bf4"; // mov $0x7fffffff,%eax; add $1,%eax; pushfq; pop %rbx; hlt
    static final String SUB32BORROW = "b80000000083e8019c5bf4"; // mov $0,%eax; sub $1,%eax; pushfq; pop %rbx; hlt
    static final String CMP64OVERFLOW = "48b800000000000000804883f8019c5bf4"; // mov $0x8000000000000000,%rax; cmp $1,%rax; pushfq; pop %rbx; hlt
    static final String ADC8CARRY = "f9b0ff14009c5bf4"; // stc; mov $0xff,%al; adc $0,%al; pushfq; pop %rbx; hlt
    static final String SBB32 = "b805000000f983d8059c5bf4"; // mov $5,%eax; stc; sbb $5,%eax; pushfq; pop %rbx; hlt
    static final String INC8KEEPSCF = "f9b07ffec09c5bf4"; // stc; mov $0x7f,%al; inc %al; pushfq; pop %rbx; hlt
    static final String DEC32KEEPSCF = "f8b900000000ffc99c5bf4"; // clc; mov $0,%ecx; dec %ecx; pushfq; pop %rbx; hlt
    static final String NEG32 = "b801000000f7d89c5bf4"; // mov $1,%eax; neg %eax; pushfq; pop %rbx; hlt
    static final String SHL32 = "b801000080d1e09c5bf4"; // mov $0x80000001,%eax; shl $1,%eax; pushfq; pop %rbx; hlt
    static final String SAR32 = "b8fdffffffd1f89c5bf4"; // mov $-3,%eax; sar $1,%eax; pushfq; pop %rbx; hlt
    static final String SHR32 = "b800000080d1e89c5bf4"; // mov $0x80000000,%eax; shr $1,%eax; pushfq; pop %rbx; hlt
    static final String ROL32 = "b800000080d1c09c5bf4"; // mov $0x80000000,%eax; rol $1,%eax; pushfq; pop %rbx; hlt
    static final String IMUL3OVERFLOW = "b8000000406bc8049c5bf4"; // mov $0x40000000,%eax; imul $4,%eax,%ecx; pushfq; pop %rbx; hlt
    static final String MUL32 = "b8ffffffffb902000000f7e19c5bf4"; // mov $0xffffffff,%eax; mov $2,%ecx; mul %ecx; pushfq; pop %rbx; hlt
    static final String DIV64 = "48c7c20100000048c7c00000000048c7c10300000048f7f1f4"; // mov $1,%rdx; mov $0,%rax; mov $3,%rcx; div %rcx; hlt
    static final String DIVZERO = "31c9f7f1f4"; // xor %ecx,%ecx; div %ecx; hlt
    static final String IDIVOVERFLOW = "b80000008099b9fffffffff7f9f4"; // mov $0x80000000,%eax; cdq; mov $-1,%ecx; idiv %ecx; hlt
    static final String BITSCAN = "b8100000000fbcc80fbdd031f6f30fbdfe9c5bb8ff000000f3440fb8c0f3440fbcc8f4"; // mov $0x10,%eax; bsf %eax,%ecx; bsr %eax,%edx; xor %esi,%esi; lzcnt %esi,%edi; pushfq; pop %rbx; mov $0xff,%eax; popcnt %eax,%r8d; tzcnt %eax,%r9d; hlt
    static final String BTOPS = "b8050000000fbae0020f92c10fbae8010fbaf0000fbaf803f4"; // mov $5,%eax; bt $2,%eax; setc %cl; bts $1,%eax; btr $0,%eax; btc $3,%eax; hlt
    static final String REPMOVSSTOS = "488d342500000900488d3c2500010900b910000000fcf3a448b88877665544332211488d3c2500020900b904000000f348ab488d3c2500000900b042b964000000f2aef4"; // lea 0x90000,%rsi; lea 0x90100,%rdi; mov $16,%ecx; cld; rep movsb; mov $0x1122334455667788,%rax; lea 0x90200,%rdi; mov $4,%ecx; rep stosq; lea 0x90000,%rdi; mov $0x42,%al; mov $100,%ecx; repne scasb; hlt
    static final String CMPXCHGXADD = "b805000000b905000000ba090000000fb1d1be07000000bf030000000fc1f7f4"; // mov $5,%eax; mov $5,%ecx; mov $9,%edx; cmpxchg %edx,%ecx; mov $7,%esi; mov $3,%edi; xadd %esi,%edi; hlt
    static final String SETCCCMOV = "b80300000083f8050f9cc30f9fc7b907000000ba090000000f4cca0f4fd0f4"; // mov $3,%eax; cmp $5,%eax; setl %bl; setg %bh; mov $7,%ecx; mov $9,%edx; cmovl %edx,%ecx; cmovg %eax,%edx; hlt
    static final String BMI = "b8f0f00000b900ff0000c4e278f2d1be04080000c4e248f7f941b87856341241b900ff00ffc4423af5d1c4423bf5d9bb04000000c44261f7e0c4437bf0e808f4"; // mov $0xf0f0,%eax; mov $0xff00,%ecx; andn %ecx,%eax,%edx; mov $0x0804,%esi; bextr %esi,%ecx,%edi; mov $0x12345678,%r8d; mov $0xff00ff00,%r9d; pext %r9d,%r8d,%r10d; pdep %r9d,%r8d,%r11d; mov $4,%ebx; shlx %ebx,%r8d,%r12d; rorx $8,%r8d,%r13d; hlt
    static final String MOVBE = "c7042500000900443322110f38f00425000009000f38f10425040009008b0c2504000900f4"; // movl $0x11223344,0x90000; movbe 0x90000,%eax; movbe %eax,0x90004; mov 0x90004,%ecx; hlt
    static final String PUSHPOPCALLRET = "48c7c0341200005059e802000000eb06ba07000000c3f4"; // mov $0x1234,%rax; push %rax; pop %rcx; call 1f; jmp 2f; 1: mov $7,%edx; ret; 2: hlt
    static final String SHLD = "b878563412baf0debc9a0fa4d0089c5bf4"; // mov $0x12345678,%eax; mov $0x9abcdef0,%edx; shld $8,%edx,%eax; pushfq; pop %rbx; hlt
    static final String CBWCWD = "b880000000669889c1b80000008048984889c64899f4"; // mov $0x80,%eax; cbw; mov %eax,%ecx; mov $0x80000000,%eax; cltq; mov %rax,%rsi; cqto; hlt
    static final String LEAVEENTER = "4889e5c81000004889e1c9f4"; // mov %rsp,%rbp; enter $16,$0; mov %rsp,%rcx; leave; hlt

    static final long CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800, ALL = CF | PF | AF | ZF | SF | OF;

    GuestRig g;

    @BeforeEach
    void setUp() {
        g = new GuestRig().long64();
        g.v.write(VmcsField.EXCEPTION_BITMAP, 0xFFFF_FFFFL); // any exception exits, with its details
    }

    @AfterEach
    void tearDown() {
        g.close();
    }

    private GuestRig run(String code) {
        g.code(GuestRig.CODE, code);
        return g.runToHlt();
    }

    private void flags(long mask, long expected) {
        assertEquals(Long.toHexString(expected), Long.toHexString(g.gpr(RBX) & mask), "flags");
    }

    @Test void addSetsOverflowSignAdjustParity() { run(ADD32OVERFLOW); assertEquals(0x8000_0000L, g.gpr(RAX)); flags(ALL, OF | SF | AF | PF); }

    @Test void subBorrow() { run(SUB32BORROW); assertEquals(0xFFFF_FFFFL, g.gpr(RAX)); flags(ALL, CF | PF | AF | SF); }

    @Test void cmp64SignedOverflow() { run(CMP64OVERFLOW); flags(ALL, OF | AF | PF); }

    @Test void adcCarriesIn() { run(ADC8CARRY); assertEquals(0, g.gpr(RAX) & 0xFF); flags(ALL, CF | ZF | AF | PF); }

    @Test void sbbBorrowsIn() { run(SBB32); assertEquals(0xFFFF_FFFFL, g.gpr(RAX)); flags(ALL, CF | PF | AF | SF); }

    @Test void incKeepsCarry() { run(INC8KEEPSCF); assertEquals(0x80, g.gpr(RAX) & 0xFF); flags(ALL, OF | SF | AF | CF); }

    @Test void decKeepsCarry() { run(DEC32KEEPSCF); assertEquals(0xFFFF_FFFFL, g.gpr(RCX)); flags(ALL, SF | AF | PF); }

    @Test void negSetsCarryForNonZero() { run(NEG32); assertEquals(0xFFFF_FFFFL, g.gpr(RAX)); flags(ALL, CF | PF | AF | SF); }

    @Test void shlOneBit() { run(SHL32); assertEquals(2, g.gpr(RAX)); flags(ALL & ~AF, CF | OF); }

    @Test void sarKeepsSign() { run(SAR32); assertEquals(0xFFFF_FFFEL, g.gpr(RAX)); flags(ALL & ~AF, CF | SF); }

    @Test void shrOverflowIsOldTopBit() { run(SHR32); assertEquals(0x4000_0000L, g.gpr(RAX)); flags(ALL & ~AF, OF | PF); }

    @Test void rolCarryAndOverflow() { run(ROL32); assertEquals(1, g.gpr(RAX)); flags(CF | OF, CF | OF); }

    @Test void imulOverflow() { run(IMUL3OVERFLOW); assertEquals(0, g.gpr(RCX)); flags(CF | OF, CF | OF); }

    @Test void mulWideResult() {
        run(MUL32);
        assertEquals(0xFFFF_FFFEL, g.gpr(RAX));
        assertEquals(1, g.gpr(RDX));
        flags(CF | OF, CF | OF);
    }

    @Test void div128By64() {
        run(DIV64);
        assertEquals(0x5555_5555_5555_5555L, g.gpr(RAX));
        assertEquals(1, g.gpr(RDX));
    }

    // -7/2 (CQO); (-1:0)/-3 (128-bit signed); (5:7)/16 (128-bit unsigned)
    static final String DIV128 = "48c7c0f9ffffff489948c7c10200000048f7f94989c04989d148c7c2ffffffff48c7c00000000048c7c1fdffffff48f7f94989c24989d348c7c20500000048c7c00700000048c7c11000000048f7f1f4";

    @Test void wideDivisions() {
        run(DIV128);
        assertEquals(-3, g.gpr(R8));
        assertEquals(-1, g.gpr(R9));
        assertEquals(0x5555_5555_5555_5555L, g.gpr(R10));
        assertEquals(-1, g.gpr(R11));
        assertEquals(0x5000_0000_0000_0000L, g.gpr(RAX));
        assertEquals(7, g.gpr(RDX));
    }

    @Test void divideByZeroIsDE() {
        g.code(GuestRig.CODE, DIVZERO);
        assertEquals(ExitReason.EXCEPTION_NMI, g.enter());
        assertEquals(0x8000_0300L, g.v.read(VmcsField.VM_EXIT_INTR_INFO)); // #DE, hardware exception
        assertEquals(GuestRig.CODE + 2, g.rip()); // a fault: RIP of the DIV
    }

    @Test void idivOverflowIsDE() {
        g.code(GuestRig.CODE, IDIVOVERFLOW);
        assertEquals(ExitReason.EXCEPTION_NMI, g.enter());
        assertEquals(0, g.v.read(VmcsField.VM_EXIT_INTR_INFO) & 0xFF);
    }

    @Test void bitScans() {
        run(BITSCAN);
        assertEquals(4, g.gpr(RCX));
        assertEquals(4, g.gpr(RDX));
        assertEquals(32, g.gpr(RDI)); // LZCNT of 0 is the operand size, CF=1
        flags(CF | ZF, CF);
        assertEquals(8, g.gpr(R8));
        assertEquals(0, g.gpr(R9));
    }

    @Test void bitTests() {
        run(BTOPS);
        assertEquals(1, g.gpr(RCX) & 0xFF);
        assertEquals(0xE, g.gpr(RAX));
    }

    @Test void repStrings() {
        for (int i = 0; i < 16; i++) g.ram.set(ValueLayout.JAVA_BYTE, GuestRig.DATA + i, (byte) (i * 7));
        g.ram.set(ValueLayout.JAVA_BYTE, GuestRig.DATA + 37, (byte) 0x42);
        run(REPMOVSSTOS);
        for (int i = 0; i < 16; i++)
            assertEquals((byte) (i * 7), g.ram.get(ValueLayout.JAVA_BYTE, GuestRig.DATA + 0x100 + i));
        for (int i = 0; i < 4; i++) assertEquals(0x1122_3344_5566_7788L, g.q(GuestRig.DATA + 0x200 + 8 * i));
        assertEquals(GuestRig.DATA + 38, g.gpr(RDI));
        assertEquals(62, g.gpr(RCX));
    }

    @Test void cmpxchgAndXadd() {
        run(CMPXCHGXADD);
        assertEquals(9, g.gpr(RCX));
        assertEquals(10, g.gpr(RDI));
        assertEquals(3, g.gpr(RSI));
    }

    @Test void setccAndCmov() {
        run(SETCCCMOV);
        assertEquals(1, g.gpr(RBX) & 0xFF);
        assertEquals(0, (g.gpr(RBX) >> 8) & 0xFF);
        assertEquals(9, g.gpr(RCX));
        assertEquals(9, g.gpr(RDX));
    }

    @Test void bmi1AndBmi2() {
        run(BMI);
        assertEquals(0x0F00, g.gpr(RDX));
        assertEquals(0xF0, g.gpr(RDI));
        assertEquals(0x1256, g.gpr(R10));
        assertEquals(0x5600_7800L, g.gpr(R11));
        assertEquals(0x2345_6780L, g.gpr(R12));
        assertEquals(0x7812_3456L, g.gpr(R13));
    }

    @Test void movbe() {
        run(MOVBE);
        assertEquals(0x4433_2211L, g.gpr(RAX));
        assertEquals(0x1122_3344L, g.gpr(RCX));
    }

    @Test void stackCallReturn() {
        run(PUSHPOPCALLRET);
        assertEquals(0x1234, g.gpr(RCX));
        assertEquals(7, g.gpr(RDX));
        assertEquals(GuestRig.STACK, g.rsp());
    }

    @Test void shld() { run(SHLD); assertEquals(0x3456_789AL, g.gpr(RAX)); flags(CF | ZF | SF | PF, PF); }

    @Test void signExtensions() {
        run(CBWCWD);
        assertEquals(0xFF80, g.gpr(RCX));
        assertEquals(0xFFFF_FFFF_8000_0000L, g.gpr(RSI));
        assertEquals(-1L, g.gpr(RDX));
    }

    @Test void enterLeave() {
        run(LEAVEENTER);
        assertEquals(GuestRig.STACK - 24, g.gpr(RCX));
        assertEquals(GuestRig.STACK, g.rsp());
        assertEquals(GuestRig.STACK, g.gpr(RBP));
    }
}
