package org.jkvm.cpu.exec;

import org.jkvm.cpu.mem.LinearMemory;

/** The interpreter's linear memory (current paging mode and privilege) as a {@link LinearMemory}. */
public final class GuestLinearMemory implements LinearMemory {
    private final Mmu m;

    public GuestLinearMemory(Mmu m) {
        this.m = m;
    }

    @Override public byte read8(long a) { return (byte) m.read8(a); }

    @Override public short read16(long a) { return (short) m.read16(a); }

    @Override public int read32(long a) { return (int) m.read32(a); }

    @Override public long read64(long a) { return m.read64(a); }

    @Override public void write8(long a, byte v) { m.write8(a, v); }

    @Override public void write16(long a, short v) { m.write16(a, v); }

    @Override public void write32(long a, int v) { m.write32(a, v); }

    @Override public void write64(long a, long v) { m.write64(a, v); }

    @Override public void probe(long a, int len, boolean write) { m.probe(a, len, write); }
}
