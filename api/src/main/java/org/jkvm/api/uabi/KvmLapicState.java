package org.jkvm.api.uabi;

import java.util.Arrays;

/**
 * struct kvm_lapic_state (1024 bytes): the local APIC register page as KVM_GET/SET_LAPIC exchange it
 * (xAPIC layout, registers at their MMIO offsets; in x2APIC mode the ID register holds the x2APIC ID).
 */
public record KvmLapicState(byte[] regs) {
    public static final int SIZE = 1024;

    public KvmLapicState {
        if (regs.length != SIZE) throw new IllegalArgumentException("kvm_lapic_state is " + SIZE + " bytes, not " + regs.length);
        regs = regs.clone();
    }

    @Override
    public byte[] regs() { return regs.clone(); }

    @Override
    public boolean equals(Object o) { return o instanceof KvmLapicState l && Arrays.equals(regs, l.regs); }

    @Override
    public int hashCode() { return Arrays.hashCode(regs); }

    @Override
    public String toString() { return "KvmLapicState[" + SIZE + " bytes]"; }
}
