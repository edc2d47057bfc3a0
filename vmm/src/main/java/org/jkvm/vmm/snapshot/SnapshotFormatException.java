package org.jkvm.vmm.snapshot;

/** A snapshot file that is not one, is damaged, or cannot be restored here; the message is one line. */
public final class SnapshotFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public SnapshotFormatException(String message) {
        super(message);
    }
}
