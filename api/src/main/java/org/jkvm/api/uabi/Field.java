package org.jkvm.api.uabi;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * One member of a kernel uABI struct: its C member designator (as {@code offsetof} takes it, e.g.
 * {@code "exception.nr"} or {@code "io.port"}), byte offset and byte size. Scalars (1, 2, 4 or 8 bytes) are
 * read and written little-endian, as on x86-64; larger fields are byte arrays or nested structs.
 */
public record Field(String name, int offset, int size) {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public Field {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("field needs a name");
        if (offset < 0 || size <= 0) throw new IllegalArgumentException(name + ": bad offset/size " + offset + "/" + size);
    }

    public int end() { return offset + size; }

    public boolean isScalar() { return size == 1 || size == 2 || size == 4 || size == 8; }

    /** The field's value zero-extended (u8/u16/u32/u64), at {@code base} within {@code s}. */
    public long get(MemorySegment s, long base) {
        long at = base + offset;
        return switch (size) {
            case 1 -> Byte.toUnsignedLong(s.get(ValueLayout.JAVA_BYTE, at));
            case 2 -> Short.toUnsignedLong(s.get(U16, at));
            case 4 -> Integer.toUnsignedLong(s.get(U32, at));
            case 8 -> s.get(U64, at);
            default -> throw new IllegalStateException(name + " is not a scalar (" + size + " bytes)");
        };
    }

    public long get(MemorySegment s) { return get(s, 0); }

    public int getInt(MemorySegment s) { return (int) get(s, 0); }

    public boolean getBool(MemorySegment s) { return get(s, 0) != 0; }

    /** Stores the low {@code size} bytes of {@code v}. */
    public void set(MemorySegment s, long base, long v) {
        long at = base + offset;
        switch (size) {
            case 1 -> s.set(ValueLayout.JAVA_BYTE, at, (byte) v);
            case 2 -> s.set(U16, at, (short) v);
            case 4 -> s.set(U32, at, (int) v);
            case 8 -> s.set(U64, at, v);
            default -> throw new IllegalStateException(name + " is not a scalar (" + size + " bytes)");
        }
    }

    public void set(MemorySegment s, long v) { set(s, 0, v); }

    public void set(MemorySegment s, boolean v) { set(s, 0, v ? 1 : 0); }

    /** The field's bytes as a view. */
    public MemorySegment slice(MemorySegment s, long base) { return s.asSlice(base + offset, size); }

    public MemorySegment slice(MemorySegment s) { return slice(s, 0); }

    public byte[] getBytes(MemorySegment s) { return slice(s).toArray(ValueLayout.JAVA_BYTE); }

    public void setBytes(MemorySegment s, byte[] v) {
        if (v.length != size) throw new IllegalArgumentException(name + ": " + v.length + " bytes, needs " + size);
        MemorySegment.copy(MemorySegment.ofArray(v), 0, s, offset, size);
    }
}
