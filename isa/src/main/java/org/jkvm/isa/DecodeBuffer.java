package org.jkvm.isa;

/**
 * A reusable, mutable decode result for allocation-free decoding ({@link Decoder#decodeInto}); overwritten by
 * each decode. {@link #freeze()} makes an immutable copy.
 */
public final class DecodeBuffer extends Insn {
    public DecodeBuffer() {}

    public Instruction freeze() { return new Instruction(this); }
}
