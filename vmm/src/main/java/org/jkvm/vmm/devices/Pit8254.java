package org.jkvm.vmm.devices;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

import org.jkvm.vmm.bus.Clock;
import org.jkvm.vmm.bus.IoDevice;
import org.jkvm.vmm.bus.IrqLine;
import org.jkvm.vmm.bus.Snapshottable;
import org.jkvm.vmm.bus.Timed;

/**
 * The 8254 PIT at 0x40-0x43 (1.193182 MHz). Channel 0 drives IRQ 0 on each rising edge of its OUT
 * (periodic in modes 2/3, once in modes 0/4); channel 1 is the legacy refresh counter; channel 2's gate and
 * OUT are wired to port 0x61 ({@link SystemControlPort}). Missed periods (the host was late) are coalesced
 * into one interrupt, as lost ticks are on real machines.
 */
public final class Pit8254 implements IoDevice, Timed, Snapshottable {
    public static final int BASE = 0x40, LENGTH = 4, IRQ = 0;

    private final Clock clock;
    private final IrqLine irq0;
    private final PitChannel[] ch = {new PitChannel(true), new PitChannel(true), new PitChannel(false)};
    /** Channel 0's next interrupt, in ticks since its load; -1 when none is due. */
    private long nextIrqTick = -1;
    private final Runnable onRearm;

    /** @param onRearm called when the next deadline may have moved earlier (the timer thread re-plans) */
    public Pit8254(Clock clock, IrqLine irq0, Runnable onRearm) {
        this.clock = clock;
        this.irq0 = irq0;
        this.onRearm = onRearm;
    }

    @Override
    public int in(int port, int size) {
        int c = port - BASE;
        if (c == 3) return 0xFF; // the control register is write-only
        return ch[c].read(clock.nanos());
    }

    @Override
    public void out(int port, int size, int value) {
        long now = clock.nanos();
        int c = port - BASE;
        value &= 0xFF;
        if (c == 3) {
            int sel = value >> 6;
            if (sel == 3) { // read-back
                for (int i = 0; i < 3; i++) {
                    if ((value & (2 << i)) == 0) continue;
                    if ((value & 0x20) == 0) ch[i].writeControl(0, now);
                    if ((value & 0x10) == 0) ch[i].latchStatus(now);
                }
                return;
            }
            ch[sel].writeControl(value, now);
            if (sel == 0 && ((value >> 4) & 3) != 0) rearm();
            return;
        }
        if (ch[c].writeCount(value, now) && c == 0) rearm();
        else if (c == 0 && ch[0].nullCount) nextIrqTick = -1;
    }

    private void rearm() {
        nextIrqTick = ch[0].nextRisingEdge(0);
        onRearm.run();
    }

    @Override
    public long nextDeadline() {
        return nextIrqTick < 0 ? Long.MAX_VALUE : ch[0].timeOf(nextIrqTick);
    }

    @Override
    public void advance(long now) {
        if (nextIrqTick < 0) return;
        long e = ch[0].elapsed(now);
        if (e < nextIrqTick) return;
        irq0.pulse();
        nextIrqTick = ch[0].nextRisingEdge(e);
    }

    /** Channel 2's gate (port 0x61 bit 0). */
    public void setGate2(boolean level) {
        ch[2].setGate(level, clock.nanos());
    }

    public boolean gate2() {
        return ch[2].gate;
    }

    /** Channel 2's OUT (port 0x61 bit 5). */
    public boolean out2() {
        return ch[2].outAt(clock.nanos());
    }

    /** For tests: the live count of a channel. */
    int count(int channel) {
        return ch[channel].countAt(clock.nanos());
    }

    @Override
    public String stateName() {
        return "pit";
    }

    @Override
    public void saveState(DataOutput o) throws IOException {
        for (PitChannel c : ch) c.save(o);
        o.writeLong(nextIrqTick);
    }

    @Override
    public void loadState(DataInput i) throws IOException {
        for (PitChannel c : ch) c.load(i);
        nextIrqTick = i.readLong();
        onRearm.run();
    }
}
