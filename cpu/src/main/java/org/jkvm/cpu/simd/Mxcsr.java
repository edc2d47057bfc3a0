package org.jkvm.cpu.simd;

/** MXCSR bits. */
public final class Mxcsr {
    private Mxcsr() {}

    public static final int IE = 1, DE = 2, ZE = 4, OE = 8, UE = 16, PE = 32, DAZ = 64;
    public static final int IM = 1 << 7, DM = 1 << 8, ZM = 1 << 9, OM = 1 << 10, UM = 1 << 11, PM = 1 << 12;
    public static final int RC_SHIFT = 13, FTZ = 1 << 15;
    /** Rounding control values. */
    public static final int RN = 0, RD = 1, RU = 2, RZ = 3;
}
