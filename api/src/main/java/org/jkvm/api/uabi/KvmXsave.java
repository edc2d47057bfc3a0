package org.jkvm.api.uabi;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

import org.jkvm.api.KvmException;

/**
 * struct kvm_xsave: at least 4096 bytes of standard-format (non-compacted) XSAVE area; KVM_GET_XSAVE2 may return
 * more (the KVM_CAP_XSAVE2 size). The region is u32-granular in the header, so the length is a multiple of 4.
 */
public record KvmXsave(byte[] region) {
    public static final int LEGACY_SIZE = 4096;

    /** The fixed part (u32 region[1024]); the flexible {@code extra[]} follows it. */
    public static final CStruct LAYOUT = CStruct.of("kvm_xsave", LEGACY_SIZE)
        .field("region", 0, LEGACY_SIZE)
        .build();

    /** Offsets inside the region that the uABI checks care about (legacy area and XSAVE header, SDM vol. 1 13.4). */
    public static final Field FCW = new Field("fcw", 0, 2), MXCSR = new Field("mxcsr", 24, 4),
        MXCSR_MASK = new Field("mxcsr_mask", 28, 4), XSTATE_BV = new Field("xstate_bv", 512, 8),
        XCOMP_BV = new Field("xcomp_bv", 520, 8), HEADER_RESERVED = new Field("header_reserved", 528, 48);

    public KvmXsave {
        if (region.length < LEGACY_SIZE || region.length % 4 != 0)
            throw new IllegalArgumentException("kvm_xsave is at least 4096 bytes, a multiple of 4; got " + region.length);
        region = region.clone();
    }

    @Override
    public byte[] region() { return region.clone(); }

    public int size() { return region.length; }

    private MemorySegment view() { return MemorySegment.ofArray(region); }

    public long xstateBv() { return XSTATE_BV.get(view()); }

    public long xcompBv() { return XCOMP_BV.get(view()); }

    public int mxcsr() { return MXCSR.getInt(view()); }

    /** A little-endian u64 at {@code offset} (e.g. a component's state at its CPUID 0xD offset). */
    public long u64(int offset) { return new Field("u64", offset, 8).get(view()); }

    /** A copy with {@code length} bytes at {@code offset} replaced. */
    public KvmXsave withBytes(int offset, byte[] bytes) {
        byte[] r = region.clone();
        System.arraycopy(bytes, 0, r, offset, bytes.length);
        return new KvmXsave(r);
    }

    public KvmXsave withU64(int offset, long value) {
        byte[] r = region.clone();
        new Field("u64", offset, 8).set(MemorySegment.ofArray(r), value);
        return new KvmXsave(r);
    }

    public KvmXsave withXstateBv(long v) { return withU64(XSTATE_BV.offset(), v); }

    public KvmXsave withXcompBv(long v) { return withU64(XCOMP_BV.offset(), v); }

    public KvmXsave withMxcsr(int v) {
        byte[] r = region.clone();
        MXCSR.set(MemorySegment.ofArray(r), v);
        return new KvmXsave(r);
    }

    /** The same state in a region of {@code size} bytes (zero-extended or truncated; truncating drops components). */
    public KvmXsave resized(int size) { return new KvmXsave(Arrays.copyOf(region, size)); }

    public void write(MemorySegment s) { MemorySegment.copy(view(), 0, s, 0, region.length); }

    public byte[] toBytes() { return region.clone(); }

    public static KvmXsave fromBytes(byte[] b) throws KvmException {
        return fromBytes(b == null ? null : MemorySegment.ofArray(b));
    }

    /** EINVAL unless {@code s} is at least 4096 bytes and a multiple of 4. */
    public static KvmXsave fromBytes(MemorySegment s) throws KvmException {
        LAYOUT.checkAtLeast(s);
        if (s.byteSize() % 4 != 0 || s.byteSize() > Integer.MAX_VALUE - 8)
            throw new KvmException(org.jkvm.api.Errno.EINVAL, "kvm_xsave of " + s.byteSize() + " bytes is not u32-granular");
        return new KvmXsave(s.toArray(ValueLayout.JAVA_BYTE));
    }

    @Override
    public boolean equals(Object o) { return o instanceof KvmXsave x && Arrays.equals(region, x.region); }

    @Override
    public int hashCode() { return Arrays.hashCode(region); }

    @Override
    public String toString() {
        return String.format("KvmXsave[%d bytes, xstate_bv=%#x, xcomp_bv=%#x, mxcsr=%#x]", region.length, xstateBv(),
            xcompBv(), mxcsr());
    }
}
