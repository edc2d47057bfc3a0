package org.jkvm.vmm.bus;

/**
 * A device on the I/O port bus. Ports are absolute (the device knows its base); {@code size} is 1, 2 or 4.
 * Reads return the value in the low {@code size} bytes; the bus masks it.
 */
public interface IoDevice {
    int in(int port, int size);

    void out(int port, int size, int value);
}
