package org.jkvm.isa;

import org.jkvm.isa.Operand.Reg;

/** Register operands for the {@link Assembler}: {@code import static org.jkvm.isa.Regs.*;}. */
public final class Regs {
    private Regs() {}

    private static Reg g(RegClass c, int n) { return new Reg(c, n); }

    public static final Reg RAX = g(RegClass.GPR64, 0), RCX = g(RegClass.GPR64, 1), RDX = g(RegClass.GPR64, 2),
            RBX = g(RegClass.GPR64, 3), RSP = g(RegClass.GPR64, 4), RBP = g(RegClass.GPR64, 5),
            RSI = g(RegClass.GPR64, 6), RDI = g(RegClass.GPR64, 7), R8 = g(RegClass.GPR64, 8), R9 = g(RegClass.GPR64, 9),
            R10 = g(RegClass.GPR64, 10), R11 = g(RegClass.GPR64, 11), R12 = g(RegClass.GPR64, 12),
            R13 = g(RegClass.GPR64, 13), R14 = g(RegClass.GPR64, 14), R15 = g(RegClass.GPR64, 15),
            R16 = g(RegClass.GPR64, 16), R17 = g(RegClass.GPR64, 17), R18 = g(RegClass.GPR64, 18),
            R19 = g(RegClass.GPR64, 19), R20 = g(RegClass.GPR64, 20), R21 = g(RegClass.GPR64, 21),
            R22 = g(RegClass.GPR64, 22), R23 = g(RegClass.GPR64, 23), R24 = g(RegClass.GPR64, 24),
            R25 = g(RegClass.GPR64, 25), R26 = g(RegClass.GPR64, 26), R27 = g(RegClass.GPR64, 27),
            R28 = g(RegClass.GPR64, 28), R29 = g(RegClass.GPR64, 29), R30 = g(RegClass.GPR64, 30),
            R31 = g(RegClass.GPR64, 31);
    public static final Reg EAX = g(RegClass.GPR32, 0), ECX = g(RegClass.GPR32, 1), EDX = g(RegClass.GPR32, 2),
            EBX = g(RegClass.GPR32, 3), ESP = g(RegClass.GPR32, 4), EBP = g(RegClass.GPR32, 5),
            ESI = g(RegClass.GPR32, 6), EDI = g(RegClass.GPR32, 7);
    public static final Reg AX = g(RegClass.GPR16, 0), CX = g(RegClass.GPR16, 1), DX = g(RegClass.GPR16, 2),
            BX = g(RegClass.GPR16, 3), SP = g(RegClass.GPR16, 4), BP = g(RegClass.GPR16, 5), SI = g(RegClass.GPR16, 6),
            DI = g(RegClass.GPR16, 7);
    public static final Reg AL = g(RegClass.GPR8, 0), CL = g(RegClass.GPR8, 1), DL = g(RegClass.GPR8, 2),
            BL = g(RegClass.GPR8, 3), AH = g(RegClass.GPR8H, 4), CH = g(RegClass.GPR8H, 5), DH = g(RegClass.GPR8H, 6),
            BH = g(RegClass.GPR8H, 7);
    public static final Reg ES = g(RegClass.SEG, 0), CS = g(RegClass.SEG, 1), SS = g(RegClass.SEG, 2),
            DS = g(RegClass.SEG, 3), FS = g(RegClass.SEG, 4), GS = g(RegClass.SEG, 5);
    public static final Reg CR0 = g(RegClass.CR, 0), CR2 = g(RegClass.CR, 2), CR3 = g(RegClass.CR, 3),
            CR4 = g(RegClass.CR, 4), CR8 = g(RegClass.CR, 8);

    /** A GPR of width 1, 2, 4 or 8 bytes, number 0-31 (width 1: SPL..DIL for 4-7). */
    public static Reg gpr(int bytes, int n) { return g(RegClass.gpr(bytes), n); }

    public static Reg r64(int n) { return g(RegClass.GPR64, n); }

    public static Reg r32(int n) { return g(RegClass.GPR32, n); }

    public static Reg r16(int n) { return g(RegClass.GPR16, n); }

    public static Reg r8(int n) { return g(RegClass.GPR8, n); }

    public static Reg xmm(int n) { return g(RegClass.XMM, n); }

    public static Reg ymm(int n) { return g(RegClass.YMM, n); }

    public static Reg zmm(int n) { return g(RegClass.ZMM, n); }

    public static Reg k(int n) { return g(RegClass.K, n); }

    public static Reg tmm(int n) { return g(RegClass.TMM, n); }

    public static Reg mm(int n) { return g(RegClass.MMX, n); }

    public static Reg st(int n) { return g(RegClass.ST, n); }

    public static Reg cr(int n) { return g(RegClass.CR, n); }

    public static Reg dr(int n) { return g(RegClass.DR, n); }
}
