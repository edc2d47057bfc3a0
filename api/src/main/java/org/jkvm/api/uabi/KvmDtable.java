package org.jkvm.api.uabi;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.jkvm.api.KvmException;

/** struct kvm_dtable (16 bytes): GDTR/IDTR. */
public record KvmDtable(long base, int limit) {
    public static final int SIZE = 16;

    public static final CStruct LAYOUT = CStruct.of("kvm_dtable", SIZE)
        .field("base", 0, 8)
        .field("limit", 8, 2)
        .field("padding", 10, 6)
        .build();

    private static final Field BASE = LAYOUT.field("base"), LIMIT = LAYOUT.field("limit"),
        PADDING = LAYOUT.field("padding");

    public void write(MemorySegment seg, long at) {
        BASE.set(seg, at, base);
        LIMIT.set(seg, at, limit);
        PADDING.slice(seg, at).fill((byte) 0);
    }

    static KvmDtable read(MemorySegment seg, long at) {
        return new KvmDtable(BASE.get(seg, at), (int) LIMIT.get(seg, at));
    }

    public byte[] toBytes() {
        MemorySegment seg = LAYOUT.newHeapBuffer();
        write(seg, 0);
        return seg.toArray(ValueLayout.JAVA_BYTE);
    }

    public static KvmDtable fromBytes(byte[] b) throws KvmException {
        return fromBytes(b == null ? null : MemorySegment.ofArray(b));
    }

    public static KvmDtable fromBytes(MemorySegment seg) throws KvmException {
        LAYOUT.checkExactly(seg);
        return read(seg, 0);
    }
}
