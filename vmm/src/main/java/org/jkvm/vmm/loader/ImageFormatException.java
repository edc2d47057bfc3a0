package org.jkvm.vmm.loader;

/** The image is not something jkvm can boot, or it does not fit the machine; the message is one line. */
public final class ImageFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public ImageFormatException(String message) {
        super(message);
    }
}
