package org.jkvm.api.uabi;

/** struct kvm_segment (24 bytes). */
public record KvmSegment(long base, int limit, int selector, int type, boolean present, int dpl,
                         boolean db, boolean s, boolean l, boolean g, boolean avl, boolean unusable) {
    public static final int SIZE = 24;
}
