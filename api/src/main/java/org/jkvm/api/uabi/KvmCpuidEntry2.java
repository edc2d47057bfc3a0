package org.jkvm.api.uabi;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.jkvm.api.KvmException;

/** struct kvm_cpuid_entry2 (40 bytes). */
public record KvmCpuidEntry2(int function, int index, int flags, int eax, int ebx, int ecx, int edx) {
    public static final int SIZE = 40;
    /** flags: the leaf has sub-leaves selected by ECX. */
    public static final int KVM_CPUID_FLAG_SIGNIFCANT_INDEX = 1;

    public static final CStruct LAYOUT = CStruct.of("kvm_cpuid_entry2", SIZE)
        .run(0, 4, "function", "index", "flags", "eax", "ebx", "ecx", "edx")
        .field("padding", 28, 12)
        .build();

    private static final Field FUNCTION = LAYOUT.field("function"), INDEX = LAYOUT.field("index"),
        FLAGS = LAYOUT.field("flags"), EAX = LAYOUT.field("eax"), EBX = LAYOUT.field("ebx"),
        ECX = LAYOUT.field("ecx"), EDX = LAYOUT.field("edx"), PADDING = LAYOUT.field("padding");

    /** True when this entry answers CPUID(function, index): the index only matters for significant-index leaves. */
    public boolean matches(int function, int index) {
        return this.function == function
            && ((flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) == 0 || this.index == index);
    }

    public KvmCpuidEntry2 withEax(int v) { return new KvmCpuidEntry2(function, index, flags, v, ebx, ecx, edx); }

    public KvmCpuidEntry2 withEbx(int v) { return new KvmCpuidEntry2(function, index, flags, eax, v, ecx, edx); }

    public KvmCpuidEntry2 withEcx(int v) { return new KvmCpuidEntry2(function, index, flags, eax, ebx, v, edx); }

    public KvmCpuidEntry2 withEdx(int v) { return new KvmCpuidEntry2(function, index, flags, eax, ebx, ecx, v); }

    public void write(MemorySegment s, long at) {
        FUNCTION.set(s, at, function);
        INDEX.set(s, at, index);
        FLAGS.set(s, at, flags);
        EAX.set(s, at, eax);
        EBX.set(s, at, ebx);
        ECX.set(s, at, ecx);
        EDX.set(s, at, edx);
        PADDING.slice(s, at).fill((byte) 0);
    }

    static KvmCpuidEntry2 read(MemorySegment s, long at) {
        return new KvmCpuidEntry2((int) FUNCTION.get(s, at), (int) INDEX.get(s, at), (int) FLAGS.get(s, at),
            (int) EAX.get(s, at), (int) EBX.get(s, at), (int) ECX.get(s, at), (int) EDX.get(s, at));
    }

    public byte[] toBytes() {
        MemorySegment s = LAYOUT.newHeapBuffer();
        write(s, 0);
        return s.toArray(ValueLayout.JAVA_BYTE);
    }

    public static KvmCpuidEntry2 fromBytes(byte[] b) throws KvmException {
        return fromBytes(b == null ? null : MemorySegment.ofArray(b));
    }

    public static KvmCpuidEntry2 fromBytes(MemorySegment s) throws KvmException {
        LAYOUT.checkExactly(s);
        return read(s, 0);
    }

    @Override
    public String toString() {
        return String.format("KvmCpuidEntry2[%#x.%d flags=%d eax=%08x ebx=%08x ecx=%08x edx=%08x]", function, index,
            flags, eax, ebx, ecx, edx);
    }
}
