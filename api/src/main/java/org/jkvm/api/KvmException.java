package org.jkvm.api;

/**
 * The one checked failure of the hypervisor API: an ioctl-style call that returned -errno.
 * A call that throws leaves the VM/vCPU state unchanged (the uABI rule both backends follow).
 */
public final class KvmException extends Exception {
    private static final long serialVersionUID = 1L;
    private final Errno errno;
    private final int rawErrno;

    public KvmException(Errno errno, String message) {
        super(errno.name() + ": " + message);
        this.errno = errno;
        this.rawErrno = errno.code;
    }

    /** For a real kernel errno jkvm has no constant for. */
    public KvmException(int rawErrno, String message) {
        super("errno " + rawErrno + ": " + message);
        this.errno = Errno.of(rawErrno);
        this.rawErrno = rawErrno;
    }

    /** The errno, or null if the kernel returned one jkvm does not name (see {@link #rawErrno()}). */
    public Errno errno() { return errno; }

    public int rawErrno() { return rawErrno; }
}
