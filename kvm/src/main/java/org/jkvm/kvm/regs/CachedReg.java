package org.jkvm.kvm.regs;

/**
 * The non-GPR values the register cache tracks, in one index space that starts right after the GPRs
 * (RIP = NR_VCPU_GENERAL_PURPOSE_REGS, then PDPTR, CR0, CR3, CR4, RFLAGS, SEGMENTS, EXIT_INFO_1/2).
 */
public enum CachedReg {
    RIP, PDPTR, CR0, CR3, CR4, RFLAGS, SEGMENTS, EXIT_INFO_1, EXIT_INFO_2;

    /** NR_VCPU_TOTAL_REGS. */
    public static final int NR_TOTAL = Gpr.NR_GPRS + values().length;

    /** The bit of this value in regs_avail/regs_dirty. */
    public int index() { return Gpr.NR_GPRS + ordinal(); }

    public long bit() { return 1L << index(); }
}
