package org.jkvm.cpu.diff;

/** The sixteen legacy general-purpose registers in encoding order; RIP is not one of them. */
enum Gpr {
    RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15;

    private static final String[] LEGACY = {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di"};
    private static final Gpr[] ALL = values();

    int num() { return ordinal(); }

    static Gpr of(int num) { return ALL[num]; }

    /** The register's name at an operand size in bytes (1, 2, 4, 8); size 1 means the low byte (SPL, not AH). */
    String name(int size) {
        int n = num();
        if (n >= 8) {
            return "r" + n + switch (size) { case 1 -> "b"; case 2 -> "w"; case 4 -> "d"; default -> ""; };
        }
        String b = LEGACY[n];
        return switch (size) {
            case 1 -> n < 4 ? b.charAt(0) + "l" : b + "l";
            case 2 -> b;
            case 4 -> "e" + b;
            default -> "r" + b;
        };
    }
}
