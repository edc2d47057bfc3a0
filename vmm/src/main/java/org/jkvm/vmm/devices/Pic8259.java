package org.jkvm.vmm.devices;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * One 8259A programmable interrupt controller: request/in-service/mask registers, the ICW1-4 init sequence,
 * OCW2 (EOI, specific EOI, rotation), OCW3 (register select, poll, special mask) and PIIX's ELCR
 * edge/level selection. {@link PicPair} wires a master and a slave together.
 */
final class Pic8259 {
    int irr, isr, imr;
    /** Input levels last seen, for edge detection. */
    int lastLevel;
    int elcr;
    final int elcrMask;
    int irqBase;
    int priorityAdd;
    int initState;
    boolean init4, singleMode, autoEoi, rotateOnAutoEoi, specialMask, specialFullyNested, poll, readIsr;
    private final boolean master;

    Pic8259(boolean master) {
        this.master = master;
        this.elcrMask = master ? 0xF8 : 0xDE;
    }

    void setIrq(int irq, boolean level) {
        int mask = 1 << irq;
        if ((elcr & mask) != 0) {
            if (level) {
                irr |= mask;
                lastLevel |= mask;
            } else {
                irr &= ~mask;
                lastLevel &= ~mask;
            }
        } else if (level) {
            if ((lastLevel & mask) == 0) irr |= mask;
            lastLevel |= mask;
        } else {
            lastLevel &= ~mask;
        }
    }

    /** 0 is the highest priority after rotation; 8 means none. */
    private int priority(int mask) {
        if (mask == 0) return 8;
        int p = 0;
        while ((mask & (1 << ((p + priorityAdd) & 7))) == 0) p++;
        return p;
    }

    /** The IRQ the chip would signal now, or -1. */
    int pendingIrq() {
        int p = priority(irr & ~imr);
        if (p == 8) return -1;
        int inService = isr;
        if (specialMask) inService &= ~imr;
        // Fully nested mode on the master: a slave in service does not block further slave requests.
        if (specialFullyNested && master) inService &= ~(1 << 2);
        return p < priority(inService) ? (p + priorityAdd) & 7 : -1;
    }

    void intack(int irq) {
        int mask = 1 << irq;
        if (autoEoi) {
            if (rotateOnAutoEoi) priorityAdd = (irq + 1) & 7;
        } else {
            isr |= mask;
        }
        if ((elcr & mask) == 0) irr &= ~mask;
    }

    private void reset() {
        lastLevel = 0;
        irr &= elcr;
        imr = isr = priorityAdd = irqBase = initState = 0;
        readIsr = poll = specialMask = autoEoi = rotateOnAutoEoi = specialFullyNested = init4 = singleMode = false;
    }

    void writeCommand(int val) {
        if ((val & 0x10) != 0) { // ICW1
            reset();
            initState = 1;
            init4 = (val & 1) != 0;
            singleMode = (val & 2) != 0;
        } else if ((val & 0x08) != 0) { // OCW3
            if ((val & 0x04) != 0) poll = true;
            if ((val & 0x02) != 0) readIsr = (val & 1) != 0;
            if ((val & 0x40) != 0) specialMask = (val & 0x20) != 0;
        } else { // OCW2
            int cmd = val >> 5;
            switch (cmd) {
                case 0, 4 -> rotateOnAutoEoi = cmd == 4;
                case 1, 5 -> {
                    int p = priority(isr);
                    if (p != 8) {
                        int irq = (p + priorityAdd) & 7;
                        isr &= ~(1 << irq);
                        if (cmd == 5) priorityAdd = (irq + 1) & 7;
                    }
                }
                case 3 -> isr &= ~(1 << (val & 7));
                case 6 -> priorityAdd = (val + 1) & 7;
                case 7 -> {
                    int irq = val & 7;
                    isr &= ~(1 << irq);
                    priorityAdd = (irq + 1) & 7;
                }
                default -> { } // 2: no operation
            }
        }
    }

    void writeData(int val) {
        switch (initState) {
            case 1 -> { // ICW2
                irqBase = val & 0xF8;
                initState = singleMode ? (init4 ? 3 : 0) : 2;
            }
            case 2 -> initState = init4 ? 3 : 0; // ICW3: cascade wiring is fixed (slave on IRQ2)
            case 3 -> { // ICW4
                specialFullyNested = (val & 0x10) != 0;
                autoEoi = (val & 0x02) != 0;
                initState = 0;
            }
            default -> imr = val; // OCW1
        }
    }

    int readCommand() {
        return readIsr ? isr : irr;
    }

    void save(DataOutput o) throws IOException {
        o.writeByte(irr); o.writeByte(isr); o.writeByte(imr); o.writeByte(lastLevel); o.writeByte(elcr);
        o.writeByte(irqBase); o.writeByte(priorityAdd); o.writeByte(initState);
        int flags = (init4 ? 1 : 0) | (singleMode ? 2 : 0) | (autoEoi ? 4 : 0) | (rotateOnAutoEoi ? 8 : 0)
                | (specialMask ? 16 : 0) | (specialFullyNested ? 32 : 0) | (poll ? 64 : 0) | (readIsr ? 128 : 0);
        o.writeByte(flags);
    }

    void load(DataInput in) throws IOException {
        irr = in.readUnsignedByte(); isr = in.readUnsignedByte(); imr = in.readUnsignedByte();
        lastLevel = in.readUnsignedByte(); elcr = in.readUnsignedByte() & elcrMask;
        irqBase = in.readUnsignedByte() & 0xF8; priorityAdd = in.readUnsignedByte() & 7;
        initState = in.readUnsignedByte();
        if (initState > 3) throw new IOException("pic: init state " + initState);
        int f = in.readUnsignedByte();
        init4 = (f & 1) != 0; singleMode = (f & 2) != 0; autoEoi = (f & 4) != 0; rotateOnAutoEoi = (f & 8) != 0;
        specialMask = (f & 16) != 0; specialFullyNested = (f & 32) != 0; poll = (f & 64) != 0; readIsr = (f & 128) != 0;
    }
}
