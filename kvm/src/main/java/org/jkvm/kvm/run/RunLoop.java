package org.jkvm.kvm.run;

import static org.jkvm.kvm.run.SoftVcpuBits.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.jkvm.api.exit.VcpuExit;
import org.jkvm.cpu.vmx.ExitReason;
import org.jkvm.cpu.vmx.Vmcs;
import org.jkvm.cpu.vmx.VmcsField;
import org.jkvm.kvm.KvmOptions;
import org.jkvm.kvm.SoftMsrs;
import org.jkvm.kvm.SoftVcpu;
import org.jkvm.kvm.fpu.GuestFpu;
import org.jkvm.kvm.host.HostModel;
import org.jkvm.kvm.host.HostPoint;
import org.jkvm.kvm.hw.Silicon;
import org.jkvm.kvm.lapic.ApicReg;
import org.jkvm.kvm.lapic.LocalApic;
import org.jkvm.kvm.regs.Gpr;
import org.jkvm.kvm.regs.RegCache;
import org.jkvm.kvm.stats.CycleModel;
import org.jkvm.kvm.stats.ExitCounters;
import org.jkvm.kvm.stats.SwitchOp;
import org.jkvm.kvm.xcr.Xfeatures;

/**
 * KVM_RUN: {@code vcpu_run}/{@code vcpu_enter_guest} with the fastpath loop, in either XCR0/XSS/PKRU placement.
 *
 * <pre>
 * KVM_RUN:  load guest FPU (host task XSAVES, guest XRSTORS, guest XFD)          IRQs on
 *   loop:   requests, event injection                                              IRQs on (host events)
 *           IRQs off; switch_fpu_return; XFD_ERR; [outer] XCR0/XSS; [outer] PKRU
 *           fastpath loop: [per-entry] XCR0/XSS/PKRU; GPRs (+R16..R31 if XCR0.APX) -> CPU; VM-entry ...
 *                          VM-exit; GPRs back (R16..R31 zeroed); [per-entry] host values; fastpath handler
 *           [outer] guest PKRU read, host PKRU; host XCR0/XSS; XFD sync; #MC, #NM/XFD_ERR (irqoff)
 *           IRQs on (host events); full exit handler
 *   put guest FPU (guest XSAVES, host task XRSTORS)
 * </pre>
 */
public final class RunLoop {
    static final int FASTPATH_NONE = 0, FASTPATH_REENTER = 1, FASTPATH_HANDLED = 2;
    /** -Djkvm.kvm.trace=true: every VM-exit on stderr (reason, RIP, qualification, interruption info). */
    private static final boolean TRACE = Boolean.getBoolean("jkvm.kvm.trace");
    /** CR4 bits KVM owns (their writes exit): OSXSAVE and PKE change CPUID and the XSAVE switch. */
    static final long CR4_HOST_OWNED = CR4_OSXSAVE | CR4_PKE;

    private final SoftVcpu v;
    private final Silicon cpu;
    private final Vmcs vmcs;
    private final RegCache regs;
    private final HostModel host;
    private final CycleModel cycles;
    private final ExitCounters counters;
    private final SwitchPlacement placement;
    private final boolean mcInFastpath;
    private final long maxInstructions;
    public final MsrEmulation msrs;
    private final long[] gprs;
    private final int budgetReason;

    // user-space I/O completion (complete_userspace_io)
    private static final int IO_NONE = 0, IO_IN = 1, IO_OUT = 2, MMIO_READ = 3, MMIO_WRITE = 4, IO_STRING = 5;
    private int pendingIo = IO_NONE;
    private int pendingIoSize;
    private long pendingMmioGpa;
    private final MemorySegment runData = Arena.ofAuto().allocate(4096, 8);
    /** A queued external interrupt (KVM_INTERRUPT without an in-backend APIC, or KVM_SET_SREGS). */
    private int queuedExtInt = -1;
    /** The interrupt injected at the last entry that the guest may not have taken yet. */
    private int injectedExtInt = -1;
    private long cr8NoLapic;
    private long instructionsLeft;
    private final int[] cpuidOut = new int[4];
    private EntryObserver entryObserver;
    private boolean lastExitWasMc;

    /** Test support: sees the physical CPU right before every VM-entry (the guest's state as loaded). */
    public interface EntryObserver {
        void beforeEntry(Silicon cpu, boolean afterMachineCheck);
    }

    public void setEntryObserver(EntryObserver o) { entryObserver = o; }

    public RunLoop(SoftVcpu v, KvmOptions o) {
        this.v = v;
        this.cpu = v.cpu;
        this.vmcs = v.vmcs;
        this.regs = v.regs;
        this.host = v.host;
        this.cycles = v.cycles;
        this.counters = v.counters;
        this.placement = o.placement();
        this.mcInFastpath = o.mcInFastpath();
        this.maxInstructions = o.maxInstructions();
        this.msrs = new MsrEmulation(v, this);
        this.gprs = regs.gprArray();
        this.budgetReason = cpu.budgetExitReason();
    }

    // ================================================================== controls

