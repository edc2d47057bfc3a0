package org.jkvm.cpu.mem;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Guest-physical address space: the RAM regions (memory slots) the hypervisor registered. Addresses no
 * region backs are MMIO: the CPU turns an access there into an EPT-violation exit. This class only
 * resolves and copies; permission checks and the code-page tracking live in the CPU.
 */
public final class PhysicalMemory {
    private volatile RamRegion[] regions = new RamRegion[0];
    /** Bumped on every change so that cached translations (TLB, blocks) can notice. */
    private volatile int generation;

    public synchronized void add(RamRegion r) {
        for (RamRegion o : regions)
            if (r.gpa() < o.end() && o.gpa() < r.end())
                throw new IllegalArgumentException("RAM regions overlap at " + Long.toHexString(r.gpa()));
        List<RamRegion> l = new ArrayList<>(List.of(regions));
        l.add(r);
        l.sort((a, b) -> Long.compareUnsigned(a.gpa(), b.gpa()));
        regions = l.toArray(new RamRegion[0]);
        generation++;
    }

    public synchronized boolean remove(long gpa) {
        List<RamRegion> l = new ArrayList<>(List.of(regions));
        boolean removed = l.removeIf(r -> r.gpa() == gpa);
        regions = l.toArray(new RamRegion[0]);
        generation++;
        return removed;
    }

    public List<RamRegion> regions() {
        return List.of(regions);
    }

    public int generation() {
        return generation;
    }

    /** The region backing {@code pa}, or null (MMIO). */
    public RamRegion find(long pa) {
        RamRegion[] rs = regions;
        for (RamRegion r : rs) if (r.contains(pa)) return r;
        return null;
    }

    /** The highest backed address plus one. */
    public long top() {
        long t = 0;
        for (RamRegion r : regions) t = Math.max(t, r.end());
        return t;
    }

    public boolean isRam(long pa) {
        return find(pa) != null;
    }

    /** Reads {@code size} bytes little-endian; returns false (leaving {@code out[0]}) for MMIO. */
    public long readRam(long pa, int size) {
        RamRegion r = find(pa);
        if (r == null || !r.contains(pa + size - 1)) throw new IllegalArgumentException("not RAM: " + Long.toHexString(pa));
        MemorySegment s = r.segment();
        long off = pa - r.gpa();
        return switch (size) {
            case 1 -> s.get(ValueLayout.JAVA_BYTE, off) & 0xFFL;
            case 2 -> s.get(ValueLayout.JAVA_SHORT_UNALIGNED, off) & 0xFFFFL;
            case 4 -> s.get(ValueLayout.JAVA_INT_UNALIGNED, off) & 0xFFFF_FFFFL;
            default -> s.get(ValueLayout.JAVA_LONG_UNALIGNED, off);
        };
    }

    public void writeRam(long pa, int size, long v) {
        RamRegion r = find(pa);
        if (r == null || !r.contains(pa + size - 1)) throw new IllegalArgumentException("not RAM: " + Long.toHexString(pa));
        MemorySegment s = r.segment();
        long off = pa - r.gpa();
        switch (size) {
            case 1 -> s.set(ValueLayout.JAVA_BYTE, off, (byte) v);
            case 2 -> s.set(ValueLayout.JAVA_SHORT_UNALIGNED, off, (short) v);
            case 4 -> s.set(ValueLayout.JAVA_INT_UNALIGNED, off, (int) v);
            default -> s.set(ValueLayout.JAVA_LONG_UNALIGNED, off, v);
        }
    }
}
