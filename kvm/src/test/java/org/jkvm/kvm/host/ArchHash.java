package org.jkvm.kvm.host;

import org.jkvm.cpu.vmx.PhysicalCpu;
import org.jkvm.cpu.xstate.XState;

/**
 * A 64-bit digest of the architectural register values of a physical CPU that a host event could disturb:
 * GPRs (optionally), R16-R31 (while XCR0.APX), x87 (values, control/status, abridged tags, pointers), MXCSR, ZMM0-31, k0-k7,
 * PKRU, the tile configuration and data (unless armed in XFD), XCR0, XSS, XFD, XFD_ERR. Values only: XINUSE is not state a program
 * can tell apart.
 */
final class ArchHash {
    private long h = 0xcbf29ce484222325L;

    private void mix(long v) {
        for (int i = 0; i < 8; i++) {
            h ^= (v >>> (8 * i)) & 0xFF;
            h *= 0x100000001b3L;
        }
    }

    /** Per-part digests (for a readable failure message): which register group differs. */
    static String parts(PhysicalCpu pc) {
        StringBuilder sb = new StringBuilder();
        long[] r = pc.core().r;
        XState x = pc.xstate();
        sb.append("gpr=").append(java.util.Arrays.hashCode(java.util.Arrays.copyOf(r, 16)) ^ (int) r[4] * 0);
        sb.append(" egpr=").append(java.util.Arrays.hashCode(java.util.Arrays.copyOfRange(r, 16, 32)));
        sb.append(" x87=").append(java.util.Arrays.hashCode(x.fpMant)).append('/').append(java.util.Arrays.hashCode(x.fpExp)).append('/').append(x.fcw).append('/').append(x.fsw);
        sb.append(" mxcsr=").append(x.mxcsr).append(" zmm=").append(java.util.Arrays.hashCode(x.zmm));
        sb.append(" k=").append(java.util.Arrays.hashCode(x.k)).append(" pkru=").append(Integer.toHexString(x.pkru));
        sb.append(" tcfg=").append(x.tiles.palette).append(" tdata=").append(java.util.Arrays.hashCode(x.tiles.data));
        sb.append(" xcr0=").append(Long.toHexString(x.xcr0())).append(" xss=").append(Long.toHexString(x.xss()));
        sb.append(" xfd=").append(Long.toHexString(x.xfd())).append(" xfderr=").append(Long.toHexString(x.xfdErr()));
        return sb.toString();
    }

    static long of(PhysicalCpu pc, boolean withLegacyGprs) {
        ArchHash a = new ArchHash();
        long[] r = pc.core().r;
        XState x = pc.xstate();
        if (withLegacyGprs) for (int i = 0; i < 16; i++) if (i != 4) a.mix(r[i]);
        // R16-R31 exist for software only while XCR0.APX=1; otherwise they are not anyone's state.
        if ((x.xcr0() & (1L << 19)) != 0) for (int i = 16; i < 32; i++) a.mix(r[i]);
        for (int i = 0; i < 8; i++) {
            a.mix(x.fpMant[i]);
            a.mix(x.fpExp[i]);
        }
        a.mix(x.fcw);
        a.mix(x.fsw);
        int abridged = 0;
        for (int i = 0; i < 8; i++) if (((x.ftw >> (2 * i)) & 3) != 3) abridged |= 1 << i;
        a.mix(abridged);
        a.mix(x.mxcsr);
        for (long z : x.zmm) a.mix(z);
        for (long k : x.k) a.mix(k);
        a.mix(x.pkru);
        a.mix(x.tiles.palette);
        a.mix(x.tiles.startRow);
        for (int c : x.tiles.colsb) a.mix(c);
        for (int c : x.tiles.rows) a.mix(c);
        // Tile data armed in XFD is dead by contract: XSAVES saves it as init (SDM; Linux relies on it).
        byte[] d = (x.xfd() & (1L << 18)) != 0 ? new byte[0] : x.tiles.data;
        for (int i = 0; i < d.length; i += 8) {
            long v = 0;
            for (int j = 0; j < 8; j++) v |= (d[i + j] & 0xFFL) << (8 * j);
            a.mix(v);
        }
        a.mix(x.xcr0());
        a.mix(x.xss());
        a.mix(x.xfd());
        a.mix(x.xfdErr());
        return a.h;
    }
}
