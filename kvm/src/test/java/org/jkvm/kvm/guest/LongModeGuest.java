package org.jkvm.kvm.guest;

import static org.jkvm.isa.Assembler.qword;
import static org.jkvm.isa.Regs.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Map;

import org.jkvm.api.Hypervisor;
import org.jkvm.api.KvmException;
import org.jkvm.api.Vcpu;
import org.jkvm.api.Vm;
import org.jkvm.api.uabi.KvmCpuidEntry2;
import org.jkvm.api.uabi.KvmDtable;
import org.jkvm.api.uabi.KvmRegs;
import org.jkvm.api.uabi.KvmSegment;
import org.jkvm.api.uabi.KvmSregs;

/**
 * A 64-bit guest set up the way Linux's KVM selftests do it: 16 MiB of RAM identity-mapped with 2 MiB pages,
 * a flat GDT, the vCPU put straight into long mode with KVM_SET_SREGS, code at 0x10000, stack at 0x3FF000.
 * Works on any backend (the same calls drive /dev/kvm).
 */
public final class LongModeGuest implements AutoCloseable {
    public static final long CODE = 0x10000, DATA = 0x100000, STACK = 0x3FF000, RAM = 16 << 20;
    public static final long CR0 = 0x8005_0033L, CR4_BASE = 0x620, CR4_OSXSAVE = 1L << 18, EFER = 0x501;

    public final Hypervisor hv;
    public final Vm vm;
    public final Vcpu vcpu;
    public final MemorySegment ram;
    private final Arena arena = Arena.ofShared();

    public LongModeGuest(String backend, Map<String, String> options, boolean osxsave, boolean setCpuid) throws KvmException {
        this(Hypervisor.open(backend, options), osxsave, setCpuid, false);
    }

    public LongModeGuest(Hypervisor hv, boolean osxsave, boolean setCpuid, boolean irqchip) throws KvmException {
        this.hv = hv;
        this.vm = hv.createVm();
        this.ram = arena.allocate(RAM, 4096);
        vm.setUserMemoryRegion(0, 0, 0, ram);
        if (irqchip) vm.createSplitIrqchip();
        this.vcpu = vm.createVcpu(0);
        // PML4 at 0x1000 -> PDPT at 0x2000 -> PD at 0x3000 with two 2 MiB pages.
        ram.set(ValueLayout.JAVA_LONG, 0x1000, 0x2003);
        ram.set(ValueLayout.JAVA_LONG, 0x2000, 0x3003);
        for (int i = 0; i < RAM >> 21; i++) ram.set(ValueLayout.JAVA_LONG, 0x3000 + 8L * i, ((long) i << 21) | 0x83);
        ram.set(ValueLayout.JAVA_LONG, 0x500, 0);
        ram.set(ValueLayout.JAVA_LONG, 0x508, 0x00AF_9B00_0000_FFFFL);
        ram.set(ValueLayout.JAVA_LONG, 0x510, 0x00CF_9300_0000_FFFFL);
        if (setCpuid) setSupportedCpuid();
        KvmSregs s = vcpu.getSregs();
        KvmSegment cs = new KvmSegment(0, 0xFFFF_FFFF, 8, 11, true, 0, false, true, true, true, false, false);
        KvmSegment ds = new KvmSegment(0, 0xFFFF_FFFF, 0x10, 3, true, 0, true, true, false, true, false, false);
        vcpu.setSregs(new KvmSregs(cs, ds, ds, ds, ds, ds, s.tr(), s.ldt(), new KvmDtable(0x500, 0x17), s.idt(),
            CR0, 0, 0x1000, CR4_BASE | (osxsave ? CR4_OSXSAVE : 0), 0, EFER, s.apicBase(), new long[4]));
    }

    /** Where the exception handlers and the IDT live; handlers record the vector in R14, count in R15, resume at RBP. */
    public static final long IDT = 0x5000, HANDLERS = 0x6000;

    /**
     * Installs handlers for all 256 vectors: each pops the error code if the vector has one, sets R14 = vector,
     * increments R15 and returns to the address in RBP (the test code's "resume here" register).
     */
    public void installIdt() throws KvmException {
        for (int v = 0; v < 256; v++) {
            long h = HANDLERS + 32L * v;
            byte[] b = handler(v, h).bytes();
            if (b.length > 32) throw new IllegalStateException("handler " + v + " does not fit its 32-byte slot");
            MemorySegment.copy(MemorySegment.ofArray(b), 0, ram, h, b.length);
            long gate = IDT + 16L * v;
            ram.set(ValueLayout.JAVA_LONG, gate, (h & 0xFFFF) | (8L << 16) | (0x8EL << 40) | ((h >> 16) & 0xFFFF) << 48);
            ram.set(ValueLayout.JAVA_LONG, gate + 8, h >>> 32);
        }
        KvmSregs s = vcpu.getSregs();
        vcpu.setSregs(new KvmSregs(s.cs(), s.ds(), s.es(), s.fs(), s.gs(), s.ss(), s.tr(), s.ldt(), s.gdt(),
            new KvmDtable(IDT, 256 * 16 - 1), s.cr0(), s.cr2(), s.cr3(), s.cr4(), s.cr8(), s.efer(), s.apicBase(), new long[4]));
    }

    /** The handler of {@code vector}: drops the error code if the vector pushes one, R14 = vector, R15++, IRETQ to RBP. */
    static Code handler(int vector, long at) {
        Code c = new Code(at);
        boolean errorCode = vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21;
        if (errorCode) c.add(RSP, 8);
        return c.mov(R14, vector).inc(R15).mov(qword(RSP, 0), RBP).iretq();
    }

    public void setSupportedCpuid() throws KvmException {
        List<KvmCpuidEntry2> sup = hv.supportedCpuid();
        vcpu.setCpuid2(sup);
    }

    /** Copies the code into RAM and points RIP at it. */
    public void load(Code c) throws KvmException {
        byte[] b = c.bytes();
        MemorySegment.copy(MemorySegment.ofArray(b), 0, ram, c.base, b.length);
        KvmRegs r = vcpu.getRegs();
        vcpu.setRegs(new KvmRegs(r.rax(), r.rbx(), r.rcx(), r.rdx(), r.rsi(), r.rdi(), STACK, r.rbp(), r.r8(), r.r9(),
            r.r10(), r.r11(), r.r12(), r.r13(), r.r14(), r.r15(), c.base, 2));
    }

    /** The guest's GUEST_SYNC(n): {@code out 0xE0, al} with AL = n. Runs to it and checks it is sync n. */
    public void sync(int n) throws KvmException {
        org.jkvm.api.exit.VcpuExit e = vcpu.run();
        if (!(e instanceof org.jkvm.api.exit.VcpuExit.Io io) || io.port() != SYNC_PORT) {
            throw new AssertionError("expected GUEST_SYNC(" + n + "), got " + e + " at RIP 0x" + Long.toHexString(vcpu.getRegs().rip()));
        }
        int got = io.data().get(ValueLayout.JAVA_BYTE, 0) & 0xFF;
        if (got != n) throw new AssertionError("expected GUEST_SYNC(" + n + "), got GUEST_SYNC(" + got + ")");
    }

    public static final int SYNC_PORT = 0xE0;

    public long read64(long gpa) { return ram.get(ValueLayout.JAVA_LONG_UNALIGNED, gpa); }

    public void write64(long gpa, long v) { ram.set(ValueLayout.JAVA_LONG_UNALIGNED, gpa, v); }

    @Override
    public void close() {
        vcpu.close();
        vm.close();
        hv.close();
        arena.close();
    }
}
