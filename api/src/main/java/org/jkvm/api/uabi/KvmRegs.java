package org.jkvm.api.uabi;

import java.lang.foreign.MemorySegment;

import org.jkvm.api.KvmException;

/** struct kvm_regs (144 bytes): RAX..R15 in Linux's field order, then RIP and RFLAGS. */
public record KvmRegs(long rax, long rbx, long rcx, long rdx, long rsi, long rdi, long rsp, long rbp,
                      long r8, long r9, long r10, long r11, long r12, long r13, long r14, long r15,
                      long rip, long rflags) {
    public static final int SIZE = 144;

    /** The members in header order, which is also this record's component order. */
    public static final CStruct LAYOUT = CStruct.of("kvm_regs", SIZE)
        .run(0, 8, "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rsp", "rbp",
             "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip", "rflags")
        .build();

    /** RFLAGS bit 1 is always set; the value KVM reports after reset. */
    public static final long RFLAGS_FIXED = 0x2;

    /** All zero but RFLAGS' fixed bit. */
    public static KvmRegs zero() { return of(new long[18]).withRflags(RFLAGS_FIXED); }

    /** The 18 values in header order (RAX..R15, RIP, RFLAGS). */
    public long[] toArray() {
        return new long[] {rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp, r8, r9, r10, r11, r12, r13, r14, r15, rip, rflags};
    }

    /** From 18 values in header order. */
    public static KvmRegs of(long[] v) {
        if (v.length != 18) throw new IllegalArgumentException("kvm_regs has 18 members, got " + v.length);
        return new KvmRegs(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13],
            v[14], v[15], v[16], v[17]);
    }

    /** The value of the member named as in the header ("rax", ..., "rip", "rflags"). */
    public long get(String member) { return toArray()[LAYOUT.field(member).offset() / 8]; }

    /** A copy with the member named as in the header replaced. */
    public KvmRegs with(String member, long value) {
        long[] v = toArray();
        v[LAYOUT.field(member).offset() / 8] = value;
        return of(v);
    }

    public KvmRegs withRax(long v) { return with("rax", v); }

    public KvmRegs withRbx(long v) { return with("rbx", v); }

    public KvmRegs withRcx(long v) { return with("rcx", v); }

    public KvmRegs withRdx(long v) { return with("rdx", v); }

    public KvmRegs withRsi(long v) { return with("rsi", v); }

    public KvmRegs withRdi(long v) { return with("rdi", v); }

    public KvmRegs withRsp(long v) { return with("rsp", v); }

    public KvmRegs withRbp(long v) { return with("rbp", v); }

    public KvmRegs withRip(long v) { return with("rip", v); }

    public KvmRegs withRflags(long v) { return with("rflags", v); }

    public void write(MemorySegment s) {
        long[] v = toArray();
        for (int i = 0; i < v.length; i++) LAYOUT.fields().get(i).set(s, v[i]);
    }

    public byte[] toBytes() {
        MemorySegment s = LAYOUT.newHeapBuffer();
        write(s);
        return s.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }

    public static KvmRegs fromBytes(byte[] b) throws KvmException {
        return fromBytes(b == null ? null : MemorySegment.ofArray(b));
    }

    /** EINVAL unless {@code s} is exactly 144 bytes. */
    public static KvmRegs fromBytes(MemorySegment s) throws KvmException {
        LAYOUT.checkExactly(s);
        long[] v = new long[18];
        for (int i = 0; i < v.length; i++) v[i] = LAYOUT.fields().get(i).get(s);
        return of(v);
    }
}
