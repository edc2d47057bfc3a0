package org.jkvm.isa;

/** An operand for the encoder/assembler: a register, a memory reference, an immediate or a branch target. */
public sealed interface Operand {
    /** A register of a class, number 0-31. */
    record Reg(RegClass cls, int num) implements Operand {
        public Reg {
            if (num < 0 || num > 31) throw new IllegalArgumentException("register number " + num);
        }

        @Override
        public String toString() { return Disassembler.regName(cls, num); }
    }

    /**
     * A memory reference. base/index are register numbers or -1; addrSize 0 = the mode's default; size is
     * the access size in bytes (0 = let the form decide); segment -1 = default; index may be a vector
     * register (VSIB) when indexClass is XMM/YMM/ZMM.
     */
    record Mem(int size, int segment, int base, int index, int scale, long disp, boolean rip, int addrSize,
               RegClass indexClass, boolean broadcast) implements Operand {}

    /** An immediate value. */
    record Imm(long value) implements Operand {}

    /** A RIP-relative memory reference to an assembler label (resolved when the code is finished). */
    record LabelRef(int size, Label label) implements Operand {}

    /** A relative branch displacement (from the end of the instruction), or a label for the assembler. */
    record Rel(long disp, Label label) implements Operand {}

    static Reg reg(RegClass c, int n) { return new Reg(c, n); }

    static Reg gpr64(int n) { return new Reg(RegClass.GPR64, n); }

    static Reg gpr32(int n) { return new Reg(RegClass.GPR32, n); }

    static Reg gpr16(int n) { return new Reg(RegClass.GPR16, n); }

    static Reg gpr8(int n) { return new Reg(RegClass.GPR8, n); }

    static Imm imm(long v) { return new Imm(v); }

    static Rel rel(long d) { return new Rel(d, null); }

    /** [base + index*scale + disp] with the mode's address size. */
    static Mem mem(int size, Reg base, Reg index, int scale, long disp) {
        return new Mem(size, -1, base == null ? -1 : base.num(), index == null ? -1 : index.num(), scale, disp, false,
                base != null ? base.cls().size() : index != null && index.cls().isGpr() ? index.cls().size() : 0,
                index == null ? null : index.cls(), false);
    }

    static Mem mem(int size, Reg base, long disp) { return mem(size, base, null, 1, disp); }

    static Mem mem(Reg base) { return mem(0, base, null, 1, 0); }

    /** [rip + disp]. */
    static Mem rip(int size, long disp) { return new Mem(size, -1, -1, -1, 1, disp, true, 8, null, false); }

    /** An absolute address [disp]. */
    static Mem abs(int size, long disp) { return new Mem(size, -1, -1, -1, 1, disp, false, 0, null, false); }
}
