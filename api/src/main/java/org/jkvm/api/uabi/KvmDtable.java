package org.jkvm.api.uabi;

/** struct kvm_dtable (16 bytes): GDTR/IDTR. */
public record KvmDtable(long base, int limit) {
    public static final int SIZE = 16;
}
