package org.jkvm.vmm.bus;

import java.util.Objects;

/**
 * The 64 KiB I/O port space. A port maps directly to its device (an array, so a port access in the exit
 * path costs one load). Unknown ports read all-ones and ignore writes, as on a PC's ISA bus.
 */
public final class IoBus {
    public static final int PORTS = 0x10000;
    private final IoDevice[] devices = new IoDevice[PORTS];
    private final UnknownAccessLog unknown;

    public IoBus(UnknownAccessLog unknown) {
        this.unknown = Objects.requireNonNull(unknown);
    }

    /** Claims {@code [base, base+length)}; overlapping another device is a machine-construction bug. */
    public void register(int base, int length, IoDevice device) {
        Objects.requireNonNull(device);
        if (base < 0 || length <= 0 || base + length > PORTS) throw new IllegalArgumentException("bad port range");
        for (int p = base; p < base + length; p++) {
            if (devices[p] != null) throw new IllegalStateException(String.format("port 0x%x already claimed", p));
        }
        for (int p = base; p < base + length; p++) devices[p] = device;
    }

    public IoDevice deviceAt(int port) {
        return devices[port & 0xFFFF];
    }

    public int in(int port, int size) {
        port &= 0xFFFF;
        IoDevice d = devices[port];
        if (d == null) {
            unknown.once(port, String.format("unknown port 0x%04x read (size %d): returning all-ones", port, size));
            return mask(-1, size);
        }
        return mask(d.in(port, size), size);
    }

    public void out(int port, int size, int value) {
        port &= 0xFFFF;
        IoDevice d = devices[port];
        if (d == null) {
            unknown.once(port, String.format("unknown port 0x%04x written (size %d, value 0x%x): ignored",
                    port, size, mask(value, size)));
            return;
        }
        d.out(port, size, mask(value, size));
    }

    static int mask(int v, int size) {
        return switch (size) {
            case 1 -> v & 0xFF;
            case 2 -> v & 0xFFFF;
            default -> v;
        };
    }
}
