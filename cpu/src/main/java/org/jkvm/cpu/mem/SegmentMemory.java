package org.jkvm.cpu.mem;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.jkvm.cpu.fault.Fault;

/**
 * A host buffer as flat linear memory (address = offset into the segment), for the host-mode XSAVES/XRSTORS
 * the hypervisor model runs on the physical CPU. Out-of-range accesses are #GP, as a host kernel bug would be.
 */
public final class SegmentMemory implements LinearMemory {
    private static final ValueLayout.OfShort S = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG_UNALIGNED;
    private final MemorySegment seg;

    public SegmentMemory(MemorySegment seg) {
        this.seg = seg;
    }

    private long check(long a, int n) {
        if (a < 0 || a + n > seg.byteSize()) throw Fault.gp0();
        return a;
    }

    @Override public byte read8(long a) { return seg.get(ValueLayout.JAVA_BYTE, check(a, 1)); }

    @Override public short read16(long a) { return seg.get(S, check(a, 2)); }

    @Override public int read32(long a) { return seg.get(I, check(a, 4)); }

    @Override public long read64(long a) { return seg.get(L, check(a, 8)); }

    @Override public void write8(long a, byte v) { seg.set(ValueLayout.JAVA_BYTE, check(a, 1), v); }

    @Override public void write16(long a, short v) { seg.set(S, check(a, 2), v); }

    @Override public void write32(long a, int v) { seg.set(I, check(a, 4), v); }

    @Override public void write64(long a, long v) { seg.set(L, check(a, 8), v); }

    @Override public void probe(long a, int len, boolean write) { check(a, len); }
}
