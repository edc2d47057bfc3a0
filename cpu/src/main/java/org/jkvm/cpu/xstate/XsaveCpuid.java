package org.jkvm.cpu.xstate;

/**
 * CPUID leaf 0xD, computed from {@link XFeature} for a CPU's supported XCR0/IA32_XSS and the values
 * currently loaded (SDM vol. 1, 13.2):
 * <ul>
 * <li>0xD.0: EDX:EAX = supported XCR0; EBX = standard size for the current XCR0; ECX = standard
 *     size for the supported XCR0.</li>
 * <li>0xD.1: EAX = XSAVEOPT/XSAVEC/XGETBV1/XSAVES/XFD flags; EBX = compacted size for the current
 *     XCR0 | IA32_XSS; EDX:ECX = supported IA32_XSS.</li>
 * <li>0xD.i (i &ge; 2, supported): EAX size, EBX standard offset (0 for supervisor components), ECX
 *     bit 0 supervisor, bit 1 64-byte aligned when compacted, bit 2 XFD-capable; EDX 0.
 *     Unsupported or undefined sub-leaves are all zero.</li>
 * </ul>
 */
public final class XsaveCpuid {
    private XsaveCpuid() {}

    /** CPUID.(0xD,1):EAX bits. */
    public static final int D1_XSAVEOPT = 1, D1_XSAVEC = 2, D1_XGETBV1 = 4, D1_XSAVES = 8, D1_XFD = 16;

    /**
     * Writes EAX, EBX, ECX, EDX of CPUID.(0xD, subleaf) into {@code out[0..3]}. Allocation-free: the
     * CPUID instruction calls it.
     *
     * @param d1Eax the CPUID.(0xD,1):EAX flags of the model ({@code D1_*})
     */
    public static void subleaf(int subleaf, long supportedXcr0, long supportedXss, long xcr0, long xss, int d1Eax,
            int[] out) {
        out[0] = out[1] = out[2] = out[3] = 0;
        if (subleaf == 0) {
            out[0] = (int) supportedXcr0;
            out[1] = XsaveLayout.standardSize(xcr0);
            out[2] = XsaveLayout.standardSize(supportedXcr0);
            out[3] = (int) (supportedXcr0 >>> 32);
        } else if (subleaf == 1) {
            out[0] = d1Eax;
            // Only defined when the compacted format exists; a part without XSAVEC/XSAVES reports 0.
            out[1] = (d1Eax & (D1_XSAVEC | D1_XSAVES)) != 0 ? XsaveLayout.compactedSize(xcr0 | xss) : 0;
            out[2] = (int) supportedXss;
            out[3] = (int) (supportedXss >>> 32);
        } else if (subleaf < 63) {
            XFeature f = XFeature.byIndex(subleaf);
            if (f == null || ((supportedXcr0 | supportedXss) & f.mask) == 0) return;
            out[0] = f.size;
            out[1] = f.supervisor ? 0 : f.standardOffset;
            // A part without XFD cannot arm anything, so it does not call a component XFD-capable.
            out[2] = f.cpuidEcx() & ((d1Eax & D1_XFD) != 0 ? 7 : 3);
        }
    }

    /** Convenience form of {@link #subleaf(int, long, long, long, long, int, int[])}. */
    public static int[] subleaf(int subleaf, long supportedXcr0, long supportedXss, long xcr0, long xss, int d1Eax) {
        int[] out = new int[4];
        subleaf(subleaf, supportedXcr0, supportedXss, xcr0, xss, d1Eax, out);
        return out;
    }
}
