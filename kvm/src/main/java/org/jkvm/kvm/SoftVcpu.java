package org.jkvm.kvm;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import org.jkvm.api.Capability;
import org.jkvm.api.Errno;
import org.jkvm.api.KvmException;
import org.jkvm.api.Vcpu;
import org.jkvm.api.exit.VcpuExit;
import org.jkvm.api.stats.ExitStatistics;
import org.jkvm.api.uabi.KvmCpuidEntry2;
import org.jkvm.api.uabi.KvmDtable;
import org.jkvm.api.uabi.KvmFpu;
import org.jkvm.api.uabi.KvmMsrEntry;
import org.jkvm.api.uabi.KvmRegs;
import org.jkvm.api.uabi.KvmSegment;
import org.jkvm.api.uabi.KvmSregs;
import org.jkvm.api.uabi.KvmVcpuEvents;
import org.jkvm.api.uabi.KvmXcr;
import org.jkvm.api.uabi.KvmXcrs;
import org.jkvm.api.uabi.KvmXsave;
import org.jkvm.cpu.vmx.Vmcs;
import org.jkvm.cpu.vmx.VmcsField;
import org.jkvm.kvm.cpuid.GuestCpuid;
import org.jkvm.kvm.fpu.GuestFpu;
import org.jkvm.kvm.fpu.VcpuXstate;
import org.jkvm.kvm.fpu.XsaveUabi;
import org.jkvm.kvm.host.HostModel;
import org.jkvm.kvm.hw.Silicon;
import org.jkvm.kvm.hw.SiliconFactory;
import org.jkvm.kvm.lapic.ApicClock;
import org.jkvm.kvm.lapic.LocalApic;
import org.jkvm.kvm.regs.Gpr;
import org.jkvm.kvm.regs.RegCache;
import org.jkvm.kvm.regs.VmcsGuestState;
import org.jkvm.kvm.run.RunLoop;
import org.jkvm.kvm.stats.CycleModel;
import org.jkvm.kvm.stats.ExitCounters;
import org.jkvm.kvm.xcr.Xfeatures;

/**
 * A vCPU of the soft backend: KVM's {@code struct kvm_vcpu_arch} state (register cache, guest FPU, XCR0/XSS/
 * PKRU, CPUID, local APIC, pending events) and the vCPU ioctls. The run loop itself is {@link RunLoop}.
 */
public final class SoftVcpu implements Vcpu, ExitStatistics, org.jkvm.api.InstructionBudget {
    static final long CR0_PE = 1, CR0_NW = 1L << 29, CR0_CD = 1L << 30, CR0_PG = 1L << 31, CR4_PAE = 1L << 5,
        CR4_OSXSAVE = 1L << 18, CR4_PKE = 1L << 22, EFER_LME = 1L << 8, EFER_LMA = 1L << 10;

    final SoftVm vm;
    final SoftHypervisor hv;
    private final int id;
    public final Silicon cpu;
    public final Vmcs vmcs = new Vmcs();
    public final RegCache regs;
    public final GuestFpu fpu;
    public final VcpuXstate xstate;
    public final HostModel host;
    public final CycleModel cycles;
    public final ExitCounters counters = new ExitCounters();
    public final org.jkvm.kvm.run.InstructionCount instructions = new org.jkvm.kvm.run.InstructionCount();
    private final LocalApic lapic;
    public final RunLoop loop;
    GuestCpuid cpuid = GuestCpuid.empty();
    boolean hasRun;
    long apicBaseNoLapic = 0xFEE0_0000L | 0x800 | 0x100;
    long tscAdjust, miscEnable = 1, mcgStatus;
    final java.util.HashMap<Integer, Long> mtrr = new java.util.HashMap<>();
    /** KVM_INTERRUPT with a split irqchip: the PIC's vector waiting for LINT0 (pending_external_vector). */
    volatile int pendingExternalVector = -1;
    /** An exception queued for injection: vector, error code (-1 none). */
    int pendingException = -1, pendingExceptionError = -1;
    boolean nmiPending;
    boolean requestIrqWindow, readyForInjection = true;
    volatile boolean kick;
    /** mp_state. */
    int mpState;

