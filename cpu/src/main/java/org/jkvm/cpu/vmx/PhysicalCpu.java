package org.jkvm.cpu.vmx;

import java.lang.foreign.MemorySegment;
import java.util.Map;

import org.jkvm.cpu.Gpr;
import org.jkvm.cpu.exec.Core;
import org.jkvm.cpu.fault.Fault;
import org.jkvm.cpu.mem.PhysicalMemory;
import org.jkvm.cpu.mem.SegmentMemory;
import org.jkvm.cpu.model.CpuModel;
import org.jkvm.cpu.model.CpuidTable;
import org.jkvm.cpu.xstate.XContext;
import org.jkvm.cpu.xstate.XState;
import org.jkvm.cpu.xstate.XsaveUnit;

/**
 * One physical CPU of the machine jkvm runs on: a software x86-64 processor with a VMX-like guest mode.
 *
 * <p><b>Guest mode.</b> The hypervisor fills a {@link Vmcs} (guest state, controls), loads the guest's GPRs into
 * the register file with {@link #setGpr}, calls {@link #enter()} and gets a VM exit back: the basic exit reason
 * ({@link ExitReason}) as the return value, details in the VMCS exit-information fields (qualification,
 * instruction length, interruption info and error code, IDT-vectoring info, guest-physical and guest-linear
 * address). RSP, RIP, RFLAGS and everything else of the guest stay in the VMCS; GPRs stay in the register
 * file until the hypervisor reads them. Like VMX: CPUID, INVD, XSETBV (after its #UD check) and GETSEC always
 * exit; HLT, RDTSC, I/O, MSR access, CR access, INVLPG, PAUSE, interrupt/NMI windows and the preemption timer
 * exit when their controls say so; guest exceptions exit when the exception bitmap selects them; the VMCS's
 * entry interruption field injects an event on entry.
 *
 * <p><b>jkvm extensions.</b> An access to a guest-physical address no {@link org.jkvm.cpu.mem.RamRegion} backs is
 * an {@link ExitReason#EPT_VIOLATION} exit with GUEST_PHYSICAL_ADDRESS, EXIT_ACCESS_SIZE and (for writes)
 * EXIT_ACCESS_DATA: a write exit happens after the instruction retired (RIP is past it, nothing to redo);
 * a read exit leaves RIP on the instruction, and the hypervisor answers with {@link #completeMmioRead} before
 * re-entering, which re-executes it with that value. An I/O exit leaves RIP on the instruction and carries the
 * OUT/OUTS data in EXIT_ACCESS_DATA; {@link #completeIo} finishes it (IN value, string pointer and count
 * updates, RIP) — or the hypervisor does it itself, as KVM does for non-string I/O.
 *
 * <p><b>Host mode.</b> Between entries the hypervisor model runs host work "on" this CPU through
 * {@link #xsetbv}, {@link #wrmsr}, {@link #wrpkru}, {@link #xsaves}, {@link #xrstors} and friends, which apply the
 * architectural rules (#GP/#UD as {@link Fault}), so that using host and guest values in the wrong order is
 * visible. There is exactly one XCR0/XSS/PKRU/XFD/XFD_ERR and one extended register file: {@link #xstate()}.
 *
 * <p>Not thread-safe, except {@link #kick} and {@link #interrupt}, which any thread may call.
 */
public final class PhysicalCpu {
    private final PhysicalMemory memory;
    private final CpuModel model;
    private final CpuidTable cpuid;
    private final XState xstate;
    private final XsaveUnit xsave;
    private final Core core;
    private final HostContext host = new HostContext();
    private Vmcs vmcs = new Vmcs();
    private int lastExit = -1;

    public PhysicalCpu(PhysicalMemory memory, CpuModel model) {
        this.memory = memory;
        this.model = model;
        this.cpuid = CpuidTable.of(model);
        this.xstate = new XState(model);
        this.xsave = new XsaveUnit(xstate);
        // the bridge needs the core as its XContext and the core needs the bridge: tie them after construction
        Core c = new Core(memory, null);
        ExtendedBridge b = new ExtendedBridge(xstate, xsave, c);
        b.attach(c);
        c.setExtended(b);
        c.features = model::has;
        this.core = c;
        xstate.reset(c);
    }

    public PhysicalMemory memory() { return memory; }

    public CpuModel model() { return model; }

    /** The extended register state (XCR0, XSS, PKRU, XFD, XFD_ERR, x87/SSE/AVX/AMX registers). */
    public XState xstate() { return xstate; }

    /** The engine, for tests and the interpreter's own tools. */
    public Core core() { return core; }

    // ---------------------------------------------------------------- VMCS

    /** The current VMCS. */
    public Vmcs vmcs() { return vmcs; }

    /** VMPTRLD: makes {@code v} the current VMCS (one per vCPU). */
    public void load(Vmcs v) {
        this.vmcs = v;
    }

