package org.jkvm.kvm.regs;

import java.util.function.BooleanSupplier;

/**
 * KVM's vCPU register cache ({@code regs[]}, {@code rip}, {@code regs_avail}, {@code regs_dirty}).
 *
 * <p>GPRs other than RSP are always available: the entry/exit path copies them between {@code regs[]} and
 * the physical register file. The VMX lazy-load set (RSP, RIP, RFLAGS, PDPTR, SEGMENTS, CR0, CR3, CR4,
 * EXIT_INFO_1/2) lives in the guest-state area and is fetched on first read after an exit; writes mark it
 * dirty and {@link #flushDirty()} writes it back before the next entry. Invariant: dirty implies avail.
 */
public final class RegCache {
    /** VMX_REGS_LAZY_LOAD_SET: cleared from regs_avail on every exit. */
    public static final long LAZY_LOAD_SET = (1L << Gpr.RSP.number()) | CachedReg.RIP.bit() | CachedReg.RFLAGS.bit()
        | CachedReg.PDPTR.bit() | CachedReg.SEGMENTS.bit() | CachedReg.CR0.bit() | CachedReg.CR3.bit()
        | CachedReg.CR4.bit() | CachedReg.EXIT_INFO_1.bit() | CachedReg.EXIT_INFO_2.bit();
    private static final long ALL = (1L << CachedReg.NR_TOTAL) - 1;
    private static final long MASK32 = 0xFFFF_FFFFL;

    /** GPRs in hardware order; R16..R31 only meaningful with APX. */
    final long[] regs = new long[Gpr.NR_GPRS];
    private long rip, rflags, cr0, cr3, cr4, exitInfo1, exitInfo2;
    private long regsAvail = ALL, regsDirty = ALL;
    /** CR0/CR4 bits the guest can change without a VM-exit: a cached copy of other bits stays valid. */
    private long cr0GuestOwned = -1L, cr4GuestOwned = -1L;

    private final GuestStateArea vmcs;
    private final BooleanSupplier is64BitMode;
    /** Modelled VMREADs/VMWRITEs issued by the cache (what a test checks to prove it hit the cache). */
    private long vmreads, vmwrites;

    public RegCache(GuestStateArea vmcs, BooleanSupplier is64BitMode) {
        this.vmcs = vmcs;
        this.is64BitMode = is64BitMode;
    }

    // ---- bitmap primitives (kvm_register_is_available/_dirty, kvm_register_mark_*) ----

    public boolean isAvailable(Gpr g) { return (regsAvail & (1L << g.number())) != 0; }

    public boolean isAvailable(CachedReg r) { return (regsAvail & r.bit()) != 0; }

    public boolean isDirty(Gpr g) { return (regsDirty & (1L << g.number())) != 0; }

    public boolean isDirty(CachedReg r) { return (regsDirty & r.bit()) != 0; }

    public long availBitmap() { return regsAvail; }

    public long dirtyBitmap() { return regsDirty; }

    private void markAvailable(long bit) { regsAvail |= bit; }

    /** Marking dirty marks available: 0/1 (dirty but not available) never exists. */
    private void markDirty(long bit) {
        regsAvail |= bit;
        regsDirty |= bit;
    }

    private void checkInvariant() {
        if ((regsDirty & ~regsAvail) != 0) {
            throw new IllegalStateException("register cache: dirty but unavailable " + Long.toHexString(regsDirty & ~regsAvail));
        }
    }

    // ---- GPRs ----

    /** kvm_gpr_read_raw: the full 64-bit value. */
    public long gprReadRaw(Gpr g) {
        int n = g.number();
        if (n == 4 && (regsAvail & 0x10) == 0) {
            vmreads++;
            regs[4] = vmcs.readRsp();
            markAvailable(0x10);
        }
        return regs[n];
    }

    /** kvm_gpr_read: truncated to 32 bits outside 64-bit mode. */
    public long gprRead(Gpr g) {
        long v = gprReadRaw(g);
        return is64BitMode.getAsBoolean() ? v : v & MASK32;
    }

    /** kvm_gpr_write_raw. */
    public void gprWriteRaw(Gpr g, long v) {
        regs[g.number()] = v;
        markDirty(1L << g.number());
    }

    /** kvm_gpr_write: truncated to 32 bits outside 64-bit mode. */
    public void gprWrite(Gpr g, long v) {
        gprWriteRaw(g, is64BitMode.getAsBoolean() ? v : v & MASK32);
    }

    // ---- RIP and the other cached values ----

    public long ripRead() {
        if ((regsAvail & CachedReg.RIP.bit()) == 0) cacheReg(CachedReg.RIP);
        return rip;
    }

    public void ripWrite(long v) {
        rip = v;
        markDirty(CachedReg.RIP.bit());
    }

    public long rflagsRead() {
        if ((regsAvail & CachedReg.RFLAGS.bit()) == 0) cacheReg(CachedReg.RFLAGS);
        return rflags;
    }