    /** The execution controls KVM sets up (vmx_vcpu_setup / vmx_update_exception_bitmap / MSR intercepts). */
    public void configureControls() {
        vmcs.write(VmcsField.PIN_BASED_VM_EXEC_CONTROL, Vmcs.PIN_EXT_INTR_EXITING | Vmcs.PIN_NMI_EXITING);
        int cpuCtl = Vmcs.CPU_HLT_EXITING | Vmcs.CPU_UNCOND_IO_EXITING | Vmcs.CPU_USE_MSR_BITMAPS | Vmcs.CPU_USE_TSC_OFFSETTING
            | Vmcs.CPU_ACTIVATE_SECONDARY_CONTROLS;
        if (v.lapic() != null) cpuCtl |= Vmcs.CPU_CR8_LOAD_EXITING | Vmcs.CPU_CR8_STORE_EXITING;
        vmcs.write(VmcsField.CPU_BASED_VM_EXEC_CONTROL, cpuCtl | (vmcs.read(VmcsField.CPU_BASED_VM_EXEC_CONTROL) & Vmcs.CPU_INTR_WINDOW_EXITING));
        vmcs.write(VmcsField.SECONDARY_VM_EXEC_CONTROL, Vmcs.SEC_RDTSCP | Vmcs.SEC_ENABLE_INVPCID | Vmcs.SEC_XSAVES);
        updateExceptionBitmap();
        vmcs.write(VmcsField.CR0_GUEST_HOST_MASK, 0);
        vmcs.write(VmcsField.CR4_GUEST_HOST_MASK, CR4_HOST_OWNED);
        vmcs.write(VmcsField.CR4_READ_SHADOW, regs.cr4Read() & CR4_HOST_OWNED);
        regs.setGuestOwnedBits(-1L, ~CR4_HOST_OWNED);
        var bm = vmcs.msrBitmap();
        for (int m : MsrEmulation.PASSTHROUGH) bm.intercept(m, false, false);
        bm.intercept(SoftMsrs.XFD, true, !v.xstate.xfdNoWriteIntercept());
        syncEntryIa32eMode();
    }

    /** #MC always; #NM once XFD writes pass through (the guest may arm XFD without KVM seeing it). */
    private void updateExceptionBitmap() {
        int eb = 1 << 18;
        if (v.xstate.xfdNoWriteIntercept()) eb |= 1 << 7;
        vmcs.write(VmcsField.EXCEPTION_BITMAP, eb);
    }

    /** The guest XFD changed through an intercepted write (or KVM_SET_MSRS). */
    void guestXfdChanged(long xfd, boolean stopIntercepting) {
        host.updateCurrentXfd(xfd, inGuestFpu);
        if (stopIntercepting) {
            vmcs.msrBitmap().intercept(SoftMsrs.XFD, true, false);
            updateExceptionBitmap();
        }
    }

    private void syncEntryIa32eMode() {
        long efer = vmcs.read(VmcsField.GUEST_IA32_EFER);
        if ((efer & EFER_LMA) != 0) vmcs.setBits(VmcsField.VM_ENTRY_CONTROLS, Vmcs.ENTRY_IA32E_MODE);
        else vmcs.clearBits(VmcsField.VM_ENTRY_CONTROLS, Vmcs.ENTRY_IA32E_MODE);
    }

    public void writeEfer(long efer) {
        vmcs.write(VmcsField.GUEST_IA32_EFER, efer);
        syncEntryIa32eMode();
    }

    public long eferValidBits() { return EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE; }

    public long cr4ValidBits() {
        long b = 0x1 | 0x2 | 0x4 | 0x8 | 0x10 | 0x20 | 0x40 | 0x80 | 0x100 | 0x200 | 0x400 | 0x800 | (1L << 16) | (1L << 17);
        var m = v.cpuModel();
        if (m.has(org.jkvm.isa.CpuFeature.LA57)) b |= 1L << 12;
        if (m.has(org.jkvm.isa.CpuFeature.FSGSBASE)) b |= 1L << 16;
        if (m.has(org.jkvm.isa.CpuFeature.XSAVE)) b |= CR4_OSXSAVE;
        if (m.has(org.jkvm.isa.CpuFeature.SMEP)) b |= 1L << 20;
        if (m.has(org.jkvm.isa.CpuFeature.SMAP)) b |= 1L << 21;
        if (m.has(org.jkvm.isa.CpuFeature.PKU)) b |= CR4_PKE;
        if (m.has(org.jkvm.isa.CpuFeature.UMIP)) b |= 1L << 11;
        if (m.has(org.jkvm.isa.CpuFeature.CET_SS) || m.has(org.jkvm.isa.CpuFeature.CET_IBT)) b |= 1L << 23;
        if (m.has(org.jkvm.isa.CpuFeature.LAM)) b |= 1L << 28;
        if (m.has(org.jkvm.isa.CpuFeature.FRED)) b |= 1L << 32;
        return b;
    }

    public void setGuestTsc(long tsc) {
        vmcs.write(VmcsField.TSC_OFFSET, vmcs.read(VmcsField.TSC_OFFSET) + (tsc - cpu.tsc()));
    }

    public long cr8NoLapic() { return cr8NoLapic; }

