package org.jkvm.cpu.exec;

import static org.jkvm.cpu.exec.Flags.*;
import static org.jkvm.cpu.vmx.VmcsField.*;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import org.jkvm.cpu.fault.Fault;
import org.jkvm.cpu.mem.PhysicalMemory;
import org.jkvm.cpu.vmx.Vmcs;
import org.jkvm.cpu.vmx.VmcsField;

/**
 * The physical CPU's engine: all architectural state plus the VMX guest-mode run loop (VM entry: load and
 * check the guest state, inject an event; run; VM exit: store the guest state and the exit information).
 * {@link org.jkvm.cpu.vmx.PhysicalCpu} is its public face.
 */
public final class Core extends ApxOps implements org.jkvm.cpu.xstate.XContext {
    /** The extended-state unit's view the interpreter needs (XCR0, PKRU, the SIMD/XSAVE instructions). */
    public interface Extended {
        long xcr0();

        int pkru();

        void wrpkru(int v);

        long xgetbv(int index);

        Long rdmsr(int msr);

        boolean wrmsr(int msr, long v);

        /** Executes an x87/SSE/AVX/AMX/XSAVE instruction; {@code u.payload} is the decoded instruction. */
        void execute(Core core, Uop u);
    }

    /** The features of the physical CPU model: instructions of features it lacks are #UD (set by PhysicalCpu). */
    public java.util.function.Predicate<org.jkvm.isa.CpuFeature> features = f -> true;

    private final Translator translator;
    private Extended ext;
    private Vmcs vmcs;
    final ConcurrentHashMap<String, LongAdder> unimplemented = new ConcurrentHashMap<>();

    public Core(PhysicalMemory pmem, Extended ext) {
        super(pmem);
        this.ext = ext;
        this.translator = new Translator(this);
        segAr[LDTR] = 0x10000;
        segAr[TR] = 0x8B;
        segLimit[TR] = 0xFFFF;
        for (int s = 0; s < 6; s++) {
            segLimit[s] = 0xFFFF;
            segAr[s] = s == CS ? 0x9B : 0x93;
        }
        segSel[CS] = 0xF000;
        segBase[CS] = 0xFFFF_0000L;
        rip = 0xFFF0;
        idtrLimit = 0xFFFF;
        gdtrLimit = 0xFFFF;
        updateMode();
    }

    public void setExtended(Extended ext) {
        this.ext = ext;
    }

    // ---------------------------------------------------------------- hooks

    @Override
    protected void translate(Block b) {
        translator.translate(b);
    }

    @Override
    protected long xcr0() {
        return ext.xcr0();
    }

    @Override
    protected int pkru() {
        return ext.pkru();
    }

    @Override
    protected void wrpkru(int v) {
        ext.wrpkru(v);
    }

    @Override
    protected long xgetbv(int index) {
        return ext.xgetbv(index);
    }

    @Override
    protected Long extRdmsr(int msr) {
        return ext.rdmsr(msr);
    }

    @Override
    protected boolean extWrmsr(int msr, long v) {
        return ext.wrmsr(msr, v);
    }

    @Override
    protected void execExtended(Uop u) {
        ext.execute(this, u);
    }

    @Override
    protected void countUnimplemented(String name) {
        unimplemented.computeIfAbsent(name, k -> new LongAdder()).increment();
    }

