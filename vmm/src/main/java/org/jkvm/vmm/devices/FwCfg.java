package org.jkvm.vmm.devices;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import org.jkvm.vmm.bus.IoDevice;
import org.jkvm.vmm.bus.Snapshottable;

/**
 * QEMU's firmware configuration interface, the traditional (non-DMA) I/O form: a 16-bit selector write to
 * 0x510 picks an item and resets the offset; byte reads from 0x511 return its bytes in order, then zeros.
 * Unknown keys read zero. Integers are little-endian except the file directory (big-endian, as QEMU has it).
 */
public final class FwCfg implements IoDevice, Snapshottable {
    public static final int SELECTOR = 0x510, DATA = 0x511;
    public static final int SIGNATURE = 0x00, ID = 0x01, RAM_SIZE = 0x03, NB_CPUS = 0x05, MAX_CPUS = 0x0F,
            FILE_DIR = 0x19, CMDLINE_SIZE = 0x14, CMDLINE_DATA = 0x15;

    private final Map<Integer, byte[]> items = new HashMap<>();
    private int selector;
    private int offset;

    public FwCfg(long ramSize, int cpus, int maxCpus, String cmdline) {
        items.put(SIGNATURE, "QEMU".getBytes(StandardCharsets.US_ASCII));
        items.put(ID, le(1, 4)); // bit 0: the traditional interface; no DMA
        items.put(RAM_SIZE, le(ramSize, 8));
        items.put(NB_CPUS, le(cpus, 2));
        items.put(MAX_CPUS, le(maxCpus, 2));
        items.put(FILE_DIR, new byte[4]); // a directory with no files: count 0 (big-endian)
        byte[] cl = (cmdline == null ? "" : cmdline).getBytes(StandardCharsets.UTF_8);
        byte[] cz = new byte[cl.length + 1];
        System.arraycopy(cl, 0, cz, 0, cl.length);
        items.put(CMDLINE_SIZE, le(cz.length, 4));
        items.put(CMDLINE_DATA, cz);
    }

    private static byte[] le(long v, int n) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v);
        byte[] out = new byte[n];
        System.arraycopy(b.array(), 0, out, 0, n);
        return out;
    }

    @Override
    public int in(int port, int size) {
        if (port != DATA) return 0;
        int v = 0;
        // A wider read on the data port returns consecutive bytes (QEMU allows it on x86).
        for (int i = 0; i < size; i++) v |= nextByte() << (8 * i);
        return v;
    }

    private int nextByte() {
        byte[] item = items.get(selector);
        if (item == null || offset >= item.length) return 0;
        return item[offset++] & 0xFF;
    }

    @Override
    public void out(int port, int size, int value) {
        if (port == SELECTOR) {
            selector = value & 0xFFFF;
            offset = 0;
        }
        // Writes to the data port are ignored (QEMU 2.4+ dropped write support).
    }

    @Override
    public String stateName() {
        return "fw_cfg";
    }

    @Override
    public void saveState(DataOutput o) throws IOException {
        o.writeShort(selector);
        o.writeInt(offset);
    }

    @Override
    public void loadState(DataInput i) throws IOException {
        selector = i.readUnsignedShort();
        offset = i.readInt();
        if (offset < 0) throw new IOException("fw_cfg: negative offset");
    }
}