    SoftVcpu(SoftVm vm, int id) throws KvmException {
        this.vm = vm;
        this.hv = vm.hypervisor();
        this.id = id;
        KvmOptions o = hv.options();
        this.cycles = new CycleModel(o.cycleProfile());
        this.cpu = SiliconFactory.create(hv.model(), vm.memory());
        this.regs = new RegCache(new VmcsGuestState(vmcs), this::is64BitMode);
        this.fpu = new GuestFpu(hv.permission(), hv.supportedXss());
        this.xstate = new VcpuXstate(hv.supportedXcr0(), hv.supportedXss(), fpu);
        long hostXcr0 = hv.model().supportedXcr0();
        long hostXss = hv.model().osXss();
        boolean pku = hv.model().has(org.jkvm.isa.CpuFeature.PKU);
        this.host = new HostModel(cpu, hostXcr0, hostXss, 0x5555_5554, hostXcr0 & Xfeatures.USER_DYNAMIC, pku, cycles);
        this.lapic = vm.splitIrqchip() ? new LocalApic(id, id == 0, vm, new Clock()) : null;
        this.mpState = id == 0 || lapic == null ? MP_STATE_RUNNABLE : MP_STATE_UNINITIALIZED;
        this.loop = new RunLoop(this, o);
        resetState();
    }

    /** The APIC timer's clock: host nanoseconds and the guest TSC. */
    private final class Clock implements ApicClock {
        public long nowNs() { return System.nanoTime(); }
        public long guestTsc() { return cpu.tsc(); }
        public long tscToNs(long tsc) {
            long delta = tsc - cpu.tsc();
            return System.nanoTime() + (long) (delta * (1e9 / cpu.tscHz()));
        }
    }

    /** kvm_vcpu_reset(init_event=false): the architectural power-on state. */
    void resetState() {
        for (Gpr g : Gpr.values()) regs.gprWriteRaw(g, 0);
        regs.gprWriteRaw(Gpr.RDX, 0x600 | (hv.model().signature() & 0xFFFF_F000) | (hv.model().signature() & 0xFFF));
        regs.ripWrite(0xFFF0);
        regs.rflagsWrite(2);
        regs.cr0Write(0x6000_0010L);
        regs.cr3Write(0);
        regs.cr4Write(0);
        vmcs.setSegment(1, 0xF000, 0xFFFF_0000L, 0xFFFF, 0x9B);
        for (int s : new int[] {0, 2, 3, 4, 5}) vmcs.setSegment(s, 0, 0, 0xFFFF, 0x93);
        vmcs.setSegment(6, 0, 0, 0xFFFF, 0x82);
        vmcs.setSegment(7, 0, 0, 0xFFFF, 0x8B);
        vmcs.write(VmcsField.GUEST_GDTR_LIMIT, 0xFFFF);
        vmcs.write(VmcsField.GUEST_IDTR_LIMIT, 0xFFFF);
        vmcs.write(VmcsField.GUEST_IA32_EFER, 0);
        vmcs.write(VmcsField.GUEST_ACTIVITY_STATE, Vmcs.ACTIVITY_ACTIVE);
        loop.configureControls();
    }

    public LocalApic lapic() { return lapic; }

    @Override
    public int id() { return id; }

    public boolean is64BitMode() {
        return (vmcs.read(VmcsField.GUEST_IA32_EFER) & EFER_LMA) != 0 && (vmcs.read(VmcsField.GUEST_CS_AR_BYTES) & Vmcs.AR_L) != 0;
    }

    public int guestCpl() { return (int) (vmcs.read(VmcsField.GUEST_SS_AR_BYTES) >>> 5) & 3; }

    /** Whether APX R16..R31 are switched at entry/exit: guest XCR0.APX. */
    public boolean egprsLive() { return (xstate.xcr0() & Xfeatures.APX) != 0; }

    public GuestCpuid cpuid() { return cpuid; }

