package org.jkvm.isa;

/** What an explicit operand is. */
public enum OperandKind {
    /** A register: {@link Insn#regClass(int)} and {@link Insn#reg(int)}. */
    REG,
    /** The instruction's memory operand (there is at most one): {@link Insn#memBase()} and friends. */
    MEM,
    /** An immediate: {@link Insn#imm()} (or {@link Insn#imm2()} for the second one), already extended. */
    IMM,
    /** A relative branch target: {@link Insn#imm()} holds the signed displacement from the next instruction. */
    REL,
    /** A far pointer immediate (JMP/CALL ptr16:16/32): selector in {@link Insn#imm2()}, offset in imm(). */
    FAR,
    /** A string instruction's source, seg:[rSI] (segment overridable). */
    MEM_SI,
    /** A string instruction's destination, ES:[rDI] (never overridden). */
    MEM_DI
}