    public java.util.Map<String, Long> unimplementedCounts() {
        java.util.TreeMap<String, Long> m = new java.util.TreeMap<>();
        unimplemented.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    @Override
    protected boolean ioExits(int port, int size) {
        int c = cpuControls;
        if ((c & Vmcs.CPU_USE_IO_BITMAPS) != 0) return vmcs.ioBitmap().exits(port, size);
        return (c & Vmcs.CPU_UNCOND_IO_EXITING) != 0;
    }

    @Override
    protected boolean msrExits(int msr, boolean write) {
        if ((cpuControls & Vmcs.CPU_USE_MSR_BITMAPS) == 0) return true;
        return write ? vmcs.msrBitmap().exitsOnWrite(msr) : vmcs.msrBitmap().exitsOnRead(msr);
    }

    @Override
    protected boolean cr3Target(long v) {
        int n = (int) Math.min(4, vmcs.read(CR3_TARGET_COUNT));
        for (int i = 0; i < n; i++) if (vmcs.read(VmcsField.values()[CR3_TARGET_VALUE0.ordinal() + i]) == v) return true;
        return false;
    }

    // ---------------------------------------------------------------- guest mode

    /** Machine-check hook: raise #MC when the retired count reaches this value (-1: none). */
    public long mcAt = -1;
    /** Raise the machine check as a failed VM entry (exit 41) on the next entry instead. */
    public boolean mcOnEntry;
    long timerDeadline = Long.MAX_VALUE;
    long shadowAt = -1;
    /** A host interrupt (vector) is pending for this CPU; with external-interrupt exiting it exits. */
    public volatile int hostInterrupt = -1;

    /** VM entry with {@code v}: runs the guest until a VM exit and returns the basic exit reason. */
    public int enter(Vmcs v) {
        // another VMCS's state leaves the registers first (unless another CPU has taken it over since)
        if (held != null && held != v && held.liveIn() == liveView) held.release();
        this.vmcs = v;
        checkMemoryGeneration();
        pkruChanged(); // the hypervisor may have switched PKRU since the last exit
        ramEpoch++; // guest RAM may have been written from outside: re-check block bytes once (Interpreter.sameBytes)
        clearExitInfo();
        if (mcOnEntry) {
            mcOnEntry = false;
            return failEntry(41);
        }
        boolean ok;
        if (v.liveIn() == liveView && (v.dirtyFields() & ~QUICK_ENTRY_FIELDS) == 0) {
            ok = quickLoadGuest(v);
        } else {
            v.release();
            held = null;
            ok = loadGuest(v);
        }
        if (!ok) return failEntry(33);
        guestMode = true;
        int reason;
        try {
            reason = injectAndRun(v);
        } finally {
            guestMode = false;
        }
        storeGuest(v, reason);
        return reason;
    }

    /** The VMCS whose guest state these registers hold since its last exit (see {@link Vmcs#liveIn()}). */
    private Vmcs held;
    /** The guest's RSP while the host's is in r[4] (between an exit and the next entry). */
    private long guestRsp;

    /** Guest-state fields a re-entry can load one by one; a write to any other one reloads everything. */
    private static final long QUICK_ENTRY_FIELDS = 1L << GUEST_RIP.ordinal() | 1L << GUEST_RSP.ordinal()
        | 1L << GUEST_RFLAGS.ordinal() | 1L << GUEST_INTERRUPTIBILITY_INFO.ordinal()
        | 1L << GUEST_ACTIVITY_STATE.ordinal();

    /**
     * Re-entry of the VMCS these registers still hold: only the fields the hypervisor wrote since the exit are
     * loaded and checked; everything else is already in place.
     */
    private boolean quickLoadGuest(Vmcs v) {
        long d = v.dirtyFields();
        long fl = 0;
        int act = 0;
        if ((d & 1L << GUEST_RFLAGS.ordinal()) != 0) {
            fl = v.stored(GUEST_RFLAGS);
            if (!validRflags(fl)) return false;
        }
        if ((d & 1L << GUEST_ACTIVITY_STATE.ordinal()) != 0) {
            act = (int) v.stored(GUEST_ACTIVITY_STATE);
            if (!validActivity(act)) return false;
        }
        if ((d & 1L << GUEST_RIP.ordinal()) != 0) rip = v.stored(GUEST_RIP);
        if ((d & 1L << GUEST_RSP.ordinal()) != 0) guestRsp = v.stored(GUEST_RSP);
        if ((d & 1L << GUEST_RFLAGS.ordinal()) != 0) {
            setFlagsRaw(fl);
            updateMode(); // RFLAGS.VM
            selectTlb();
        }
        if ((d & 1L << GUEST_INTERRUPTIBILITY_INFO.ordinal()) != 0) {
            loadInterruptibility((int) v.stored(GUEST_INTERRUPTIBILITY_INFO));
        }
        if ((d & 1L << GUEST_ACTIVITY_STATE.ordinal()) != 0) halted = act == 1;
        hostRsp = r[4];
        r[4] = guestRsp;
        loadControls(v);
        return true;
    }

    /** The guest RFLAGS checks of VM entry: bit 1 set, reserved bits (and bits 3, 5, 15) clear. */
    private static boolean validRflags(long fl) {
        return (fl & 2) != 0 && (fl & 0xFFFF_FFFF_FFC0_8028L) == 0;
    }

    /** Activity states this CPU enters: active and HLT. */
    private static boolean validActivity(int act) {
        return act == 0 || act == 1;
    }

    /** GUEST_INTERRUPTIBILITY_INFO: STI/MOV SS blocking (bits 1:0) and NMI blocking (bit 3). */
    private void loadInterruptibility(int intr) {
        interruptShadow = intr & 3;
        nmiBlocked = (intr & 8) != 0;
    }

    /** Execution controls and the per-entry values worked out at every entry. */
    private void loadControls(Vmcs v) {
        shadowAt = interruptShadow != 0 ? retired : -1;
        pendingDr6 = v.read(GUEST_PENDING_DBG_EXCEPTIONS);
        pinControls = v.read32(PIN_BASED_VM_EXEC_CONTROL);
        cpuControls = v.read32(CPU_BASED_VM_EXEC_CONTROL);
        secControls = (cpuControls & Vmcs.CPU_ACTIVATE_SECONDARY_CONTROLS) != 0 ? v.read32(SECONDARY_VM_EXEC_CONTROL) : 0;
        exceptionBitmap = v.read32(EXCEPTION_BITMAP);
        pfecMask = v.read32(PAGE_FAULT_ERROR_CODE_MASK);
        pfecMatch = v.read32(PAGE_FAULT_ERROR_CODE_MATCH);
        cr0Mask = v.read(CR0_GUEST_HOST_MASK);
        cr4Mask = v.read(CR4_GUEST_HOST_MASK);
        cr0Shadow = v.read(CR0_READ_SHADOW);
        cr4Shadow = v.read(CR4_READ_SHADOW);
        tscOffset = v.read(TSC_OFFSET);
        xssExitBitmap = v.read(XSS_EXIT_BITMAP);
        timerDeadline = (pinControls & Vmcs.PIN_PREEMPTION_TIMER) != 0
            ? retired + (v.read(VMX_PREEMPTION_TIMER_VALUE) & 0xFFFF_FFFFL) : Long.MAX_VALUE;
    }

    /** {@link Vmcs.LiveGuestState}: a guest-state field's value as the exit would have stored it. */
    long liveGuestField(VmcsField f) {
        return switch (f) {
            case GUEST_CR0 -> cr0;
            case GUEST_CR3 -> cr3;
            case GUEST_CR4 -> cr4;
            case GUEST_IA32_EFER -> efer;
            case GUEST_ES_SELECTOR, GUEST_CS_SELECTOR, GUEST_SS_SELECTOR, GUEST_DS_SELECTOR, GUEST_FS_SELECTOR,
                 GUEST_GS_SELECTOR, GUEST_LDTR_SELECTOR, GUEST_TR_SELECTOR ->
                segSel[f.ordinal() - GUEST_ES_SELECTOR.ordinal()];
            case GUEST_ES_BASE, GUEST_CS_BASE, GUEST_SS_BASE, GUEST_DS_BASE, GUEST_FS_BASE, GUEST_GS_BASE,
                 GUEST_LDTR_BASE, GUEST_TR_BASE -> segBase[f.ordinal() - GUEST_ES_BASE.ordinal()];
            case GUEST_ES_LIMIT, GUEST_CS_LIMIT, GUEST_SS_LIMIT, GUEST_DS_LIMIT, GUEST_FS_LIMIT, GUEST_GS_LIMIT,
                 GUEST_LDTR_LIMIT, GUEST_TR_LIMIT -> segLimit[f.ordinal() - GUEST_ES_LIMIT.ordinal()] & 0xFFFF_FFFFL;
            case GUEST_ES_AR_BYTES, GUEST_CS_AR_BYTES, GUEST_SS_AR_BYTES, GUEST_DS_AR_BYTES, GUEST_FS_AR_BYTES,
                 GUEST_GS_AR_BYTES, GUEST_LDTR_AR_BYTES, GUEST_TR_AR_BYTES ->
                segAr[f.ordinal() - GUEST_ES_AR_BYTES.ordinal()] & 0xFFFF_FFFFL;
            case GUEST_GDTR_BASE -> gdtrBase;
            case GUEST_GDTR_LIMIT -> gdtrLimit & 0xFFFF;
            case GUEST_IDTR_BASE -> idtrBase;
            case GUEST_IDTR_LIMIT -> idtrLimit & 0xFFFF;
            case GUEST_DR7 -> dr[7];
            case GUEST_IA32_DEBUGCTL -> debugctl;
            case GUEST_IA32_PAT -> pat;
            case GUEST_SYSENTER_CS -> sysenterCs;
            case GUEST_SYSENTER_ESP -> sysenterEsp;
            case GUEST_SYSENTER_EIP -> sysenterEip;
            case GUEST_PDPTR0, GUEST_PDPTR1, GUEST_PDPTR2, GUEST_PDPTR3 -> pdpte[f.ordinal() - GUEST_PDPTR0.ordinal()];
            case GUEST_RSP -> guestRsp;
            case GUEST_RIP -> rip;
            case GUEST_RFLAGS -> flags();
            case GUEST_INTERRUPTIBILITY_INFO -> interruptShadow | (nmiBlocked ? 8 : 0); // as loadInterruptibility reads it
            case GUEST_ACTIVITY_STATE -> halted ? 1 : 0;
            default -> throw new IllegalArgumentException(f + " is not live guest state");
        };
    }

    private void clearExitInfo() {
        exitReason = -1;
        exitQualification = exitGpa = exitGla = exitAccessData = 0;
        exitAccessSize = exitInstrLen = exitIntrInfo = exitIntrError = idtVectoringInfo = idtVectoringError = 0;
        deliveringInfo = 0;
    }

    private int failEntry(int reason) {
        vmcs.write(VM_EXIT_REASON, reason | 0x8000_0000L);
        vmcs.write(EXIT_QUALIFICATION, 0);
        return reason;
    }

    private boolean loadGuest(Vmcs v) {
        long nCr0 = v.read(GUEST_CR0), nCr4 = v.read(GUEST_CR4), nEfer = v.read(GUEST_IA32_EFER);
        boolean ia32e = v.test(VM_ENTRY_CONTROLS, Vmcs.ENTRY_IA32E_MODE);
        long fl = v.read(GUEST_RFLAGS);
        if ((nCr0 & CR0_PG) != 0 && (nCr0 & CR0_PE) == 0) return false;
        if ((nCr4 & ~cr4Valid) != 0) return false;
        if (ia32e && ((nCr0 & CR0_PG) == 0 || (nCr4 & CR4_PAE) == 0)) return false;
        if (!validRflags(fl)) return false;
        int csAr = v.read32(GUEST_CS_AR_BYTES);
        if (ia32e && (csAr & 0x2000) != 0 && (csAr & 0x4000) != 0) return false;
        int act = v.read32(GUEST_ACTIVITY_STATE);
        if (!validActivity(act)) return false;
        // compare the values as they will be loaded (ET forced, LME/LMA from the entry control), so that an
        // entry that changes nothing keeps the TLB and the translated blocks
        long ldCr0 = nCr0 | CR0_ET, ldEfer = ia32e ? nEfer | 0x500 : nEfer & ~0x400L;
        boolean tlbAffecting = cr0 != ldCr0 || cr4 != nCr4 || cr3 != v.read(GUEST_CR3) || efer != ldEfer;
        cr0 = ldCr0;
        cr3 = v.read(GUEST_CR3);
        cr4 = nCr4;
        efer = ldEfer;
        if (!ia32e && (nEfer & 0x100) != 0 && (nCr0 & CR0_PG) != 0) return false;
        for (int s = 0; s < 8; s++) {
            segSel[s] = v.read32(Vmcs.selectorField(s)) & 0xFFFF;
            segBase[s] = v.read(Vmcs.baseField(s));
            segLimit[s] = v.read32(Vmcs.limitField(s));
            segAr[s] = v.read32(Vmcs.arField(s));
        }
        gdtrBase = v.read(GUEST_GDTR_BASE);
        gdtrLimit = v.read32(GUEST_GDTR_LIMIT);
        idtrBase = v.read(GUEST_IDTR_BASE);
        idtrLimit = v.read32(GUEST_IDTR_LIMIT);
        dr[7] = v.read(GUEST_DR7);
        debugctl = v.read(GUEST_IA32_DEBUGCTL);
        pat = v.read(GUEST_IA32_PAT);
        sysenterCs = v.read(GUEST_SYSENTER_CS);
        sysenterEsp = v.read(GUEST_SYSENTER_ESP);
        sysenterEip = v.read(GUEST_SYSENTER_EIP);
        for (int i = 0; i < 4; i++) pdpte[i] = v.read(Vmcs.pdptrField(i));
        hostRsp = r[4];
        r[4] = v.read(GUEST_RSP);
        rip = v.read(GUEST_RIP);
        setFlagsRaw(fl);
        loadInterruptibility(v.read32(GUEST_INTERRUPTIBILITY_INFO));
        halted = act == 1;
        loadControls(v);
        updateMode();
        selectTlb();
        if (tlbAffecting) flushTlb();
        return true;
    }

    long hostRsp;

    /**
     * VM exit: the exit information and the two fields the exit computes are written; the rest of the guest
     * state stays in the registers and the VMCS reads it from there ({@link Vmcs#makeLive}).
     */
    private void storeGuest(Vmcs v, int reason) {
        long ctl = v.read(VM_ENTRY_CONTROLS);
        v.write(VM_ENTRY_CONTROLS, lma() ? ctl | Vmcs.ENTRY_IA32E_MODE : ctl & ~Vmcs.ENTRY_IA32E_MODE);
        guestRsp = r[4];
        r[4] = hostRsp;
        v.write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
        if ((pinControls & Vmcs.PIN_PREEMPTION_TIMER) != 0 && v.test(VM_EXIT_CONTROLS, Vmcs.EXIT_SAVE_PREEMPTION_TIMER))
            v.write(VMX_PREEMPTION_TIMER_VALUE, Math.max(0, timerDeadline - retired));
        v.write(VM_EXIT_REASON, reason);
        v.write(EXIT_QUALIFICATION, exitQualification);
        v.write(VM_EXIT_INSTRUCTION_LEN, exitInstrLen);
        v.write(VM_EXIT_INTR_INFO, exitIntrInfo);
        v.write(VM_EXIT_INTR_ERROR_CODE, exitIntrError);
        v.write(IDT_VECTORING_INFO_FIELD, idtVectoringInfo);
        v.write(IDT_VECTORING_ERROR_CODE, idtVectoringError);
        v.write(GUEST_PHYSICAL_ADDRESS, exitGpa);
        v.write(GUEST_LINEAR_ADDRESS, exitGla);
        v.write(EXIT_ACCESS_SIZE, exitAccessSize);
        v.write(EXIT_ACCESS_DATA, exitAccessData);
        v.clearBits(VM_ENTRY_INTR_INFO_FIELD, Vmcs.INTR_INFO_VALID);
        v.makeLive(liveView);
        held = v;
    }

    private final Vmcs.LiveGuestState liveView = this::liveGuestField;

    private int injectAndRun(Vmcs v) {
        int info = v.read32(VM_ENTRY_INTR_INFO_FIELD);
        try {
            if ((info & Vmcs.INTR_INFO_VALID) != 0) {
                int vector = info & 0xFF, type = (info >>> 8) & 7;
                int ec = (info & Vmcs.INTR_INFO_DELIVER_CODE) != 0 ? v.read32(VM_ENTRY_EXCEPTION_ERROR_CODE) : -1;
                long next = rip + v.read32(VM_ENTRY_INSTRUCTION_LEN);
                halted = false;
                if (type == 3 && vector == 14) pendingCr2 = cr2;
                deliverEvent(vector, type, ec, next, false);
                if (type == 0 || type == 2) interruptShadow = 0;
            }
        } catch (ExitSignal e) {
            return exitDuringDelivery();
        }
        return runGuest();
    }

    /** An exit (MMIO, triple fault...) that cut short an event's delivery reports it as IDT-vectoring info. */
    private int exitDuringDelivery() {
        if (deliveringInfo != 0 && idtVectoringInfo == 0 && exitReason != 2) {
            idtVectoringInfo = deliveringInfo;
            idtVectoringError = deliveringError;
        }
        deliveringInfo = 0;
        return exitReason;
    }

    /** The guest run loop: events at instruction boundaries, blocks, faults; returns an exit reason. */
    int runGuest() {
        while (true) {
            try {
                int ev = checkEvents();
                if (ev >= 0) return ev;
                stopAt = Math.min(timerDeadline, mcAt >= 0 ? mcAt : Long.MAX_VALUE);
                boolean tf = (rflags & TF) != 0;
                long before = retired;
                try {
                    runBlocks();
                } finally {
                    if (interruptShadow != 0) {
                        if (shadowAt < 0) shadowAt = retired;
                        else if (retired > shadowAt) { interruptShadow = 0; shadowAt = -1; }
                    }
                    if (retired > before) mmioDoneCount = 0;
                }
                if (exitPending) {
                    exitPending = false;
                    if (exitReason == -1) continue;
                    mmioWritePending = false;
                    return exitDuringDelivery();
                }
                if (mmioWritePending) {
                    mmioWritePending = false;
                    exitReason = 48;
                    exitQualification = 2 | 0x80 | 0x100;
                    exitGpa = mmioWriteGpa;
                    exitGla = mmioWriteGla;
                    exitAccessSize = mmioWriteSize;
                    exitAccessData = mmioWriteData;
                    exitInstrLen = 0;
                    return 48;
                }
                if (tf && retired > before) {
                    pendingDr6 = 0x4000;
                    dr[6] |= 0x4000;
                    deliverEvent(1, 3, -1, rip, true);
                }
            } catch (ExitSignal e) {
                if (exitReason == -1) continue; // a restartable instruction yielded to the event check
                if (mmioWritePending) mmioWritePending = false;
                return exitDuringDelivery();
            } catch (Fault f) {
                try {
                    if (f.vector == Fault.PF) pendingCr2 = f.cr2;
                    deliverEvent(f.vector, 3, f.errorCode, rip, true);
                } catch (ExitSignal e) {
                    return exitDuringDelivery();
                }
            } catch (RuntimeException bug) {
                // an internal error must not take the VMM down: the instruction becomes a #UD in the guest and
                // is counted (visible in the unimplemented-instruction statistics) with the Java exception
                countUnimplemented("internal error: " + bug);
                try {
                    deliverEvent(Fault.UD, 3, -1, rip, true);
                } catch (ExitSignal e) {
                    return exitDuringDelivery();
                }
            }
        }
    }

    /** Event checks at an instruction boundary; returns an exit reason or -1 to keep running. */
    private int checkEvents() {
        if (mcAt >= 0 && retired >= mcAt) {
            mcAt = -1;
            halted = false;
            mcgStatus |= 4; // MCIP
            deliverEvent(Fault.MC, 3, -1, rip, true);
        }
        if (kickPending && timeExpired) {
            kickPending = false;
            timeExpired = false;
            exitReason = 52;
            return 52;
        }
        if (kickPending) {
            kickPending = false;
            int vec = hostInterrupt;
            hostInterrupt = -1;
            if (vec >= 0 || kickExits) {
                kickExits = false;
                exitReason = 1;
                exitIntrInfo = vec >= 0 ? Vmcs.intrInfo(vec, Vmcs.INTR_TYPE_EXT_INTR, false) : 0;
                return 1;
            }
        }
        if (retired >= timerDeadline) {
            exitReason = 52;
            return 52;
        }
        boolean ifOn = (rflags & IF) != 0;
        if ((cpuControls & Vmcs.CPU_INTR_WINDOW_EXITING) != 0 && ifOn && interruptShadow == 0) {
            exitReason = 7;
            return 7;
        }
        if ((cpuControls & Vmcs.CPU_NMI_WINDOW_EXITING) != 0 && !nmiBlocked && (interruptShadow & 2) == 0) {
            exitReason = 8;
            return 8;
        }
        if (halted) {
            if (timerDeadline != Long.MAX_VALUE) {
                // the timer runs down while the CPU is halted, but nothing retires: it expires now
                timerDeadline = retired;
                exitReason = 52;
                return 52;
            }
            while (!kickPending) LockSupport.parkNanos(1_000_000L);
            return checkEvents();
        }
        return -1;
    }

    /** A time quantum ran out (PhysicalCpu.enterFor): the next event check exits with PREEMPTION_TIMER. */
    public volatile boolean timeExpired;

    public void expireQuantum() {
        timeExpired = true;
        kickPending = true;
        Thread t = runner;
        if (t != null) LockSupport.unpark(t);
    }

    /** The next kick exits even without a host interrupt vector (KVM's kick: an IPI to the CPU). */
    public volatile boolean kickExits;
    public volatile Thread runner;

    public void kick(int vector) {
        if (vector >= 0) hostInterrupt = vector;
        kickExits = true;
        kickPending = true;
        Thread t = runner;
        if (t != null) LockSupport.unpark(t);
    }

    /** Supplies the data of the MMIO read that caused the last EPT-violation exit; the next entry retries. */
    public void completeMmioRead(long gpa, int size, long value) {
        if (mmioDoneCount == mmioDoneGpa.length) mmioDoneCount = 0;
        mmioDoneGpa[mmioDoneCount] = gpa;
        mmioDoneSize[mmioDoneCount] = size;
        mmioDoneVal[mmioDoneCount] = size == 8 ? value : value & ((1L << (size * 8)) - 1);
        mmioDoneCount++;
    }

    public long retired() {
        return retired;
    }

    // ---------------------------------------------------------------- for the extended-state unit

    public long xssExitBitmap;

    /** The linear address of the uop's memory operand. */
    public long effectiveAddress(Uop u) {
        return ea(u);
    }

    /** Makes {@code u} cause VM exit {@code reason} (throw the result). */
    public RuntimeException vmExit(Uop u, int reason, long qualification) {
        return exit(u, reason, qualification);
    }

    /** Counts {@code u} as known-but-unimplemented and raises #UD. */
    public void unimplemented(Uop u) {
        countUnimplemented(u.name);
        throw Fault.ud();
    }

    @Override public long cr0() { return cr0; }

    @Override public long cr4() { return cr4; }

    @Override public int cpl() { return cpl; }

    @Override public boolean long64() { return long64; }

    @Override public long get(int n) { return r[n]; }

    @Override public void set(int n, long value) { r[n] = value; }

}
