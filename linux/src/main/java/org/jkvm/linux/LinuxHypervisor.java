package org.jkvm.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

import org.jkvm.api.Capability;
import org.jkvm.api.Errno;
import org.jkvm.api.Hypervisor;
import org.jkvm.api.KvmException;
import org.jkvm.api.Vm;
import org.jkvm.api.uabi.KvmCpuid2;
import org.jkvm.api.uabi.KvmCpuidEntry2;
import org.jkvm.api.uabi.KvmMsrList;

/** The "kvm" backend's system handle: an open /dev/kvm plus the process's arch_prctl XSAVE guest permission. */
final class LinuxHypervisor implements Hypervisor {
    static final String DEFAULT_DEVICE = "/dev/kvm";
    /** arch_prctl codes for the guest (KVM) XSAVE permission. */
    static final int ARCH_GET_XCOMP_GUEST_PERM = 0x1024, ARCH_REQ_XCOMP_GUEST_PERM = 0x1025;
    /** KVM_GET_SUPPORTED_CPUID answers at most this many entries in practice; E2BIG beyond means a bigger buffer. */
    private static final int MAX_SUPPORTED_CPUID = 4096;

    private final Fd kvm;
    private final long vcpuMmapSize;

    private LinuxHypervisor(Fd kvm, long vcpuMmapSize) {
        this.kvm = kvm;
        this.vcpuMmapSize = vcpuMmapSize;
    }

    /** Opens {@code device}: ENXIO when its API version is not 12 (the KVM ABI this backend speaks). */
    static LinuxHypervisor open(String device) throws KvmException {
        Fd fd = Fd.open(device);
        try {
            int version = fd.ioctl(Ioctl.KVM_GET_API_VERSION, 0);
            if (version != KVM_API_VERSION)
                throw new KvmException(Errno.ENXIO, device + " speaks KVM API version " + version + ", not " + KVM_API_VERSION);
            if (fd.ioctl(Ioctl.KVM_CHECK_EXTENSION, Capability.USER_MEMORY.number) <= 0)
                throw new KvmException(Errno.ENXIO, device + " lacks KVM_CAP_USER_MEMORY");
            long mmapSize = fd.ioctl(Ioctl.KVM_GET_VCPU_MMAP_SIZE, 0);
            return new LinuxHypervisor(fd, mmapSize);
        } catch (KvmException | RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    @Override
    public String name() { return LinuxKvmProvider.NAME; }

    @Override
    public int apiVersion() {
        try {
            return kvm.ioctl(Ioctl.KVM_GET_API_VERSION, 0);
        } catch (KvmException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** 0 when absent (or the kernel does not know the capability); IllegalStateException once closed. */
    @Override
    public long checkExtension(Capability cap) {
        try {
            return kvm.ioctl(Ioctl.KVM_CHECK_EXTENSION, cap.number);
        } catch (KvmException e) {
            if (e.errno() == Errno.EBADF) throw new IllegalStateException(e.getMessage(), e);
            return 0;
        }
    }

    long vcpuMmapSize() { return vcpuMmapSize; }

    @Override
    public List<KvmCpuidEntry2> supportedCpuid() throws KvmException {
        for (int capacity = 64; ; capacity *= 2) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment buf = a.allocate(KvmCpuid2.byteSize(capacity), 8);
                KvmCpuid2.writeHeader(buf, capacity);
                try {
                    kvm.ioctl(Ioctl.KVM_GET_SUPPORTED_CPUID, buf.address());
                } catch (KvmException e) {
                    if (e.errno() == Errno.E2BIG && capacity < MAX_SUPPORTED_CPUID) continue;
                    throw e;
                }
                return readCpuid(buf, capacity);
            }
        }
    }

    /** Entries of a kvm_cpuid2 the kernel filled in a buffer with room for {@code capacity}. */
    static List<KvmCpuidEntry2> readCpuid(MemorySegment buf, int capacity) throws KvmException {
        int n = KvmCpuid2.count(buf);
        if (n < 0 || n > capacity) throw new KvmException(Errno.EIO, "kernel reported " + n + " CPUID entries in room for " + capacity);
        return KvmCpuid2.fromBytes(buf.asSlice(0, KvmCpuid2.byteSize(n)));
    }

    @Override
    public int[] msrIndexList() throws KvmException {
        int n = 0;
        for (int attempt = 0; attempt < 4; attempt++) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment buf = a.allocate(KvmMsrList.byteSize(n), 4);
                KvmMsrList.setCount(buf, n);
                try {
                    kvm.ioctl(Ioctl.KVM_GET_MSR_INDEX_LIST, buf.address());
                } catch (KvmException e) {
                    // E2BIG: the kernel wrote the count it needs
                    if (e.errno() == Errno.E2BIG && KvmMsrList.count(buf) > n) {
                        n = KvmMsrList.count(buf);
                        continue;
                    }
                    throw e;
                }
                int got = KvmMsrList.count(buf);
                if (got > n) throw new KvmException(Errno.EIO, "KVM_GET_MSR_INDEX_LIST overflowed its buffer");
                return KvmMsrList.fromBytes(buf.asSlice(0, KvmMsrList.byteSize(got)));
            }
        }
        throw new KvmException(Errno.EAGAIN, "KVM_GET_MSR_INDEX_LIST kept growing");
    }

    @Override
    public void requestGuestPermission(int xfeature) throws KvmException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = LibC.newCapture(a);
            long r = LibC.syscall(cap, LibC.SYS_ARCH_PRCTL, ARCH_REQ_XCOMP_GUEST_PERM, xfeature);
            if (r < 0) throw Fd.error(LibC.errno(cap), "arch_prctl(ARCH_REQ_XCOMP_GUEST_PERM, " + xfeature + ")");
        }
    }

    @Override
    public long guestPermission() throws KvmException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = LibC.newCapture(a);
            MemorySegment out = a.allocate(ValueLayout.JAVA_LONG);
            long r = LibC.syscall(cap, LibC.SYS_ARCH_PRCTL, ARCH_GET_XCOMP_GUEST_PERM, out.address());
            if (r < 0) throw Fd.error(LibC.errno(cap), "arch_prctl(ARCH_GET_XCOMP_GUEST_PERM)");
            return out.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    @Override
    public Vm createVm() throws KvmException {
        int vmfd;
        for (int attempt = 0; ; attempt++) {
            try {
                vmfd = kvm.ioctl(Ioctl.KVM_CREATE_VM, 0);
                break;
            } catch (KvmException e) {
                // KVM_CREATE_VM can be interrupted while the kernel sets up the VM; QEMU retries the same way.
                if (e.errno() != Errno.EINTR || attempt > 100) throw e;
            }
        }
        return LinuxVm.create(new Fd(vmfd, "VM fd"), vcpuMmapSize);
    }

    @Override
    public void close() { kvm.close(); }

    /**
     * The KVM vendor module loaded here ("kvm_intel", "kvm_amd", "kvm_pvm"), or null when none is visible. Under
     * kvm_pvm (KVM without hardware virtualization, inside a cloud VM) ordinary guest code runs in KVM's
     * instruction emulator: slow, and instructions the emulator lacks end in an emulation-failure INTERNAL_ERROR.
     */
    static String vendorModule() {
        for (String m : new String[] {"kvm_intel", "kvm_amd", "kvm_pvm"})
            if (java.nio.file.Files.isDirectory(java.nio.file.Path.of("/sys/module", m))) return m;
        return null;
    }

    @Override
    public String toString() {
        String vendor = vendorModule();
        return "kvm backend on " + kvm + (vendor == null ? "" : " (" + vendor + ")");
    }
}
