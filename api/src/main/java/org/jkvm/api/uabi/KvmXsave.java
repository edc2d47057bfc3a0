package org.jkvm.api.uabi;

/** struct kvm_xsave: at least 4096 bytes of standard-format XSAVE area (KVM_GET_XSAVE2 may return more). */
public record KvmXsave(byte[] region) {
    public static final int LEGACY_SIZE = 4096;
}
