package org.jkvm.vmm.devices;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

import org.jkvm.vmm.bus.IoDevice;
import org.jkvm.vmm.bus.Snapshottable;

/**
 * The PC's cascaded 8259 pair: master at 0x20/0x21, slave at 0xA0/0xA1 on the master's IRQ2, and PIIX's
 * ELCR at 0x4D0/0x4D1. The master's INT output reaches the vCPU as an ExtINT through KVM_INTERRUPT; the
 * run loop asks {@link #hasInterrupt()} and takes the vector with {@link #acknowledge()} (the INTA cycle).
 */
public final class PicPair implements IoDevice, Snapshottable {
    public static final int MASTER = 0x20, SLAVE = 0xA0, ELCR = 0x4D0;

    private final Pic8259 master = new Pic8259(true);
    private final Pic8259 slave = new Pic8259(false);
    private final Runnable onInterrupt;

    /** @param onInterrupt called when the INT output may have risen (the machine kicks the vCPU) */
    public PicPair(Runnable onInterrupt) {
        this.onInterrupt = onInterrupt;
    }

    /** ISA IRQ 0-15 input level. */
    public void setIrq(int irq, boolean level) {
        if (irq < 8) {
            master.setIrq(irq, level);
        } else {
            slave.setIrq(irq - 8, level);
            cascade();
        }
        if (hasInterrupt()) onInterrupt.run();
    }

    private void cascade() {
        master.setIrq(2, slave.pendingIrq() >= 0);
    }

    public boolean hasInterrupt() {
        return master.pendingIrq() >= 0;
    }

    /** The INTA cycle: returns the vector and moves the request in service (spurious IRQ 7/15 if none). */
    public int acknowledge() {
        int irq = master.pendingIrq();
        int vector;
        if (irq >= 0) {
            master.intack(irq);
            if (irq == 2) {
                int irq2 = slave.pendingIrq();
                if (irq2 >= 0) slave.intack(irq2);
                else irq2 = 7;
                vector = slave.irqBase + irq2;
                cascade();
            } else {
                vector = master.irqBase + irq;
            }
        } else {
            vector = master.irqBase + 7;
        }
        return vector;
    }

    private Pic8259 chip(int port) {
        return (port & 0xF0) == SLAVE ? slave : master;
    }

    @Override
    public int in(int port, int size) {
        if (port == ELCR) return master.elcr;
        if (port == ELCR + 1) return slave.elcr;
        Pic8259 c = chip(port);
        if (c.poll) {
            c.poll = false;
            int irq = c.pendingIrq();
            if (irq < 0) return 0;
            c.intack(irq);
            if (c == slave) cascade();
            return 0x80 | irq;
        }
        return (port & 1) == 0 ? c.readCommand() : c.imr;
    }

    @Override
    public void out(int port, int size, int value) {
        value &= 0xFF;
        if (port == ELCR) {
            master.elcr = value & master.elcrMask;
        } else if (port == ELCR + 1) {
            slave.elcr = value & slave.elcrMask;
        } else {
            Pic8259 c = chip(port);
            if ((port & 1) == 0) c.writeCommand(value);
            else c.writeData(value);
            cascade();
        }
        if (hasInterrupt()) onInterrupt.run();
    }

    /** The vector base the guest programmed (ICW2) for the master or slave; for tests and traces. */
    public int vectorBase(boolean ofSlave) {
        return (ofSlave ? slave : master).irqBase;
    }

    @Override
    public String stateName() {
        return "pic";
    }

    @Override
    public void saveState(DataOutput o) throws IOException {
        master.save(o);
        slave.save(o);
    }

    @Override
    public void loadState(DataInput i) throws IOException {
        master.load(i);
        slave.load(i);
    }
}
