package org.jkvm.api.uabi;

import java.lang.foreign.MemorySegment;

import org.jkvm.api.Errno;
import org.jkvm.api.KvmException;

/** struct kvm_msr_list (KVM_GET_MSR_INDEX_LIST): u32 nmsrs followed by nmsrs u32 MSR indices. */
public final class KvmMsrList {
    public static final int HEADER_SIZE = 4;

    public static final CStruct LAYOUT = CStruct.of("kvm_msr_list", HEADER_SIZE)
        .field("nmsrs", 0, 4)
        .build();

    private static final Field NMSRS = LAYOUT.field("nmsrs");

    private KvmMsrList() {}

    public static long byteSize(int n) { return HEADER_SIZE + 4L * n; }

    public static int count(MemorySegment s) { return NMSRS.getInt(s); }

    public static void setCount(MemorySegment s, int n) { NMSRS.set(s, n); }

    public static byte[] toBytes(int[] indices) {
        MemorySegment s = MemorySegment.ofArray(new byte[(int) byteSize(indices.length)]);
        NMSRS.set(s, indices.length);
        for (int i = 0; i < indices.length; i++) new Field("indices", HEADER_SIZE + 4 * i, 4).set(s, indices[i]);
        return s.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }

    /** EINVAL when the buffer is shorter than its count says. */
    public static int[] fromBytes(MemorySegment s) throws KvmException {
        LAYOUT.checkAtLeast(s);
        long n = NMSRS.get(s);
        if (s.byteSize() < HEADER_SIZE + 4 * n)
            throw new KvmException(Errno.EINVAL, "kvm_msr_list with " + n + " indices needs " + (HEADER_SIZE + 4 * n) + " bytes");
        int[] out = new int[(int) n];
        for (int i = 0; i < n; i++) out[i] = (int) new Field("indices", HEADER_SIZE + 4 * i, 4).get(s);
        return out;
    }

    public static int[] fromBytes(byte[] b) throws KvmException {
        return fromBytes(b == null ? null : MemorySegment.ofArray(b));
    }
}
