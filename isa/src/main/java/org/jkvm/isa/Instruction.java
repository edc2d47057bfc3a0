package org.jkvm.isa;

/** An immutable decoded instruction (see {@link Insn} for the accessors). */
public final class Instruction extends Insn {
    Instruction(Insn from) { copyFrom(from); }
}
