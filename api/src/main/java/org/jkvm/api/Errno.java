package org.jkvm.api;

/** The errno values the KVM ioctls return, with Linux's numbers so both backends report the same code. */
public enum Errno {
    EPERM(1), ENOENT(2), EINTR(4), EIO(5), ENXIO(6), E2BIG(7), EBADF(9), EAGAIN(11), ENOMEM(12), EACCES(13),
    EFAULT(14), EBUSY(16),
    EEXIST(17), ENODEV(19), EINVAL(22), ENOSPC(28), ENOSYS(38), EOPNOTSUPP(95);

    public final int code;

    Errno(int code) { this.code = code; }

    /** The constant for a raw Linux errno, or null when it is not one jkvm names. */
    public static Errno of(int code) {
        for (Errno e : values()) if (e.code == code) return e;
        return null;
    }
}
