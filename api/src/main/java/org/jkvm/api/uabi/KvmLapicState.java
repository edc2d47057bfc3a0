package org.jkvm.api.uabi;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

import org.jkvm.api.KvmException;

/**
 * struct kvm_lapic_state (1024 bytes): the local APIC register page as KVM_GET/SET_LAPIC exchange it
 * (xAPIC layout, registers at their MMIO offsets; in x2APIC mode the ID register holds the x2APIC ID).
 */
public record KvmLapicState(byte[] regs) {
    public static final int SIZE = 1024;

    public static final CStruct LAYOUT = CStruct.of("kvm_lapic_state", SIZE)
        .field("regs", 0, SIZE)
        .build();

    public KvmLapicState {
        if (regs.length != SIZE) throw new IllegalArgumentException("kvm_lapic_state is " + SIZE + " bytes, not " + regs.length);
        regs = regs.clone();
    }

    @Override
    public byte[] regs() { return regs.clone(); }

    /** The 32-bit register at its xAPIC MMIO offset (e.g. 0x20 ID, 0xF0 SVR, 0x80 TPR). */
    public int reg(int offset) { return (int) new Field("reg", offset, 4).get(MemorySegment.ofArray(regs)); }

    public KvmLapicState withReg(int offset, int value) {
        byte[] r = regs.clone();
        new Field("reg", offset, 4).set(MemorySegment.ofArray(r), value);
        return new KvmLapicState(r);
    }

    public void write(MemorySegment s) { MemorySegment.copy(MemorySegment.ofArray(regs), 0, s, 0, SIZE); }

    public byte[] toBytes() { return regs.clone(); }

    public static KvmLapicState fromBytes(byte[] b) throws KvmException {
        return fromBytes(b == null ? null : MemorySegment.ofArray(b));
    }

    /** EINVAL unless {@code s} is exactly 1024 bytes. */
    public static KvmLapicState fromBytes(MemorySegment s) throws KvmException {
        LAYOUT.checkExactly(s);
        return new KvmLapicState(s.toArray(ValueLayout.JAVA_BYTE));
    }

    @Override
    public boolean equals(Object o) { return o instanceof KvmLapicState l && Arrays.equals(regs, l.regs); }

    @Override
    public int hashCode() { return Arrays.hashCode(regs); }

    @Override
    public String toString() { return "KvmLapicState[" + SIZE + " bytes]"; }
}
