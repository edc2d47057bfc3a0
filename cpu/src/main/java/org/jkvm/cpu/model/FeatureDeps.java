package org.jkvm.cpu.model;

import static org.jkvm.isa.CpuFeature.*;

import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import org.jkvm.isa.CpuFeature;

/**
 * Which CPUID feature requires which, as data: {dependent, required...}. A model never holds a
 * feature without what it requires, so removing one removes its dependents transitively (-avx
 * takes AVX2 and AVX-512 with it; -xsave takes every XSAVE-managed extension) and adding one adds
 * what it needs. Facts from the SDM's enumeration rules (e.g. AVX-512 needs the AVX state
 * components, AMX tile data is XFD-managed, XFD/XSAVES sit on the compacted format).
 */
public final class FeatureDeps {
    private FeatureDeps() {}

    private static final CpuFeature[][] TABLE = {
        {SSE, FXSR}, {SSE2, SSE}, {SSE3, SSE2}, {SSSE3, SSE3}, {SSE4_1, SSSE3}, {SSE4_2, SSE4_1},
        {POPCNT, SSE4_2}, {AES, SSE2}, {PCLMULQDQ, SSE2}, {SHA, SSE2}, {GFNI, SSE2},
        {FXSR_OPT, FXSR},
        {XSAVEOPT, XSAVE}, {XSAVEC, XSAVE}, {XGETBV1, XSAVE}, {XSAVES, XSAVEC}, {XFD, XSAVES}, {XFD, XGETBV1},
        {OSXSAVE, XSAVE}, {OSPKE, PKU},
        {AVX, XSAVE}, {AVX, SSE4_2}, {FMA, AVX}, {F16C, AVX}, {AVX2, AVX}, {VAES, AVX}, {VAES, AES},
        {VPCLMULQDQ, AVX}, {VPCLMULQDQ, PCLMULQDQ}, {AVX_VNNI, AVX2}, {AVX_IFMA, AVX2},
        {AVX_VNNI_INT8, AVX2}, {AVX_VNNI_INT16, AVX2}, {AVX_NE_CONVERT, AVX2}, {SHA512, AVX2}, {SM3, AVX},
        {SM4, AVX2},
        {AVX512F, AVX2},
        {AVX512DQ, AVX512F}, {AVX512CD, AVX512F}, {AVX512BW, AVX512F}, {AVX512VL, AVX512F},
        {AVX512IFMA, AVX512F}, {AVX512VBMI, AVX512BW}, {AVX512VBMI2, AVX512BW}, {AVX512VNNI, AVX512F},
        {AVX512BITALG, AVX512BW}, {AVX512VPOPCNTDQ, AVX512F}, {AVX512BF16, AVX512BW},
        {AVX512FP16, AVX512BW}, {AVX512FP16, AVX512VL}, {AVX512_VP2INTERSECT, AVX512F},
        {AVX512_4VNNIW, AVX512F}, {AVX512_4FMAPS, AVX512F},
        {AVX10, AVX512F}, {AVX10, AVX512BW}, {AVX10, AVX512VL}, {AVX10, AVX512DQ},
        {MPX, XSAVE}, {APX_F, XSAVE}, {APX_NCI_NDD_NF, APX_F},
        {AMX_TILE, XFD}, {AMX_INT8, AMX_TILE}, {AMX_BF16, AMX_TILE}, {AMX_FP16, AMX_TILE},
        {AMX_COMPLEX, AMX_TILE}, {AMX_FP8, AMX_TILE}, {AMX_TF32, AMX_TILE}, {AMX_AVX512, AMX_TILE},
        {AMX_AVX512, AVX10}, {AMX_MOVRS, AMX_TILE}, {AMX_MOVRS, MOVRS},
        // Supervisor state exists only in the compacted format that XSAVES writes.
        {INTEL_PT, XSAVES}, {ENQCMD, XSAVES}, {CET_SS, XSAVES}, {CET_IBT, XSAVES}, {UINTR, XSAVES},
        {ARCH_LBR, XSAVES}, {CET_SSS, CET_SS},
        {PKS, PKU}, {LA57, PAE}, {PDPE1GB, PAE}, {NX, PAE}, {LM, PAE}, {LM, SYSCALL},
        {X2APIC, APIC}, {TSC_DEADLINE, APIC}, {FRED, LKGS}, {FRED, WRMSRNS}};

    private static final Map<CpuFeature, EnumSet<CpuFeature>> REQUIRES = new EnumMap<>(CpuFeature.class);
    private static final Map<CpuFeature, EnumSet<CpuFeature>> REQUIRED_BY = new EnumMap<>(CpuFeature.class);

    static {
        for (CpuFeature[] row : TABLE) {
            for (int i = 1; i < row.length; i++) {
                REQUIRES.computeIfAbsent(row[0], k -> EnumSet.noneOf(CpuFeature.class)).add(row[i]);
                REQUIRED_BY.computeIfAbsent(row[i], k -> EnumSet.noneOf(CpuFeature.class)).add(row[0]);
            }
        }
    }

    /** {@code f} and everything that (transitively) requires it. */
    public static EnumSet<CpuFeature> withDependents(CpuFeature f) {
        return closure(f, REQUIRED_BY);
    }

    /** {@code f} and everything it (transitively) requires. */
    public static EnumSet<CpuFeature> withRequirements(CpuFeature f) {
        return closure(f, REQUIRES);
    }

    /** The features of {@code set} whose requirements are not all in {@code set}. */
    public static EnumSet<CpuFeature> unsatisfied(Set<CpuFeature> set) {
        EnumSet<CpuFeature> bad = EnumSet.noneOf(CpuFeature.class);
        for (CpuFeature f : set) {
            for (CpuFeature r : REQUIRES.getOrDefault(f, EnumSet.noneOf(CpuFeature.class))) {
                if (!set.contains(r)) bad.add(f);
            }
        }
        return bad;
    }

    private static EnumSet<CpuFeature> closure(CpuFeature f, Map<CpuFeature, EnumSet<CpuFeature>> edges) {
        EnumSet<CpuFeature> out = EnumSet.of(f);
        ArrayDeque<CpuFeature> work = new ArrayDeque<>();
        work.add(f);
        while (!work.isEmpty()) {
            for (CpuFeature g : edges.getOrDefault(work.poll(), EnumSet.noneOf(CpuFeature.class))) {
                if (out.add(g)) work.add(g);
            }
        }
        return out;
    }
}
