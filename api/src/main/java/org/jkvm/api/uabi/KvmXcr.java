package org.jkvm.api.uabi;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.jkvm.api.KvmException;

/** struct kvm_xcr (16 bytes). */
public record KvmXcr(int xcr, long value) {
    public static final int SIZE = 16;
    /** XCR0, the XFEATURE_ENABLED_MASK: the only XCR KVM accepts. */
    public static final int XCR0 = 0;

    public static final CStruct LAYOUT = CStruct.of("kvm_xcr", SIZE)
        .field("xcr", 0, 4)
        .field("reserved", 4, 4)
        .field("value", 8, 8)
        .build();

    private static final Field XCR = LAYOUT.field("xcr"), RESERVED = LAYOUT.field("reserved"),
        VALUE = LAYOUT.field("value");

    public void write(MemorySegment s, long at) {
        XCR.set(s, at, xcr);
        RESERVED.set(s, at, 0);
        VALUE.set(s, at, value);
    }

    static KvmXcr read(MemorySegment s, long at) { return new KvmXcr((int) XCR.get(s, at), VALUE.get(s, at)); }

    public byte[] toBytes() {
        MemorySegment s = LAYOUT.newHeapBuffer();
        write(s, 0);
        return s.toArray(ValueLayout.JAVA_BYTE);
    }

    public static KvmXcr fromBytes(byte[] b) throws KvmException {
        return fromBytes(b == null ? null : MemorySegment.ofArray(b));
    }

    public static KvmXcr fromBytes(MemorySegment s) throws KvmException {
        LAYOUT.checkExactly(s);
        return read(s, 0);
    }
}
