package org.jkvm.cpu.vmx;

/**
 * The VMX I/O bitmaps A and B as one 64K-bit map: bit p set means an access touching port p exits
 * (an access of several bytes exits if any byte's bit is set, or if it wraps past 0xFFFF). Consulted
 * when {@link Vmcs#CPU_USE_IO_BITMAPS} is set; {@link Vmcs#CPU_UNCOND_IO_EXITING} makes every I/O
 * instruction exit instead.
 */
public final class IoBitmap {
    private final long[] bits = new long[1024];

    public IoBitmap() {
        java.util.Arrays.fill(bits, -1L);
    }

    public void intercept(int port, boolean exit) {
        port &= 0xFFFF;
        if (exit) bits[port >>> 6] |= 1L << port;
        else bits[port >>> 6] &= ~(1L << port);
    }

    public boolean exits(int port, int size) {
        for (int i = 0; i < size; i++) {
            int p = port + i;
            if (p > 0xFFFF) return true;
            if ((bits[p >>> 6] & (1L << p)) != 0) return true;
        }
        return false;
    }
}
