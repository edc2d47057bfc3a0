package org.jkvm.cpu.xstate;

import org.jkvm.cpu.fault.Fault;
import org.jkvm.cpu.mem.LinearMemory;

/**
 * The AMX instructions on an {@link XState}: LDTILECFG, STTILECFG, TILERELEASE, TILEZERO,
 * TILELOADD(T1), TILESTORED and the TDP* dot products.
 *
 * <p>Fault rules, in the order they are checked (confirmed on a Sapphire Rapids class host where the
 * SDM is silent): #UD outside 64-bit mode, without CR4.OSXSAVE or unless XCR0[18:17] = 11b; #NM
 * when XFD arms TILEDATA for the instructions that touch tile data (LDTILECFG, STTILECFG and
 * TILERELEASE do not); then #UD when tiles are not configured or an operand tile is unusable (rows
 * or bytes-per-row zero); loads and stores also need bytes-per-row a multiple of 4 and start_row
 * below the tile's rows; TDP* needs three distinct tiles with dst.rows = a.rows, dst.colsb = b.colsb,
 * a.colsb = 4 * b.rows and dst.colsb a multiple of 4. The caller raises #UD for a TILELOADD/TILESTORED
 * without SIB (a decode property) and passes the row stride (index register, scaled).
 */
public final class AmxUnit {
    /** TDPBSSD: signed x signed; TDPBSUD: signed x unsigned; TDPBUSD; TDPBUUD (first letter: tile a). */
    public static final int SS = 0, SU = 1, US = 2, UU = 3;

    private final XState s;
    private final TileState t;
    private final byte[] cfg = new byte[64];
    private final byte[] row = new byte[AmxPalette.BYTES_PER_ROW];
    private final int[] acc = new int[AmxPalette.BYTES_PER_ROW / 4];

    public AmxUnit(XState state) {
        this.s = state;
        this.t = state.tiles;
    }

    public XState state() {
        return s;
    }

    private void enabled(XContext c) {
        if (!c.long64() || (c.cr4() & XContext.CR4_OSXSAVE) == 0) throw Fault.ud();
        long amx = XFeature.TILECFG.mask | XFeature.TILEDATA.mask;
        if ((s.xcr0 & amx) != amx) throw Fault.ud();
    }

    private void dataAccess(XContext c) {
        enabled(c);
        s.xfdCheck(XFeature.TILEDATA.mask);
        if (!t.configured()) throw Fault.ud();
    }

    private void usable(int tile) {
        if (tile < 0 || tile >= AmxPalette.MAX_NAMES || !t.valid(tile)) throw Fault.ud();
    }

    /** LDTILECFG m512: #GP(0) for a configuration {@link TileState#validConfig} rejects; success zeroes all tile data. */
    public void ldtilecfg(XContext c, LinearMemory m, long addr) {
        enabled(c);
        XsaveUnit.readBytes(m, addr, cfg, 64);
        if (!TileState.validConfig(cfg)) throw Fault.gp0();
        t.decodeConfig(cfg);
        t.zeroData();
        if (t.configured()) s.touch(XFeature.TILECFG.mask);
    }

    /** STTILECFG m512: the configuration, or 64 zero bytes when tiles are not configured. */
    public void sttilecfg(XContext c, LinearMemory m, long addr) {
        enabled(c);
        m.probe(addr, 64, true);
        t.encodeConfig(cfg);
        XsaveUnit.writeBytes(m, addr, cfg, 64);
    }

    /** TILERELEASE: TILECFG and TILEDATA to their initial configuration. */
    public void tilerelease(XContext c) {
        enabled(c);
        t.release();
        t.zeroData();
        s.xinuse &= ~(XFeature.TILECFG.mask | XFeature.TILEDATA.mask);
    }

    public void tilezero(XContext c, int tile) {
        dataAccess(c);
        usable(tile);
        java.util.Arrays.fill(t.data, tile * AmxPalette.BYTES_PER_TILE, (tile + 1) * AmxPalette.BYTES_PER_TILE, (byte) 0);
        t.startRow = 0;
        s.touch(XFeature.TILEDATA.mask);
    }

