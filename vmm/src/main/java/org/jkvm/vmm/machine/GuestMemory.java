package org.jkvm.vmm.machine;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Guest RAM: one off-heap, page-aligned segment owned by the VMM, shown to the backend as one or two slots
 * (below the PCI hole, and above 4 GiB). The same segment serves every backend and every snapshot.
 */
public final class GuestMemory implements AutoCloseable {
    public static final long PAGE = 4096;
    private final Arena arena;
    private final MemorySegment ram;
    private final MemoryMap map;

    public GuestMemory(MemoryMap map) {
        this.map = map;
        this.arena = Arena.ofShared();
        MemorySegment anon = AnonymousMemory.map(map.ramSize(), arena);
        // Anonymous mappings are zero-filled lazily (a 4 GiB guest costs nothing until it touches its RAM);
        // without them, Arena memory is zeroed eagerly. Either way a fresh machine's RAM reads zero.
        this.ram = anon != null ? anon : arena.allocate(map.ramSize(), PAGE);
    }

    public MemoryMap map() { return map; }

    /** All of RAM, in guest-physical order (low part, then the part above 4 GiB). */
    public MemorySegment all() { return ram; }

    public MemorySegment low() { return ram.asSlice(0, map.lowRam()); }

    public MemorySegment high() { return ram.asSlice(map.lowRam(), map.highRam()); }

    /** The RAM backing [gpa, gpa+len); IllegalArgumentException when it is not all RAM. */
    public MemorySegment slice(long gpa, long len) {
        if (!map.isRam(gpa, len)) throw new IllegalArgumentException(String.format("0x%x+0x%x is not RAM", gpa, len));
        long off = gpa >= MemoryMap.FOUR_GIB ? gpa - MemoryMap.FOUR_GIB + map.lowRam() : gpa;
        return ram.asSlice(off, len);
    }

    public void write(long gpa, byte[] data) {
        MemorySegment.copy(data, 0, slice(gpa, data.length), ValueLayout.JAVA_BYTE, 0, data.length);
    }

    public void write(long gpa, byte[] data, int off, int len) {
        MemorySegment.copy(data, off, slice(gpa, len), ValueLayout.JAVA_BYTE, 0, len);
    }

    public void zero(long gpa, long len) {
        if (len > 0) slice(gpa, len).fill((byte) 0);
    }

    public void write32(long gpa, int v) {
        slice(gpa, 4).set(ValueLayout.JAVA_INT_UNALIGNED, 0, v);
    }

    public void write64(long gpa, long v) {
        slice(gpa, 8).set(ValueLayout.JAVA_LONG_UNALIGNED, 0, v);
    }

    public int read32(long gpa) {
        return slice(gpa, 4).get(ValueLayout.JAVA_INT_UNALIGNED, 0);
    }

    public long read64(long gpa) {
        return slice(gpa, 8).get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
    }

    public byte read8(long gpa) {
        return slice(gpa, 1).get(ValueLayout.JAVA_BYTE, 0);
    }

    @Override
    public void close() {
        arena.close();
    }
}
