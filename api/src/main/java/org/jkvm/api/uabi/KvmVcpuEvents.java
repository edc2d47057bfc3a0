package org.jkvm.api.uabi;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.jkvm.api.KvmException;

/**
 * struct kvm_vcpu_events (64 bytes): pending/injected exception (with its payload), interrupt, NMI, SIPI vector,
 * SMM and triple-fault state. {@code flags} says which optional members KVM_SET_VCPU_EVENTS applies
 * (KVM_VCPUEVENT_VALID_*). The 26 reserved bytes are written as zero.
 */
public record KvmVcpuEvents(boolean exceptionInjected, int exceptionNr, boolean exceptionHasErrorCode,
                            boolean exceptionPending, int exceptionErrorCode,
                            boolean interruptInjected, int interruptNr, boolean interruptSoft, int interruptShadow,
                            boolean nmiInjected, boolean nmiPending, boolean nmiMasked,
                            int sipiVector, int flags, boolean tripleFaultPending,
                            boolean exceptionHasPayload, long exceptionPayload,
                            boolean smiSmm, boolean smiPending, boolean smiInsideNmi, boolean smiLatchedInit) {
    public static final int SIZE = 64;
    public static final int VALID_NMI_PENDING = 0x1, VALID_SIPI_VECTOR = 0x2, VALID_SHADOW = 0x4, VALID_SMM = 0x8,
        VALID_PAYLOAD = 0x10, VALID_TRIPLE_FAULT = 0x20;
    /** interrupt.shadow bits. */
    public static final int SHADOW_INT_MOV_SS = 0x1, SHADOW_INT_STI = 0x2;

    public static final CStruct LAYOUT = CStruct.of("kvm_vcpu_events", SIZE)
        .run(0, 1, "exception.injected", "exception.nr", "exception.has_error_code", "exception.pending")
        .field("exception.error_code", 4, 4)
        .run(8, 1, "interrupt.injected", "interrupt.nr", "interrupt.soft", "interrupt.shadow")
        .run(12, 1, "nmi.injected", "nmi.pending", "nmi.masked", "nmi.pad")
        .field("sipi_vector", 16, 4)
        .field("flags", 20, 4)
        .run(24, 1, "smi.smm", "smi.pending", "smi.smm_inside_nmi", "smi.latched_init")
        .field("triple_fault.pending", 28, 1)
        .field("reserved", 29, 26)
        .field("exception_has_payload", 55, 1)
        .field("exception_payload", 56, 8)
        .build();

    /** The members in component order (reserved and nmi.pad excluded). */
    private static final Field[] MEMBERS = {
        LAYOUT.field("exception.injected"), LAYOUT.field("exception.nr"), LAYOUT.field("exception.has_error_code"),
        LAYOUT.field("exception.pending"), LAYOUT.field("exception.error_code"),
        LAYOUT.field("interrupt.injected"), LAYOUT.field("interrupt.nr"), LAYOUT.field("interrupt.soft"),
        LAYOUT.field("interrupt.shadow"),
        LAYOUT.field("nmi.injected"), LAYOUT.field("nmi.pending"), LAYOUT.field("nmi.masked"),
        LAYOUT.field("sipi_vector"), LAYOUT.field("flags"), LAYOUT.field("triple_fault.pending"),
        LAYOUT.field("exception_has_payload"), LAYOUT.field("exception_payload"),
        LAYOUT.field("smi.smm"), LAYOUT.field("smi.pending"), LAYOUT.field("smi.smm_inside_nmi"),
        LAYOUT.field("smi.latched_init"),
    };

    /** The original 17-member form: SMM state all clear. */
    public KvmVcpuEvents(boolean exceptionInjected, int exceptionNr, boolean exceptionHasErrorCode,
                         boolean exceptionPending, int exceptionErrorCode,
                         boolean interruptInjected, int interruptNr, boolean interruptSoft, int interruptShadow,
                         boolean nmiInjected, boolean nmiPending, boolean nmiMasked,
                         int sipiVector, int flags, boolean tripleFaultPending,
                         boolean exceptionHasPayload, long exceptionPayload) {
        this(exceptionInjected, exceptionNr, exceptionHasErrorCode, exceptionPending, exceptionErrorCode,
            interruptInjected, interruptNr, interruptSoft, interruptShadow, nmiInjected, nmiPending, nmiMasked,
            sipiVector, flags, tripleFaultPending, exceptionHasPayload, exceptionPayload, false, false, false, false);
    }

    private long[] values() {
        return new long[] {b(exceptionInjected), exceptionNr, b(exceptionHasErrorCode), b(exceptionPending),
            exceptionErrorCode, b(interruptInjected), interruptNr, b(interruptSoft), interruptShadow, b(nmiInjected),
            b(nmiPending), b(nmiMasked), sipiVector, flags, b(tripleFaultPending), b(exceptionHasPayload),
            exceptionPayload, b(smiSmm), b(smiPending), b(smiInsideNmi), b(smiLatchedInit)};
    }

    private static long b(boolean v) { return v ? 1 : 0; }

    private static KvmVcpuEvents of(long[] v) {
        return new KvmVcpuEvents(v[0] != 0, (int) v[1], v[2] != 0, v[3] != 0, (int) v[4], v[5] != 0, (int) v[6],
            v[7] != 0, (int) v[8], v[9] != 0, v[10] != 0, v[11] != 0, (int) v[12], (int) v[13], v[14] != 0,
            v[15] != 0, v[16], v[17] != 0, v[18] != 0, v[19] != 0, v[20] != 0);
    }

    /** A copy with the member named as in the header (e.g. "nmi.masked", "flags") replaced. */
    public KvmVcpuEvents with(String member, long value) {
        Field f = LAYOUT.field(member);
        long[] v = values();
        for (int i = 0; i < MEMBERS.length; i++) if (MEMBERS[i] == f) v[i] = value;
        return of(v);
    }

    public KvmVcpuEvents withFlags(int v) { return with("flags", v); }

    public void write(MemorySegment s) {
        s.asSlice(0, SIZE).fill((byte) 0);
        long[] v = values();
        for (int i = 0; i < MEMBERS.length; i++) MEMBERS[i].set(s, v[i]);
    }

    public byte[] toBytes() {
        MemorySegment s = LAYOUT.newHeapBuffer();
        write(s);
        return s.toArray(ValueLayout.JAVA_BYTE);
    }

    public static KvmVcpuEvents fromBytes(byte[] b) throws KvmException {
        return fromBytes(b == null ? null : MemorySegment.ofArray(b));
    }

    /** EINVAL unless {@code s} is exactly 64 bytes. */
    public static KvmVcpuEvents fromBytes(MemorySegment s) throws KvmException {
        LAYOUT.checkExactly(s);
        long[] v = new long[MEMBERS.length];
        for (int i = 0; i < v.length; i++) v[i] = MEMBERS[i].get(s);
        return of(v);
    }
}
