package org.jkvm.vmm.devices;

import org.jkvm.vmm.bus.Clock;
import org.jkvm.vmm.bus.IoDevice;

/**
 * The ACPI PM timer at 0xB008: a free-running 3.579545 MHz counter, 24 bits wide as on QEMU's PIIX4 (FADT
 * TMR_VAL_EXT clear). It has no state of its own beyond the machine clock, so snapshots need nothing.
 */
public final class PmTimer implements IoDevice {
    public static final int PORT = 0xB008, LENGTH = 4;
    public static final long FREQ_HZ = 3_579_545;
    private final Clock clock;

    public PmTimer(Clock clock) {
        this.clock = clock;
    }

    public long ticks() {
        long ns = clock.nanos();
        return Math.floorDiv(ns, 1_000_000_000L) * FREQ_HZ + Math.floorMod(ns, 1_000_000_000L) * FREQ_HZ / 1_000_000_000L;
    }

    @Override
    public int in(int port, int size) {
        int v = (int) (ticks() & 0xFFFFFF);
        return v >>> (8 * (port - PORT));
    }

    @Override
    public void out(int port, int size, int value) {
        // read-only
    }
}
