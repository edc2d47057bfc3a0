package org.jkvm.kvm.lapic;

/** Local APIC register offsets (xAPIC MMIO page; the x2APIC MSR is 0x800 + offset / 16). SDM vol. 3A, 11.4. */
public final class ApicReg {
    private ApicReg() {}

    public static final int ID = 0x20, VERSION = 0x30, TPR = 0x80, APR = 0x90, PPR = 0xA0, EOI = 0xB0, RRD = 0xC0,
        LDR = 0xD0, DFR = 0xE0, SVR = 0xF0, ISR = 0x100, TMR = 0x180, IRR = 0x200, ESR = 0x280, LVT_CMCI = 0x2F0,
        ICR_LOW = 0x300, ICR_HIGH = 0x310, LVT_TIMER = 0x320, LVT_THERMAL = 0x330, LVT_PMC = 0x340, LVT_LINT0 = 0x350,
        LVT_LINT1 = 0x360, LVT_ERROR = 0x370, TMICT = 0x380, TMCCT = 0x390, TDCR = 0x3E0, SELF_IPI = 0x3F0;

    public static final int MSR_APIC_BASE = 0x1B, MSR_TSC_DEADLINE = 0x6E0, X2APIC_MSR_BASE = 0x800;
    public static final long BASE_BSP = 1L << 8, BASE_X2APIC = 1L << 10, BASE_ENABLE = 1L << 11;
    public static final long DEFAULT_BASE = 0xFEE0_0000L;

    public static final int LVT_MASKED = 1 << 16, SVR_ENABLED = 1 << 8;
    public static final int TIMER_ONESHOT = 0, TIMER_PERIODIC = 1, TIMER_TSC_DEADLINE = 2;
    public static final int DM_FIXED = 0, DM_LOWEST = 1, DM_SMI = 2, DM_NMI = 4, DM_INIT = 5, DM_SIPI = 6, DM_EXTINT = 7;
    /** Version 0x14, six LVT entries (max LVT index 5), EOI broadcast suppression not offered. */
    public static final int VERSION_VALUE = 0x0005_0014;
}
