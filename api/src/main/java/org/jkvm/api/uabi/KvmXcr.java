package org.jkvm.api.uabi;

/** struct kvm_xcr (16 bytes). */
public record KvmXcr(int xcr, long value) {
    public static final int SIZE = 16;
}
