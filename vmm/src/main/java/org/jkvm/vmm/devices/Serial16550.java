package org.jkvm.vmm.devices;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

import org.jkvm.vmm.bus.IoDevice;
import org.jkvm.vmm.bus.IrqLine;
import org.jkvm.vmm.bus.Snapshottable;

/**
 * A 16550A UART. Transmission is instantaneous (the transmitter is always empty), reception comes from
 * {@link #receive}. Interrupts follow the 16550A priority order: line status, received data, THR empty,
 * modem status; the IRQ pin shows whether any enabled one is pending (like QEMU, OUT2 does not gate it).
 */
public final class Serial16550 implements IoDevice, Snapshottable {
    public static final int COM1_BASE = 0x3F8, COM1_IRQ = 4;
    static final int RX_FIFO = 16;

    // LSR bits
    static final int LSR_DR = 0x01, LSR_OE = 0x02, LSR_BI = 0x10, LSR_THRE = 0x20, LSR_TEMT = 0x40;
    // IER bits
    static final int IER_RDI = 0x01, IER_THRI = 0x02, IER_RLSI = 0x04, IER_MSI = 0x08;
    // IIR values
    static final int IIR_NONE = 0x01, IIR_MSI = 0x00, IIR_THRI = 0x02, IIR_RDI = 0x04, IIR_RLSI = 0x06;
    // LCR / MCR / FCR bits
    static final int LCR_DLAB = 0x80, MCR_LOOP = 0x10, FCR_ENABLE = 0x01, FCR_CLEAR_RX = 0x02;

    private final int base;
    private final IrqLine irq;
    private final OutputStream out;

    private final byte[] rx = new byte[RX_FIFO];
    private int rxHead, rxCount;
    private int ier, lcr = 0x03, mcr, lsr = LSR_THRE | LSR_TEMT, msr = 0xB0, scr, fcr, dll = 0x0C, dlm;
    /** THR-empty interrupt latched: set when the THR empties (or ETBEI is enabled), cleared by reading IIR or writing THR. */
    private boolean thrIpending;
    private boolean level;

    /** @param out where transmitted bytes go (null discards them, for --serial none) */
    public Serial16550(int base, IrqLine irq, OutputStream out) {
        this.base = base;
        this.irq = irq;
        this.out = out;
    }

    @Override
    public int in(int port, int size) {
        int reg = port - base;
        boolean dlab = (lcr & LCR_DLAB) != 0;
        int v = switch (reg) {
            case 0 -> dlab ? dll : readRbr();
            case 1 -> dlab ? dlm : ier;
            case 2 -> readIir();
            case 3 -> lcr;
            case 4 -> mcr;
            case 5 -> readLsr();
            case 6 -> readMsr();
            case 7 -> scr;
            default -> 0xFF;
        };
        update();
        return v;
    }

    @Override
    public void out(int port, int size, int value) {
        int reg = port - base;
        value &= 0xFF;
        boolean dlab = (lcr & LCR_DLAB) != 0;
        switch (reg) {
            case 0 -> {
                if (dlab) dll = value;
                else transmit(value);
            }
            case 1 -> {
                if (dlab) dlm = value;
                else {
                    int old = ier;
                    ier = value & 0x0F;
                    // Enabling ETBEI while the THR is empty raises the THR-empty interrupt at once.
                    if ((ier & IER_THRI) != 0 && (old & IER_THRI) == 0 && (lsr & LSR_THRE) != 0) thrIpending = true;
                }
            }
            case 2 -> {
                fcr = value & 0xC9;
                if ((value & FCR_CLEAR_RX) != 0 || (value & FCR_ENABLE) == 0) clearRx();
            }
            case 3 -> lcr = value;
            case 4 -> mcr = value & 0x1F;
            case 5, 6 -> { } // LSR and MSR are read-only (factory test writes are ignored)
            case 7 -> scr = value;
            default -> { }
        }
        update();
    }

