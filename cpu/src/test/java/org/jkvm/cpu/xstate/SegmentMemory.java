package org.jkvm.cpu.xstate;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.jkvm.cpu.fault.Fault;
import org.jkvm.cpu.mem.LinearMemory;

/**
 * Test memory: linear addresses are the host addresses of native buffers (so the model reads the
 * very bytes the host CPU read), with an optional window of addresses that page-fault, to test that
 * instructions fault before they change anything.
 */
public final class SegmentMemory implements LinearMemory {
    private static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    private static final ValueLayout.OfShort S = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG_UNALIGNED;

    private final long lo, hi;
    private long faultLo = -1, faultHi = -1;
    public int writes;

    /** Accesses are allowed in [lo, hi) only (anything else is a test bug and throws). */
    public SegmentMemory(long lo, long hi) {
        this.lo = lo;
        this.hi = hi;
    }

    public static SegmentMemory over(MemorySegment... segs) {
        long lo = Long.MAX_VALUE, hi = 0;
        for (MemorySegment s : segs) {
            lo = Math.min(lo, s.address());
            hi = Math.max(hi, s.address() + s.byteSize());
        }
        return new SegmentMemory(lo, hi);
    }

    /** Accesses to [from, to) raise #PF. */
    public void faultBetween(long from, long to) {
        faultLo = from;
        faultHi = to;
    }

    private void check(long a, int n, boolean w) {
        if (a < lo || a + n > hi) throw new AssertionError("access outside the test buffers at 0x" + Long.toHexString(a));
        if (a + n > faultLo && a < faultHi) throw Fault.pf(w ? 2 : 0, Math.max(a, faultLo));
        if (w) writes++;
    }

    @Override public byte read8(long a) { check(a, 1, false); return ALL.get(ValueLayout.JAVA_BYTE, a); }
    @Override public short read16(long a) { check(a, 2, false); return ALL.get(S, a); }
    @Override public int read32(long a) { check(a, 4, false); return ALL.get(I, a); }
    @Override public long read64(long a) { check(a, 8, false); return ALL.get(L, a); }
    @Override public void write8(long a, byte v) { check(a, 1, true); ALL.set(ValueLayout.JAVA_BYTE, a, v); }
    @Override public void write16(long a, short v) { check(a, 2, true); ALL.set(S, a, v); }
    @Override public void write32(long a, int v) { check(a, 4, true); ALL.set(I, a, v); }
    @Override public void write64(long a, long v) { check(a, 8, true); ALL.set(L, a, v); }

    @Override
    public void probe(long a, int length, boolean write) {
        if (a < lo || a + length > hi) throw new AssertionError("probe outside the test buffers at 0x" + Long.toHexString(a));
        if (a + length > faultLo && a < faultHi) throw Fault.pf(write ? 2 : 0, Math.max(a, faultLo));
    }
}
