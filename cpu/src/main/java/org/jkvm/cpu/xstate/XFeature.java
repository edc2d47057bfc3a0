package org.jkvm.cpu.xstate;

import java.util.List;

import org.jkvm.isa.CpuFeature;

/**
 * The XSAVE state components, declared once (Intel SDM vol. 1, ch. 13; CPUID leaf 0xD). Everything
 * else about XSAVE layout (standard and compacted offsets, sizes, CPUID 0xD sub-leaves, which
 * components a CPU model supports) is derived from this table.
 *
 * <p>Sizes are architectural except Arch LBR (808 bytes is the 32-entry depth every Intel part
 * with it reports) and PT (the Sapphire Rapids value). Supervisor components have no standard-format
 * offset: CPUID 0xD.i EBX reports 0 for them and they only exist in the compacted format.
 */
public enum XFeature {
    //       index name         xss    size  stdOff align  xfd    enabled by
    X87(0, "x87", false, 160, 0, false, false, CpuFeature.FPU),
    SSE(1, "SSE", false, 256, 160, false, false, CpuFeature.SSE),
    AVX(2, "AVX", false, 256, 576, false, false, CpuFeature.AVX),
    BNDREGS(3, "MPX BNDREGS", false, 64, 960, false, false, CpuFeature.MPX),
    BNDCSR(4, "MPX BNDCSR", false, 64, 1024, false, false, CpuFeature.MPX),
    OPMASK(5, "AVX-512 opmask", false, 64, 1088, false, false, CpuFeature.AVX512F),
    ZMM_HI256(6, "AVX-512 ZMM_Hi256", false, 512, 1152, false, false, CpuFeature.AVX512F),
    HI16_ZMM(7, "AVX-512 Hi16_ZMM", false, 1024, 1664, false, false, CpuFeature.AVX512F),
    PT(8, "PT", true, 128, -1, false, false, CpuFeature.INTEL_PT),
    PKRU(9, "PKRU", false, 8, 2688, false, false, CpuFeature.PKU),
    PASID(10, "PASID", true, 8, -1, false, false, CpuFeature.ENQCMD),
    CET_U(11, "CET_U", true, 16, -1, false, false, CpuFeature.CET_SS),
    CET_S(12, "CET_S", true, 24, -1, false, false, CpuFeature.CET_SS),
    UINTR(14, "UINTR", true, 48, -1, false, false, CpuFeature.UINTR),
    LBR(15, "Arch LBR", true, 808, -1, false, false, CpuFeature.ARCH_LBR),
    TILECFG(17, "AMX TILECFG", false, 64, 2752, true, false, CpuFeature.AMX_TILE),
    TILEDATA(18, "AMX TILEDATA", false, 8192, 2816, true, true, CpuFeature.AMX_TILE),
    APX(19, "APX", false, 128, 960, false, false, CpuFeature.APX_F);

    /** The size of the legacy region (x87 + SSE) plus the XSAVE header: where compacted components start. */
    public static final int LEGACY_AND_HEADER = 576;
    /** Offset of the 64-byte XSAVE header. */
    public static final int HEADER_OFFSET = 512;
    /** XCOMP_BV bit 63: the area is in the compacted format. */
    public static final long XCOMP_BV_COMPACTED = 1L << 63;

    /** The component number (its bit in XCR0, IA32_XSS, XSTATE_BV, XCOMP_BV, XFD). */
    public final int index;
    /** The name used in tables and messages. */
    public final String label;
    /** Enabled through IA32_XSS (supervisor) rather than XCR0 (user). */
    public final boolean supervisor;
    /** Bytes of state. */
    public final int size;
    /** Offset in the standard (non-compacted) format; -1 for supervisor components, which have none. */
    public final int standardOffset;
    /** Rounded up to a 64-byte boundary in the compacted format (CPUID 0xD.i ECX[1]). */
    public final boolean aligned64;
    /** Can be armed in IA32_XFD (CPUID 0xD.i ECX[2]). */
    public final boolean xfdCapable;
    /** The CPUID feature whose presence makes a CPU support this component. */
    public final CpuFeature enabledBy;
    /** {@code 1L << index}. */
    public final long mask;

    private static final List<XFeature> ALL = List.of(values());
    private static final XFeature[] BY_INDEX = new XFeature[64];

    static {
        for (XFeature f : ALL) BY_INDEX[f.index] = f;
    }

    XFeature(int index, String label, boolean supervisor, int size, int standardOffset, boolean aligned64,
            boolean xfdCapable, CpuFeature enabledBy) {
        this.index = index;
        this.label = label;
        this.supervisor = supervisor;
        this.size = size;
        this.standardOffset = standardOffset;
        this.aligned64 = aligned64;
        this.xfdCapable = xfdCapable;
        this.enabledBy = enabledBy;
        this.mask = 1L << index;
    }

    /** The component with this number, or null when the architecture defines none jkvm models. */
    public static XFeature byIndex(int index) {
        return index >= 0 && index < 64 ? BY_INDEX[index] : null;
    }

    /** All components in component-number order (the compacted-format order). */
    public static List<XFeature> all() { return ALL; }

    /** The CPUID 0xD.i ECX bits: 0 supervisor, 1 aligned when compacted, 2 XFD-capable. */
    public int cpuidEcx() {
        return (supervisor ? 1 : 0) | (aligned64 ? 2 : 0) | (xfdCapable ? 4 : 0);
    }

    /** The mask of every component jkvm models. */
    public static final long ALL_MASK;
    /** User components (XCR0 side). */
    public static final long USER_MASK;
    /** Supervisor components (IA32_XSS side). */
    public static final long SUPERVISOR_MASK;
    /** Components that may be armed in IA32_XFD. */
    public static final long XFD_CAPABLE_MASK;

    static {
        long all = 0, user = 0, sup = 0, xfd = 0;
        for (XFeature f : values()) {
            all |= f.mask;
            if (f.supervisor) sup |= f.mask; else user |= f.mask;
            if (f.xfdCapable) xfd |= f.mask;
        }
        ALL_MASK = all;
        USER_MASK = user;
        SUPERVISOR_MASK = sup;
        XFD_CAPABLE_MASK = xfd;
    }
}
