package org.jkvm.cpu.model;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

import org.jkvm.cpu.xstate.XFeature;
import org.jkvm.cpu.xstate.XsaveCpuid;
import org.jkvm.isa.CpuFeature;

/**
 * A CPU model: identification plus a set of CPUID features. Everything else (the supported XCR0 and
 * IA32_XSS, CPUID leaves) is derived from these fields and the {@link XFeature} table. Immutable;
 * {@link CpuModelParser} makes edited copies. Build instances through {@link CpuModels}.
 *
 * @param name         the name users pass ({@code --cpu}), e.g. "sapphirerapids"
 * @param family       the display family (6 for P6-descended cores, 19 for Diamond Rapids)
 * @param model        the display model (extended model included)
 * @param stepping     the stepping
 * @param brand        the brand string of leaves 0x80000002-4 (at most 48 bytes)
 * @param physBits     physical address width (CPUID 0x80000008 EAX[7:0])
 * @param features     the CPUID features present; always closed under {@link FeatureDeps}
 * @param osXss        the IA32_XSS a Linux host on this part runs with (supervisor PASID plus the
 *                     "independent" Arch LBR component, masked to what the part supports): the
 *                     value behind a real machine's CPUID.(0xD,1).EBX and the host XSS of the
 *                     hypervisor model
 */
public record CpuModel(String name, int family, int model, int stepping, String brand, int physBits,
        Set<CpuFeature> features, long osXss) {

    public CpuModel {
        if (brand.length() > 47) throw new IllegalArgumentException("brand string longer than 47 bytes: " + brand);
        features = Collections.unmodifiableSet(EnumSet.copyOf(features));
        EnumSet<CpuFeature> bad = FeatureDeps.unsatisfied(features);
        if (!bad.isEmpty()) throw new IllegalArgumentException("model " + name + ": features without their requirements: " + bad);
        osXss &= supportedXssOf(features);
    }

    public boolean has(CpuFeature f) {
        return features.contains(f);
    }

    /** The user state components this model can enable in XCR0 (CPUID.(0xD,0):EDX:EAX). */
    public long supportedXcr0() {
        if (!has(CpuFeature.XSAVE)) return 0;
        long m = 0;
        for (XFeature f : XFeature.all()) {
            if (!f.supervisor && has(f.enabledBy)) m |= f.mask;
        }
        return m;
    }

    /** The supervisor state components this model can enable in IA32_XSS (CPUID.(0xD,1):EDX:ECX). */
    public long supportedXss() {
        return supportedXssOf(features);
    }

    private static long supportedXssOf(Set<CpuFeature> features) {
        if (!features.contains(CpuFeature.XSAVES)) return 0;
        long m = 0;
        for (XFeature f : XFeature.all()) {
            if (f.supervisor && (features.contains(f.enabledBy)
                    || f == XFeature.CET_U && features.contains(CpuFeature.CET_IBT)
                    || f == XFeature.CET_S && features.contains(CpuFeature.CET_IBT))) {
                m |= f.mask;
            }
        }
        return m;
    }

    /** CPUID.(0xD,1):EAX: the XSAVE extensions present. */
    public int xsaveExtensions() {
        return (has(CpuFeature.XSAVEOPT) ? XsaveCpuid.D1_XSAVEOPT : 0) | (has(CpuFeature.XSAVEC) ? XsaveCpuid.D1_XSAVEC : 0)
            | (has(CpuFeature.XGETBV1) ? XsaveCpuid.D1_XGETBV1 : 0) | (has(CpuFeature.XSAVES) ? XsaveCpuid.D1_XSAVES : 0)
            | (has(CpuFeature.XFD) ? XsaveCpuid.D1_XFD : 0);
    }

    /** Components that IA32_XFD may arm on this model. */
    public long xfdSupported() {
        return has(CpuFeature.XFD) ? supportedXcr0() & XFeature.XFD_CAPABLE_MASK : 0;
    }

    /** CPUID.1:EAX, the processor signature, in the SDM's split family/model encoding. */
    public int signature() {
        int baseFamily = Math.min(family, 0xF);
        int extFamily = family >= 0xF ? family - 0xF : 0;
        int baseModel = model & 0xF;
        int extModel = (family == 6 || family >= 0xF) ? (model >> 4) & 0xF : 0;
        return stepping & 0xF | baseModel << 4 | baseFamily << 8 | extModel << 16 | extFamily << 20;
    }

    /** The same model with a different feature set and name (the parser's edits). */
    public CpuModel withFeatures(String newName, Set<CpuFeature> newFeatures) {
        return new CpuModel(newName, family, model, stepping, brand, physBits, newFeatures, osXss);
    }
}
