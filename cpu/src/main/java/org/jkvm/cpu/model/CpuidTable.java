package org.jkvm.cpu.model;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import org.jkvm.cpu.xstate.AmxPalette;
import org.jkvm.cpu.xstate.XFeature;
import org.jkvm.cpu.xstate.XsaveCpuid;
import org.jkvm.isa.CpuFeature;

/**
 * The CPUID leaves of a {@link CpuModel}, derived from its features and the XSAVE component table.
 * The static part is computed once per model; {@link #query} patches in what depends on the running
 * state (CR4.OSXSAVE, CR4.PKE, XCR0, IA32_XSS, the APIC ID) without allocating, for the CPUID
 * instruction. {@link #leaves} lists them for KVM_GET_SUPPORTED_CPUID-style use.
 */
public final class CpuidTable {
    private static final ConcurrentHashMap<CpuModel, CpuidTable> CACHE = new ConcurrentHashMap<>();

    /** Basic leaves that take a sub-leaf index in ECX. */
    private static final int[] INDEXED = {4, 7, 0xB, 0xD, 0xF, 0x10, 0x12, 0x14, 0x17, 0x18, 0x1D, 0x1E, 0x1F, 0x20,
        0x23, 0x24, 0x29};

    private final CpuModel model;
    private final int maxBasic;
    private final int maxExtended = 0x8000_0008;
    private final int maxLeaf7Sub;
    private final int maxLeaf1ESub;
    private final List<CpuidLeaf> staticLeaves;
    private final long supportedXcr0, supportedXss;
    private final int d1Eax;

    private CpuidTable(CpuModel m) {
        this.model = m;
        this.supportedXcr0 = m.supportedXcr0();
        this.supportedXss = m.supportedXss();
        this.d1Eax = m.xsaveExtensions();
        int max = 0xD;
        if (m.has(CpuFeature.AESKLE) || m.has(CpuFeature.KL)) max = 0x19;
        if (m.has(CpuFeature.AMX_TILE)) max = 0x1E;
        if (m.has(CpuFeature.AVX10)) max = 0x24;
        if (m.has(CpuFeature.APX_F)) max = 0x29;
        this.maxBasic = max;
        this.maxLeaf7Sub = hasAny(m, 7, 1) ? 1 : 0;
        this.maxLeaf1ESub = hasAny(m, 0x1E, 1) ? 1 : 0;
        List<CpuidLeaf> list = new ArrayList<>();
        int[] r = new int[4];
        for (int fn = 0; fn <= maxBasic; fn++) {
            if (!emitted(fn)) continue;
            for (int idx : subleaves(fn)) {
                raw(fn, idx, r);
                list.add(new CpuidLeaf(fn, idx, isIndexed(fn) ? CpuidLeaf.SIGNIFICANT_INDEX : 0, r[0], r[1], r[2], r[3]));
            }
        }
        for (int fn = 0x8000_0000; fn <= maxExtended; fn++) {
            raw(fn, 0, r);
            list.add(new CpuidLeaf(fn, 0, 0, r[0], r[1], r[2], r[3]));
        }
        this.staticLeaves = Collections.unmodifiableList(list);
    }

    /** The table of {@code model} (cached). */
    public static CpuidTable of(CpuModel model) {
        return CACHE.computeIfAbsent(model, CpuidTable::new);
    }

    /**
     * The model's leaves as a KVM_GET_SUPPORTED_CPUID-style list, with the state-dependent fields as
     * a host OS runs them: OSXSAVE set, XCR0 = the supported XCR0, IA32_XSS = the model's OS value,
     * OSPKE clear (as KVM reports it), APIC ID 0.
     */
    public static List<CpuidLeaf> cpuidTable(CpuModel model) {
        return of(model).leaves(true, false, model.supportedXcr0(), model.osXss());
    }

    /** The leaves with the given running state patched in. */
    public List<CpuidLeaf> leaves(boolean osxsave, boolean ospke, long xcr0, long xss) {
        List<CpuidLeaf> out = new ArrayList<>(staticLeaves.size());
        int[] r = new int[4];
        for (CpuidLeaf l : staticLeaves) {
            query(l.function(), l.index(), osxsave, ospke, xcr0, xss, 0, r);
            out.add(new CpuidLeaf(l.function(), l.index(), l.flags(), r[0], r[1], r[2], r[3]));
        }
        return out;
    }

    public CpuModel model() { return model; }

    public int maxBasicLeaf() { return maxBasic; }

    /**
     * What the CPUID instruction returns for EAX={@code fn}, ECX={@code idx} in the given state, into
     * {@code out} (EAX, EBX, ECX, EDX). Leaves above the basic or extended maximum return the highest
     * basic leaf, as Intel parts do.
     */
    public void query(int fn, int idx, boolean osxsave, boolean ospke, long xcr0, long xss, int apicId, int[] out) {
        if (Integer.compareUnsigned(fn, maxBasic) > 0 && (fn >= 0 || Integer.compareUnsigned(fn, maxExtended) > 0)) {
            fn = maxBasic;
        }
        raw(fn, idx, out);
        switch (fn) {
            case 1 -> {
                if (osxsave && model.has(CpuFeature.XSAVE)) out[2] |= CpuFeature.OSXSAVE.mask();
                out[1] = out[1] & 0x00FF_FFFF | apicId << 24;
            }
            case 7 -> {
                if (idx == 0 && ospke && model.has(CpuFeature.PKU)) out[2] |= CpuFeature.OSPKE.mask();
            }
            case 0xD -> {
                if (model.has(CpuFeature.XSAVE)) XsaveCpuid.subleaf(idx, supportedXcr0, supportedXss, xcr0, xss, d1Eax, out);
            }
            default -> { }
        }
    }

