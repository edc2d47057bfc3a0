package org.jkvm.api.uabi;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import org.jkvm.api.Errno;
import org.jkvm.api.KvmException;

/** struct kvm_cpuid2: an 8-byte header (nent, padding) followed by nent struct kvm_cpuid_entry2. */
public final class KvmCpuid2 {
    public static final int HEADER_SIZE = 8;
    /** KVM_MAX_CPUID_ENTRIES: KVM_SET_CPUID2 with more is E2BIG. */
    public static final int MAX_ENTRIES = 256;

    public static final CStruct LAYOUT = CStruct.of("kvm_cpuid2", HEADER_SIZE)
        .field("nent", 0, 4)
        .field("padding", 4, 4)
        .build();

    private static final Field NENT = LAYOUT.field("nent"), PADDING = LAYOUT.field("padding");

    private KvmCpuid2() {}

    public static long byteSize(int entries) { return HEADER_SIZE + (long) entries * KvmCpuidEntry2.SIZE; }

    public static int count(MemorySegment s) { return NENT.getInt(s); }

    /** A header announcing room for {@code capacity} entries (KVM_GET_CPUID2/KVM_GET_SUPPORTED_CPUID input). */
    public static void writeHeader(MemorySegment s, int capacity) {
        NENT.set(s, capacity);
        PADDING.set(s, 0);
    }

    public static void write(MemorySegment s, List<KvmCpuidEntry2> entries) {
        writeHeader(s, entries.size());
        for (int i = 0; i < entries.size(); i++) entries.get(i).write(s, HEADER_SIZE + (long) i * KvmCpuidEntry2.SIZE);
    }

    public static byte[] toBytes(List<KvmCpuidEntry2> entries) {
        MemorySegment s = MemorySegment.ofArray(new byte[(int) byteSize(entries.size())]);
        write(s, entries);
        return s.toArray(ValueLayout.JAVA_BYTE);
    }

    public static List<KvmCpuidEntry2> fromBytes(byte[] b) throws KvmException {
        return fromBytes(b == null ? null : MemorySegment.ofArray(b));
    }

    /** E2BIG when nent exceeds 256 (as KVM_SET_CPUID2), EINVAL when the buffer is shorter than nent entries. */
    public static List<KvmCpuidEntry2> fromBytes(MemorySegment s) throws KvmException {
        LAYOUT.checkAtLeast(s);
        long n = NENT.get(s);
        if (n > MAX_ENTRIES) throw new KvmException(Errno.E2BIG, "kvm_cpuid2.nent " + n + " > " + MAX_ENTRIES);
        if (s.byteSize() < byteSize((int) n))
            throw new KvmException(Errno.EINVAL, "kvm_cpuid2 with " + n + " entries needs " + byteSize((int) n) + " bytes");
        List<KvmCpuidEntry2> out = new ArrayList<>((int) n);
        for (int i = 0; i < n; i++) out.add(KvmCpuidEntry2.read(s, HEADER_SIZE + (long) i * KvmCpuidEntry2.SIZE));
        return out;
    }

    /** The entry answering CPUID(function, index), or null. */
    public static KvmCpuidEntry2 find(List<KvmCpuidEntry2> entries, int function, int index) {
        for (KvmCpuidEntry2 e : entries) if (e.matches(function, index)) return e;
        return null;
    }
}
