package org.jkvm.kvm.run;

/** Architectural bits the run loop tests (SDM vol. 3A, 2.5 and 2.2.1). */
final class SoftVcpuBits {
    private SoftVcpuBits() {}

    static final long CR0_PE = 1, CR0_TS = 1L << 3, CR0_PG = 1L << 31;
    static final long CR4_OSXSAVE = 1L << 18, CR4_PKE = 1L << 22;
    static final long EFER_SCE = 1, EFER_LME = 1L << 8, EFER_LMA = 1L << 10, EFER_NXE = 1L << 11;
    static final long RFLAGS_IF = 1L << 9;
}