    /** kvm_update_cpuid_runtime after CR4/XCR0/XSS/APIC base changes. */
    public void updateCpuidRuntime() {
        long cr4 = regs.cr4Read();
        boolean apicOn = lapic == null ? (apicBaseNoLapic & 0x800) != 0 : lapic.hwEnabled();
        cpuid = cpuid.withRuntime((cr4 & CR4_OSXSAVE) != 0, (cr4 & CR4_PKE) != 0, apicOn, xstate.xcr0(), xstate.xss());
    }

    /** kvm_vcpu_kick: wake a halted vCPU thread, and force a running guest out so it sees the new event. */
    void kickFromApic() {
        synchronized (this) { notifyAll(); }
        if (running) cpu.kick();
    }

    /** Set while KVM_RUN executes; a kick from another thread then also interrupts the guest. */
    volatile boolean running;

    // ================================================================== registers

    @Override
    public KvmRegs getRegs() {
        RegCache r = regs;
        return new KvmRegs(r.gprReadRaw(Gpr.RAX), r.gprReadRaw(Gpr.RBX), r.gprReadRaw(Gpr.RCX), r.gprReadRaw(Gpr.RDX),
            r.gprReadRaw(Gpr.RSI), r.gprReadRaw(Gpr.RDI), r.gprReadRaw(Gpr.RSP), r.gprReadRaw(Gpr.RBP),
            r.gprReadRaw(Gpr.R8), r.gprReadRaw(Gpr.R9), r.gprReadRaw(Gpr.R10), r.gprReadRaw(Gpr.R11),
            r.gprReadRaw(Gpr.R12), r.gprReadRaw(Gpr.R13), r.gprReadRaw(Gpr.R14), r.gprReadRaw(Gpr.R15),
            r.ripRead(), r.rflagsRead());
    }

    @Override
    public void setRegs(KvmRegs v) throws KvmException {
        if (v == null) throw new KvmException(Errno.EFAULT, "null regs");
        RegCache r = regs;
        r.gprWriteRaw(Gpr.RAX, v.rax()); r.gprWriteRaw(Gpr.RBX, v.rbx()); r.gprWriteRaw(Gpr.RCX, v.rcx());
        r.gprWriteRaw(Gpr.RDX, v.rdx()); r.gprWriteRaw(Gpr.RSI, v.rsi()); r.gprWriteRaw(Gpr.RDI, v.rdi());
        r.gprWriteRaw(Gpr.RSP, v.rsp()); r.gprWriteRaw(Gpr.RBP, v.rbp());
        r.gprWriteRaw(Gpr.R8, v.r8()); r.gprWriteRaw(Gpr.R9, v.r9()); r.gprWriteRaw(Gpr.R10, v.r10());
        r.gprWriteRaw(Gpr.R11, v.r11()); r.gprWriteRaw(Gpr.R12, v.r12()); r.gprWriteRaw(Gpr.R13, v.r13());
        r.gprWriteRaw(Gpr.R14, v.r14()); r.gprWriteRaw(Gpr.R15, v.r15());
        r.ripWrite(v.rip());
        r.rflagsWrite(v.rflags() | 2);
        pendingException = -1;
        loop.forgetPendingIo();
    }

    private KvmSegment seg(int s) {
        long ar = vmcs.read(Vmcs.arField(s));
        boolean unusable = (ar & Vmcs.AR_UNUSABLE) != 0;
        return new KvmSegment(vmcs.read(Vmcs.baseField(s)), (int) vmcs.read(Vmcs.limitField(s)), (int) vmcs.read(Vmcs.selectorField(s)),
            (int) (ar & 0xF), !unusable && (ar & Vmcs.AR_P) != 0, (int) (ar >> 5) & 3, (ar & Vmcs.AR_DB) != 0, (ar & Vmcs.AR_S) != 0,
            (ar & Vmcs.AR_L) != 0, (ar & Vmcs.AR_G) != 0, (ar & Vmcs.AR_AVL) != 0, unusable);
    }

