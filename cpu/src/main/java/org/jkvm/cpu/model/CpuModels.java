package org.jkvm.cpu.model;

import static org.jkvm.isa.CpuFeature.*;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jkvm.cpu.xstate.XFeature;
import org.jkvm.isa.CpuFeature;

/**
 * The named CPU models, declared as data. Feature lists follow the parts' published CPUID
 * enumeration (each newer Xeon is the older one plus its additions). Security-mitigation
 * enumeration bits are included because guests read them; no model claims VMX/SVM, SGX or the
 * Xeon Phi extensions.
 *
 * <p>Supervisor XSAVE components (PT, PASID, CET, UINTR, Arch LBR) are enumerated where the real
 * part has them so that CPUID 0xD and the XSAVES layout are exact; jkvm's CPU keeps their state for
 * XSAVES/XRSTORS but does not implement the features behind them.
 */
public final class CpuModels {
    private CpuModels() {}

    /** Linux's IA32_XSS on a host: PASID (its one supervisor xfeature) and Arch LBR (an "independent" one). */
    private static final long LINUX_XSS = XFeature.PASID.mask | XFeature.LBR.mask;

    private static final Set<CpuFeature> BASE = EnumSet.of(
        FPU, VME, DE, PSE, TSC, MSR, PAE, MCE, CX8, APIC, SEP, MTRR, PGE, MCA, CMOV, PAT, PSE36, CLFLUSH, MMX, FXSR,
        SSE, SSE2, SS, SSE3, PCLMULQDQ, SSSE3, FMA, CX16, PCID, SSE4_1, SSE4_2, X2APIC, MOVBE, POPCNT, TSC_DEADLINE,
        AES, XSAVE, AVX, F16C, RDRAND, ARAT,
        FSGSBASE, TSC_ADJUST, BMI1, AVX2, SMEP, BMI2, ERMS, INVPCID, RDSEED, ADX, SMAP, CLFLUSHOPT, CLWB, SHA,
        XSAVEOPT, XSAVEC, XGETBV1, XSAVES, FDP_EXCPTN_ONLY, ZERO_FCS_FDS,
        MD_CLEAR, SPEC_CTRL, STIBP, FLUSH_L1D, ARCH_CAPABILITIES, SPEC_CTRL_SSBD,
        LAHF_LM, ABM, LZCNT, PREFETCHW, SYSCALL, NX, PDPE1GB, RDTSCP, LM, CONSTANT_TSC);

    private static final Set<CpuFeature> ICELAKE_SERVER = plus(BASE,
        AVX512F, AVX512DQ, AVX512IFMA, AVX512CD, AVX512BW, AVX512VL, AVX512VBMI, UMIP, PKU, AVX512VBMI2, GFNI,
        VAES, VPCLMULQDQ, AVX512VNNI, AVX512BITALG, AVX512VPOPCNTDQ, LA57, RDPID, FSRM, WBNOINVD);

    private static final Set<CpuFeature> SAPPHIRE_RAPIDS = plus(ICELAKE_SERVER,
        INTEL_PT, WAITPKG, CET_SS, CET_IBT, BUS_LOCK_DETECT, CLDEMOTE, MOVDIRI, MOVDIR64B, ENQCMD, UINTR,
        AVX512_VP2INTERSECT, SERIALIZE, TSXLDTRK, ARCH_LBR, AMX_BF16, AVX512FP16, AMX_TILE, AMX_INT8,
        CORE_CAPABILITIES, AVX_VNNI, AVX512BF16, FZRM, FSRS, FSRC, XFD);

    private static final Set<CpuFeature> GRANITE_RAPIDS = plus(SAPPHIRE_RAPIDS, AMX_FP16, PREFETCHI);

    private static final Set<CpuFeature> DIAMOND_RAPIDS = plus(GRANITE_RAPIDS,
        APX_F, APX_NCI_NDD_NF, AVX10, AVX_IFMA, AVX_VNNI_INT8, AVX_VNNI_INT16, AVX_NE_CONVERT, CMPCCXADD, SHA512,
        SM3, SM4, LAM, FRED, LKGS, WRMSRNS, MSRLIST, USER_MSR, MOVRS, AMX_COMPLEX, AMX_FP8, AMX_TF32,
        AMX_AVX512, AMX_MOVRS, MSR_IMM);

    /** Everything jkvm models at once: Diamond Rapids class. MPX is left out: XCR0 cannot hold it with APX. */
    private static final Set<CpuFeature> MAX = plus(DIAMOND_RAPIDS);

    private static final Map<String, CpuModel> MODELS = new LinkedHashMap<>();

    static {
        add(new CpuModel("max", 6, 0xAD, 1, "jkvm max CPU (all modelled features)", 52, MAX, LINUX_XSS));
        add(new CpuModel("icelake-server", 6, 0x6A, 6, "Intel Xeon Processor (Icelake)", 46, ICELAKE_SERVER, LINUX_XSS));
        add(new CpuModel("sapphirerapids", 6, 0x8F, 8, "Intel Xeon Processor (SapphireRapids)", 46, SAPPHIRE_RAPIDS,
            LINUX_XSS));
        add(new CpuModel("graniterapids", 6, 0xAD, 1, "Intel Xeon Processor (GraniteRapids)", 52, GRANITE_RAPIDS,
            LINUX_XSS));
        add(new CpuModel("diamondrapids", 19, 0x01, 0, "Intel Xeon Processor (DiamondRapids)", 52, DIAMOND_RAPIDS,
            LINUX_XSS));
    }

    private static void add(CpuModel m) {
        MODELS.put(m.name(), m);
    }

    /** The model with this name (case-insensitive; '_' and '-' are interchangeable), or null. */
    public static CpuModel byName(String name) {
        return MODELS.get(name.toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
    }

    /** The names of all models, in declaration order. */
    public static List<String> names() {
        return List.copyOf(MODELS.keySet());
    }

    private static Set<CpuFeature> plus(Set<CpuFeature> base, CpuFeature... more) {
        EnumSet<CpuFeature> s = EnumSet.copyOf(base);
        for (CpuFeature f : more) s.add(f);
        return s;
    }
}
