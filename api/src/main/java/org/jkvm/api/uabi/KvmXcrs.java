package org.jkvm.api.uabi;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import org.jkvm.api.Errno;
import org.jkvm.api.KvmException;

/** struct kvm_xcrs (392 bytes): up to 16 XCRs. */
public record KvmXcrs(int flags, List<KvmXcr> xcrs) {
    public static final int SIZE = 392;
    public static final int MAX_XCRS = 16;

    public static final CStruct LAYOUT = CStruct.of("kvm_xcrs", SIZE)
        .field("nr_xcrs", 0, 4)
        .field("flags", 4, 4)
        .field("xcrs", 8, MAX_XCRS * KvmXcr.SIZE)
        .field("padding", 8 + MAX_XCRS * KvmXcr.SIZE, 16 * 8)
        .build();

    private static final Field NR_XCRS = LAYOUT.field("nr_xcrs"), FLAGS = LAYOUT.field("flags"),
        XCRS = LAYOUT.field("xcrs"), PADDING = LAYOUT.field("padding");

    public KvmXcrs {
        xcrs = List.copyOf(xcrs);
        if (xcrs.size() > MAX_XCRS) throw new IllegalArgumentException("at most 16 XCRs, got " + xcrs.size());
    }

    /** Just XCR0 = {@code value}. */
    public static KvmXcrs ofXcr0(long value) { return new KvmXcrs(0, List.of(new KvmXcr(KvmXcr.XCR0, value))); }

    /** The value of XCR {@code xcr}; IllegalArgumentException when the list has none. */
    public long value(int xcr) {
        for (KvmXcr x : xcrs) if (x.xcr() == xcr) return x.value();
        throw new IllegalArgumentException("no XCR" + xcr + " in " + this);
    }

    public void write(MemorySegment s) {
        NR_XCRS.set(s, xcrs.size());
        FLAGS.set(s, flags);
        XCRS.slice(s).fill((byte) 0);
        for (int i = 0; i < xcrs.size(); i++) xcrs.get(i).write(s, XCRS.offset() + (long) i * KvmXcr.SIZE);
        PADDING.slice(s).fill((byte) 0);
    }

    public byte[] toBytes() {
        MemorySegment s = LAYOUT.newHeapBuffer();
        write(s);
        return s.toArray(ValueLayout.JAVA_BYTE);
    }

    public static KvmXcrs fromBytes(byte[] b) throws KvmException {
        return fromBytes(b == null ? null : MemorySegment.ofArray(b));
    }

    /** EINVAL unless {@code s} is 392 bytes with nr_xcrs at most 16 (KVM_SET_XCRS's own check). */
    public static KvmXcrs fromBytes(MemorySegment s) throws KvmException {
        LAYOUT.checkExactly(s);
        long n = NR_XCRS.get(s);
        if (n > MAX_XCRS) throw new KvmException(Errno.EINVAL, "kvm_xcrs.nr_xcrs " + n + " > 16");
        List<KvmXcr> out = new ArrayList<>((int) n);
        for (int i = 0; i < n; i++) out.add(KvmXcr.read(s, XCRS.offset() + (long) i * KvmXcr.SIZE));
        return new KvmXcrs(FLAGS.getInt(s), out);
    }
}
