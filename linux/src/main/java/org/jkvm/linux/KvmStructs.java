package org.jkvm.linux;

import java.util.List;

import org.jkvm.api.uabi.CStruct;

/** The VM-level uABI structs only this backend marshals (the vCPU state ones live in org.jkvm.api.uabi). */
final class KvmStructs {
    private KvmStructs() {}

    static final CStruct USERSPACE_MEMORY_REGION = CStruct.of("kvm_userspace_memory_region", 32)
        .field("slot", 0, 4)
        .field("flags", 4, 4)
        .field("guest_phys_addr", 8, 8)
        .field("memory_size", 16, 8)
        .field("userspace_addr", 24, 8)
        .build();

    static final CStruct ENABLE_CAP = CStruct.of("kvm_enable_cap", 104)
        .field("cap", 0, 4)
        .field("flags", 4, 4)
        .field("args", 8, 4 * 8)
        .field("pad", 40, 64)
        .build();

    static final CStruct MSI = CStruct.of("kvm_msi", 32)
        .field("address_lo", 0, 4)
        .field("address_hi", 4, 4)
        .field("data", 8, 4)
        .field("flags", 12, 4)
        .field("devid", 16, 4)
        .field("pad", 20, 12)
        .build();

    static final CStruct INTERRUPT = CStruct.of("kvm_interrupt", 4)
        .field("irq", 0, 4)
        .build();

    /** Followed by {@code len} bytes of kernel sigset (8 on x86-64). */
    static final CStruct SIGNAL_MASK = CStruct.of("kvm_signal_mask", 4)
        .field("len", 0, 4)
        .build();

    static final CStruct MP_STATE = CStruct.of("kvm_mp_state", 4)
        .field("mp_state", 0, 4)
        .build();

    static final List<CStruct> ALL = List.of(USERSPACE_MEMORY_REGION, ENABLE_CAP, MSI, INTERRUPT, SIGNAL_MASK, MP_STATE);
}
