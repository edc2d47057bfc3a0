package org.jkvm.vmm.devices;

import org.jkvm.vmm.bus.IoDevice;

/**
 * QEMU's isa-debug-exit (iobase 0xF4, 4 bytes): a write of v asks to end the run with status (v << 1) | 1.
 * The run loop polls {@link #requestedStatus()} after each I/O exit.
 */
public final class DebugExit implements IoDevice {
    public static final int BASE = 0xF4, LENGTH = 4;
    private int status = -1;

    @Override
    public int in(int port, int size) {
        return -1; // QEMU's device has no read side: the bus value is all-ones
    }

    @Override
    public void out(int port, int size, int value) {
        // QEMU's exit code is an int: the shift drops bit 31 of the value, and the process status keeps the low byte.
        status = ((value << 1) | 1) & 0xFF;
    }

    /** The status to exit with, or -1 if the guest has not written. */
    public int requestedStatus() {
        return status;
    }
}