    /**
     * TILELOADD / TILELOADDT1 tmm, [base + index*scale]: rows start_row..rows-1 from
     * {@code base + r * stride}, each padded with zeros past colsb, rows past the shape zeroed.
     * Restartable: a fault on row r leaves start_row = r and the earlier rows loaded.
     */
    public void tileloadd(XContext c, LinearMemory m, long base, long stride, int tile) {
        dataAccess(c);
        usable(tile);
        int cols = t.colsb[tile], rows = t.rows[tile];
        if ((cols & 3) != 0 || t.startRow >= rows) throw Fault.ud();
        s.touch(XFeature.TILEDATA.mask);
        int tb = tile * AmxPalette.BYTES_PER_TILE;
        for (int r = t.startRow; r < rows; r++) {
            long a = base + r * stride;
            try {
                for (int b = 0; b < cols; b += 4) TileState.I32.set(row, b, m.read32(a + b));
            } catch (Fault f) {
                t.startRow = r;
                throw f;
            }
            System.arraycopy(row, 0, t.data, tb + r * AmxPalette.BYTES_PER_ROW, cols);
            java.util.Arrays.fill(t.data, tb + r * AmxPalette.BYTES_PER_ROW + cols, tb + (r + 1) * AmxPalette.BYTES_PER_ROW,
                (byte) 0);
        }
        java.util.Arrays.fill(t.data, tb + rows * AmxPalette.BYTES_PER_ROW, tb + AmxPalette.BYTES_PER_TILE, (byte) 0);
        t.startRow = 0;
    }

    /** TILESTORED [base + index*scale], tmm: rows start_row..rows-1, colsb bytes each; restartable like loads. */
    public void tilestored(XContext c, LinearMemory m, long base, long stride, int tile) {
        dataAccess(c);
        usable(tile);
        int cols = t.colsb[tile], rows = t.rows[tile];
        if ((cols & 3) != 0 || t.startRow >= rows) throw Fault.ud();
        int tb = tile * AmxPalette.BYTES_PER_TILE;
        for (int r = t.startRow; r < rows; r++) {
            long a = base + r * stride;
            try {
                m.probe(a, cols, true);
            } catch (Fault f) {
                t.startRow = r;
                throw f;
            }
            for (int b = 0; b < cols; b += 4) m.write32(a + b, (int) TileState.I32.get(t.data, tb + r * AmxPalette.BYTES_PER_ROW + b));
        }
        t.startRow = 0;
    }

    private void shapes(int dst, int a, int b) {
        usable(dst);
        usable(a);
        usable(b);
        if (dst == a || dst == b || a == b) throw Fault.ud();
        if (t.rows[dst] != t.rows[a] || t.colsb[dst] != t.colsb[b] || t.colsb[a] != 4 * t.rows[b]
                || (t.colsb[dst] & 3) != 0) {
            throw Fault.ud();
        }
    }

    /** TDPB[SU][SU]D dst, a, b: dst[m][n] += sum over k of the four byte products of a[m][k] and b[k][n], wrapping. */
    public void tdpbd(XContext c, int kind, int dst, int a, int b) {
        dataAccess(c);
        shapes(dst, a, b);
        boolean aSigned = kind == SS || kind == SU, bSigned = kind == SS || kind == US;
        int mRows = t.rows[dst], n = t.colsb[dst] / 4, k = t.rows[b];
        byte[] d = t.data;
        int ab = a * AmxPalette.BYTES_PER_TILE, bb = b * AmxPalette.BYTES_PER_TILE;
        for (int m = 0; m < mRows; m++) {
            for (int j = 0; j < n; j++) acc[j] = t.dword(dst, m, j);
            for (int kk = 0; kk < k; kk++) {
                int ao = ab + m * AmxPalette.BYTES_PER_ROW + 4 * kk;
                int bo = bb + kk * AmxPalette.BYTES_PER_ROW;
                for (int j = 0; j < n; j++) {
                    int sum = 0;
                    for (int i = 0; i < 4; i++) {
                        int x = aSigned ? d[ao + i] : d[ao + i] & 0xFF;
                        int y = bSigned ? d[bo + 4 * j + i] : d[bo + 4 * j + i] & 0xFF;
                        sum += x * y;
                    }
                    acc[j] += sum;
                }
            }
            for (int j = 0; j < n; j++) t.setDword(dst, m, j, acc[j]);
        }
        finishDst(dst);
    }