    public void setCr8NoLapic(long v) { cr8NoLapic = v & 0xF; }

    public void queueExtInt(int vector) { queuedExtInt = vector & 0xFF; }

    public int injectedExtIntVector() { return injectedExtInt; }

    public void forgetPendingIo() { pendingIo = IO_NONE; }

    // ================================================================== KVM_RUN

    private boolean inGuestFpu;

    public VcpuExit run() {
        counters.resume(cycles.cycles());
        completeUserspaceIo();
        if (v.kickPending()) {
            v.consumeKick();
            return new VcpuExit.Interrupted();
        }
        v.markRan();
        instructionsLeft = maxInstructions;
        host.irqsEnabledPoint(HostPoint.RUN_START);
        GuestFpu fpu = v.fpu;
        host.swapFpstate(fpu.state(), fpu.xfeatures(), fpu.xfd(), "kvm_load_guest_fpu");
        inGuestFpu = true;
        VcpuExit exit;
        try {
            do {
                exit = enterGuest();
            } while (exit == null);
        } catch (RuntimeException e) {
            // A defect below KVM_RUN must not take the VMM down: report it as KVM does an unhandled condition.
            host.recover();
            exit = new VcpuExit.InternalError(VcpuExit.InternalError.UNEXPECTED_EXIT_REASON, new long[0],
                "soft backend: " + e);
        } finally {
            inGuestFpu = false;
            host.swapFpstate(null, 0, 0, "kvm_put_guest_fpu");
        }
        host.irqsEnabledPoint(HostPoint.RUN_END);
        // exit_to_user_mode: the task's own registers are reloaded before user space runs again.
        host.switchFpuReturn("exit_to_user_mode");
        v.setReadyForInjection(readyForInjection());
        return exit;
    }

    /** One vcpu_enter_guest: null to go round again, else the exit for user space. */
    private VcpuExit enterGuest() {
        host.irqsEnabledPoint(HostPoint.BEFORE_ENTRY);
        if (v.kickPending()) {
            v.consumeKick();
            return new VcpuExit.Interrupted();
        }
        if (v.instructions.takeExhausted()) return new VcpuExit.Interrupted();
        VcpuExit blocked = handleMpState();
        if (blocked != null) return blocked == CONTINUE ? null : blocked;
        injectPendingEvents();

        host.irqDisable();
        host.switchFpuReturn("switch_fpu_return");
        GuestFpu fpu = v.fpu;
        if (fpu.xfdErr() != 0) {
            cpu.writeXfdErr(fpu.xfdErr());
            cycles.add(SwitchOp.WRMSR_XFD_ERR);
        }
        boolean outer = placement == SwitchPlacement.OUTER_LOOP;
        if (outer) {
            loadXfeatures(true);
            loadGuestPkru();
        }
        int reason;
        int fast;
        for (;;) {
            if (!outer) {
                loadXfeatures(true);
                loadGuestPkru();
            }
            reason = enterAndExit();
            if (mcInFastpath && isMachineCheck(reason)) host.machineCheck("fastpath");
            if (!outer) {
                saveGuestPkru();
                loadXfeatures(false);
            }
            fast = handleFastpath(reason);
            counters.record(reason, fast != FASTPATH_NONE, cycles.cycles());
            if (fast != FASTPATH_REENTER) break;
            if (v.kickPending() || (v.lapic() != null && v.lapic().eventPending()) || v.instructions.exhausted()) {
                fast = FASTPATH_HANDLED;
                break;
            }
        }
        if (outer) {
            saveGuestPkru();
            loadXfeatures(false);
        }
        if (v.xstate.xfdNoWriteIntercept()) {
            long xfd = cpu.xfd();
            cycles.add(SwitchOp.RDMSR_XFD);
            if (xfd != fpu.xfd()) {
                fpu.updateXfd(xfd);
                host.updateCurrentXfd(xfd, false);
            }
        }
        handleExitIrqoff(reason);
        if (fpu.xfdErr() != 0) {
            cpu.writeXfdErr(0);
            cycles.add(SwitchOp.WRMSR_XFD_ERR);
        }
        counters.endBatch();
        host.irqEnable(HostPoint.AFTER_IRQ_ENABLE);
        if (fast != FASTPATH_NONE) return null;
        return handleExit(reason);
    }

    /** kvm_load_xfeatures: guest or host XCR0/XSS, only when guest CR4.OSXSAVE and only what differs. */
    private void loadXfeatures(boolean guest) {
        if (regs.cr4ReadBits(CR4_OSXSAVE) == 0) return;
        long gx = v.xstate.xcr0();
        if (gx != host.xcr0) {
            cpu.xsetbv(guest ? gx : host.xcr0);
            cycles.add(SwitchOp.XSETBV);
        }
        long gs = v.xstate.xss();
        if (v.xstate.cpuidXsaves() && gs != host.xss) {
            cpu.writeXss(guest ? gs : host.xss);
            cycles.add(SwitchOp.WRMSR_XSS);
        }
        host.setGuestXstateLoaded(guest && (gx != host.xcr0 || (v.xstate.cpuidXsaves() && gs != host.xss)));
    }

