package org.jkvm.cpu;

/**
 * The 32 general-purpose registers in hardware order (RAX=0 ... R15=15, APX R16..R31=16..31). RIP, RFLAGS
 * and control registers are deliberately absent, so a GPR accessor cannot be handed one of them.
 */
public enum Gpr {
    RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15,
    R16, R17, R18, R19, R20, R21, R22, R23, R24, R25, R26, R27, R28, R29, R30, R31;

    private static final Gpr[] VALUES = values();

    public static Gpr of(int index) {
        return VALUES[index];
    }

    public boolean isApx() {
        return ordinal() >= 16;
    }
}
