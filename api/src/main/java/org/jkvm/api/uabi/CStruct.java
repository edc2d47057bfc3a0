package org.jkvm.api.uabi;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jkvm.api.Errno;
import org.jkvm.api.KvmException;

/**
 * A kernel uABI struct declared as data: its C tag (without {@code struct}), its size, and its members
 * (including reserved/padding ones, so the whole struct is accounted for). The Java readers/writers and the
 * layout tests (against the kernel headers when a C compiler is present) are derived from these tables.
 */
public final class CStruct {
    private final String cName;
    private final int size;
    private final List<Field> fields;
    private final Map<String, Field> byName;

    private CStruct(String cName, int size, List<Field> fields) {
        this.cName = cName;
        this.size = size;
        this.fields = Collections.unmodifiableList(new ArrayList<>(fields));
        this.byName = new LinkedHashMap<>();
        for (Field f : fields) {
            if (f.end() > size) throw new IllegalArgumentException(cName + "." + f.name() + " ends past " + size);
            if (byName.put(f.name(), f) != null) throw new IllegalArgumentException(cName + ": duplicate " + f.name());
        }
    }

    /** Starts a table for {@code struct cName} of {@code size} bytes. */
    public static Builder of(String cName, int size) { return new Builder(cName, size); }

    public String cName() { return cName; }

    public int size() { return size; }

    public List<Field> fields() { return fields; }

    /** The member named by its C designator; IllegalArgumentException when the table has none (a coding error). */
    public Field field(String name) {
        Field f = byName.get(name);
        if (f == null) throw new IllegalArgumentException("struct " + cName + " has no member " + name);
        return f;
    }

    /** EINVAL unless {@code s} is exactly this struct's size: the check every fromBytes makes first. */
    public void checkExactly(MemorySegment s) throws KvmException {
        if (s == null) throw new KvmException(Errno.EINVAL, "struct " + cName + ": null buffer");
        if (s.byteSize() != size)
            throw new KvmException(Errno.EINVAL, "struct " + cName + " is " + size + " bytes, buffer has " + s.byteSize());
    }

    /** EINVAL unless {@code s} holds at least this struct (flexible-array headers). */
    public void checkAtLeast(MemorySegment s) throws KvmException {
        if (s == null) throw new KvmException(Errno.EINVAL, "struct " + cName + ": null buffer");
        if (s.byteSize() < size)
            throw new KvmException(Errno.EINVAL, "struct " + cName + " needs " + size + " bytes, buffer has " + s.byteSize());
    }

    /** A zeroed heap buffer of this struct's size, as a segment over a byte[] (see {@link MemorySegment#heapBase()}). */
    public MemorySegment newHeapBuffer() { return MemorySegment.ofArray(new byte[size]); }

    /**
     * The members whose bytes differ between two images of this struct, as {@code "member: a != b"} lines (scalars
     * in hex, larger members as the first differing byte): what a differential test between backends reports.
     * Both images must hold at least {@link #size()} bytes.
     */
    public List<String> diff(MemorySegment a, MemorySegment b) {
        if (a.byteSize() < size || b.byteSize() < size)
            throw new IllegalArgumentException("struct " + cName + " needs " + size + " bytes");
        List<String> out = new ArrayList<>();
        for (Field f : fields) {
            long at = MemorySegment.mismatch(a, f.offset(), f.end(), b, f.offset(), f.end());
            if (at < 0) continue;
            if (f.isScalar())
                out.add(String.format("%s.%s: %#x != %#x", cName, f.name(), f.get(a), f.get(b)));
            else
                out.add(String.format("%s.%s: byte %d: %#04x != %#04x", cName, f.name(), at,
                    a.get(java.lang.foreign.ValueLayout.JAVA_BYTE, f.offset() + at),
                    b.get(java.lang.foreign.ValueLayout.JAVA_BYTE, f.offset() + at)));
        }
        return out;
    }

    public List<String> diff(byte[] a, byte[] b) { return diff(MemorySegment.ofArray(a), MemorySegment.ofArray(b)); }

    @Override
    public String toString() { return "struct " + cName + " (" + size + " bytes, " + fields.size() + " members)"; }

    /** Collects members; offsets are explicit, as in the header, so the table reads like the struct it mirrors. */
    public static final class Builder {
        private final String cName;
        private final int size;
        private final List<Field> fields = new ArrayList<>();

        private Builder(String cName, int size) {
            this.cName = cName;
            this.size = size;
        }

        public Builder field(String name, int offset, int size) {
            fields.add(new Field(name, offset, size));
            return this;
        }

        /** {@code count} members {@code prefix0..} (or the given names) of {@code each} bytes from {@code offset}. */
        public Builder run(int offset, int each, String... names) {
            for (int i = 0; i < names.length; i++) fields.add(new Field(names[i], offset + i * each, each));
            return this;
        }

        public CStruct build() { return new CStruct(cName, size, fields); }
    }
}
