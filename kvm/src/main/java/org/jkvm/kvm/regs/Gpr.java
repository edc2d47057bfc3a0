package org.jkvm.kvm.regs;

/**
 * A general-purpose register: an index into {@code regs[]} in hardware encoding order (RAX=0 ... R15=15,
 * APX R16..R31 = 16..31). RIP and the control registers are deliberately not members, so a GPR accessor
 * cannot be handed RIP or CR0 (the bug class of passing VCPU_REGS_RIP to a GPR reader on APX hardware).
 */
public enum Gpr {
    RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15,
    R16, R17, R18, R19, R20, R21, R22, R23, R24, R25, R26, R27, R28, R29, R30, R31;

    /** Registers that exist without APX. */
    public static final int NR_LEGACY = 16;
    /** NR_VCPU_GENERAL_PURPOSE_REGS with APX. */
    public static final int NR_GPRS = 32;

    private static final Gpr[] BY_NUMBER = values();

    /** The hardware register number (ModRM/REX/REX2 encoding). */
    public int number() { return ordinal(); }

    /** An APX extended GPR (lives in regs[16..31], switched only while guest XCR0.APX=1). */
    public boolean isEgpr() { return ordinal() >= NR_LEGACY; }

    public static Gpr of(int number) { return BY_NUMBER[number]; }
}