    // ---------------------------------------------------------------- register file

    /**
     * Reads GPR {@code index} (0-31, hardware order) of the physical register file. R16-R31 exist only while
     * XCR0.APX is set: touching them otherwise is #UD, as the real entry path would take.
     */
    public long gpr(int index) {
        checkGpr(index);
        return core.r[index];
    }

    public void setGpr(int index, long value) {
        checkGpr(index);
        core.r[index] = value;
    }

    public long gpr(Gpr g) { return gpr(g.ordinal()); }

    public void setGpr(Gpr g, long value) { setGpr(g.ordinal(), value); }

    private void checkGpr(int index) {
        if (index < 0 || index > 31) throw new IllegalArgumentException("GPR index " + index);
        if (index >= 16 && (xstate.xcr0() & (1L << 19)) == 0) throw Fault.ud();
    }

    // ---------------------------------------------------------------- guest mode

    /** VM entry with the current VMCS; returns the basic exit reason of the VM exit that ends guest execution. */
    public int enter() {
        core.runner = Thread.currentThread();
        lastExit = core.enter(vmcs);
        return lastExit;
    }

    /**
     * VM entry with an instruction budget: the guest runs at most {@code maxInstructions} instructions, then a
     * {@link ExitReason#PREEMPTION_TIMER} exit (the VMX preemption timer, counting retired instructions).
     */
    public int enter(long maxInstructions) {
        vmcs.setBits(VmcsField.PIN_BASED_VM_EXEC_CONTROL, Vmcs.PIN_PREEMPTION_TIMER);
        vmcs.write(VmcsField.VMX_PREEMPTION_TIMER_VALUE, Math.min(maxInstructions, 0xFFFF_FFFFL));
        return enter();
    }