    private boolean pkruSwitched() {
        return host.hasPku() && ((v.xstate.xcr0() & Xfeatures.PKRU) != 0 || regs.cr4ReadBits(CR4_PKE) != 0);
    }

    private void loadGuestPkru() {
        if (pkruSwitched() && v.xstate.pkru() != (host.pkru & 0xFFFF_FFFFL)) {
            cpu.wrpkru((int) v.xstate.pkru());
            cycles.add(SwitchOp.WRPKRU);
        }
    }

    private void saveGuestPkru() {
        if (!pkruSwitched()) return;
        v.xstate.setPkru(cpu.rdpkru());
        cycles.add(SwitchOp.RDPKRU);
        if (v.xstate.pkru() != (host.pkru & 0xFFFF_FFFFL)) {
            cpu.wrpkru(host.pkru);
            cycles.add(SwitchOp.WRPKRU);
        }
    }

    /** vmx_vcpu_run's core: write back dirty state, swap GPRs, VM-entry, VM-exit, swap back. */
    private int enterAndExit() {
        long vw = regs.vmwrites();
        regs.flushDirty();
        cycles.add(SwitchOp.VMWRITE, (int) (regs.vmwrites() - vw));
        long[] g = gprs;
        for (int i = 0; i < 16; i++) if (i != 4) cpu.setGpr(i, g[i]);
        cycles.add(SwitchOp.GPR_MOVE, 15);
        boolean egprs = v.egprsLive();
        if (egprs) {
            for (int i = 16; i < 32; i++) cpu.setGpr(i, g[i]);
            cycles.add(SwitchOp.EGPR_PAIR_MOVE, 8);
        }
        long budget = v.instructions.entryBudget(instructionsLeft);
        long mcAfter = host.events().machineCheckAfter();
        if (mcAfter > 0) cpu.injectMachineCheck(mcAfter);
        if (host.events().machineCheckOnEntry()) cpu.machineCheckOnEntry();
        if (entryObserver != null) entryObserver.beforeEntry(cpu, lastExitWasMc);
        long vr = regs.vmreads();
        int reason = cpu.enter(vmcs, budget);
        v.instructions.add(cpu.lastRetired());
        cycles.add(SwitchOp.VM_ROUNDTRIP);
        if (TRACE) {
            System.err.printf("vcpu%d exit %s rip=%x qual=%x intr=%x%n", v.id(), ExitReason.name(reason),
                vmcs.read(VmcsField.GUEST_RIP), vmcs.read(VmcsField.EXIT_QUALIFICATION), vmcs.read(VmcsField.VM_EXIT_INTR_INFO));
        }
        for (int i = 0; i < 16; i++) if (i != 4) g[i] = cpu.gpr(i);
        cycles.add(SwitchOp.GPR_MOVE, 15);
        if (egprs) {
            for (int i = 16; i < 32; i++) {
                g[i] = cpu.gpr(i);
                cpu.setGpr(i, 0);
            }
            cycles.add(SwitchOp.EGPR_PAIR_MOVE, 8);
        }
        regs.afterExit();
        lastExitWasMc = isMachineCheck(reason);
        if (reason == budgetReason && instructionsLeft > 0) {
            instructionsLeft = -1;
        } else if (instructionsLeft > 0) {
            instructionsLeft = Math.max(1, instructionsLeft - Math.max(1, cpu.lastRetired()));
        }
        cycles.add(SwitchOp.VMREAD, (int) (regs.vmreads() - vr));
        return reason;
    }

    private boolean isMachineCheck(int reason) {
        if ((reason & 0xFFFF) == ExitReason.MACHINE_CHECK) return true;
        if (reason != ExitReason.EXCEPTION_NMI) return false;
        long info = vmcs.read(VmcsField.VM_EXIT_INTR_INFO);
        return (info & 0xFF) == 18 && ((info >> 8) & 7) == Vmcs.INTR_TYPE_HARD_EXCEPTION;
    }

    private boolean isNmFault(int reason) {
        if (reason != ExitReason.EXCEPTION_NMI) return false;
        long info = vmcs.read(VmcsField.VM_EXIT_INTR_INFO);
        return (info & 0xFF) == 7 && ((info >> 8) & 7) == Vmcs.INTR_TYPE_HARD_EXCEPTION;
    }

    /** vmx_handle_exit_irqoff: #MC (unless the test-only switch handled it in the fastpath) and #NM's XFD_ERR. */
    private void handleExitIrqoff(int reason) {
        if (!mcInFastpath && isMachineCheck(reason)) host.machineCheck("handle_exit_irqoff");
        if (isNmFault(reason)) {
            GuestFpu fpu = v.fpu;
            if (fpu.xfd() != 0 && regs.cr0ReadBits(CR0_TS) == 0) {
                fpu.setXfdErr(cpu.xfdErr());
                cycles.add(SwitchOp.RDMSR_XFD_ERR);
            }
        }
    }

    // ================================================================== fastpath

