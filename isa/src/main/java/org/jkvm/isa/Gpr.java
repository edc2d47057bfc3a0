package org.jkvm.isa;

/** The 32 general-purpose registers (R16-R31 are APX's EGPRs). RIP is deliberately not one of them. */
public enum Gpr {
    RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15,
    R16, R17, R18, R19, R20, R21, R22, R23, R24, R25, R26, R27, R28, R29, R30, R31;

    private static final Gpr[] VALUES = values();

    public static Gpr of(int n) { return VALUES[n]; }

    /** Whether this is an APX extended GPR (needs REX2 or EVEX). */
    public boolean isEgpr() { return ordinal() >= 16; }
}