    private void transmit(int value) {
        if ((mcr & MCR_LOOP) != 0) {
            push(value);
        } else if (out != null) {
            try {
                out.write(value);
                if (value == '\n') out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        // The byte left at once: THR empty again, and its interrupt is due if enabled.
        thrIpending = (ier & IER_THRI) != 0;
    }

    private int readRbr() {
        if (rxCount == 0) return 0;
        int v = rx[rxHead] & 0xFF;
        rxHead = (rxHead + 1) % RX_FIFO;
        rxCount--;
        if (rxCount == 0) lsr &= ~LSR_DR;
        return v;
    }

    private int readLsr() {
        int v = lsr;
        lsr &= ~(LSR_OE | LSR_BI); // error bits clear on read
        return v;
    }

    private int readMsr() {
        if ((mcr & MCR_LOOP) != 0) {
            // Loopback: DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD.
            return ((mcr & 0x01) << 5) | ((mcr & 0x02) << 3) | ((mcr & 0x04) << 4) | ((mcr & 0x08) << 4);
        }
        int v = msr;
        msr &= 0xF0; // delta bits clear on read
        return v;
    }

    private int currentIir() {
        if ((ier & IER_RLSI) != 0 && (lsr & (LSR_OE | LSR_BI)) != 0) return IIR_RLSI;
        if ((ier & IER_RDI) != 0 && rxCount > 0) return IIR_RDI;
        if ((ier & IER_THRI) != 0 && thrIpending) return IIR_THRI;
        if ((ier & IER_MSI) != 0 && (msr & 0x0F) != 0) return IIR_MSI;
        return IIR_NONE;
    }

    private int readIir() {
        int id = currentIir();
        if (id == IIR_THRI) thrIpending = false; // reading IIR acknowledges THR empty
        int fifo = (fcr & FCR_ENABLE) != 0 ? 0xC0 : 0;
        return id | fifo;
    }

    private void update() {
        boolean now = currentIir() != IIR_NONE;
        if (now != level) {
            level = now;
            irq.set(now);
        }
    }

    private void push(int b) {
        if (rxCount == RX_FIFO) {
            lsr |= LSR_OE;
            return;
        }
        rx[(rxHead + rxCount) % RX_FIFO] = (byte) b;
        rxCount++;
        lsr |= LSR_DR;
    }

    private void clearRx() {
        rxHead = rxCount = 0;
        lsr &= ~LSR_DR;
    }

    /** Bytes from the host (stdin). Returns how many were taken: the rest must wait for FIFO room. */
    public int receive(byte[] data, int off, int len) {
        int n = Math.min(len, RX_FIFO - rxCount);
        for (int i = 0; i < n; i++) push(data[off + i]);
        update();
        return n;
    }

    /** Room in the receive FIFO. */
    public int rxRoom() {
        return RX_FIFO - rxCount;
    }

    public boolean irqLevel() {
        return level;
    }

    public void flush() {
        if (out == null) return;
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String stateName() {
        return "serial@" + Integer.toHexString(base);
    }

    @Override
    public void saveState(DataOutput o) throws IOException {
        o.writeByte(ier); o.writeByte(lcr); o.writeByte(mcr); o.writeByte(lsr); o.writeByte(msr);
        o.writeByte(scr); o.writeByte(fcr); o.writeByte(dll); o.writeByte(dlm);
        o.writeBoolean(thrIpending);
        o.writeByte(rxCount);
        for (int i = 0; i < rxCount; i++) o.writeByte(rx[(rxHead + i) % RX_FIFO]);
    }

    @Override
    public void loadState(DataInput i) throws IOException {
        ier = i.readUnsignedByte() & 0x0F; lcr = i.readUnsignedByte(); mcr = i.readUnsignedByte() & 0x1F;
        lsr = i.readUnsignedByte(); msr = i.readUnsignedByte(); scr = i.readUnsignedByte();
        fcr = i.readUnsignedByte(); dll = i.readUnsignedByte(); dlm = i.readUnsignedByte();
        thrIpending = i.readBoolean();
        int n = i.readUnsignedByte();
        if (n > RX_FIFO) throw new IOException("serial: receive FIFO count " + n);
        rxHead = 0;
        rxCount = 0;
        for (int k = 0; k < n; k++) rx[rxCount++] = i.readByte();
        level = currentIir() != IIR_NONE;
        irq.set(level);
    }
}
