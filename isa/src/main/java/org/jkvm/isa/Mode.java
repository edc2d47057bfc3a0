package org.jkvm.isa;

/** The processor's code size: the default operand/address size the decoder starts from. */
public enum Mode {
    BITS16(2), BITS32(4), BITS64(8);

    private final int defaultSize;

    Mode(int defaultSize) { this.defaultSize = defaultSize; }

    /** Default address size in bytes (2, 4 or 8). */
    public int addressSize() { return defaultSize; }

    /** Default operand size in bytes (2 or 4; 64-bit mode defaults to 4). */
    public int operandSize() { return defaultSize == 8 ? 4 : defaultSize; }

    public static Mode ofBits(int bits) {
        return switch (bits) {
            case 16 -> BITS16;
            case 32 -> BITS32;
            case 64 -> BITS64;
            default -> throw new IllegalArgumentException("mode must be 16, 32 or 64: " + bits);
        };
    }
}
