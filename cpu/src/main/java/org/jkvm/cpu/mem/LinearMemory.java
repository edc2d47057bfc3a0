package org.jkvm.cpu.mem;

/**
 * Guest memory as an instruction sees it: linear addresses (after segmentation), translated by the
 * current paging mode with the current privilege, raising {@link org.jkvm.cpu.fault.Fault} (#PF,
 * #GP, or an MMIO VM-exit) on failure. Multi-byte accesses are little-endian and may cross pages.
 * Code that implements instruction semantics outside the interpreter core (XSAVE, AMX, SIMD) uses
 * this, never guest RAM directly, so paging and faults stay exact.
 */
public interface LinearMemory {
    byte read8(long linear);

    short read16(long linear);

    int read32(long linear);

    long read64(long linear);

    void write8(long linear, byte value);

    void write16(long linear, short value);

    void write32(long linear, int value);

    void write64(long linear, long value);

    /**
     * Checks that {@code length} bytes at {@code linear} are accessible for writing (or reading),
     * faulting exactly as the first inaccessible byte would, without changing memory. Instructions
     * that must fault before any store (XSAVE, FXSAVE, PUSH2) probe first.
     */
    void probe(long linear, int length, boolean write);
}
