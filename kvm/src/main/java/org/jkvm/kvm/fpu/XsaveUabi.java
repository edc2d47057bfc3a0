package org.jkvm.kvm.fpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.jkvm.api.Errno;
import org.jkvm.api.KvmException;
import org.jkvm.cpu.xstate.XFeature;
import org.jkvm.cpu.xstate.XsaveLayout;
import org.jkvm.kvm.xcr.Xfeatures;

/**
 * Copies between the guest fpstate (compacted, kernel side) and the uABI buffer (standard format, what
 * KVM_GET/SET_XSAVE exchange), with the APX area coming from and going to the register cache and PKRU
 * from and to the vCPU's PKRU of record.
 */
public final class XsaveUabi {
    private XsaveUabi() {}

    /** The software-reserved bytes 464..511 of the legacy area (fx_sw_bytes), as Linux fills them. */
    static final int SW_RESERVED = 464;
    static final int FP_XSTATE_MAGIC1 = 0x46505853;
    static final int APX_OFFSET = XFeature.APX.standardOffset;
    static final int PKRU_OFFSET = XFeature.PKRU.standardOffset;

    /**
     * copy_xstate_to_uabi_buf for a guest, plus the APX area from {@code egprs} (16 values) when {@code apx}.
     *
     * @param size the uABI buffer size (4096 or the XSAVE2 size)
     */
    public static byte[] get(GuestFpu fpu, int size, long pkru, long[] egprs, boolean apx) {
        byte[] out = new byte[size];
        ByteBuffer o = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer s = fpu.view();
        long user = fpu.userXfeatures();
        long bv = s.getLong(GuestFpu.XSTATE_BV) & user;
        if ((user & Xfeatures.PKRU) != 0) bv |= Xfeatures.PKRU;
        // legacy region: x87 up to MXCSR, MXCSR+MASK, x87 registers, XMM; init values where not in use
        if ((bv & Xfeatures.FP) != 0) {
            System.arraycopy(fpu.state(), 0, out, 0, 24);
            System.arraycopy(fpu.state(), 32, out, 32, 128);
        } else {
            o.putShort(0, (short) GuestFpu.FCW_DEFAULT);
        }
        if ((bv & (Xfeatures.SSE | Xfeatures.YMM)) != 0) {
            o.putInt(GuestFpu.MXCSR, s.getInt(GuestFpu.MXCSR));
        } else {
            o.putInt(GuestFpu.MXCSR, GuestFpu.MXCSR_DEFAULT);
        }
        o.putInt(GuestFpu.MXCSR_MASK, MxcsrMask.VALUE);
        if ((bv & Xfeatures.SSE) != 0) System.arraycopy(fpu.state(), 160, out, 160, 256);
        o.putInt(SW_RESERVED, FP_XSTATE_MAGIC1);
        o.putInt(SW_RESERVED + 4, size + 4);
        o.putLong(SW_RESERVED + 8, user | (apx ? Xfeatures.APX : 0));
        o.putInt(SW_RESERVED + 16, XsaveLayout.standardSize(user | (apx ? Xfeatures.APX : 0)));
        for (XFeature f : XFeature.all()) {
            if (f.index < 2 || f.supervisor || (bv & f.mask) == 0) continue;
            if (f == XFeature.PKRU) {
                o.putInt(PKRU_OFFSET, (int) pkru);
                continue;
            }
            if (f.standardOffset + f.size > size) continue;
            System.arraycopy(fpu.state(), fpu.compactedOffset(f.index), out, f.standardOffset, f.size);
        }
        if (apx) {
            for (int i = 0; i < 16; i++) o.putLong(APX_OFFSET + 8 * i, egprs[i]);
            bv |= Xfeatures.APX;
        }
        o.putLong(GuestFpu.XSTATE_BV, bv);
        return out;
    }

    /** What a validated KVM_SET_XSAVE changes: the new fpstate image, PKRU, and R16..R31 if present. */
    public record Decoded(byte[] image, long pkru, long[] egprs) {}

