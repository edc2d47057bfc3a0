package org.jkvm.kvm.fpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.jkvm.api.Errno;
import org.jkvm.api.KvmException;
import org.jkvm.cpu.xstate.XFeature;
import org.jkvm.cpu.xstate.XsaveLayout;
import org.jkvm.kvm.xcr.Xfeatures;

/**
 * The guest FPU ({@code struct fpu_guest}) and its {@code fpstate}: a compacted XSAVES image of the guest's
 * extended state, which is the source of truth whenever the guest FPU is not loaded in the physical CPU.
 * APX is never part of it (R16..R31 live in the register cache), and neither is PKRU's value of record
 * (KVM keeps the guest PKRU beside it).
 */
public final class GuestFpu {
    /** Offset of XSTATE_BV / XCOMP_BV in any XSAVE image. */
    public static final int XSTATE_BV = 512, XCOMP_BV = 520;
    public static final int MXCSR = 24, MXCSR_MASK = 28;
    public static final int MXCSR_DEFAULT = 0x1F80, FCW_DEFAULT = 0x37F;

    private final GuestPermission permission;
    /** The user+supervisor features the fpstate can hold. */
    private long xfeatures;
    /** The user features (fpstate->user_xfeatures) a uABI buffer may carry. */
    private long userXfeatures;
    private int uabiSize;
    private byte[] state;
    private ByteBuffer view;
    private long xfd;
    private long xfdErr;
    /** Bytes allocated in total, reported by tests that check the lazy growth. */
    private int reallocations;

    /**
     * fpu_alloc_guest_fpstate: sized for the permitted features minus the dynamic ones; locks the permission.
     *
     * @param supervisor the supervisor features (XSS side) the guest fpstate carries
     */
    public GuestFpu(GuestPermission permission, long supervisor) {
        this.permission = permission;
        long perm = permission.lock();
        long user = perm & ~Xfeatures.USER_DYNAMIC & ~Xfeatures.APX;
        this.userXfeatures = user;
        this.xfeatures = user | supervisor;
        this.state = new byte[XsaveLayout.compactedSize(xfeatures)];
        this.view = ByteBuffer.wrap(state).order(ByteOrder.LITTLE_ENDIAN);
        this.uabiSize = Math.max(4096, XsaveLayout.standardSize(perm & ~Xfeatures.USER_DYNAMIC));
        initState();
    }

    /** The reset state (fpstate_init_user): x87 FCW 0x37F, MXCSR 0x1F80, everything else in init state. */
    private void initState() {
        java.util.Arrays.fill(state, (byte) 0);
        view.putShort(0, (short) FCW_DEFAULT);
        view.putInt(MXCSR, MXCSR_DEFAULT);
        view.putInt(MXCSR_MASK, MxcsrMask.VALUE);
        view.putLong(XSTATE_BV, 0);
        view.putLong(XCOMP_BV, xfeatures | XFeature.XCOMP_BV_COMPACTED);
    }

    /**
     * fpu_enable_guest_xfd_features, called from KVM_SET_CPUID2 with the guest's CPUID 0xD.0 XCR0 mask:
     * -EPERM for a dynamic feature without permission, else grows the fpstate (keeping its contents).
     */
    public void enableXfdFeatures(long guestXcr0) throws KvmException {
        long want = guestXcr0 & Xfeatures.USER_DYNAMIC & ~xfeatures;
        if (want == 0) return;
        if ((want & ~permission.permitted()) != 0) {
            throw new KvmException(Errno.EPERM, "dynamic XSAVE feature 0x" + Long.toHexString(want) + " not permitted");
        }
        long nf = xfeatures | want;
        // XTILEDATA implies XTILECFG already present; the compacted layout of the old features is a prefix-order
        // subset of the new one, so move each component to its new offset.
        byte[] ns = new byte[XsaveLayout.compactedSize(nf)];
        System.arraycopy(state, 0, ns, 0, XFeature.LEGACY_AND_HEADER);
        for (XFeature f : XFeature.all()) {
            if (f.index < 2 || (xfeatures & f.mask) == 0) continue;
            System.arraycopy(state, XsaveLayout.compactedOffset(xfeatures, f.index), ns,
                XsaveLayout.compactedOffset(nf, f.index), f.size);
        }
        state = ns;
        view = ByteBuffer.wrap(state).order(ByteOrder.LITTLE_ENDIAN);
        view.putLong(XCOMP_BV, nf | XFeature.XCOMP_BV_COMPACTED);
        xfeatures = nf;
        userXfeatures |= want;
        uabiSize = Math.max(uabiSize, XsaveLayout.standardSize(userXfeatures | Xfeatures.APX & permission.permitted()));
        reallocations++;
    }

    /**
     * fpu_update_guest_xfd: records the guest XFD and clears XSTATE_BV[i] for every armed i, so that no
     * restore of this image can #NM on an armed component.
     */
    public void updateXfd(long newXfd) {
        xfd = newXfd;
        view.putLong(XSTATE_BV, view.getLong(XSTATE_BV) & ~newXfd);
    }

    public long xfd() { return xfd; }

    public long xfdErr() { return xfdErr; }

    public void setXfdErr(long v) { xfdErr = v; }

    public long xfeatures() { return xfeatures; }

    public long userXfeatures() { return userXfeatures; }

    /** The size a KVM_GET_XSAVE2 buffer needs (fpu_guest->uabi_size). */
    public int uabiSize() { return uabiSize; }

    /** The raw compacted image, for the physical CPU's XSAVES/XRSTORS and the uABI copies. */
    public byte[] state() { return state; }

    public ByteBuffer view() { return view; }

    public int compactedOffset(int index) { return XsaveLayout.compactedOffset(xfeatures, index); }

    public int reallocations() { return reallocations; }

    /** Replaces the image wholesale (a validated uABI copy built on the side). */
    void adopt(byte[] image) {
        System.arraycopy(image, 0, state, 0, state.length);
    }
}
