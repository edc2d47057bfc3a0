package org.jkvm.api.uabi;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import org.jkvm.api.Errno;
import org.jkvm.api.KvmException;

/** struct kvm_msrs: an 8-byte header (nmsrs, pad) followed by nmsrs struct kvm_msr_entry. */
public final class KvmMsrs {
    public static final int HEADER_SIZE = 8;
    /** KVM_GET/SET_MSRS refuse nmsrs of MAX_IO_MSRS (256) or more with E2BIG. */
    public static final int MAX_ENTRIES = 255;

    public static final CStruct LAYOUT = CStruct.of("kvm_msrs", HEADER_SIZE)
        .field("nmsrs", 0, 4)
        .field("pad", 4, 4)
        .build();

    private static final Field NMSRS = LAYOUT.field("nmsrs"), PAD = LAYOUT.field("pad");

    private KvmMsrs() {}

    public static long byteSize(int entries) { return HEADER_SIZE + (long) entries * KvmMsrEntry.SIZE; }

    /** Writes the header and entries into {@code s} (at least {@link #byteSize} bytes). */
    public static void write(MemorySegment s, List<KvmMsrEntry> entries) {
        NMSRS.set(s, entries.size());
        PAD.set(s, 0);
        for (int i = 0; i < entries.size(); i++) entries.get(i).write(s, HEADER_SIZE + (long) i * KvmMsrEntry.SIZE);
    }

    public static byte[] toBytes(List<KvmMsrEntry> entries) {
        MemorySegment s = MemorySegment.ofArray(new byte[(int) byteSize(entries.size())]);
        write(s, entries);
        return s.toArray(ValueLayout.JAVA_BYTE);
    }

    /** Copies the first {@code n} data members of {@code s} into {@code into} (KVM_GET_MSRS' answer). */
    public static void readData(MemorySegment s, List<KvmMsrEntry> into, int n) {
        for (int i = 0; i < n; i++) into.get(i).setData(KvmMsrEntry.readData(s, HEADER_SIZE + (long) i * KvmMsrEntry.SIZE));
    }

    public static List<KvmMsrEntry> fromBytes(byte[] b) throws KvmException {
        return fromBytes(b == null ? null : MemorySegment.ofArray(b));
    }

    /** E2BIG when nmsrs is 256 or more (as KVM), EINVAL when the buffer is shorter than nmsrs entries. */
    public static List<KvmMsrEntry> fromBytes(MemorySegment s) throws KvmException {
        LAYOUT.checkAtLeast(s);
        long n = NMSRS.get(s);
        if (n > MAX_ENTRIES) throw new KvmException(Errno.E2BIG, "kvm_msrs.nmsrs " + n + " > " + MAX_ENTRIES);
        if (s.byteSize() < byteSize((int) n))
            throw new KvmException(Errno.EINVAL, "kvm_msrs with " + n + " entries needs " + byteSize((int) n) + " bytes");
        List<KvmMsrEntry> out = new ArrayList<>((int) n);
        for (int i = 0; i < n; i++) out.add(KvmMsrEntry.read(s, HEADER_SIZE + (long) i * KvmMsrEntry.SIZE));
        return out;
    }
}
