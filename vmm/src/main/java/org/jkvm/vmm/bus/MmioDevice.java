package org.jkvm.vmm.bus;

/** A device on the MMIO bus. {@code offset} is relative to the registered base; {@code size} is 1, 2, 4 or 8. */
public interface MmioDevice {
    long read(long offset, int size);

    void write(long offset, int size, long value);
}
