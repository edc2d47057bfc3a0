package org.jkvm.cpu.xstate;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * AMX state: the tile configuration (XSAVE component 17, the 64-byte LDTILECFG format) and the tile
 * data (component 18: tile t, row r at byte t*1024 + r*64).
 */
public final class TileState {
    static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle I64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle I16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    /** 0 = not configured (TILECFG in its initial configuration). */
    public int palette;
    public int startRow;
    /** Bytes per row of each tile. */
    public final int[] colsb = new int[AmxPalette.MAX_NAMES];
    /** Rows of each tile. */
    public final int[] rows = new int[AmxPalette.MAX_NAMES];
    public final byte[] data = new byte[AmxPalette.TOTAL_TILE_BYTES];

    public boolean configured() {
        return palette != 0;
    }

    /** TILERELEASE / initial configuration of TILECFG (tile data is the caller's). */
    public void release() {
        palette = 0;
        startRow = 0;
        Arrays.fill(colsb, 0);
        Arrays.fill(rows, 0);
    }

    public void zeroData() {
        Arrays.fill(data, (byte) 0);
    }

    public boolean dataIsZero() {
        for (byte b : data) if (b != 0) return false;
        return true;
    }

    /** The configuration in its 64-byte memory format. */
    public void encodeConfig(byte[] out) {
        Arrays.fill(out, 0, 64, (byte) 0);
        if (!configured()) return;
        out[0] = (byte) palette;
        out[1] = (byte) startRow;
        for (int t = 0; t < AmxPalette.MAX_NAMES; t++) {
            I16.set(out, 16 + 2 * t, (short) colsb[t]);
            out[48 + t] = (byte) rows[t];
        }
    }

    /**
     * Whether a 64-byte configuration is one LDTILECFG accepts (anything else is #GP there, and
     * XRSTOR loads the initial configuration instead): palette 0 (release) or 1; for palette 1 the
     * reserved bytes 2-15, 32-47 and 56-63 zero, and each tile either unused (rows = colsb = 0) or
     * with 1-16 rows and 1-64 bytes per row. start_row is not checked. (Verified on a Sapphire Rapids
     * class host: rows without colsb or colsb without rows is #GP; colsb need not be a multiple of 4.)
     */
    public static boolean validConfig(byte[] cfg) {
        int pal = cfg[0] & 0xFF;
        if (pal == 0) return true;
        if (pal != 1) return false;
        for (int i = 2; i < 16; i++) if (cfg[i] != 0) return false;
        for (int i = 32; i < 48; i++) if (cfg[i] != 0) return false;
        for (int i = 56; i < 64; i++) if (cfg[i] != 0) return false;
        for (int t = 0; t < AmxPalette.MAX_NAMES; t++) {
            int c = (short) I16.get(cfg, 16 + 2 * t) & 0xFFFF;
            int r = cfg[48 + t] & 0xFF;
            if (c > AmxPalette.BYTES_PER_ROW || r > AmxPalette.MAX_ROWS) return false;
            if ((c == 0) != (r == 0)) return false;
        }
        return true;
    }

    /** Loads a configuration already checked with {@link #validConfig}; palette 0 releases. */
    public void decodeConfig(byte[] cfg) {
        release();
        int pal = cfg[0] & 0xFF;
        if (pal == 0) return;
        palette = pal;
        startRow = cfg[1] & 0xFF;
        for (int t = 0; t < AmxPalette.MAX_NAMES; t++) {
            colsb[t] = (short) I16.get(cfg, 16 + 2 * t) & 0xFFFF;
            rows[t] = cfg[48 + t] & 0xFF;
        }
    }

    /** A tile is usable when configured with non-zero rows and columns. */
    public boolean valid(int t) {
        return configured() && rows[t] != 0 && colsb[t] != 0;
    }

    public int dword(int t, int r, int c) {
        return (int) I32.get(data, t * AmxPalette.BYTES_PER_TILE + r * AmxPalette.BYTES_PER_ROW + 4 * c);
    }

    public void setDword(int t, int r, int c, int v) {
        I32.set(data, t * AmxPalette.BYTES_PER_TILE + r * AmxPalette.BYTES_PER_ROW + 4 * c, v);
    }
}