    private static final java.util.concurrent.ScheduledExecutorService QUANTUM_TIMER =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "jkvm-quantum-timer");
            t.setDaemon(true);
            return t;
        });

    /**
     * VM entry with a time quantum: the guest runs at most about {@code nanos} nanoseconds of wall-clock time,
     * then exits with {@link ExitReason#PREEMPTION_TIMER} (checked at block boundaries).
     */
    public int enterFor(long nanos) {
        core.timeExpired = false;
        var f = QUANTUM_TIMER.schedule(core::expireQuantum, Math.max(0, nanos), java.util.concurrent.TimeUnit.NANOSECONDS);
        try {
            return enter();
        } finally {
            f.cancel(false);
            core.timeExpired = false;
        }
    }

    public int exitReason() { return lastExit; }

    public long exitQualification() { return vmcs.read(VmcsField.EXIT_QUALIFICATION); }

    public int exitInstructionLength() { return vmcs.read32(VmcsField.VM_EXIT_INSTRUCTION_LEN); }

    /**
     * Answers the MMIO read of the last EPT-violation exit (address and size from the VMCS); the next
     * {@link #enter()} re-executes the instruction, which then reads {@code value}.
     */
    public void completeMmioRead(long value) {
        core.completeMmioRead(vmcs.read(VmcsField.GUEST_PHYSICAL_ADDRESS), vmcs.read32(VmcsField.EXIT_ACCESS_SIZE), value);
    }

    /**
     * Completes the instruction of the last I/O exit on the guest's behalf: IN/INS store {@code inValue}, OUT/OUTS
     * advance; string forms do one element and update rSI/rDI/rCX; GUEST_RIP moves past the instruction when done.
     */
    public void completeIo(long inValue) {
        core.rip = vmcs.read(VmcsField.GUEST_RIP);
        long rsp = core.r[4];
        core.r[4] = vmcs.read(VmcsField.GUEST_RSP);
        core.guestMode = true;
        try {
            core.completeIo(inValue);
        } finally {
            core.guestMode = false;
            core.r[4] = rsp;
        }
        vmcs.write(VmcsField.GUEST_RIP, core.rip);
    }

    /** Makes a running (or the next) {@link #enter()} return with an EXTERNAL_INTERRUPT exit. Any thread. */
    public void kick() {
        core.kick(-1);
    }

    /** A host interrupt with {@code vector} arrives: EXTERNAL_INTERRUPT exit carrying the vector. Any thread. */
    public void interrupt(int vector) {
        core.kick(vector & 0xFF);
    }

    /**
     * Raises a machine check "during guest execution" once {@code instructions} more guest instructions have
     * retired: #MC (vector 18), which exits with reason EXCEPTION_NMI when the exception bitmap has bit 18 (KVM
     * always sets it) or goes to the guest's IDT otherwise.
     */
    public void injectMachineCheck(long instructions) {
        core.mcAt = core.retired() + Math.max(0, instructions);
    }

    /** The next VM entry fails with exit reason MACHINE_CHECK (41): a machine check during VM entry. */
    public void machineCheckOnEntry() {
        core.mcOnEntry = true;
    }

    /** Guest instructions retired on this CPU so far. */
    public long retiredInstructions() { return core.retired(); }

    /** Instructions the decoder knows but this CPU raised #UD for, by mnemonic (for --stats). */
    public Map<String, Long> unimplementedInstructions() { return core.unimplementedCounts(); }

    // ---------------------------------------------------------------- host mode

    /** The host's CPL-0 64-bit context for extended-state instructions. */
    private final class HostContext implements XContext {
        long cr4 = XContext.CR4_OSFXSR | XContext.CR4_OSXMMEXCPT | XContext.CR4_OSXSAVE;
        long cr0 = 0x8005_0033L;

        @Override public long cr0() { return cr0; }

        @Override public long cr4() { return cr4; }

        @Override public int cpl() { return 0; }

        @Override public boolean long64() { return true; }

        @Override public long get(int n) { return core.r[n]; }

        @Override public void set(int n, long value) { core.r[n] = value; }
    }

    /** Host CR4 (the host kernel's: OSFXSR, OSXMMEXCPT, OSXSAVE, plus PKE when the model has PKU). */
    public void setHostCr4(long cr4) { host.cr4 = cr4; }

    /** Host CR0.TS (for the #NM the host sees when it touches the FPU with TS set). */
    public void setHostCr0(long cr0) { host.cr0 = cr0; }

    /** XSETBV at CPL 0 in the host: the architectural checks, #GP for an invalid value. */
    public void xsetbv(int index, long value) {
        xsave.xsetbv(host, index & 0xFFFF_FFFFL, value);
        // no block invalidation: translation depends on XCR0 only through APX decoding, which is part of the
        // block's mode key (Interpreter.modeKey); AVX/AMX #UD and XFD are decided when the instruction runs
    }

    public long xgetbv(int index) {
        return xsave.xgetbv(host, index & 0xFFFF_FFFFL);
    }

    /** RDMSR in the host (the physical MSR, including XSS/XFD/XFD_ERR); #GP for unknown MSRs. */
    public long rdmsr(int msr) {
        boolean g = core.guestMode;
        core.guestMode = false;
        try {
            return core.rdmsr(msr);
        } finally {
            core.guestMode = g;
        }
    }

    /** WRMSR in the host; #GP for unknown MSRs or reserved bits. */
    public void wrmsr(int msr, long value) {
        boolean g = core.guestMode;
        core.guestMode = false;
        try {
            core.wrmsr(msr, value);
        } finally {
            core.guestMode = g;
        }
    }

    /** WRPKRU in the host (#UD without CR4.PKE in the host CR4). */
    public void wrpkru(int value) {
        if ((host.cr4 & XContext.CR4_PKE) == 0) throw Fault.ud();
        xstate.pkru = value;
        xstate.touch(1L << 9);
        core.pkruChanged(); // PKRU is checked on access: only TLB entries decided under another PKRU must go
    }

    public int rdpkru() {
        if ((host.cr4 & XContext.CR4_PKE) == 0) throw Fault.ud();
        return xstate.pkru;
    }

    /** XSAVES of the components in {@code rfbm} (masked by XCR0|XSS) into a host buffer at offset 0. */
    public void xsaves(MemorySegment area, long rfbm) {
        xsave.xsaves(host, new SegmentMemory(area), 0, rfbm, true);
    }

    /** XRSTORS from a host buffer; #GP when the area names components outside XCR0|XSS. */
    public void xrstors(MemorySegment area, long rfbm) {
        xsave.xrstors(host, new SegmentMemory(area), 0, rfbm, true);
    }

    public void xsave(MemorySegment area, long rfbm) {
        xsave.xsave(host, new SegmentMemory(area), 0, rfbm, true);
    }

    public void xrstor(MemorySegment area, long rfbm) {
        xsave.xrstor(host, new SegmentMemory(area), 0, rfbm, true);
    }

    /** CPUID as the host sees it (the CPU model, with OSXSAVE/OSPKE from the host CR4 and the current XCR0/XSS). */
    public int[] cpuid(int leaf, int subleaf) {
        int[] out = new int[4];
        cpuid.query(leaf, subleaf, (host.cr4 & XContext.CR4_OSXSAVE) != 0, (host.cr4 & XContext.CR4_PKE) != 0,
            xstate.xcr0(), xstate.xss(), 0, out);
        return out;
    }

    /** CR2, which VMX does not switch: KVM saves and restores it around entry itself. */
    public long cr2() { return core.cr2; }

    public void setCr2(long v) { core.cr2 = v; }

    /** CR8 of the physical CPU (the guest's when CR8 accesses do not exit). */
    public long cr8() { return core.cr8; }

    public void setCr8(long v) { core.cr8 = v & 0xF; }

    /** DR0-DR3, DR6 (DR7 is in the VMCS). */
    public long dr(int n) { return core.dr[n]; }

    public void setDr(int n, long v) { core.dr[n] = v; }
}