    /**
     * TDPBF16PS dst, a, b. The SDM describes one fused multiply-add per product into the accumulator;
     * the hardware (measured on a Sapphire Rapids class host, bit-exact over 5000 random programs)
     * keeps two FP32 chains instead, one over the even bf16 lanes and one over the odd, each a fused
     * multiply-add per k starting from zero, and adds them to the accumulator at the end:
     * {@code dst = acc + (even + odd)}. Denormal inputs and every intermediate result are flushed to
     * zero, rounding is to nearest even, MXCSR is neither read nor written. NaNs: a NaN operand
     * propagates quieted, looking at the a element, then the b element, then the chain (and the
     * accumulator before the chain sum in the final add); an invalid operation gives the default NaN
     * FFC00000H.
     */
    public void tdpbf16ps(XContext c, int dst, int a, int b) {
        dataAccess(c);
        shapes(dst, a, b);
        int mRows = t.rows[dst], n = t.colsb[dst] / 4, k = t.rows[b];
        for (int m = 0; m < mRows; m++) {
            for (int j = 0; j < n; j++) {
                float acc = daz(Float.intBitsToFloat(t.dword(dst, m, j)));
                float even = 0f, odd = 0f;
                for (int kk = 0; kk < k; kk++) {
                    int av = t.dword(a, m, kk), bv = t.dword(b, kk, j);
                    even = ftz(fma(bf16(av), bf16(bv), even));
                    odd = ftz(fma(bf16(av >>> 16), bf16(bv >>> 16), odd));
                }
                t.setDword(dst, m, j, Float.floatToRawIntBits(ftz(add(acc, ftz(add(even, odd))))));
            }
        }
        finishDst(dst);
    }

    static final float DEFAULT_NAN = Float.intBitsToFloat(0xFFC0_0000);

    static float quiet(float f) {
        return Float.intBitsToFloat(Float.floatToRawIntBits(f) | 0x0040_0000);
    }

    /** x * y + z rounded once, with x86 NaN selection (x, then y, then z) and the default NaN for invalid operations. */
    static float fma(float x, float y, float z) {
        if (Float.isNaN(x)) return quiet(x);
        if (Float.isNaN(y)) return quiet(y);
        if (Float.isNaN(z)) return quiet(z);
        if (Float.isInfinite(x) && y == 0 || Float.isInfinite(y) && x == 0) return DEFAULT_NAN;
        if (Float.isInfinite(z) && (Float.isInfinite(x) || Float.isInfinite(y)) && (x < 0 != y < 0) != z < 0) {
            return DEFAULT_NAN;
        }
        return Math.fma(x, y, z);
    }

    /** x + y with x86 NaN selection (x first). */
    static float add(float x, float y) {
        if (Float.isNaN(x)) return quiet(x);
        if (Float.isNaN(y)) return quiet(y);
        if (Float.isInfinite(x) && Float.isInfinite(y) && x != y) return DEFAULT_NAN;
        return x + y;
    }

    private static float bf16(int v) {
        return daz(Float.intBitsToFloat(v << 16));
    }

    private static float daz(float f) {
        return Math.abs(f) < Float.MIN_NORMAL ? Math.copySign(0f, f) : f;
    }

    private static float ftz(float f) {
        return daz(f);
    }

    /** The destination's bytes outside its shape are zeroed, and the restart point cleared. */
    private void finishDst(int dst) {
        int tb = dst * AmxPalette.BYTES_PER_TILE, cols = t.colsb[dst], rows = t.rows[dst];
        for (int r = 0; r < rows; r++) {
            java.util.Arrays.fill(t.data, tb + r * AmxPalette.BYTES_PER_ROW + cols, tb + (r + 1) * AmxPalette.BYTES_PER_ROW, (byte) 0);
        }
        java.util.Arrays.fill(t.data, tb + rows * AmxPalette.BYTES_PER_ROW, tb + AmxPalette.BYTES_PER_TILE, (byte) 0);
        t.startRow = 0;
        s.touch(XFeature.TILEDATA.mask);
    }
}
