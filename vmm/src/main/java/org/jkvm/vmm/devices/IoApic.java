package org.jkvm.vmm.devices;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

import org.jkvm.vmm.bus.MmioDevice;
import org.jkvm.vmm.bus.Snapshottable;

/**
 * The I/O APIC at 0xFEC00000 (82093AA register model, version 0x20 with the EOI register): IOREGSEL at 0x00,
 * IOWIN at 0x10, EOI at 0x40; 24 redirection entries. An unmasked entry whose pin asserts is sent as an
 * MSI (address 0xFEE00000 | destination << 12 | logical << 2, data vector | delivery mode << 8 |
 * level << 15 | assert << 14) to the local APICs, which live in the backend (split irqchip).
 *
 * <p>Level-triggered entries set Remote IRR and do not resend until an EOI clears it. With a split irqchip,
 * Linux reports the local APIC's EOI for such vectors as KVM_EXIT_IOAPIC_EOI; the API has no such exit yet,
 * so only the guest's write to the EOI register (0x40) or a pin deassert-reassert path clears it. ISA devices
 * are edge-triggered, so this matters only to guests that program level mode themselves.
 */
public final class IoApic implements MmioDevice, Snapshottable {
    public static final long BASE = 0xFEC00000L, SIZE = 0x1000;
    public static final int PINS = 24;
    static final int VERSION = 0x20;
    static final long MASKED = 1L << 16, REMOTE_IRR = 1L << 14, LEVEL = 1L << 15, DELIVERY_STATUS = 1L << 12;

    private final MsiSink sink;
    private int regsel;
    private int id;
    private final long[] redir = new long[PINS];
    private int levels; // current pin levels

    public IoApic(MsiSink sink) {
        this.sink = sink;
        for (int i = 0; i < PINS; i++) redir[i] = MASKED;
    }

    /** A GSI input. Edge entries fire on the rising edge; level entries while asserted and not in service. */
    public void setIrq(int pin, boolean level) {
        if (pin < 0 || pin >= PINS) return;
        int mask = 1 << pin;
        boolean old = (levels & mask) != 0;
        if (level) levels |= mask;
        else levels &= ~mask;
        long e = redir[pin];
        if ((e & LEVEL) != 0) {
            if (level) deliver(pin);
        } else if (level && !old) {
            deliver(pin);
        }
    }

    private void deliver(int pin) {
        long e = redir[pin];
        if ((e & MASKED) != 0) return;
        boolean lvl = (e & LEVEL) != 0;
        if (lvl) {
            if ((e & REMOTE_IRR) != 0) return;
            redir[pin] = e | REMOTE_IRR;
        }
        int vector = (int) (e & 0xFF);
        int deliveryMode = (int) ((e >> 8) & 7);
        boolean logical = ((e >> 11) & 1) != 0;
        int dest = (int) ((e >>> 56) & 0xFF);
        long address = 0xFEE00000L | ((long) dest << 12) | (logical ? 1L << 2 : 0);
        int data = vector | (deliveryMode << 8) | (lvl ? 1 << 15 : 0) | (1 << 14);
        sink.signal(address, data);
    }

    /** The local APIC's EOI for {@code vector}: clears Remote IRR and resends a still-asserted level pin. */
    public void eoi(int vector) {
        for (int pin = 0; pin < PINS; pin++) {
            long e = redir[pin];
            if ((e & 0xFF) != vector || (e & REMOTE_IRR) == 0) continue;
            redir[pin] = e & ~REMOTE_IRR;
            if ((e & LEVEL) != 0 && (levels & (1 << pin)) != 0) deliver(pin);
        }
    }

    @Override
    public long read(long offset, int size) {
        if (offset == 0x00) return regsel;
        if (offset != 0x10) return 0;
        return readRegister(regsel) & 0xFFFFFFFFL;
    }

    int readRegister(int reg) {
        switch (reg) {
            case 0x00 -> { return id << 24; }
            case 0x01 -> { return ((PINS - 1) << 16) | VERSION; }
            case 0x02 -> { return id << 24; } // arbitration ID
            default -> {
                int idx = (reg - 0x10) >> 1;
                if (reg < 0x10 || idx >= PINS) return 0;
                long e = redir[idx];
                return (reg & 1) == 0 ? (int) e : (int) (e >>> 32);
            }
        }
    }

    @Override
    public void write(long offset, int size, long value) {
        int v = (int) value;
        if (offset == 0x00) {
            regsel = v & 0xFF;
        } else if (offset == 0x10) {
            writeRegister(regsel, v);
        } else if (offset == 0x40) {
            eoi(v & 0xFF);
        }
    }

    void writeRegister(int reg, int v) {
        if (reg == 0x00) {
            id = (v >>> 24) & 0x0F;
            return;
        }
        int idx = (reg - 0x10) >> 1;
        if (reg < 0x10 || idx >= PINS) return;
        long e = redir[idx];
        // Delivery status and Remote IRR are read-only.
        long ro = DELIVERY_STATUS | REMOTE_IRR;
        if ((reg & 1) == 0) {
            e = (e & 0xFFFFFFFF00000000L) | (e & ro) | ((v & 0xFFFFFFFFL) & ~ro);
        } else {
            e = (e & 0xFFFFFFFFL) | ((long) v << 32);
        }
        // Switching a pin to edge mode drops a stale Remote IRR.
        if ((e & LEVEL) == 0) e &= ~REMOTE_IRR;
        redir[idx] = e;
        // Unmasking a level pin that is asserted delivers it now.
        if ((e & MASKED) == 0 && (e & LEVEL) != 0 && (levels & (1 << idx)) != 0) deliver(idx);
    }

    public long redirection(int pin) {
        return redir[pin];
    }

    @Override
    public String stateName() {
        return "ioapic";
    }

    @Override
    public void saveState(DataOutput o) throws IOException {
        o.writeByte(regsel);
        o.writeByte(id);
        o.writeInt(levels);
        for (long e : redir) o.writeLong(e);
    }

    @Override
    public void loadState(DataInput i) throws IOException {
        regsel = i.readUnsignedByte();
        id = i.readUnsignedByte() & 0x0F;
        levels = i.readInt() & ((1 << PINS) - 1);
        for (int k = 0; k < PINS; k++) redir[k] = i.readLong();
    }
}
