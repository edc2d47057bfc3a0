package org.jkvm.api;

import java.lang.foreign.MemorySegment;

/** A VM: guest physical memory and vCPUs (KVM_CREATE_VM's file descriptor). */
public interface Vm extends AutoCloseable {
    /** kvm_userspace_memory_region.flags: KVM_MEM_READONLY (writes exit as MMIO). */
    int MEM_READONLY = 1 << 1;

    /**
     * KVM_SET_USER_MEMORY_REGION: maps {@code memory} (page-aligned, a multiple of 4 KiB) at
     * {@code guestPhysAddr}. The same segment serves every backend, so the VMM owns guest RAM.
     * A zero-sized segment deletes the slot.
     */
    void setUserMemoryRegion(int slot, int flags, long guestPhysAddr, MemorySegment memory) throws KvmException;

    /** KVM_CREATE_IRQCHIP with KVM_CAP_SPLIT_IRQCHIP: local APICs in the backend, PIC/IOAPIC in the VMM. */
    void createSplitIrqchip() throws KvmException;

    /** KVM_SIGNAL_MSI: deliver an interrupt message (the VMM's I/O APIC uses this). */
    void signalMsi(long address, int data) throws KvmException;

    /** KVM_CREATE_VCPU. */
    Vcpu createVcpu(int id) throws KvmException;

    @Override
    void close();
}
