package org.jkvm.kvm.fpu;

/**
 * mxcsr_feature_mask: the MXCSR bits the CPU implements (FXSAVE's MXCSR_MASK). 0xFFFF includes DAZ, which
 * every 64-bit CPU has; a uABI MXCSR with any other bit set is -EINVAL.
 */
public final class MxcsrMask {
    private MxcsrMask() {}

    public static final int VALUE = 0xFFFF;
}