    private void skipInstruction() {
        long len = vmcs.read(VmcsField.VM_EXIT_INSTRUCTION_LEN);
        regs.ripWrite(regs.ripRead() + len);
        v.instructions.add(1); // KVM retires it for the guest (kvm_skip_emulated_instruction)
        // An instruction that completes ends STI/MOV SS blocking.
        long intr = vmcs.read(VmcsField.GUEST_INTERRUPTIBILITY_INFO);
        if ((intr & 3) != 0) vmcs.write(VmcsField.GUEST_INTERRUPTIBILITY_INFO, intr & ~3L);
    }

    private int handleFastpath(int reason) {
        switch (reason) {
            case ExitReason.INVD -> {
                skipInstruction();
                return FASTPATH_REENTER;
            }
            case ExitReason.MSR_WRITE -> {
                int msr = (int) regs.gprReadRaw(Gpr.RCX);
                LocalApic apic = v.lapic();
                if (apic == null) return FASTPATH_NONE;
                long data = (regs.gprReadRaw(Gpr.RAX) & 0xFFFF_FFFFL) | regs.gprReadRaw(Gpr.RDX) << 32;
                if (msr == SoftMsrs.TSC_DEADLINE && apic.timerMode() == ApicReg.TIMER_TSC_DEADLINE) {
                    apic.writeTscDeadline(data);
                    skipInstruction();
                    return apic.checkTimer() ? FASTPATH_HANDLED : FASTPATH_REENTER;
                }
                if (msr == SoftMsrs.X2APIC_ICR && apic.isX2apic() && ((data >> 8) & 7) == ApicReg.DM_FIXED
                    && ((data >> 18) & 3) == 0 && (data & (1 << 11)) == 0 && (data & 0xFF) >= 16) {
                    if (!apic.x2apicWrite(msr, data)) return FASTPATH_NONE;
                    apic.flushIpi();
                    skipInstruction();
                    return apic.eventPending() ? FASTPATH_HANDLED : FASTPATH_REENTER;
                }
                return FASTPATH_NONE;
            }
            case ExitReason.HLT -> {
                // HLT retires, so an STI shadow ends with it: only RFLAGS.IF decides.
                if ((regs.rflagsRead() & RFLAGS_IF) != 0 && interruptPending()) {
                    skipInstruction();
                    return FASTPATH_HANDLED;
                }
                return FASTPATH_NONE;
            }
            default -> { return FASTPATH_NONE; }
        }
    }

    // ================================================================== events

    private boolean interruptible() {
        long intr = vmcs.read(VmcsField.GUEST_INTERRUPTIBILITY_INFO);
        return (regs.rflagsRead() & RFLAGS_IF) != 0 && (intr & 3) == 0;
    }

    /** An interrupt the APIC or PIC presents and the guest can take now. */
    private boolean interruptPendingAndAllowed() {
        return interruptible() && interruptPending();
    }

    private boolean interruptPending() {
        LocalApic a = v.lapic();
        if (a != null) {
            a.checkTimer();
            return a.hasInterrupt() >= 0 || (v.pendingExternalVector() >= 0 && a.acceptsPicInterrupt());
        }
        return queuedExtInt >= 0;
    }

    private boolean readyForInjection() {
        if (!interruptible()) return false;
        LocalApic a = v.lapic();
        if (a == null) return queuedExtInt < 0;
        return a.acceptsPicInterrupt() && v.pendingExternalVector() < 0;
    }

    /** inject_pending_event: exception, NMI, then an interrupt, or ask for a window. */
    private void injectPendingEvents() {
        injectedExtInt = -1;
        long entryInfo = 0;
        int errorCode = 0;
        LocalApic a = v.lapic();
        if (a != null) {
            a.clearEventPending();
            a.checkTimer();
            if (a.takeNmi()) v.setNmiPending(true);
        }
        if (v.pendingException() >= 0) {
            int vec = v.pendingException();
            int ec = v.pendingExceptionError();
            entryInfo = Vmcs.intrInfo(vec, Vmcs.INTR_TYPE_HARD_EXCEPTION, ec >= 0);
            errorCode = Math.max(ec, 0);
            v.clearPendingException();
        } else if (v.nmiPending() && (vmcs.read(VmcsField.GUEST_INTERRUPTIBILITY_INFO) & (Vmcs.BLOCKING_BY_NMI | 3)) == 0) {
            entryInfo = Vmcs.intrInfo(2, Vmcs.INTR_TYPE_NMI, false);
            v.setNmiPending(false);
        }
        boolean wantWindow = false;
        if (entryInfo == 0) {
            int vec = -1;
            boolean avail;
            if (a != null) {
                int av = a.hasInterrupt();
                boolean pic = v.pendingExternalVector() >= 0 && a.acceptsPicInterrupt();
                avail = av >= 0 || pic;
                if (avail && interruptible()) {
                    if (pic) {
                        vec = v.pendingExternalVector();
                        v.clearPendingExternalVector();
                    } else {
                        vec = av;
                        a.ackInterrupt(av);
                    }
                }
            } else {
                avail = queuedExtInt >= 0;
                if (avail && interruptible()) {
                    vec = queuedExtInt;
                    queuedExtInt = -1;
                }
            }
            if (vec >= 0) {
                entryInfo = Vmcs.intrInfo(vec, Vmcs.INTR_TYPE_EXT_INTR, false);
                injectedExtInt = vec;
            } else if (avail) {
                wantWindow = true;
            }
        }
        if (v.requestIrqWindow()) wantWindow = true;
        if (entryInfo != 0) {
            vmcs.write(VmcsField.VM_ENTRY_INTR_INFO_FIELD, entryInfo);
            vmcs.write(VmcsField.VM_ENTRY_EXCEPTION_ERROR_CODE, errorCode);
            if (vmcs.read(VmcsField.GUEST_ACTIVITY_STATE) == Vmcs.ACTIVITY_HLT) vmcs.write(VmcsField.GUEST_ACTIVITY_STATE, Vmcs.ACTIVITY_ACTIVE);
        }
        if (wantWindow) vmcs.setBits(VmcsField.CPU_BASED_VM_EXEC_CONTROL, Vmcs.CPU_INTR_WINDOW_EXITING);
        else vmcs.clearBits(VmcsField.CPU_BASED_VM_EXEC_CONTROL, Vmcs.CPU_INTR_WINDOW_EXITING);
    }

