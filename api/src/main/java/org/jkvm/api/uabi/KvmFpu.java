package org.jkvm.api.uabi;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.HexFormat;

import org.jkvm.api.KvmException;

/**
 * struct kvm_fpu (416 bytes): x87 registers (8 x 16 bytes, 80-bit values in the low 10 bytes), control words,
 * XMM0-15 (16 x 16 bytes) and MXCSR. {@code ftwx} is the abridged (FXSAVE) tag byte.
 */
public record KvmFpu(byte[] fpr, int fcw, int fsw, int ftwx, int lastOpcode, long lastIp, long lastDp,
                     byte[] xmm, int mxcsr) {
    public static final int SIZE = 416;
    public static final int FPR_BYTES = 8 * 16, XMM_BYTES = 16 * 16;

    public static final CStruct LAYOUT = CStruct.of("kvm_fpu", SIZE)
        .field("fpr", 0, FPR_BYTES)
        .field("fcw", 128, 2)
        .field("fsw", 130, 2)
        .field("ftwx", 132, 1)
        .field("pad1", 133, 1)
        .field("last_opcode", 134, 2)
        .field("last_ip", 136, 8)
        .field("last_dp", 144, 8)
        .field("xmm", 152, XMM_BYTES)
        .field("mxcsr", 408, 4)
        .field("pad2", 412, 4)
        .build();

    private static final Field FPR = LAYOUT.field("fpr"), FCW = LAYOUT.field("fcw"), FSW = LAYOUT.field("fsw"),
        FTWX = LAYOUT.field("ftwx"), LAST_OPCODE = LAYOUT.field("last_opcode"), LAST_IP = LAYOUT.field("last_ip"),
        LAST_DP = LAYOUT.field("last_dp"), XMM = LAYOUT.field("xmm"), MXCSR = LAYOUT.field("mxcsr");

    public KvmFpu {
        if (fpr.length != FPR_BYTES) throw new IllegalArgumentException("fpr is 128 bytes, got " + fpr.length);
        if (xmm.length != XMM_BYTES) throw new IllegalArgumentException("xmm is 256 bytes, got " + xmm.length);
        fpr = fpr.clone();
        xmm = xmm.clone();
    }

    @Override
    public byte[] fpr() { return fpr.clone(); }

    @Override
    public byte[] xmm() { return xmm.clone(); }

    /** XMM register {@code n} (16 bytes, little-endian). */
    public byte[] xmm(int n) { return Arrays.copyOfRange(xmm, 16 * n, 16 * n + 16); }

    public KvmFpu withXmm(int n, byte[] value) {
        if (value.length != 16) throw new IllegalArgumentException("an XMM register is 16 bytes");
        byte[] x = xmm.clone();
        System.arraycopy(value, 0, x, 16 * n, 16);
        return new KvmFpu(fpr, fcw, fsw, ftwx, lastOpcode, lastIp, lastDp, x, mxcsr);
    }

    public KvmFpu withFcw(int v) { return new KvmFpu(fpr, v, fsw, ftwx, lastOpcode, lastIp, lastDp, xmm, mxcsr); }

    public KvmFpu withMxcsr(int v) { return new KvmFpu(fpr, fcw, fsw, ftwx, lastOpcode, lastIp, lastDp, xmm, v); }

    public void write(MemorySegment s) {
        FPR.setBytes(s, fpr);
        FCW.set(s, fcw);
        FSW.set(s, fsw);
        FTWX.set(s, ftwx);
        LAYOUT.field("pad1").set(s, 0);
        LAST_OPCODE.set(s, lastOpcode);
        LAST_IP.set(s, lastIp);
        LAST_DP.set(s, lastDp);
        XMM.setBytes(s, xmm);
        MXCSR.set(s, mxcsr);
        LAYOUT.field("pad2").set(s, 0);
    }

    public byte[] toBytes() {
        MemorySegment s = LAYOUT.newHeapBuffer();
        write(s);
        return s.toArray(ValueLayout.JAVA_BYTE);
    }

    public static KvmFpu fromBytes(byte[] b) throws KvmException {
        return fromBytes(b == null ? null : MemorySegment.ofArray(b));
    }

    /** EINVAL unless {@code s} is exactly 416 bytes. */
    public static KvmFpu fromBytes(MemorySegment s) throws KvmException {
        LAYOUT.checkExactly(s);
        return new KvmFpu(FPR.getBytes(s), FCW.getInt(s), FSW.getInt(s), FTWX.getInt(s), LAST_OPCODE.getInt(s),
            LAST_IP.get(s), LAST_DP.get(s), XMM.getBytes(s), MXCSR.getInt(s));
    }

    @Override
    public boolean equals(Object o) { return o instanceof KvmFpu x && Arrays.equals(toBytes(), x.toBytes()); }

    @Override
    public int hashCode() { return Arrays.hashCode(toBytes()); }

    @Override
    public String toString() {
        HexFormat h = HexFormat.of();
        return String.format("KvmFpu[fcw=%#x, fsw=%#x, ftwx=%#x, lastOpcode=%#x, lastIp=%#x, lastDp=%#x, mxcsr=%#x, fpr=%s, xmm=%s]",
            fcw, fsw, ftwx, lastOpcode, lastIp, lastDp, mxcsr, h.formatHex(fpr), h.formatHex(xmm));
    }
}