    public void rflagsWrite(long v) {
        rflags = v;
        markDirty(CachedReg.RFLAGS.bit());
    }

    /** kvm_read_cr0_bits: goes to the guest-state area only if {@code mask} overlaps guest-owned bits. */
    public long cr0ReadBits(long mask) {
        if ((mask & cr0GuestOwned) != 0 && (regsAvail & CachedReg.CR0.bit()) == 0) cacheReg(CachedReg.CR0);
        return cr0 & mask;
    }

    public long cr0Read() { return cr0ReadBits(-1L); }

    public void cr0Write(long v) {
        cr0 = v;
        markDirty(CachedReg.CR0.bit());
    }

    public long cr3Read() {
        if ((regsAvail & CachedReg.CR3.bit()) == 0) cacheReg(CachedReg.CR3);
        return cr3;
    }

    public void cr3Write(long v) {
        cr3 = v;
        markDirty(CachedReg.CR3.bit());
    }

    public long cr4ReadBits(long mask) {
        if ((mask & cr4GuestOwned) != 0 && (regsAvail & CachedReg.CR4.bit()) == 0) cacheReg(CachedReg.CR4);
        return cr4 & mask;
    }

    public long cr4Read() { return cr4ReadBits(-1L); }

    public void cr4Write(long v) {
        cr4 = v;
        markDirty(CachedReg.CR4.bit());
    }

    public long exitInfo1() {
        if ((regsAvail & CachedReg.EXIT_INFO_1.bit()) == 0) cacheReg(CachedReg.EXIT_INFO_1);
        return exitInfo1;
    }

    public long exitInfo2() {
        if ((regsAvail & CachedReg.EXIT_INFO_2.bit()) == 0) cacheReg(CachedReg.EXIT_INFO_2);
        return exitInfo2;
    }

    /**
     * Marks SEGMENTS/PDPTR as fetched: the segment registers themselves stay in the guest-state area
     * (read through it directly); the bit records that the vmx segment cache is valid.
     */
    public void markSegmentsCached() { markAvailable(CachedReg.SEGMENTS.bit()); }

    /** Sets which CR0/CR4 bits the guest owns (the guest/host masks of the execution controls). */
    public void setGuestOwnedBits(long cr0Bits, long cr4Bits) {
        cr0GuestOwned = cr0Bits;
        cr4GuestOwned = cr4Bits;
    }

    /** The vendor cache_reg callback: one VMREAD of one value. */
    private void cacheReg(CachedReg r) {
        vmreads++;
        switch (r) {
            case RIP -> rip = vmcs.readRip();
            case RFLAGS -> rflags = vmcs.readRflags();
            case CR0 -> cr0 = vmcs.readCr0();
            case CR3 -> cr3 = vmcs.readCr3();
            case CR4 -> cr4 = vmcs.readCr4();
            case EXIT_INFO_1 -> exitInfo1 = vmcs.readExitInfo1();
            case EXIT_INFO_2 -> exitInfo2 = vmcs.readExitInfo2();
            case PDPTR, SEGMENTS -> { }
        }
        markAvailable(r.bit());
    }

    // ---- entry/exit protocol ----

    /** Before VM-entry: write dirty lazily-backed values to the guest-state area, then clear regs_dirty. */
    public void flushDirty() {
        checkInvariant();
        long d = regsDirty & LAZY_LOAD_SET;
        if (d != 0) {
            if ((d & 0x10) != 0) { vmcs.writeRsp(regs[4]); vmwrites++; }
            if ((d & CachedReg.RIP.bit()) != 0) { vmcs.writeRip(rip); vmwrites++; }
            if ((d & CachedReg.RFLAGS.bit()) != 0) { vmcs.writeRflags(rflags); vmwrites++; }
            if ((d & CachedReg.CR0.bit()) != 0) { vmcs.writeCr0(cr0); vmwrites++; }
            if ((d & CachedReg.CR3.bit()) != 0) { vmcs.writeCr3(cr3); vmwrites++; }
            if ((d & CachedReg.CR4.bit()) != 0) { vmcs.writeCr4(cr4); vmwrites++; }
        }
        regsDirty = 0;
    }

    /** After VM-exit: the lazily loaded set is stale; everything else was just copied from the CPU. */
    public void afterExit() {
        regsAvail = ALL & ~LAZY_LOAD_SET;
        regsDirty = 0;
    }

    /** Invalidates everything that lives in the guest-state area (after a SET ioctl wrote it directly). */
    public void invalidateLazy() {
        regsAvail &= ~(LAZY_LOAD_SET & ~regsDirty);
    }

    /** The backing array, for the entry/exit copy loops only. */
    public long[] gprArray() { return regs; }

    public long vmreads() { return vmreads; }

    public long vmwrites() { return vmwrites; }
}