    /**
     * Validates a uABI buffer and builds the new state without touching {@code fpu}: KVM_SET_XSAVE is all or
     * nothing. XSTATE_BV bits armed in the guest XFD are dropped, as fpu_copy_uabi_to_guest_fpstate does.
     */
    public static Decoded decode(GuestFpu fpu, byte[] region, boolean apx) throws KvmException {
        if (region == null || region.length < 4096) throw new KvmException(Errno.EINVAL, "xsave region shorter than 4096 bytes");
        ByteBuffer u = ByteBuffer.wrap(region).order(ByteOrder.LITTLE_ENDIAN);
        int mxcsr = u.getInt(GuestFpu.MXCSR);
        long bv = u.getLong(GuestFpu.XSTATE_BV) & ~fpu.xfd();
        // MXCSR is only taken (and only checked) when SSE or AVX state is present, as copy_uabi_to_xstate does.
        if ((bv & (Xfeatures.SSE | Xfeatures.YMM)) != 0 && (mxcsr & ~MxcsrMask.VALUE) != 0) {
            throw new KvmException(Errno.EINVAL, "MXCSR reserved bits set: 0x" + Integer.toHexString(mxcsr));
        }
        long allowed = fpu.userXfeatures() | (apx ? Xfeatures.APX : 0);
        if ((bv & ~allowed) != 0) {
            throw new KvmException(Errno.EINVAL, "XSTATE_BV 0x" + Long.toHexString(bv) + " outside the supported 0x" + Long.toHexString(allowed));
        }
        if (u.getLong(GuestFpu.XCOMP_BV) != 0) throw new KvmException(Errno.EINVAL, "XCOMP_BV must be 0 in the standard format");
        for (int i = 16; i < 64; i += 8) {
            if (u.getLong(GuestFpu.XSTATE_BV + i) != 0) throw new KvmException(Errno.EINVAL, "XSAVE header reserved bytes not zero");
        }
        for (XFeature f : XFeature.all()) {
            if (f.index >= 2 && (bv & f.mask) != 0 && f.standardOffset + f.size > region.length) {
                throw new KvmException(Errno.EINVAL, f.label + " state lies beyond the " + region.length + "-byte buffer");
            }
        }
        byte[] img = fpu.state().clone();
        ByteBuffer k = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
        if ((bv & Xfeatures.FP) != 0) {
            System.arraycopy(region, 0, img, 0, 24);
            System.arraycopy(region, 32, img, 32, 128);
        }
        if ((bv & (Xfeatures.SSE | Xfeatures.YMM)) != 0) k.putInt(GuestFpu.MXCSR, mxcsr);
        if ((bv & Xfeatures.SSE) != 0) System.arraycopy(region, 160, img, 160, 256);
        long pkru = 0;
        long[] egprs = null;
        for (XFeature f : XFeature.all()) {
            if (f.index < 2 || f.supervisor || (bv & f.mask) == 0) continue;
            if (f == XFeature.PKRU) {
                pkru = u.getInt(PKRU_OFFSET) & 0xFFFF_FFFFL;
            } else if (f == XFeature.APX) {
                egprs = new long[16];
                for (int i = 0; i < 16; i++) egprs[i] = u.getLong(APX_OFFSET + 8 * i);
                continue;
            }
            if ((fpu.xfeatures() & f.mask) != 0) {
                System.arraycopy(region, f.standardOffset, img, fpu.compactedOffset(f.index), f.size);
            }
        }
        long kbv = k.getLong(GuestFpu.XSTATE_BV);
        kbv = (kbv & XFeature.SUPERVISOR_MASK) | (bv & fpu.xfeatures());
        k.putLong(GuestFpu.XSTATE_BV, kbv);
        return new Decoded(img, pkru, egprs);
    }

    /** Commits a decoded buffer. */
    public static void commit(GuestFpu fpu, Decoded d) {
        fpu.adopt(d.image());
    }
}
