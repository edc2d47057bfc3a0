package org.jkvm.isa;

/**
 * CPUID feature flags, declared as data: each constant names the CPUID leaf, sub-leaf, output register and
 * bit that enumerates it (Intel SDM vol. 2A, CPUID; cross-checked with Linux's cpufeatures.h word layout).
 *
 * <p>A few flags share a location under two names that software uses interchangeably (LZCNT is the Intel name
 * of AMD's ABM bit); code that builds a location map must allow that.
 */
public enum CpuFeature {
    // CPUID.1:EDX
    FPU(1, 0, Reg.EDX, 0), VME(1, 0, Reg.EDX, 1), DE(1, 0, Reg.EDX, 2), PSE(1, 0, Reg.EDX, 3),
    TSC(1, 0, Reg.EDX, 4), MSR(1, 0, Reg.EDX, 5), PAE(1, 0, Reg.EDX, 6), MCE(1, 0, Reg.EDX, 7),
    CX8(1, 0, Reg.EDX, 8), APIC(1, 0, Reg.EDX, 9), SEP(1, 0, Reg.EDX, 11), MTRR(1, 0, Reg.EDX, 12),
    PGE(1, 0, Reg.EDX, 13), MCA(1, 0, Reg.EDX, 14), CMOV(1, 0, Reg.EDX, 15), PAT(1, 0, Reg.EDX, 16),
    PSE36(1, 0, Reg.EDX, 17), CLFLUSH(1, 0, Reg.EDX, 19), DS(1, 0, Reg.EDX, 21), ACPI(1, 0, Reg.EDX, 22),
    MMX(1, 0, Reg.EDX, 23), FXSR(1, 0, Reg.EDX, 24), SSE(1, 0, Reg.EDX, 25), SSE2(1, 0, Reg.EDX, 26),
    SS(1, 0, Reg.EDX, 27), HTT(1, 0, Reg.EDX, 28),
    // CPUID.1:ECX
    SSE3(1, 0, Reg.ECX, 0), PCLMULQDQ(1, 0, Reg.ECX, 1), DTES64(1, 0, Reg.ECX, 2), MONITOR(1, 0, Reg.ECX, 3),
    DS_CPL(1, 0, Reg.ECX, 4), VMX(1, 0, Reg.ECX, 5), SMX(1, 0, Reg.ECX, 6), EST(1, 0, Reg.ECX, 7),
    TM2(1, 0, Reg.ECX, 8), SSSE3(1, 0, Reg.ECX, 9), FMA(1, 0, Reg.ECX, 12), CX16(1, 0, Reg.ECX, 13),
    PDCM(1, 0, Reg.ECX, 15), PCID(1, 0, Reg.ECX, 17), SSE4_1(1, 0, Reg.ECX, 19), SSE4_2(1, 0, Reg.ECX, 20),
    X2APIC(1, 0, Reg.ECX, 21), MOVBE(1, 0, Reg.ECX, 22), POPCNT(1, 0, Reg.ECX, 23),
    TSC_DEADLINE(1, 0, Reg.ECX, 24), AES(1, 0, Reg.ECX, 25), XSAVE(1, 0, Reg.ECX, 26),
    OSXSAVE(1, 0, Reg.ECX, 27), AVX(1, 0, Reg.ECX, 28), F16C(1, 0, Reg.ECX, 29), RDRAND(1, 0, Reg.ECX, 30),
    HYPERVISOR(1, 0, Reg.ECX, 31),
    // CPUID.6:EAX
    ARAT(6, 0, Reg.EAX, 2),
    // CPUID.(7,0):EBX
    FSGSBASE(7, 0, Reg.EBX, 0), TSC_ADJUST(7, 0, Reg.EBX, 1), SGX(7, 0, Reg.EBX, 2), BMI1(7, 0, Reg.EBX, 3),
    HLE(7, 0, Reg.EBX, 4), AVX2(7, 0, Reg.EBX, 5), FDP_EXCPTN_ONLY(7, 0, Reg.EBX, 6), SMEP(7, 0, Reg.EBX, 7),
    BMI2(7, 0, Reg.EBX, 8), ERMS(7, 0, Reg.EBX, 9), INVPCID(7, 0, Reg.EBX, 10), RTM(7, 0, Reg.EBX, 11),
    ZERO_FCS_FDS(7, 0, Reg.EBX, 13), MPX(7, 0, Reg.EBX, 14), AVX512F(7, 0, Reg.EBX, 16),
    AVX512DQ(7, 0, Reg.EBX, 17), RDSEED(7, 0, Reg.EBX, 18), ADX(7, 0, Reg.EBX, 19), SMAP(7, 0, Reg.EBX, 20),
    AVX512IFMA(7, 0, Reg.EBX, 21), CLFLUSHOPT(7, 0, Reg.EBX, 23), CLWB(7, 0, Reg.EBX, 24),
    INTEL_PT(7, 0, Reg.EBX, 25), AVX512CD(7, 0, Reg.EBX, 28), SHA(7, 0, Reg.EBX, 29),
    AVX512BW(7, 0, Reg.EBX, 30), AVX512VL(7, 0, Reg.EBX, 31),
    // CPUID.(7,0):ECX
    PREFETCHWT1(7, 0, Reg.ECX, 0), AVX512VBMI(7, 0, Reg.ECX, 1), UMIP(7, 0, Reg.ECX, 2), PKU(7, 0, Reg.ECX, 3),
    OSPKE(7, 0, Reg.ECX, 4), WAITPKG(7, 0, Reg.ECX, 5), AVX512VBMI2(7, 0, Reg.ECX, 6),
    CET_SS(7, 0, Reg.ECX, 7), GFNI(7, 0, Reg.ECX, 8), VAES(7, 0, Reg.ECX, 9), VPCLMULQDQ(7, 0, Reg.ECX, 10),
    AVX512VNNI(7, 0, Reg.ECX, 11), AVX512BITALG(7, 0, Reg.ECX, 12), TME(7, 0, Reg.ECX, 13),
    AVX512VPOPCNTDQ(7, 0, Reg.ECX, 14), LA57(7, 0, Reg.ECX, 16), RDPID(7, 0, Reg.ECX, 22),
    KL(7, 0, Reg.ECX, 23), BUS_LOCK_DETECT(7, 0, Reg.ECX, 24), CLDEMOTE(7, 0, Reg.ECX, 25),
    MOVDIRI(7, 0, Reg.ECX, 27), MOVDIR64B(7, 0, Reg.ECX, 28), ENQCMD(7, 0, Reg.ECX, 29),
    SGX_LC(7, 0, Reg.ECX, 30), PKS(7, 0, Reg.ECX, 31),
    // CPUID.(7,0):EDX
    AVX512_4VNNIW(7, 0, Reg.EDX, 2), AVX512_4FMAPS(7, 0, Reg.EDX, 3), FSRM(7, 0, Reg.EDX, 4),
    UINTR(7, 0, Reg.EDX, 5), AVX512_VP2INTERSECT(7, 0, Reg.EDX, 8), MD_CLEAR(7, 0, Reg.EDX, 10),
    SERIALIZE(7, 0, Reg.EDX, 14), HYBRID(7, 0, Reg.EDX, 15), TSXLDTRK(7, 0, Reg.EDX, 16),
    PCONFIG(7, 0, Reg.EDX, 18), ARCH_LBR(7, 0, Reg.EDX, 19), CET_IBT(7, 0, Reg.EDX, 20),
    AMX_BF16(7, 0, Reg.EDX, 22), AVX512FP16(7, 0, Reg.EDX, 23), AMX_TILE(7, 0, Reg.EDX, 24),
    AMX_INT8(7, 0, Reg.EDX, 25), SPEC_CTRL(7, 0, Reg.EDX, 26), STIBP(7, 0, Reg.EDX, 27),
    FLUSH_L1D(7, 0, Reg.EDX, 28), ARCH_CAPABILITIES(7, 0, Reg.EDX, 29), CORE_CAPABILITIES(7, 0, Reg.EDX, 30),
    SPEC_CTRL_SSBD(7, 0, Reg.EDX, 31),
    // CPUID.(7,1):EAX
    SHA512(7, 1, Reg.EAX, 0), SM3(7, 1, Reg.EAX, 1), SM4(7, 1, Reg.EAX, 2), RAO_INT(7, 1, Reg.EAX, 3),
    AVX_VNNI(7, 1, Reg.EAX, 4), AVX512BF16(7, 1, Reg.EAX, 5), LASS(7, 1, Reg.EAX, 6),
    CMPCCXADD(7, 1, Reg.EAX, 7), FZRM(7, 1, Reg.EAX, 10), FSRS(7, 1, Reg.EAX, 11), FSRC(7, 1, Reg.EAX, 12),
    FRED(7, 1, Reg.EAX, 17), LKGS(7, 1, Reg.EAX, 18), WRMSRNS(7, 1, Reg.EAX, 19), AMX_FP16(7, 1, Reg.EAX, 21),
    HRESET(7, 1, Reg.EAX, 22), AVX_IFMA(7, 1, Reg.EAX, 23), LAM(7, 1, Reg.EAX, 26), MSRLIST(7, 1, Reg.EAX, 27),
    MOVRS(7, 1, Reg.EAX, 31),
    // CPUID.(7,1):EDX
    AVX_VNNI_INT8(7, 1, Reg.EDX, 4), AVX_NE_CONVERT(7, 1, Reg.EDX, 5), AMX_COMPLEX(7, 1, Reg.EDX, 8),
    AVX_VNNI_INT16(7, 1, Reg.EDX, 10), PREFETCHI(7, 1, Reg.EDX, 14), USER_MSR(7, 1, Reg.EDX, 15),
    CET_SSS(7, 1, Reg.EDX, 18), AVX10(7, 1, Reg.EDX, 19), APX_F(7, 1, Reg.EDX, 21),
    // CPUID.(7,1):ECX (ISE; newer than the SDM edition most tools follow)
    MSR_IMM(7, 1, Reg.ECX, 5),
    // CPUID.(0xD,1):EAX
    XSAVEOPT(0xD, 1, Reg.EAX, 0), XSAVEC(0xD, 1, Reg.EAX, 1), XGETBV1(0xD, 1, Reg.EAX, 2),
    XSAVES(0xD, 1, Reg.EAX, 3), XFD(0xD, 1, Reg.EAX, 4),
    // CPUID.(0x19,0):EBX (Key Locker)
    AESKLE(0x19, 0, Reg.EBX, 0), AESKLE_WIDE(0x19, 0, Reg.EBX, 2),
    // CPUID.(0x1E,1):EAX (AMX sub-features, ISE)
    AMX_FP8(0x1E, 1, Reg.EAX, 4), AMX_TF32(0x1E, 1, Reg.EAX, 6),
    AMX_AVX512(0x1E, 1, Reg.EAX, 7), AMX_MOVRS(0x1E, 1, Reg.EAX, 8),
    // CPUID.(0x29,0):EBX (APX sub-features)
    APX_NCI_NDD_NF(0x29, 0, Reg.EBX, 0),
    // CPUID.0x80000001:ECX
    LAHF_LM(0x8000_0001, 0, Reg.ECX, 0), SVM(0x8000_0001, 0, Reg.ECX, 2), CR8_LEGACY(0x8000_0001, 0, Reg.ECX, 4),
    ABM(0x8000_0001, 0, Reg.ECX, 5), LZCNT(0x8000_0001, 0, Reg.ECX, 5), SSE4A(0x8000_0001, 0, Reg.ECX, 6),
    MISALIGNSSE(0x8000_0001, 0, Reg.ECX, 7), PREFETCHW(0x8000_0001, 0, Reg.ECX, 8),
    // CPUID.0x80000001:EDX
    SYSCALL(0x8000_0001, 0, Reg.EDX, 11), NX(0x8000_0001, 0, Reg.EDX, 20), MMXEXT(0x8000_0001, 0, Reg.EDX, 22),
    FXSR_OPT(0x8000_0001, 0, Reg.EDX, 25), PDPE1GB(0x8000_0001, 0, Reg.EDX, 26),
    RDTSCP(0x8000_0001, 0, Reg.EDX, 27), LM(0x8000_0001, 0, Reg.EDX, 29),
    // CPUID.0x80000007:EDX
    CONSTANT_TSC(0x8000_0007, 0, Reg.EDX, 8),
    // CPUID.0x80000008:EBX
    WBNOINVD(0x8000_0008, 0, Reg.EBX, 9);

    /** A CPUID output register. */
    public enum Reg { EAX, EBX, ECX, EDX }

    private final int leaf;
    private final int subleaf;
    private final Reg reg;
    private final int bit;

    CpuFeature(int leaf, int subleaf, Reg reg, int bit) {
        this.leaf = leaf;
        this.subleaf = subleaf;
        this.reg = reg;
        this.bit = bit;
    }

    /** The CPUID leaf (EAX input). */
    public int leaf() { return leaf; }

    /** The CPUID sub-leaf (ECX input); 0 where the leaf has no sub-leaves. */
    public int subleaf() { return subleaf; }

    /** The output register holding the flag. */
    public Reg register() { return reg; }

    /** The bit number within {@link #register()}. */
    public int bit() { return bit; }

    /** {@code 1 << bit()}. */
    public int mask() { return 1 << bit; }

    /** Whether this flag is set in the given CPUID output for {@link #leaf()}/{@link #subleaf()}. */
    public boolean isSet(int eax, int ebx, int ecx, int edx) {
        int v = switch (reg) {
            case EAX -> eax;
            case EBX -> ebx;
            case ECX -> ecx;
            case EDX -> edx;
        };
        return (v & mask()) != 0;
    }
}
