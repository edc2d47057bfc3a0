package org.jkvm.kvm.xcr;

import static org.jkvm.kvm.xcr.Xfeatures.*;

/**
 * The rules {@code __kvm_set_xcr} applies to a new XCR0 (index 0 is the only XCR). A violation is #GP in
 * the guest (XSETBV) or -EINVAL from KVM_SET_XCRS. Pure: the caller decides what a failure means.
 */
public final class XcrRules {
    private XcrRules() {}

    /** Returns null when {@code xcr0} is acceptable, else the rule it breaks (for messages and tests). */
    public static String check(int index, long xcr0, long guestSupportedXcr0) {
        if (index != 0) return "only XCR0 exists";
        if ((xcr0 & FP) == 0) return "x87 bit clear";
        if ((xcr0 & YMM) != 0 && (xcr0 & SSE) == 0) return "AVX without SSE";
        long valid = guestSupportedXcr0 | FP;
        if ((xcr0 & ~valid) != 0) return "unsupported bits 0x" + Long.toHexString(xcr0 & ~valid);
        if (((xcr0 & BNDREGS) != 0) != ((xcr0 & BNDCSR) != 0)) return "MPX bits not both set or both clear";
        if ((xcr0 & AVX512) != 0) {
            if ((xcr0 & YMM) == 0) return "AVX-512 without AVX";
            if ((xcr0 & AVX512) != AVX512) return "AVX-512 bits not all set";
        }
        if ((xcr0 & XTILE) != 0 && (xcr0 & XTILE) != XTILE) return "AMX bits not both set";
        if ((xcr0 & MPX) != 0 && (xcr0 & APX) != 0) return "MPX together with APX";
        return null;
    }

    public static boolean valid(int index, long xcr0, long guestSupportedXcr0) {
        return check(index, xcr0, guestSupportedXcr0) == null;
    }
}
