package org.jkvm.cpu.xstate;

/** A CPU as the extended-state code sees it, with settable control state and R16-R31. */
public final class TestContext implements XContext {
    public long cr0 = 0x8000_0033L; // PG, NE, ET, MP, PE
    public long cr4 = CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_OSXSAVE;
    public int cpl = 3;
    public boolean long64 = true;
    public final long[] r = new long[32];

    @Override public long cr0() { return cr0; }
    @Override public long cr4() { return cr4; }
    @Override public int cpl() { return cpl; }
    @Override public boolean long64() { return long64; }
    @Override public long get(int n) { return r[n]; }
    @Override public void set(int n, long v) { r[n] = v; }
}
