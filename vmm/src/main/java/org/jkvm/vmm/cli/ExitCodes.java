package org.jkvm.vmm.cli;

/** Host-side exit statuses (sysexits.h numbering), all 64 or above so they never collide with a guest's. */
public final class ExitCodes {
    private ExitCodes() {}

    /** Bad option or argument. */
    public static final int USAGE = 64;
    /** The input is not what it claims (bad image, corrupt snapshot). */
    public static final int DATAERR = 65;
    /** A named file does not exist or cannot be read. */
    public static final int NOINPUT = 66;
    /** A needed service (a backend such as /dev/kvm) is unavailable. */
    public static final int UNAVAILABLE = 69;
    /** A bug in jkvm. */
    public static final int SOFTWARE = 70;
    /** Cannot create an output file. */
    public static final int CANTCREAT = 73;
    /** I/O error on a file. */
    public static final int IOERR = 74;
}
