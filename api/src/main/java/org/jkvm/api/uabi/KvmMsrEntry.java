package org.jkvm.api.uabi;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.jkvm.api.KvmException;

/** struct kvm_msr_entry (16 bytes); {@code data} is filled in by KVM_GET_MSRS. */
public final class KvmMsrEntry {
    public static final int SIZE = 16;

    public static final CStruct LAYOUT = CStruct.of("kvm_msr_entry", SIZE)
        .field("index", 0, 4)
        .field("reserved", 4, 4)
        .field("data", 8, 8)
        .build();

    private static final Field INDEX = LAYOUT.field("index"), RESERVED = LAYOUT.field("reserved"),
        DATA = LAYOUT.field("data");

    private final int index;
    private long data;

    public KvmMsrEntry(int index, long data) {
        this.index = index;
        this.data = data;
    }

    public int index() { return index; }

    public long data() { return data; }

    public void setData(long data) { this.data = data; }

    public void write(MemorySegment s, long at) {
        INDEX.set(s, at, index);
        RESERVED.set(s, at, 0);
        DATA.set(s, at, data);
    }

    static KvmMsrEntry read(MemorySegment s, long at) { return new KvmMsrEntry((int) INDEX.get(s, at), DATA.get(s, at)); }

    /** The data member at {@code at}, for KVM_GET_MSRS filling entries the caller already holds. */
    static long readData(MemorySegment s, long at) { return DATA.get(s, at); }

    public byte[] toBytes() {
        MemorySegment s = LAYOUT.newHeapBuffer();
        write(s, 0);
        return s.toArray(ValueLayout.JAVA_BYTE);
    }

    public static KvmMsrEntry fromBytes(byte[] b) throws KvmException {
        return fromBytes(b == null ? null : MemorySegment.ofArray(b));
    }

    public static KvmMsrEntry fromBytes(MemorySegment s) throws KvmException {
        LAYOUT.checkExactly(s);
        return read(s, 0);
    }

    @Override
    public boolean equals(Object o) { return o instanceof KvmMsrEntry e && e.index == index && e.data == data; }

    @Override
    public int hashCode() { return Integer.hashCode(index) * 31 + Long.hashCode(data); }

    @Override
    public String toString() { return String.format("KvmMsrEntry[%#x=%#x]", index, data); }
}
