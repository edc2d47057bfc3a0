package org.jkvm.api.uabi;

/** struct kvm_sregs (312 bytes). {@code interruptBitmap} is 4 longs: a pending external interrupt vector. */
public record KvmSregs(KvmSegment cs, KvmSegment ds, KvmSegment es, KvmSegment fs, KvmSegment gs, KvmSegment ss,
                       KvmSegment tr, KvmSegment ldt, KvmDtable gdt, KvmDtable idt,
                       long cr0, long cr2, long cr3, long cr4, long cr8, long efer, long apicBase,
                       long[] interruptBitmap) {
    public static final int SIZE = 312;
}
