package org.jkvm.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jkvm.api.Capability;
import org.jkvm.api.Errno;
import org.jkvm.api.KvmException;
import org.jkvm.api.Vcpu;
import org.jkvm.api.Vm;
import org.jkvm.api.uabi.CStruct;

/**
 * A /dev/kvm VM. Guest memory is the VMM's off-heap segment: KVM maps its pages directly, so the segment must
 * stay alive until its slot is deleted or the VM is closed (this object keeps it reachable meanwhile).
 * Closing the VM closes its vCPUs.
 */
final class LinuxVm implements Vm {
    /**
     * Where Intel KVM keeps the real-mode TSS (3 pages) and the EPT identity-map page: just below the 4 GiB BIOS
     * area, above the I/O APIC and local APIC windows, where no PC RAM or device lives (the addresses QEMU uses).
     */
    static final long IDENTITY_MAP_ADDR = 0xfeffc000L, TSS_ADDR = 0xfeffd000L;
    static final int IOAPIC_PINS = 24;
    private static final int KVM_MEM_LOG_DIRTY_PAGES = 1;
    private static final long PAGE = 4096;

    private final Fd fd;
    private final long vcpuMmapSize;
    private final Map<Integer, MemorySegment> slots = new HashMap<>();
    private final List<LinuxVcpu> vcpus = new ArrayList<>();

    private LinuxVm(Fd fd, long vcpuMmapSize) {
        this.fd = fd;
        this.vcpuMmapSize = vcpuMmapSize;
    }

    static LinuxVm create(Fd fd, long vcpuMmapSize) throws KvmException {
        LinuxVm vm = new LinuxVm(fd, vcpuMmapSize);
        try {
            if (vm.checkExtension(Capability.SET_TSS_ADDR.number) > 0) {
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment addr = a.allocate(8, 8);
                    addr.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, IDENTITY_MAP_ADDR);
                    fd.ioctl(Ioctl.KVM_SET_IDENTITY_MAP_ADDR, addr.address());
                }
                fd.ioctl(Ioctl.KVM_SET_TSS_ADDR, TSS_ADDR);
            }
        } catch (KvmException | RuntimeException e) {
            fd.close();
            throw e;
        }
        return vm;
    }

    /** KVM_CHECK_EXTENSION on the VM fd (some answers are per VM); 0 on any failure but EBADF. */
    long checkExtension(int cap) throws KvmException {
        try {
            return fd.ioctl(Ioctl.KVM_CHECK_EXTENSION, cap);
        } catch (KvmException e) {
            if (e.errno() == Errno.EBADF) throw e;
            return 0;
        }
    }

    @Override
    public void setUserMemoryRegion(int slot, int flags, long guestPhysAddr, MemorySegment memory) throws KvmException {
        if (memory == null) throw new KvmException(Errno.EINVAL, "guest memory segment is null");
        long size = memory.byteSize();
        long hva = 0;
        if (size != 0) {
            if (!memory.isNative()) throw new KvmException(Errno.EINVAL, "guest memory must be off-heap (a native segment)");
            if (!memory.scope().isAlive()) throw new KvmException(Errno.EFAULT, "guest memory segment is already freed");
            if (memory.isReadOnly()) throw new KvmException(Errno.EFAULT, "guest memory segment is read-only");
            hva = memory.address();
            if (hva % PAGE != 0 || size % PAGE != 0)
                throw new KvmException(Errno.EINVAL, String.format(
                    "guest memory must be page-aligned and whole pages (address %#x, %d bytes)", hva, size));
        }
        if (guestPhysAddr % PAGE != 0)
            throw new KvmException(Errno.EINVAL, String.format("guest physical address %#x is not page-aligned", guestPhysAddr));
        if ((flags & ~(MEM_READONLY | KVM_MEM_LOG_DIRTY_PAGES)) != 0)
            throw new KvmException(Errno.EINVAL, String.format("unknown memory slot flags %#x", flags));
        CStruct L = KvmStructs.USERSPACE_MEMORY_REGION;
        synchronized (slots) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment r = a.allocate(L.size(), 8);
                L.field("slot").set(r, slot);
                L.field("flags").set(r, flags);
                L.field("guest_phys_addr").set(r, guestPhysAddr);
                L.field("memory_size").set(r, size);
                L.field("userspace_addr").set(r, hva);
                fd.ioctl(Ioctl.KVM_SET_USER_MEMORY_REGION, r.address());
            }
            if (size == 0) slots.remove(slot);
            else slots.put(slot, memory);
        }
    }

    @Override
    public void createSplitIrqchip() throws KvmException {
        CStruct L = KvmStructs.ENABLE_CAP;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment c = a.allocate(L.size(), 8);
            L.field("cap").set(c, Capability.SPLIT_IRQCHIP.number);
            // args[0]: the number of IOAPIC routes reserved for the user-space I/O APIC
            new org.jkvm.api.uabi.Field("args[0]", L.field("args").offset(), 8).set(c, IOAPIC_PINS);
            fd.ioctl(Ioctl.KVM_ENABLE_CAP, c.address());
        }
    }

    @Override
    public void signalMsi(long address, int data) throws KvmException {
        CStruct L = KvmStructs.MSI;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment m = a.allocate(L.size(), 8);
            L.field("address_lo").set(m, address & 0xffffffffL);
            L.field("address_hi").set(m, address >>> 32);
            L.field("data").set(m, data);
            // the result is >0 delivered, 0 blocked by the guest (masked or no target): both are fine for an MSI
            fd.ioctl(Ioctl.KVM_SIGNAL_MSI, m.address());
        }
    }

    @Override
    public Vcpu createVcpu(int id) throws KvmException {
        if (id < 0) throw new KvmException(Errno.EINVAL, "vCPU id " + id + " is negative");
        synchronized (vcpus) {
            if (fd.isClosed()) throw new KvmException(Errno.EBADF, "KVM_CREATE_VCPU on closed VM");
            int vcpufd = fd.ioctl(Ioctl.KVM_CREATE_VCPU, id);
            LinuxVcpu v = LinuxVcpu.create(this, id, new Fd(vcpufd, "vCPU " + id + " fd"), vcpuMmapSize);
            vcpus.add(v);
            return v;
        }
    }

    @Override
    public void close() {
        synchronized (vcpus) {
            for (LinuxVcpu v : vcpus) v.close();
            vcpus.clear();
            fd.close();
        }
        synchronized (slots) {
            slots.clear();
        }
    }

    @Override
    public String toString() { return "kvm " + fd; }
}
