package org.jkvm.cpu.xstate;

/**
 * AMX palette 1 geometry (CPUID 0x1D.1 and 0x1E.0): 8 tiles of 16 rows x 64 bytes, 8 KiB of tile
 * data, and the TMUL limits. The one place these numbers live; the tile unit and CPUID use them.
 */
public final class AmxPalette {
    private AmxPalette() {}

    public static final int MAX_NAMES = 8;
    public static final int MAX_ROWS = 16;
    public static final int BYTES_PER_ROW = 64;
    public static final int BYTES_PER_TILE = MAX_ROWS * BYTES_PER_ROW;
    public static final int TOTAL_TILE_BYTES = MAX_NAMES * BYTES_PER_TILE;
    /** TMUL: K (rows of B / dword columns of A) at most 16; N (bytes of a C row) at most 64. */
    public static final int TMUL_MAXK = 16, TMUL_MAXN = 64;
}