    private boolean emitted(int fn) {
        return switch (fn) {
            case 0, 1, 6, 7 -> true;
            case 0xD -> model.has(CpuFeature.XSAVE);
            case 0x19 -> model.has(CpuFeature.AESKLE) || model.has(CpuFeature.KL);
            case 0x1D, 0x1E -> model.has(CpuFeature.AMX_TILE);
            case 0x24 -> model.has(CpuFeature.AVX10);
            case 0x29 -> model.has(CpuFeature.APX_F);
            default -> false;
        };
    }

    private List<Integer> subleaves(int fn) {
        List<Integer> s = new ArrayList<>();
        switch (fn) {
            case 7 -> { for (int i = 0; i <= maxLeaf7Sub; i++) s.add(i); }
            case 0xD -> {
                s.add(0);
                s.add(1);
                for (XFeature f : XFeature.all()) {
                    if (f.index >= 2 && ((supportedXcr0 | supportedXss) & f.mask) != 0) s.add(f.index);
                }
            }
            case 0x1D -> { s.add(0); s.add(1); }
            case 0x1E -> { for (int i = 0; i <= maxLeaf1ESub; i++) s.add(i); }
            default -> s.add(0);
        }
        return s;
    }

    private static boolean isIndexed(int fn) {
        for (int f : INDEXED) if (f == fn) return true;
        return false;
    }

    /** The state-independent value of a leaf (dynamic bits clear, 0xD for the reset state). */
    private void raw(int fn, int idx, int[] out) {
        out[0] = out[1] = out[2] = out[3] = 0;
        int sub = isIndexed(fn) ? idx : 0;
        // Feature bits straight from the CpuFeature coordinates.
        for (CpuFeature f : model.features()) {
            if (f.leaf() != fn || f.subleaf() != sub || f == CpuFeature.OSXSAVE || f == CpuFeature.OSPKE) continue;
            out[f.register().ordinal()] |= f.mask();
        }
        switch (fn) {
            case 0 -> {
                out[0] = maxBasic;
                vendor(out);
            }
            case 1 -> {
                out[0] = model.signature();
                // CLFLUSH line size in 8-byte units (64 bytes); one logical processor per package.
                out[1] = 8 << 8 | 1 << 16;
            }
            case 7 -> {
                if (sub == 0) out[0] = maxLeaf7Sub;
            }
            case 0xD -> {
                if (model.has(CpuFeature.XSAVE)) XsaveCpuid.subleaf(sub, supportedXcr0, supportedXss, 1, 0, d1Eax, out);
                else out[0] = out[1] = out[2] = out[3] = 0;
            }
            case 0x1D -> {
                if (!model.has(CpuFeature.AMX_TILE)) break;
                if (sub == 0) {
                    out[0] = 1; // highest palette
                } else if (sub == 1) {
                    out[0] = AmxPalette.TOTAL_TILE_BYTES | AmxPalette.BYTES_PER_TILE << 16;
                    out[1] = AmxPalette.BYTES_PER_ROW | AmxPalette.MAX_NAMES << 16;
                    out[2] = AmxPalette.MAX_ROWS;
                }
            }
            case 0x1E -> {
                if (!model.has(CpuFeature.AMX_TILE)) break;
                if (sub == 0) {
                    out[0] = maxLeaf1ESub;
                    out[1] = AmxPalette.TMUL_MAXK | AmxPalette.TMUL_MAXN << 8;
                } else if (sub == 1) {
                    // Sub-leaf 1 repeats the leaf-7 AMX flags in bits 0-3 (INT8, BF16, COMPLEX, FP16).
                    out[0] |= (model.has(CpuFeature.AMX_INT8) ? 1 : 0) | (model.has(CpuFeature.AMX_BF16) ? 2 : 0)
                        | (model.has(CpuFeature.AMX_COMPLEX) ? 4 : 0) | (model.has(CpuFeature.AMX_FP16) ? 8 : 0);
                }
            }
            case 0x24 -> {
                // AVX10 version 2 with 128/256/512-bit vectors.
                if (sub == 0 && model.has(CpuFeature.AVX10)) out[1] = 2 | 7 << 16;
            }
            case 0x8000_0000 -> out[0] = maxExtended;
            case 0x8000_0002, 0x8000_0003, 0x8000_0004 -> brand(fn - 0x8000_0002, out);
            case 0x8000_0008 -> out[0] = model.physBits() | (model.has(CpuFeature.LA57) ? 57 : 48) << 8;
            default -> { }
        }
    }

    private static void vendor(int[] out) {
        byte[] v = "GenuineIntel".getBytes(StandardCharsets.US_ASCII);
        out[1] = le(v, 0);
        out[3] = le(v, 4);
        out[2] = le(v, 8);
    }

    private void brand(int part, int[] out) {
        byte[] b = new byte[48];
        byte[] s = model.brand().getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(s, 0, b, 0, Math.min(s.length, 47));
        for (int i = 0; i < 4; i++) out[i] = le(b, part * 16 + i * 4);
    }

    private static int le(byte[] b, int o) {
        return b[o] & 0xFF | (b[o + 1] & 0xFF) << 8 | (b[o + 2] & 0xFF) << 16 | (b[o + 3] & 0xFF) << 24;
    }

    private static boolean hasAny(CpuModel m, int leaf, int sub) {
        for (CpuFeature f : m.features()) if (f.leaf() == leaf && f.subleaf() == sub) return true;
        return false;
    }
}