    private void setSeg(int s, KvmSegment k) {
        long ar = (k.type() & 0xF) | (k.s() ? Vmcs.AR_S : 0) | ((k.dpl() & 3) << 5) | (k.present() ? Vmcs.AR_P : 0)
            | (k.avl() ? Vmcs.AR_AVL : 0) | (k.l() ? Vmcs.AR_L : 0) | (k.db() ? Vmcs.AR_DB : 0) | (k.g() ? Vmcs.AR_G : 0);
        if (k.unusable() || !k.present()) ar |= Vmcs.AR_UNUSABLE;
        vmcs.setSegment(s, k.selector(), k.base(), k.limit(), (int) ar);
    }

    @Override
    public KvmSregs getSregs() {
        long[] bitmap = new long[4];
        if (loop.injectedExtIntVector() >= 0) bitmap[loop.injectedExtIntVector() >> 6] |= 1L << (loop.injectedExtIntVector() & 63);
        // KVM_GET_SREGS order: cs ds es fs gs ss tr ldt
        return new KvmSregs(seg(1), seg(3), seg(0), seg(4), seg(5), seg(2), seg(7), seg(6),
            new KvmDtable(vmcs.read(VmcsField.GUEST_GDTR_BASE), (int) vmcs.read(VmcsField.GUEST_GDTR_LIMIT)),
            new KvmDtable(vmcs.read(VmcsField.GUEST_IDTR_BASE), (int) vmcs.read(VmcsField.GUEST_IDTR_LIMIT)),
            regs.cr0Read(), cpu.cr2(), regs.cr3Read(), regs.cr4Read(), cr8(),
            vmcs.read(VmcsField.GUEST_IA32_EFER), apicBase(), bitmap);
    }

    long cr8() { return lapic != null ? lapic.cr8() : loop.cr8NoLapic(); }

    long apicBase() { return lapic != null ? lapic.apicBase() : apicBaseNoLapic; }

    @Override
    public void setSregs(KvmSregs s) throws KvmException {
        if (s == null) throw new KvmException(Errno.EFAULT, "null sregs");
        long cr0 = s.cr0(), cr4 = s.cr4(), efer = s.efer();
        if ((cr0 & CR0_PG) != 0 && (cr0 & CR0_PE) == 0) throw new KvmException(Errno.EINVAL, "CR0.PG without CR0.PE");
        if ((cr0 & CR0_NW) != 0 && (cr0 & CR0_CD) == 0) throw new KvmException(Errno.EINVAL, "CR0.NW without CR0.CD");
        if ((cr0 >>> 32) != 0) throw new KvmException(Errno.EINVAL, "CR0 reserved bits");
        if ((cr4 & ~loop.cr4ValidBits()) != 0) throw new KvmException(Errno.EINVAL, "CR4 reserved bits 0x" + Long.toHexString(cr4 & ~loop.cr4ValidBits()));
        if ((efer & EFER_LME) != 0 && (cr0 & CR0_PG) != 0) {
            if ((cr4 & CR4_PAE) == 0 || (efer & EFER_LMA) == 0) throw new KvmException(Errno.EINVAL, "long mode needs CR4.PAE and EFER.LMA");
        } else if ((efer & EFER_LMA) != 0 || s.cs().l()) {
            throw new KvmException(Errno.EINVAL, "EFER.LMA or CS.L outside long mode");
        }
        if ((efer & ~loop.eferValidBits()) != 0) throw new KvmException(Errno.EINVAL, "EFER reserved bits");
        int pendingVector = -1;
        long[] bm = s.interruptBitmap();
        if (bm != null) {
            for (int i = 0; i < 4 && pendingVector < 0; i++) if (bm[i] != 0) pendingVector = i * 64 + Long.numberOfTrailingZeros(bm[i]);
        }
        if (lapic != null && !lapic.setApicBase(s.apicBase(), true)) throw new KvmException(Errno.EINVAL, "bad APIC base 0x" + Long.toHexString(s.apicBase()));
        if (lapic == null) apicBaseNoLapic = s.apicBase();
        setSeg(1, s.cs()); setSeg(3, s.ds()); setSeg(0, s.es()); setSeg(4, s.fs()); setSeg(5, s.gs()); setSeg(2, s.ss());
        setSeg(7, s.tr()); setSeg(6, s.ldt());
        vmcs.write(VmcsField.GUEST_GDTR_BASE, s.gdt().base());
        vmcs.write(VmcsField.GUEST_GDTR_LIMIT, s.gdt().limit() & 0xFFFF);
        vmcs.write(VmcsField.GUEST_IDTR_BASE, s.idt().base());
        vmcs.write(VmcsField.GUEST_IDTR_LIMIT, s.idt().limit() & 0xFFFF);
        regs.cr0Write(cr0);
        cpu.setCr2(s.cr2());
        regs.cr3Write(s.cr3());
        regs.cr4Write(cr4);
        if (lapic != null) lapic.setCr8(s.cr8()); else loop.setCr8NoLapic(s.cr8());
        loop.writeEfer(efer);
        if ((cr0 & CR0_PG) != 0 && (cr4 & CR4_PAE) != 0 && (efer & EFER_LMA) == 0) loadPdptrs(s.cr3());
        if (pendingVector >= 0) loop.queueExtInt(pendingVector);
        updateCpuidRuntime();
    }

