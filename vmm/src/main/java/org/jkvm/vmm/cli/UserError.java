package org.jkvm.vmm.cli;

/** A problem the user can fix: printed as one line "jkvm: message", exit status {@code status} (64+). */
public final class UserError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    public final int status;

    public UserError(int status, String message) {
        super(message);
        if (status < 64) throw new IllegalArgumentException("host-side errors use 64+");
        this.status = status;
    }
}
