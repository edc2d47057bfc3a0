package org.jkvm.cpu.exec;

/** RFLAGS bits and the groups the interpreter treats together. */
public final class Flags {
    private Flags() {}

    public static final long CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, TF = 0x100, IF = 0x200, DF = 0x400,
        OF = 0x800, IOPL = 0x3000, NT = 0x4000, RF = 0x10000, VM = 0x20000, AC = 0x40000, VIF = 0x80000,
        VIP = 0x100000, ID = 0x200000;
    /** The six status flags, computed lazily from the last flag-setting operation. */
    public static final long ARITH = CF | PF | AF | ZF | SF | OF;
    /** Bit 1 always reads as one. */
    public static final long FIXED = 2;
    /** Bits software can change with POPF at CPL 0 in 64-bit/protected mode. */
    public static final long WRITABLE = ARITH | TF | IF | DF | IOPL | NT | RF | AC | ID | VIF | VIP;
}
