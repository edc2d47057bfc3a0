package org.jkvm.cpu.model;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import org.jkvm.isa.CpuFeature;

/**
 * Parses {@code MODEL[,+feature|,-feature]...}: a named model with edits applied left to right.
 * Removing a feature removes everything that requires it; adding one adds what it requires.
 * Feature names are CPUID flag names, case-insensitive, with '-', '_' and '.' ignored (so
 * "amx-tile", "AMX_TILE" and "amxtile" agree), plus the usual Linux/QEMU spellings listed in
 * {@link #ALIASES}. Errors name the offending word.
 */
public final class CpuModelParser {
    private CpuModelParser() {}

    private static final Map<String, CpuFeature> BY_NAME = new HashMap<>();
    private static final String[][] ALIASES = {
        {"pni", "SSE3"}, {"sse4.1", "SSE4_1"}, {"sse4.2", "SSE4_2"}, {"pt", "INTEL_PT"}, {"intelpt", "INTEL_PT"},
        {"pclmuldq", "PCLMULQDQ"}, {"shani", "SHA"}, {"apx", "APX_F"}, {"apxf", "APX_F"}, {"pku", "PKU"},
        {"ibt", "CET_IBT"}, {"shstk", "CET_SS"}, {"amxtile", "AMX_TILE"}, {"avx512fp16", "AVX512FP16"},
        {"avx512bf16", "AVX512BF16"}, {"avx512vp2intersect", "AVX512_VP2INTERSECT"}, {"xsaves", "XSAVES"},
        {"rdtscp", "RDTSCP"}, {"pdpe1gb", "PDPE1GB"}, {"lahfsahf", "LAHF_LM"}, {"invtsc", "CONSTANT_TSC"}};

    static {
        for (CpuFeature f : CpuFeature.values()) BY_NAME.putIfAbsent(norm(f.name()), f);
        for (String[] a : ALIASES) BY_NAME.put(norm(a[0]), CpuFeature.valueOf(a[1]));
    }

    /** The model {@code spec} names, edited. @throws IllegalArgumentException naming an unknown model or feature */
    public static CpuModel parse(String spec) {
        if (spec == null || spec.isBlank()) throw new IllegalArgumentException("empty CPU model");
        String[] parts = spec.split(",", -1);
        String name = parts[0].strip();
        CpuModel base = CpuModels.byName(name);
        if (base == null) {
            throw new IllegalArgumentException("unknown CPU model '" + name + "' (known: " + String.join(", ", CpuModels.names()) + ")");
        }
        if (parts.length == 1) return base;
        EnumSet<CpuFeature> features = EnumSet.copyOf(base.features());
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].strip();
            if (p.length() < 2 || (p.charAt(0) != '+' && p.charAt(0) != '-')) {
                throw new IllegalArgumentException("bad CPU feature edit '" + p + "' in '" + spec + "' (expected +feature or -feature)");
            }
            CpuFeature f = feature(p.substring(1));
            if (p.charAt(0) == '+') features.addAll(FeatureDeps.withRequirements(f));
            else features.removeAll(FeatureDeps.withDependents(f));
        }
        return base.withFeatures(spec.strip(), features);
    }

    /** The feature with this name. @throws IllegalArgumentException naming it when unknown */
    public static CpuFeature feature(String name) {
        CpuFeature f = BY_NAME.get(norm(name));
        if (f == null) throw new IllegalArgumentException("unknown CPU feature '" + name.strip() + "'");
        return f;
    }

    private static String norm(String s) {
        return s.strip().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "").replace(".", "");
    }
}
