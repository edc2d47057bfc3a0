package org.jkvm.kvm.xcr;

import org.jkvm.cpu.xstate.XFeature;

/** The XCR0/XSS masks KVM's rules are written in, derived from the cpu module's component table. */
public final class Xfeatures {
    private Xfeatures() {}

    public static final long FP = XFeature.X87.mask, SSE = XFeature.SSE.mask, YMM = XFeature.AVX.mask;
    public static final long BNDREGS = XFeature.BNDREGS.mask, BNDCSR = XFeature.BNDCSR.mask;
    public static final long MPX = BNDREGS | BNDCSR;
    public static final long AVX512 = XFeature.OPMASK.mask | XFeature.ZMM_HI256.mask | XFeature.HI16_ZMM.mask;
    public static final long PKRU = XFeature.PKRU.mask;
    public static final long XTILE_CFG = XFeature.TILECFG.mask, XTILE_DATA = XFeature.TILEDATA.mask;
    public static final long XTILE = XTILE_CFG | XTILE_DATA;
    public static final long APX = XFeature.APX.mask;
    /** XFEATURE_MASK_USER_DYNAMIC: features whose buffer space needs a permission (XFD-capable). */
    public static final long USER_DYNAMIC = XFeature.XFD_CAPABLE_MASK & XFeature.USER_MASK;
    /** KVM_SUPPORTED_XCR0: what KVM is willing to expose at all (host support still required). */
    public static final long KVM_SUPPORTED_XCR0 = FP | SSE | YMM | MPX | AVX512 | PKRU | XTILE | APX;
    /** KVM_SUPPORTED_XSS: the supervisor states KVM context-switches for a guest (CET). */
    public static final long KVM_SUPPORTED_XSS = XFeature.CET_U.mask | XFeature.CET_S.mask;
    /** Changes of these XCR0 bits require CPUID runtime recomputation (0xD.0 EBX etc.). */
    public static final long XCR0_EXTEND_MASK = ~(FP | SSE | YMM);
}
