package org.jkvm.kvm.fpu;

import org.jkvm.api.Errno;
import org.jkvm.api.KvmException;
import org.jkvm.kvm.xcr.Xfeatures;

/**
 * The per-process guest XSAVE permission ({@code fpu->guest_perm}): which user features a guest fpstate may
 * hold. It starts as the guest default (everything supported except dynamic features), grows only through
 * ARCH_REQ_XCOMP_GUEST_PERM(XTILEDATA), and is locked once the first vCPU's fpstate is allocated.
 */
public final class GuestPermission {
    private final long supportedUser;
    private long permitted;
    private boolean locked;

    /** @param supportedUser the user features the host supports and KVM may give a guest */
    public GuestPermission(long supportedUser) {
        this.supportedUser = supportedUser;
        this.permitted = supportedUser & ~Xfeatures.USER_DYNAMIC;
    }

    /** ARCH_REQ_XCOMP_GUEST_PERM. */
    public synchronized void request(int xfeature) throws KvmException {
        if (xfeature < 0 || xfeature >= 64) throw new KvmException(Errno.EINVAL, "xfeature " + xfeature + " out of range");
        long mask = 1L << xfeature;
        if (mask != Xfeatures.XTILE_DATA) {
            throw new KvmException(Errno.EOPNOTSUPP, "only XTILEDATA (18) needs a guest permission, not " + xfeature);
        }
        if ((supportedUser & mask) == 0) throw new KvmException(Errno.EOPNOTSUPP, "XTILEDATA not supported by this CPU");
        if ((permitted & mask) != 0) return;
        if (locked) throw new KvmException(Errno.EBUSY, "guest permissions are locked once a vCPU exists");
        permitted |= mask;
    }

    /** ARCH_GET_XCOMP_GUEST_PERM. */
    public synchronized long permitted() { return permitted; }

    /** fpu_lock_guest_permissions: the first vCPU's fpstate allocation freezes the set. */
    public synchronized long lock() {
        locked = true;
        return permitted;
    }

    public synchronized boolean isLocked() { return locked; }
}
