package org.jkvm.isa;

/**
 * A register file. Register numbers are 0-31 within a class; {@link #GPR8H} numbers 4-7 name AH, CH, DH, BH
 * (the legacy high-byte registers, reachable only without REX/REX2), while {@link #GPR8} 4-7 are SPL..DIL.
 */
public enum RegClass {
    GPR8(1), GPR8H(1), GPR16(2), GPR32(4), GPR64(8),
    SEG(2), CR(8), DR(8), XMM(16), YMM(32), ZMM(64), K(8), TMM(1024), MMX(8), ST(10), BND(16), RIP(8);

    private final int size;

    RegClass(int size) { this.size = size; }

    /** Width of a register of this class in bytes (TMM: the maximum tile, 1 KiB). */
    public int size() { return size; }

    public boolean isGpr() { return ordinal() <= GPR64.ordinal(); }

    public boolean isVector() { return this == XMM || this == YMM || this == ZMM; }

    /** The general-purpose register class of a given width in bytes. */
    public static RegClass gpr(int bytes) {
        return switch (bytes) {
            case 1 -> GPR8;
            case 2 -> GPR16;
            case 4 -> GPR32;
            case 8 -> GPR64;
            default -> throw new IllegalArgumentException("no GPR of " + bytes + " bytes");
        };
    }

    /** The vector register class of a given width in bytes (16, 32, 64). */
    public static RegClass vec(int bytes) {
        return switch (bytes) {
            case 16 -> XMM;
            case 32 -> YMM;
            case 64 -> ZMM;
            default -> throw new IllegalArgumentException("no vector register of " + bytes + " bytes");
        };
    }
}
