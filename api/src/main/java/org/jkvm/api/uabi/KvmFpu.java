package org.jkvm.api.uabi;

/** struct kvm_fpu (416 bytes): x87 registers (8 x 16 bytes), control words, XMM0-15 and MXCSR. */
public record KvmFpu(byte[] fpr, int fcw, int fsw, int ftwx, int lastOpcode, long lastIp, long lastDp,
                     byte[] xmm, int mxcsr) {
    public static final int SIZE = 416;
}
