package org.jkvm.cpu.exec;

/** Sub-operations of {@link Op#SYS} (system and miscellaneous instructions), in {@link Uop#aux}. */
final class Sys {
    private Sys() {}

    static final int HLT = 0, CPUID = 1, RDTSC = 2, RDTSCP = 3, RDPID = 4, RDMSR = 5, WRMSR = 6, LGDT = 7, LIDT = 8,
        SGDT = 9, SIDT = 10, LLDT = 11, LTR = 12, SLDT = 13, STR = 14, LMSW = 15, SMSW = 16, CLTS = 17, INVLPG = 18,
        INVD = 19, WBINVD = 20, SWAPGS = 21, SYSCALL = 22, SYSRET = 23, SYSENTER = 24, SYSEXIT = 25, PAUSE = 26,
        XGETBV = 27, XSETBV = 28, RDPKRU = 29, WRPKRU = 30, RDFSBASE = 31, RDGSBASE = 32, WRFSBASE = 33,
        WRGSBASE = 34, CLFLUSH = 35, FENCE = 36, UD2 = 37, RDPMC = 38, MONITOR = 39, MWAIT = 40, RDRAND = 41,
        RDSEED = 42, LAR = 43, LSL = 44, VERR = 45, VERW = 46, SERIALIZE = 47, INVPCID = 48, ENDBR = 49, VMCALL = 50,
        GETSEC = 51, RSM = 52, CLZERO = 53, GP0 = 54;
}
