package org.jkvm.linux;

import org.jkvm.api.uabi.KvmCpuid2;
import org.jkvm.api.uabi.KvmFpu;
import org.jkvm.api.uabi.KvmLapicState;
import org.jkvm.api.uabi.KvmMsrList;
import org.jkvm.api.uabi.KvmMsrs;
import org.jkvm.api.uabi.KvmRegs;
import org.jkvm.api.uabi.KvmSregs;
import org.jkvm.api.uabi.KvmVcpuEvents;
import org.jkvm.api.uabi.KvmXcrs;
import org.jkvm.api.uabi.KvmXsave;

/**
 * The KVM ioctls the backend issues, as data: direction, number and argument size, encoded as Linux's
 * _IOC(dir, type, nr, size) = dir << 30 | size << 16 | type << 8 | nr with type KVMIO (0xAE).
 */
enum Ioctl {
    KVM_GET_API_VERSION(Dir.NONE, 0x00, 0),
    KVM_CREATE_VM(Dir.NONE, 0x01, 0),
    KVM_GET_MSR_INDEX_LIST(Dir.READ_WRITE, 0x02, KvmMsrList.HEADER_SIZE),
    KVM_CHECK_EXTENSION(Dir.NONE, 0x03, 0),
    KVM_GET_VCPU_MMAP_SIZE(Dir.NONE, 0x04, 0),
    KVM_GET_SUPPORTED_CPUID(Dir.READ_WRITE, 0x05, KvmCpuid2.HEADER_SIZE),
    KVM_CREATE_VCPU(Dir.NONE, 0x41, 0),
    KVM_SET_USER_MEMORY_REGION(Dir.WRITE, 0x46, KvmStructs.USERSPACE_MEMORY_REGION.size()),
    KVM_SET_TSS_ADDR(Dir.NONE, 0x47, 0),
    KVM_SET_IDENTITY_MAP_ADDR(Dir.WRITE, 0x48, 8),
    KVM_ENABLE_CAP(Dir.WRITE, 0xa3, KvmStructs.ENABLE_CAP.size()),
    KVM_SIGNAL_MSI(Dir.WRITE, 0xa5, KvmStructs.MSI.size()),
    KVM_RUN(Dir.NONE, 0x80, 0),
    KVM_GET_REGS(Dir.READ, 0x81, KvmRegs.SIZE),
    KVM_SET_REGS(Dir.WRITE, 0x82, KvmRegs.SIZE),
    KVM_GET_SREGS(Dir.READ, 0x83, KvmSregs.SIZE),
    KVM_SET_SREGS(Dir.WRITE, 0x84, KvmSregs.SIZE),
    KVM_INTERRUPT(Dir.WRITE, 0x86, KvmStructs.INTERRUPT.size()),
    KVM_GET_MSRS(Dir.READ_WRITE, 0x88, KvmMsrs.HEADER_SIZE),
    KVM_SET_MSRS(Dir.WRITE, 0x89, KvmMsrs.HEADER_SIZE),
    KVM_SET_SIGNAL_MASK(Dir.WRITE, 0x8b, KvmStructs.SIGNAL_MASK.size()),
    KVM_GET_FPU(Dir.READ, 0x8c, KvmFpu.SIZE),
    KVM_GET_LAPIC(Dir.READ, 0x8e, KvmLapicState.SIZE),
    KVM_SET_LAPIC(Dir.WRITE, 0x8f, KvmLapicState.SIZE),
    KVM_SET_FPU(Dir.WRITE, 0x8d, KvmFpu.SIZE),
    KVM_SET_CPUID2(Dir.WRITE, 0x90, KvmCpuid2.HEADER_SIZE),
    KVM_GET_CPUID2(Dir.READ_WRITE, 0x91, KvmCpuid2.HEADER_SIZE),
    KVM_GET_MP_STATE(Dir.READ, 0x98, KvmStructs.MP_STATE.size()),
    KVM_SET_MP_STATE(Dir.WRITE, 0x99, KvmStructs.MP_STATE.size()),
    KVM_GET_VCPU_EVENTS(Dir.READ, 0x9f, KvmVcpuEvents.SIZE),
    KVM_SET_VCPU_EVENTS(Dir.WRITE, 0xa0, KvmVcpuEvents.SIZE),
    KVM_GET_XSAVE(Dir.READ, 0xa4, KvmXsave.LEGACY_SIZE),
    KVM_SET_XSAVE(Dir.WRITE, 0xa5, KvmXsave.LEGACY_SIZE),
    KVM_GET_XCRS(Dir.READ, 0xa6, KvmXcrs.SIZE),
    KVM_SET_XCRS(Dir.WRITE, 0xa7, KvmXcrs.SIZE),
    KVM_GET_XSAVE2(Dir.READ, 0xcf, KvmXsave.LEGACY_SIZE);

    /** _IOC_NONE, _IOC_WRITE (user to kernel), _IOC_READ (kernel to user), both. */
    enum Dir {
        NONE(0), WRITE(1), READ(2), READ_WRITE(3);

        final int bits;

        Dir(int bits) { this.bits = bits; }
    }

    static final int KVMIO = 0xAE;
    private static final int NRBITS = 8, TYPEBITS = 8, SIZEBITS = 14;
    private static final int NRSHIFT = 0, TYPESHIFT = NRSHIFT + NRBITS, SIZESHIFT = TYPESHIFT + TYPEBITS,
        DIRSHIFT = SIZESHIFT + SIZEBITS;

    final Dir dir;
    final int nr;
    final int size;
    /** The request number passed to ioctl(2). */
    final long number;

    Ioctl(Dir dir, int nr, int size) {
        if (size >= 1 << SIZEBITS) throw new IllegalArgumentException(name() + ": argument size " + size + " too large");
        this.dir = dir;
        this.nr = nr;
        this.size = size;
        this.number = ((long) dir.bits << DIRSHIFT) | ((long) size << SIZESHIFT) | ((long) KVMIO << TYPESHIFT)
            | ((long) nr << NRSHIFT);
    }
}
