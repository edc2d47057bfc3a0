package org.jkvm.cpu.simd;

import org.jkvm.cpu.mem.LinearMemory;

/** A SimdHost for tests: GPRs in an array, one memory operand address, flags captured. */
final class TestSimdHost implements SimdHost {
    long cr0 = 0x8000_0033L, cr4 = CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_OSXSAVE;
    final long[] r = new long[32];
    long ea;
    LinearMemory mem;
    long flags;
    boolean flagsWritten;

    @Override public long cr0() { return cr0; }
    @Override public long cr4() { return cr4; }
    @Override public int cpl() { return 3; }
    @Override public boolean long64() { return true; }
    @Override public long get(int n) { return r[n]; }
    @Override public void set(int n, long v) { r[n] = v; }
    long rflags = 2;

    @Override public long ea() { return ea; }
    @Override public long rflags() { return rflags; }
    @Override public LinearMemory memory() { return mem; }

    @Override
    public void setArithFlags(long f) {
        flags = f & (CF | PF | AF | ZF | SF | OF);
        flagsWritten = true;
    }
}
