package org.jkvm.vmm.devices;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

import org.jkvm.vmm.bus.IoDevice;
import org.jkvm.vmm.bus.Snapshottable;

/**
 * PCI configuration mechanism #1 (0xCF8 address, 0xCFC-0xCFF data) with one function behind it: the i440FX
 * host bridge 8086:1237 at 00:00.0, as on QEMU's pc machine. Every other bus/device/function is absent and
 * reads all-ones. Only the bridge's command register is writable.
 */
public final class PciHost implements IoDevice, Snapshottable {
    public static final int ADDRESS = 0xCF8, DATA = 0xCFC;
    private int address;
    private final byte[] config = new byte[256];

    public PciHost() {
        put16(0x00, 0x8086); // vendor
        put16(0x02, 0x1237); // device: 440FX host bridge
        put16(0x04, 0x0006); // command: memory space, bus master
        put16(0x06, 0x0000); // status
        config[0x08] = 0x02; // revision
        config[0x0A] = 0x00; // subclass: host bridge
        config[0x0B] = 0x06; // class: bridge
        config[0x0E] = 0x00; // header type 0, single function
    }

    private void put16(int at, int v) {
        config[at] = (byte) v;
        config[at + 1] = (byte) (v >> 8);
    }

    private boolean bridgeSelected() {
        // enable bit set, bus 0, device 0, function 0
        return (address & 0x80FFFF00) == 0x80000000;
    }

    @Override
    public int in(int port, int size) {
        if (port >= ADDRESS && port < ADDRESS + 4) {
            return port == ADDRESS && size == 4 ? address : -1;
        }
        if ((address & 0x80000000) == 0 || !bridgeSelected()) return -1;
        int reg = (address & 0xFC) + (port - DATA);
        int v = 0;
        for (int i = 0; i < size && reg + i < 256; i++) v |= (config[reg + i] & 0xFF) << (8 * i);
        return v;
    }

    @Override
    public void out(int port, int size, int value) {
        if (port >= ADDRESS && port < ADDRESS + 4) {
            // Only a 32-bit write to 0xCF8 is a config address (byte writes to 0xCF9 are PIIX's reset control).
            if (port == ADDRESS && size == 4) address = value & 0x80FFFFFC;
            return;
        }
        if (!bridgeSelected()) return;
        int reg = (address & 0xFC) + (port - DATA);
        for (int i = 0; i < size; i++) {
            int r = reg + i;
            if (r == 0x04) config[r] = (byte) ((value >> (8 * i)) & 0x06 | (config[r] & ~0x06)); // memory, master
        }
    }

    @Override
    public String stateName() {
        return "pci";
    }

    @Override
    public void saveState(DataOutput o) throws IOException {
        o.writeInt(address);
        o.writeByte(config[0x04]);
    }

    @Override
    public void loadState(DataInput i) throws IOException {
        address = i.readInt() & 0x80FFFFFC;
        config[0x04] = (byte) (i.readUnsignedByte() & 0x07);
    }
}
