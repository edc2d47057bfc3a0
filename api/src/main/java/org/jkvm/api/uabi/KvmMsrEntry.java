package org.jkvm.api.uabi;

/** struct kvm_msr_entry (16 bytes); {@code data} is filled in by KVM_GET_MSRS. */
public final class KvmMsrEntry {
    public static final int SIZE = 16;
    private final int index;
    private long data;

    public KvmMsrEntry(int index, long data) {
        this.index = index;
        this.data = data;
    }

    public int index() { return index; }

    public long data() { return data; }

    public void setData(long data) { this.data = data; }
}