    private static final VcpuExit CONTINUE = new VcpuExit.Interrupted();

    /** APs in wait-for-SIPI; INIT and SIPI processing (kvm_apic_accept_events). */
    private VcpuExit handleMpState() {
        LocalApic a = v.lapic();
        if (a == null) return null;
        if (a.takeInit()) {
            v.initReset();
            v.setMpStateInternal(org.jkvm.api.Vcpu.MP_STATE_INIT_RECEIVED);
        }
        int mp = v.getMpState();
        if (mp == org.jkvm.api.Vcpu.MP_STATE_INIT_RECEIVED || mp == org.jkvm.api.Vcpu.MP_STATE_UNINITIALIZED) {
            int sipi = a.takeSipi();
            if (sipi >= 0 && mp == org.jkvm.api.Vcpu.MP_STATE_INIT_RECEIVED) {
                vmcs.setSegment(1, sipi << 8, (long) sipi << 12, 0xFFFF, 0x9B);
                regs.ripWrite(0);
                v.setMpStateInternal(org.jkvm.api.Vcpu.MP_STATE_RUNNABLE);
                return null;
            }
            VcpuExit w = waitForEvent(Long.MAX_VALUE);
            return w != null ? w : CONTINUE;
        }
        return null;
    }

    /** Blocks the vCPU thread until an APIC event, a kick or {@code deadlineNs}. */
    private VcpuExit waitForEvent(long deadlineNs) {
        LocalApic a = v.lapic();
        synchronized (v) {
            while (!v.kickPending() && !a.eventPending() && !(v.pendingExternalVector() >= 0 && a.acceptsPicInterrupt())) {
                long now = System.nanoTime();
                long until = Math.min(deadlineNs, a.timerDeadlineNs());
                if (until <= now) break;
                long wait = Math.min(until - now, 50_000_000L);
                try {
                    v.wait(wait / 1_000_000, (int) (wait % 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return new VcpuExit.Interrupted();
                }
            }
        }
        if (v.kickPending()) {
            v.consumeKick();
            return new VcpuExit.Interrupted();
        }
        return null;
    }

    // ================================================================== full exit handling

    private VcpuExit handleExit(int reason) {
        host.irqsEnabledPoint(HostPoint.EXIT_HANDLER);
        if ((reason & ExitReason.FAILED_VMENTRY) != 0) {
            if ((reason & 0xFFFF) == ExitReason.MACHINE_CHECK) return null;
            return new VcpuExit.FailEntry(reason & 0xFFFF, v.id());
        }
        if (reason == budgetReason) {
            v.instructions.takeExhausted();
            return new VcpuExit.Interrupted();
        }
        switch (reason) {
            case ExitReason.EXCEPTION_NMI -> { return handleException(); }
            case ExitReason.EXTERNAL_INTERRUPT, ExitReason.MACHINE_CHECK -> { return null; }
            case ExitReason.TRIPLE_FAULT -> { return new VcpuExit.Shutdown(); }
            case ExitReason.INTERRUPT_WINDOW -> {
                vmcs.clearBits(VmcsField.CPU_BASED_VM_EXEC_CONTROL, Vmcs.CPU_INTR_WINDOW_EXITING);
                if (v.requestIrqWindow() && readyForInjection()) {
                    v.setReadyForInjection(true);
                    return new VcpuExit.IrqWindowOpen();
                }
                return null;
            }
            case ExitReason.CPUID -> {
                int fn = (int) regs.gprReadRaw(Gpr.RAX), idx = (int) regs.gprReadRaw(Gpr.RCX);
                v.cpuid().query(fn, idx, cpuidOut);
                regs.gprWriteRaw(Gpr.RAX, cpuidOut[0] & 0xFFFF_FFFFL);
                regs.gprWriteRaw(Gpr.RBX, cpuidOut[1] & 0xFFFF_FFFFL);
                regs.gprWriteRaw(Gpr.RCX, cpuidOut[2] & 0xFFFF_FFFFL);
                regs.gprWriteRaw(Gpr.RDX, cpuidOut[3] & 0xFFFF_FFFFL);
                skipInstruction();
                return null;
            }
            case ExitReason.HLT -> { return handleHlt(); }
            case ExitReason.INVD, ExitReason.WBINVD -> {
                skipInstruction();
                return null;
            }
            case ExitReason.VMCALL -> {
                regs.gprWriteRaw(Gpr.RAX, -1000L); // -KVM_ENOSYS: no hypercalls offered
                skipInstruction();
                return null;
            }
            case ExitReason.MSR_READ -> {
                int msr = (int) regs.gprReadRaw(Gpr.RCX);
                Long val = msrs.read(msr, false);
                if (val == null) {
                    v.queueException(13, 0);
                    return null;
                }
                regs.gprWriteRaw(Gpr.RAX, val & 0xFFFF_FFFFL);
                regs.gprWriteRaw(Gpr.RDX, val >>> 32);
                skipInstruction();
                return null;
            }
            case ExitReason.MSR_WRITE -> {
                int msr = (int) regs.gprReadRaw(Gpr.RCX);
                long data = (regs.gprReadRaw(Gpr.RAX) & 0xFFFF_FFFFL) | regs.gprReadRaw(Gpr.RDX) << 32;
                if (!msrs.write(msr, data, false)) {
                    v.queueException(13, 0);
                    return null;
                }
                skipInstruction();
                return null;
            }
            case ExitReason.XSETBV -> { return handleXsetbv(); }
            case ExitReason.CR_ACCESS -> { return handleCrAccess(); }
            case ExitReason.IO_INSTRUCTION -> { return handleIo(); }
            case ExitReason.EPT_VIOLATION -> { return handleMmio(); }
            default -> {
                return new VcpuExit.InternalError(VcpuExit.InternalError.UNEXPECTED_EXIT_REASON,
                    new long[] {reason, vmcs.read(VmcsField.EXIT_QUALIFICATION)}, "unexpected VM-exit " + ExitReason.name(reason));
            }
        }
    }

    private VcpuExit handleException() {
        long info = vmcs.read(VmcsField.VM_EXIT_INTR_INFO);
        int vector = (int) (info & 0xFF);
        int type = (int) (info >> 8) & 7;
        if (type == Vmcs.INTR_TYPE_NMI) return null;
        if (vector == 18) return null; // handled in the IRQ-off path; the guest resumes
        if (vector == 7) {
            // #NM intercepted for XFD: reflect it into the guest (XFD_ERR was saved with IRQs off).
            v.queueException(7, -1);
            return null;
        }
        int ec = (info & Vmcs.INTR_INFO_DELIVER_CODE) != 0 ? (int) vmcs.read(VmcsField.VM_EXIT_INTR_ERROR_CODE) : -1;
        v.queueException(vector, ec);
        return null;
    }

    private VcpuExit handleHlt() {
        skipInstruction();
        LocalApic a = v.lapic();
        if (a == null) return new VcpuExit.Hlt();
        for (;;) {
            if (interruptPendingAndAllowed() || v.nmiPending()) return null;
            if ((regs.rflagsRead() & RFLAGS_IF) == 0) {
                // Nothing but an NMI or INIT could wake it: tell user space (a VMM ends the run here).
                return new VcpuExit.Hlt();
            }
            VcpuExit w = waitForEvent(a.timerDeadlineNs());
            if (w != null) return w;
            a.checkTimer();
            if (a.takeInit()) {
                a.setEventPending();
                // re-queue the INIT for handleMpState
                a.accept(ApicReg.DM_INIT, 0, true, false);
                return null;
            }
        }
    }

    private VcpuExit handleXsetbv() {
        if (v.guestCpl() != 0) {
            v.queueException(13, 0);
            return null;
        }
        int index = (int) regs.gprReadRaw(Gpr.RCX);
        long value = (regs.gprReadRaw(Gpr.RAX) & 0xFFFF_FFFFL) | regs.gprReadRaw(Gpr.RDX) << 32;
        if (!v.xstate.setXcr(index, value)) {
            v.queueException(13, 0);
            return null;
        }
        v.updateCpuidRuntime();
        skipInstruction();
        return null;
    }

    private VcpuExit handleCrAccess() {
        long q = regs.exitInfo1();
        int cr = (int) (q & 0xF), type = (int) (q >> 4) & 3, reg = (int) (q >> 8) & 0xF;
        LocalApic a = v.lapic();
        if (cr == 4 && type == 0) {
            long val = regs.gprReadRaw(Gpr.of(reg));
            if ((val & ~cr4ValidBits()) != 0) {
                v.queueException(13, 0);
                return null;
            }
            regs.cr4Write(val);
            vmcs.write(VmcsField.CR4_READ_SHADOW, val & CR4_HOST_OWNED);
            v.updateCpuidRuntime();
            skipInstruction();
            return null;
        }
        if (cr == 8 && a != null) {
            if (type == 0) a.setCr8(regs.gprReadRaw(Gpr.of(reg)));
            else regs.gprWriteRaw(Gpr.of(reg), a.cr8());
            skipInstruction();
            return null;
        }
        return new VcpuExit.InternalError(VcpuExit.InternalError.UNEXPECTED_EXIT_REASON, new long[] {q}, "unexpected CR access 0x" + Long.toHexString(q));
    }

    private VcpuExit handleIo() {
        long q = regs.exitInfo1();
        int size = (int) (q & 7) + 1;
        boolean in = (q & 8) != 0, string = (q & 16) != 0;
        int port = (int) (q >>> 16) & 0xFFFF;
        MemorySegment data = runData.asSlice(0, size);
        if (string) {
            // One element per exit: the CPU reported the OUTS element in EXIT_ACCESS_DATA and advances rSI/rDI/rCX
            // when the element completes; a REP form exits again for the next one.
            if (in) data.fill((byte) 0);
            else {
                long val = vmcs.read(VmcsField.EXIT_ACCESS_DATA);
                for (int i = 0; i < size; i++) data.set(ValueLayout.JAVA_BYTE, i, (byte) (val >>> (8 * i)));
            }
            pendingIo = IO_STRING;
            pendingIoSize = size;
            return new VcpuExit.Io(in, port, size, 1, data);
        }
        if (in) {
            data.fill((byte) 0);
            pendingIo = IO_IN;
        } else {
            long val = regs.gprReadRaw(Gpr.RAX);
            for (int i = 0; i < size; i++) data.set(ValueLayout.JAVA_BYTE, i, (byte) (val >>> (8 * i)));
            pendingIo = IO_OUT;
        }
        pendingIoSize = size;
        return new VcpuExit.Io(in, port, size, 1, data);
    }

    private VcpuExit handleMmio() {
        long gpa = vmcs.read(VmcsField.GUEST_PHYSICAL_ADDRESS);
        long q = regs.exitInfo1();
        boolean write = (q & 2) != 0;
        int size = (int) vmcs.read(VmcsField.EXIT_ACCESS_SIZE);
        if ((q & 4) != 0) {
            return new VcpuExit.InternalError(VcpuExit.InternalError.EMULATION, new long[] {gpa}, "instruction fetch from MMIO 0x" + Long.toHexString(gpa));
        }
        LocalApic a = v.lapic();
        if (a != null && !a.isX2apic() && a.hwEnabled() && (gpa & ~0xFFFL) == a.mmioBase()) {
            int off = (int) (gpa & 0xFFF);
            if (write) {
                a.mmioWrite(off, (int) vmcs.read(VmcsField.EXIT_ACCESS_DATA));
                a.flushIpi();
            } else {
                long val = (a.mmioRead(off & ~3) & 0xFFFF_FFFFL) >>> (8 * (off & 3));
                cpu.completeMmioRead(gpa, size, val);
            }
            return null;
        }
        MemorySegment data = runData.asSlice(0, size);
        if (write) {
            long val = vmcs.read(VmcsField.EXIT_ACCESS_DATA);
            for (int i = 0; i < size; i++) data.set(ValueLayout.JAVA_BYTE, i, (byte) (val >>> (8 * i)));
            pendingIo = MMIO_WRITE;
        } else {
            data.fill((byte) 0);
            pendingIo = MMIO_READ;
            pendingMmioGpa = gpa;
        }
        pendingIoSize = size;
        return new VcpuExit.Mmio(gpa, size, write, data);
    }

    /** complete_userspace_io: an IN's data into RAX and the instruction skipped; an MMIO read's data to the CPU. */
    private void completeUserspaceIo() {
        switch (pendingIo) {
            case IO_IN -> {
                long val = 0;
                for (int i = 0; i < pendingIoSize; i++) val |= (runData.get(ValueLayout.JAVA_BYTE, i) & 0xFFL) << (8 * i);
                long rax = regs.gprReadRaw(Gpr.RAX);
                long nv = switch (pendingIoSize) {
                    case 1 -> (rax & ~0xFFL) | val;
                    case 2 -> (rax & ~0xFFFFL) | val;
                    default -> val & 0xFFFF_FFFFL;
                };
                regs.gprWriteRaw(Gpr.RAX, nv);
                skipInstruction();
            }
            case IO_OUT -> skipInstruction();
            case IO_STRING -> {
                long val = 0;
                for (int i = 0; i < pendingIoSize; i++) val |= (runData.get(ValueLayout.JAVA_BYTE, i) & 0xFFL) << (8 * i);
                // The CPU completes the element on the physical register file and the VMCS: sync both ways.
                regs.flushDirty();
                long[] g = gprs;
                for (int i = 0; i < 16; i++) if (i != 4) cpu.setGpr(i, g[i]);
                cpu.completeIo(val);
                for (int i = 0; i < 16; i++) if (i != 4) g[i] = cpu.gpr(i);
                regs.afterExit();
            }
            case MMIO_READ -> {
                long val = 0;
                for (int i = 0; i < pendingIoSize; i++) val |= (runData.get(ValueLayout.JAVA_BYTE, i) & 0xFFL) << (8 * i);
                cpu.completeMmioRead(pendingMmioGpa, pendingIoSize, val);
            }
            default -> { }
        }
        pendingIo = IO_NONE;
    }
}