    /**
     * load_pdptrs: with PAE paging the four PDPTEs are registers, loaded from the table CR3 points to (VMX
     * takes them from the guest-state area at entry). As KVM_SET_SREGS does, a table that is not in RAM or
     * has a present entry with reserved bits set leaves the registers as they were.
     */
    private void loadPdptrs(long cr3) {
        long base = cr3 & 0xFFFF_FFE0L;
        long[] e = new long[4];
        for (int i = 0; i < 4; i++) {
            MemorySegment m = ramAt(base + 8L * i);
            if (m == null || m.byteSize() < 8) return;
            e[i] = m.get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0);
            if (org.jkvm.cpu.exec.Mmu.reservedPdpte(e[i])) return;
        }
        for (int i = 0; i < 4; i++) vmcs.write(Vmcs.pdptrField(i), e[i]);
    }

    @Override
    public KvmFpu getFpu() {
        byte[] st = fpu.state();
        java.nio.ByteBuffer b = fpu.view();
        byte[] fpr = new byte[128];
        for (int i = 0; i < 8; i++) System.arraycopy(st, 32 + 16 * i, fpr, 16 * i, 10);
        byte[] xmm = new byte[256];
        System.arraycopy(st, 160, xmm, 0, 256);
        return new KvmFpu(fpr, b.getShort(0) & 0xFFFF, b.getShort(2) & 0xFFFF, st[4] & 0xFF, b.getShort(6) & 0xFFFF,
            b.getLong(8), b.getLong(16), xmm, b.getInt(24));
    }

    @Override
    public void setFpu(KvmFpu f) throws KvmException {
        if (f == null || f.fpr() == null || f.xmm() == null || f.fpr().length < 128 || f.xmm().length < 256) {
            throw new KvmException(Errno.EFAULT, "incomplete kvm_fpu");
        }
        if ((f.mxcsr() & ~org.jkvm.kvm.fpu.MxcsrMask.VALUE) != 0) throw new KvmException(Errno.EINVAL, "MXCSR reserved bits");
        byte[] st = fpu.state();
        java.nio.ByteBuffer b = fpu.view();
        b.putShort(0, (short) f.fcw());
        b.putShort(2, (short) f.fsw());
        st[4] = (byte) f.ftwx();
        b.putShort(6, (short) f.lastOpcode());
        b.putLong(8, f.lastIp());
        b.putLong(16, f.lastDp());
        b.putInt(24, f.mxcsr());
        for (int i = 0; i < 8; i++) {
            System.arraycopy(f.fpr(), 16 * i, st, 32 + 16 * i, 10);
            java.util.Arrays.fill(st, 32 + 16 * i + 10, 32 + 16 * i + 16, (byte) 0);
        }
        System.arraycopy(f.xmm(), 0, st, 160, 256);
        b.putLong(GuestFpu.XSTATE_BV, b.getLong(GuestFpu.XSTATE_BV) | Xfeatures.FP | Xfeatures.SSE);
    }

    // ================================================================== XSAVE uABI

    /** Whether the uABI carries APX: KVM can give it to a guest (supported and permitted). */
    boolean apxInUabi() { return (hv.supportedXcr0() & hv.permission().permitted() & Xfeatures.APX) != 0; }

    private long[] egprs() {
        long[] e = new long[16];
        for (int i = 0; i < 16; i++) e[i] = regs.gprReadRaw(Gpr.of(16 + i));
        return e;
    }

    @Override
    public KvmXsave getXsave() throws KvmException {
        if (fpu.uabiSize() > KvmXsave.LEGACY_SIZE) {
            throw new KvmException(Errno.EINVAL, "guest XSAVE state is " + fpu.uabiSize() + " bytes; use KVM_GET_XSAVE2");
        }
        return new KvmXsave(XsaveUabi.get(fpu, KvmXsave.LEGACY_SIZE, xstate.pkru(), egprs(), apxInUabi()));
    }

    @Override
    public KvmXsave getXsave2() {
        int size = (int) Math.max(hv.checkExtension(Capability.XSAVE2), fpu.uabiSize());
        return new KvmXsave(XsaveUabi.get(fpu, size, xstate.pkru(), egprs(), apxInUabi()));
    }

    @Override
    public void setXsave(KvmXsave x) throws KvmException {
        if (x == null) throw new KvmException(Errno.EFAULT, "null xsave");
        XsaveUabi.Decoded d = XsaveUabi.decode(fpu, x.region(), apxInUabi());
        XsaveUabi.commit(fpu, d);
        xstate.setPkru(d.pkru());
        if (d.egprs() != null) for (int i = 0; i < 16; i++) regs.gprWriteRaw(Gpr.of(16 + i), d.egprs()[i]);
    }

    @Override
    public KvmXcrs getXcrs() {
        return new KvmXcrs(0, List.of(new KvmXcr(0, xstate.xcr0())));
    }

    @Override
    public void setXcrs(KvmXcrs x) throws KvmException {
        if (x == null || x.xcrs() == null) throw new KvmException(Errno.EFAULT, "null xcrs");
        if (x.flags() != 0 || x.xcrs().size() > KvmXcrs.MAX_XCRS) throw new KvmException(Errno.EINVAL, "bad kvm_xcrs header");
        for (KvmXcr e : x.xcrs()) {
            if (e.xcr() != 0) continue;
            if (!xstate.setXcr(0, e.value())) throw new KvmException(Errno.EINVAL, "invalid XCR0 0x" + Long.toHexString(e.value()));
            updateCpuidRuntime();
            break;
        }
    }

    // ================================================================== MSRs

    @Override
    public int getMsrs(List<KvmMsrEntry> entries) throws KvmException {
        if (entries == null) throw new KvmException(Errno.EFAULT, "null msrs");
        int n = 0;
        for (KvmMsrEntry e : entries) {
            Long v = loop.msrs.read(e.index(), true);
            if (v == null) break;
            e.setData(v);
            n++;
        }
        return n;
    }

    @Override
    public int setMsrs(List<KvmMsrEntry> entries) throws KvmException {
        if (entries == null) throw new KvmException(Errno.EFAULT, "null msrs");
        int n = 0;
        for (KvmMsrEntry e : entries) {
            if (!loop.msrs.write(e.index(), e.data(), true)) break;
            n++;
        }
        return n;
    }

    // ================================================================== CPUID

    @Override
    public void setCpuid2(List<KvmCpuidEntry2> entries) throws KvmException {
        if (entries == null) throw new KvmException(Errno.EFAULT, "null cpuid");
        GuestCpuid.check(entries);
        long cr4 = regs.cr4Read();
        boolean apicOn = lapic == null ? (apicBaseNoLapic & 0x800) != 0 : lapic.hwEnabled();
        GuestCpuid next = new GuestCpuid(entries).withRuntime((cr4 & CR4_OSXSAVE) != 0, (cr4 & CR4_PKE) != 0, apicOn,
            xstate.xcr0(), xstate.xss());
        if (hasRun) {
            if (!next.sameAs(cpuid)) throw new KvmException(Errno.EINVAL, "KVM_SET_CPUID2 after KVM_RUN must not change the CPUID");
            return;
        }
        // Dynamic features first: -EPERM leaves everything as it was.
        fpu.enableXfdFeatures(next.xcr0Mask() & hv.supportedXcr0());
        cpuid = next;
        xstate.afterSetCpuid(cpuid);
        loop.configureControls();
    }

    @Override
    public List<KvmCpuidEntry2> getCpuid2(int maxEntries) throws KvmException {
        if (maxEntries < cpuid.entries().size()) {
            throw new KvmException(Errno.E2BIG, cpuid.entries().size() + " entries do not fit in " + maxEntries);
        }
        return new ArrayList<>(cpuid.entries());
    }

    // ================================================================== events

    @Override
    public KvmVcpuEvents getVcpuEvents() {
        long intr = vmcs.read(VmcsField.GUEST_INTERRUPTIBILITY_INFO);
        int inj = loop.injectedExtIntVector();
        // Without KVM_CAP_EXCEPTION_PAYLOAD a pending exception is reported as injected, as KVM does.
        return new KvmVcpuEvents(pendingException >= 0, Math.max(pendingException, 0), pendingExceptionError >= 0, false,
            Math.max(pendingExceptionError, 0), inj >= 0, Math.max(inj, 0), false, (int) (intr & 3),
            false, nmiPending, (intr & Vmcs.BLOCKING_BY_NMI) != 0, 0, 0, false, false, 0);
    }

    @Override
    public void setVcpuEvents(KvmVcpuEvents e) throws KvmException {
        if (e == null) throw new KvmException(Errno.EFAULT, "null events");
        if ((e.exceptionInjected() || e.exceptionPending()) && (e.exceptionNr() > 31 || e.exceptionNr() == 2)) {
            throw new KvmException(Errno.EINVAL, "exception vector " + e.exceptionNr());
        }
        pendingException = e.exceptionInjected() || e.exceptionPending() ? e.exceptionNr() : -1;
        pendingExceptionError = e.exceptionHasErrorCode() ? e.exceptionErrorCode() : -1;
        if (e.interruptInjected()) loop.queueExtInt(e.interruptNr());
        nmiPending = e.nmiPending();
        long intr = vmcs.read(VmcsField.GUEST_INTERRUPTIBILITY_INFO) & ~(3L | Vmcs.BLOCKING_BY_NMI);
        intr |= e.interruptShadow() & 3;
        if (e.nmiMasked()) intr |= Vmcs.BLOCKING_BY_NMI;
        vmcs.write(VmcsField.GUEST_INTERRUPTIBILITY_INFO, intr);
    }

    @Override
    public void interrupt(int vector) throws KvmException {
        if (vector < 0 || vector > 255) throw new KvmException(Errno.EINVAL, "interrupt vector " + vector);
        if (lapic != null) {
            if (pendingExternalVector >= 0) throw new KvmException(Errno.EEXIST, "an external interrupt is already pending");
            pendingExternalVector = vector;
            lapic.setEventPending();
            kickFromApic();
            return;
        }
        loop.queueExtInt(vector);
    }

    @Override
    public void requestInterruptWindow(boolean request) { requestIrqWindow = request; }

    @Override
    public boolean readyForInterruptInjection() { return readyForInjection; }

    @Override
    public void kick() {
        kick = true;
        kickFromApic();
    }

    @Override
    public int getMpState() { return mpState; }

    public boolean kickPending() { return kick; }

    public void consumeKick() { kick = false; }

    @Override
    public void setMpState(int state) throws KvmException {
        if (state < 0 || state > MP_STATE_SIPI_RECEIVED) throw new KvmException(Errno.EINVAL, "mp_state " + state);
        if (lapic == null && state != MP_STATE_RUNNABLE) throw new KvmException(Errno.EINVAL, "mp_state needs the in-backend LAPIC");
        mpState = state;
    }

    @Override
    public org.jkvm.api.uabi.KvmLapicState getLapic() throws KvmException {
        if (lapic == null) throw new KvmException(Errno.ENXIO, "no local APIC in the backend (KVM_CREATE_IRQCHIP not done)");
        return new org.jkvm.api.uabi.KvmLapicState(lapic.getState());
    }

    @Override
    public void setLapic(org.jkvm.api.uabi.KvmLapicState state) throws KvmException {
        if (lapic == null) throw new KvmException(Errno.ENXIO, "no local APIC in the backend (KVM_CREATE_IRQCHIP not done)");
        if (state == null) throw new KvmException(Errno.EFAULT, "null lapic state");
        lapic.setState(state.regs());
    }

    @Override
    public VcpuExit run() throws KvmException {
        running = true;
        try {
            return loop.run();
        } finally {
            running = false;
        }
    }

    // ================================================================== statistics

    @Override
    public List<ExitRow> exitTable() { return counters.table(); }

    @Override
    public String placement() { return hv.options().placement().option; }

    @Override
    public long modelledCycles() { return cycles.cycles(); }

    @Override
    public long exits() { return counters.total(); }

    @Override
    public long instructionsRetired() { return instructions.retired(); }

    @Override
    public void setInstructionBudget(long n) { instructions.setBudget(n); }

    @Override
    public void resetStatistics() {
        cycles.reset();
        counters.reset(0);
    }

    @Override
    public void close() { }

    /** Guest physical memory access for the emulation paths (string I/O, tests). */
    public MemorySegment ramAt(long gpa) {
        org.jkvm.cpu.mem.RamRegion r = vm.memory().find(gpa);
        return r == null ? null : r.segment().asSlice(gpa - r.gpa());
    }

    // ================================================================== state the run loop and MSR code use

    public org.jkvm.cpu.model.CpuModel cpuModel() { return hv.model(); }

    public void markRan() { hasRun = true; }

    public void setReadyForInjection(boolean r) { readyForInjection = r; }

    public int pendingExternalVector() { return pendingExternalVector; }

    public void clearPendingExternalVector() { pendingExternalVector = -1; }

    public boolean requestIrqWindow() { return requestIrqWindow; }

    public int pendingException() { return pendingException; }

    public int pendingExceptionError() { return pendingExceptionError; }

    public void clearPendingException() {
        pendingException = -1;
        pendingExceptionError = -1;
    }

    /** kvm_queue_exception: a second contributory fault while one is pending becomes #DF. */
    public void queueException(int vector, int errorCode) {
        if (pendingException >= 0 && pendingException != 8) {
            pendingException = 8;
            pendingExceptionError = 0;
            return;
        }
        pendingException = vector;
        pendingExceptionError = errorCode;
    }

    public boolean nmiPending() { return nmiPending; }

    public void setNmiPending(boolean p) { nmiPending = p; }

    public void setMpStateInternal(int s) { mpState = s; }

    /** kvm_vcpu_reset(init_event=true): registers to their INIT values, XCR0 to x87 only, XSS to 0 (SDM 9.1). */
    public void initReset() {
        resetState();
        xstate.restore(org.jkvm.kvm.xcr.Xfeatures.FP, 0, xstate.pkru());
        updateCpuidRuntime();
    }

    public long tscAdjust() { return tscAdjust; }

    public void setTscAdjust(long v) { tscAdjust = v; }

    public long miscEnable() { return miscEnable; }

    public void setMiscEnable(long v) { miscEnable = v; }

    public long mcgStatus() { return mcgStatus; }

    public void setMcgStatus(long v) { mcgStatus = v; }

    public long mtrr(int msr) { return mtrr.getOrDefault(msr, 0L); }

    public void setMtrr(int msr, long v) { mtrr.put(msr, v); }

    public long apicBaseValue() { return apicBase(); }

    public boolean setApicBaseValue(long val, boolean host) {
        if (lapic != null) {
            if (!lapic.setApicBase(val, host)) return false;
        } else {
            apicBaseNoLapic = val;
        }
        updateCpuidRuntime();
        return true;
    }

}
