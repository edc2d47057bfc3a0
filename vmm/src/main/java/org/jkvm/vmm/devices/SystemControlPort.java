package org.jkvm.vmm.devices;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

import org.jkvm.vmm.bus.Clock;
import org.jkvm.vmm.bus.IoDevice;
import org.jkvm.vmm.bus.Snapshottable;

/**
 * Port 0x61 (system control port B): bit 0 gates PIT channel 2, bit 1 enables the speaker, bit 4 is the
 * DRAM refresh toggle (flips every 15.085 us, used by firmware delay loops), bit 5 is channel 2's OUT
 * (used by Linux and others to calibrate the TSC against the PIT).
 */
public final class SystemControlPort implements IoDevice, Snapshottable {
    public static final int PORT = 0x61;
    private static final long REFRESH_NS = 15_085;
    private final Pit8254 pit;
    private final Clock clock;
    private int control; // bits 0-3 as written

    public SystemControlPort(Pit8254 pit, Clock clock) {
        this.pit = pit;
        this.clock = clock;
    }

    @Override
    public int in(int port, int size) {
        int refresh = (int) ((clock.nanos() / REFRESH_NS) & 1);
        return (control & 0x0F) | (refresh << 4) | ((pit.out2() ? 1 : 0) << 5);
    }

    @Override
    public void out(int port, int size, int value) {
        control = value & 0x0F;
        pit.setGate2((value & 1) != 0);
    }

    @Override
    public String stateName() {
        return "port61";
    }

    @Override
    public void saveState(DataOutput o) throws IOException {
        o.writeByte(control);
    }

    @Override
    public void loadState(DataInput i) throws IOException {
        control = i.readUnsignedByte() & 0x0F;
    }
}
