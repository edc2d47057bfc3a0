package org.jkvm.vmm.machine;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import org.jkvm.api.Hypervisor;
import org.jkvm.api.InstructionBudget;
import org.jkvm.api.KvmException;
import org.jkvm.api.Vcpu;
import org.jkvm.api.Vm;
import org.jkvm.api.exit.VcpuExit;
import org.jkvm.api.uabi.KvmDtable;
import org.jkvm.api.uabi.KvmRegs;
import org.jkvm.api.uabi.KvmSegment;
import org.jkvm.api.uabi.KvmSregs;
import org.jkvm.vmm.bus.Clock;
import org.jkvm.vmm.bus.IoBus;
import org.jkvm.vmm.bus.MmioBus;
import org.jkvm.vmm.bus.Snapshottable;
import org.jkvm.vmm.bus.Timed;
import org.jkvm.vmm.bus.UnknownAccessLog;
import org.jkvm.vmm.devices.CmosRtc;
import org.jkvm.vmm.devices.DebugExit;
import org.jkvm.vmm.devices.FwCfg;
import org.jkvm.vmm.devices.IoApic;
import org.jkvm.vmm.devices.PciHost;
import org.jkvm.vmm.devices.PicPair;
import org.jkvm.vmm.devices.Pit8254;
import org.jkvm.vmm.devices.PmTimer;
import org.jkvm.vmm.devices.Serial16550;
import org.jkvm.vmm.devices.SystemControlPort;
import org.jkvm.vmm.loader.BootState;
import org.jkvm.vmm.trace.Tracer;

/**
 * The pc machine: guest RAM, the device set of machine.md on an I/O port bus and an MMIO bus, and one vCPU
 * (the vCPU list and all state are per instance, so more vCPUs need no global changes). The local APIC lives
 * in the backend (KVM_CREATE_IRQCHIP with a split irqchip); the PIC reaches the vCPU as ExtINT through
 * KVM_INTERRUPT, the I/O APIC through KVM_SIGNAL_MSI.
 *
 * <p>Threads: the caller of {@link #run()} drives the vCPU; a timer thread fires device timers, the timeout and
 * the idle check; a stdin thread feeds the UART. Device state is only touched with {@link #lock} held; the
 * vCPU runs without it.
 */
public final class Machine implements AutoCloseable {
    /** How long a vCPU may stay inside the backend before the VMM looks whether it halted with IF=0. */
    static final long IDLE_CHECK_NANOS = 200_000_000L;
    static final long RFLAGS_IF = 1L << 9;

    final Object lock = new Object();
    private final MachineConfig config;
    private final Hypervisor hv;
    private final Vm vm;
    private final List<Vcpu> vcpus = new ArrayList<>();
    private final GuestMemory mem;
    private final IoBus io;
    private final MmioBus mmio;
    private final Clock clock;
    private final Tracer tracer;
    private final PrintStream log;
    private final boolean lapicInBackend;

    private final Serial16550 serial;
    private final DebugExit debugExit = new DebugExit();
    private final PicPair pic;
    private final Pit8254 pit;
    private final IoApic ioapic;
    private final SnapshotTrigger snapshotTrigger;
    private final List<Snapshottable> stateful = new ArrayList<>();
    private final List<Timed> timed = new ArrayList<>();

    private volatile Thread vcpuThread;
    private volatile boolean canKick = true;
    /** Why the VMM kicked the vCPU (checked when run() returns Interrupted). */
    private volatile Outcome pendingStop;
    private volatile boolean idleKick;
    private boolean snapshotPending;
    private boolean snapshotAtTaken;
    /** The VMM asked for the next Interrupted (so it is not a backend's own budget running out). */
    private volatile boolean kicked;
    private volatile long runEnteredAt = -1;
    private boolean irqEvent;
    private volatile boolean stopped;
    private long timeoutAt = Long.MAX_VALUE;
    private SnapshotHook snapshotHook;
    private Thread timerThread, stdinThread;
    private final ExitTally tally = new ExitTally();

    /** Called at a quiescent point (no I/O pending, lock held) to save a snapshot. */
    @FunctionalInterface
    public interface SnapshotHook {
        void save(Machine m) throws IOException, KvmException;
    }

    private Machine(Hypervisor hv, MachineConfig config, long clockStart) throws KvmException {
        this.hv = hv;
        this.config = config;
        this.tracer = config.tracer();
        this.log = config.log();
        this.clock = Clock.host(clockStart);
        MemoryMap map = new MemoryMap(config.ramSize());
        this.mem = new GuestMemory(map);
        UnknownAccessLog unknown = new UnknownAccessLog(line -> { if (log != null) log.println("jkvm: " + line); });
        this.io = new IoBus(unknown);
        this.mmio = new MmioBus(unknown);

        Vm vmTmp = null;
        try {
            vmTmp = hv.createVm();
            setUpVm(vmTmp, map);
        } catch (KvmException | RuntimeException e) {
            release(vmTmp, vcpus, mem);
            throw e;
        }
        this.vm = vmTmp;
        this.lapicInBackend = splitIrqchip;


        // Devices. Interrupt routing first, since devices raise lines into it.
        this.ioapic = new IoApic(this::signalMsi);
        this.pic = new PicPair(this::interruptRaised);
        IsaIrqRouter irqs = new IsaIrqRouter(pic, ioapic, this::interruptRaised);
        this.serial = new Serial16550(Serial16550.COM1_BASE, irqs.line(Serial16550.COM1_IRQ), config.serialOut());
        this.pit = new Pit8254(clock, irqs.line(Pit8254.IRQ), lock::notifyAll);
        SystemControlPort port61 = new SystemControlPort(pit, clock);
        CmosRtc cmos = new CmosRtc(clock, map.lowRam(), map.highRam(), System.currentTimeMillis() / 1000);
        FwCfg fwcfg = new FwCfg(map.ramSize(), vcpus.size(), vcpus.size(), config.cmdline());
        PciHost pci = new PciHost();
        PmTimer pm = new PmTimer(clock);
        this.snapshotTrigger = new SnapshotTrigger(true);

        io.register(Serial16550.COM1_BASE, 8, traced(serial));
        io.register(DebugExit.BASE, DebugExit.LENGTH, traced(debugExit));
        io.register(FwCfg.SELECTOR, 2, traced(fwcfg));
        io.register(PicPair.MASTER, 2, traced(pic));
        io.register(PicPair.SLAVE, 2, traced(pic));
        io.register(PicPair.ELCR, 2, traced(pic));
        io.register(Pit8254.BASE, Pit8254.LENGTH, traced(pit));
        io.register(SystemControlPort.PORT, 1, traced(port61));
        io.register(CmosRtc.INDEX, 2, traced(cmos));
        io.register(PmTimer.PORT, PmTimer.LENGTH, traced(pm));
        io.register(PciHost.ADDRESS, 8, traced(pci));
        io.register(SnapshotTrigger.PORT, 1, traced(snapshotTrigger));
        mmio.register(IoApic.BASE, IoApic.SIZE, ioapic);

        stateful.addAll(List.of(serial, pic, pit, port61, cmos, fwcfg, pci, ioapic));
        timed.add(pit);
    }

    private boolean splitIrqchip;

    private void setUpVm(Vm v, MemoryMap map) throws KvmException {
        v.setUserMemoryRegion(0, 0, 0, mem.low());
        if (map.highRam() > 0) v.setUserMemoryRegion(1, 0, MemoryMap.FOUR_GIB, mem.high());
        try {
            v.createSplitIrqchip();
            splitIrqchip = true;
        } catch (KvmException e) {
            splitIrqchip = false;
            note("backend has no local APIC (" + e.getMessage() + "): PIC interrupts only");
        }
        try {
            hv.requestGuestPermission(Hypervisor.XFEATURE_XTILEDATA);
        } catch (KvmException | RuntimeException e) {
            // No AMX here: the guest simply does not get XTILEDATA.
        }
        Vcpu vcpu = v.createVcpu(0);
        vcpus.add(vcpu);
        vcpu.setCpuid2(hv.supportedCpuid());
    }

    /** Builds a machine on an opened backend. The caller loads an image (or a snapshot) before {@link #run()}. */
    public static Machine create(Hypervisor hv, MachineConfig config) throws KvmException {
        return new Machine(hv, config, 0);
    }

    /** For a restore: the machine clock continues from {@code clockNanos}. */
    public static Machine create(Hypervisor hv, MachineConfig config, long clockNanos) throws KvmException {
        return new Machine(hv, config, clockNanos);
    }

    /** Releases what a constructor that failed half-way had already acquired. */
    private static void release(Vm vm, List<Vcpu> vcpus, GuestMemory mem) {
        for (Vcpu v : vcpus) v.close();
        if (vm != null) vm.close();
        mem.close();
    }

    private org.jkvm.vmm.bus.IoDevice traced(org.jkvm.vmm.bus.IoDevice d) {
        if (!tracer.io()) return d;
        return new org.jkvm.vmm.bus.IoDevice() {
            @Override
            public int in(int port, int size) {
                int v = d.in(port, size);
                tracer.io(String.format("io in  0x%04x size %d -> 0x%x", port, size, v));
                return v;
            }

            @Override
            public void out(int port, int size, int value) {
                tracer.io(String.format("io out 0x%04x size %d <- 0x%x", port, size, value));
                d.out(port, size, value);
            }
        };
    }

    private void note(String s) {
        if (log != null) log.println("jkvm: " + s);
    }

    public GuestMemory memory() { return mem; }

    public Vcpu vcpu() { return vcpus.get(0); }

    public List<Vcpu> vcpus() { return List.copyOf(vcpus); }

    public Hypervisor hypervisor() { return hv; }

    public MachineConfig config() { return config; }

    public long clockNanos() { return clock.nanos(); }

    public boolean lapicInBackend() { return lapicInBackend; }

    /** Device state, in a fixed order (the snapshot format relies on the names, not the order). */
    public List<Snapshottable> devices() { return List.copyOf(stateful); }

    public IoBus ioBus() { return io; }

    public MmioBus mmioBus() { return mmio; }

    public Serial16550 serial() { return serial; }

    public void setSnapshotHook(SnapshotHook hook) { this.snapshotHook = hook; }

    /** The exits user space saw in this run. */
    public ExitTally exitTally() { return tally; }

    // ---- interrupts ----

    private void signalMsi(long address, int data) {
        try {
            vm.signalMsi(address, data);
        } catch (KvmException e) {
            note(String.format("MSI 0x%x/0x%x not delivered: %s", address, data, e.getMessage()));
        }
        interruptRaised();
    }

    /** A line went up: wake a waiting HLT, and let the vCPU thread inject (kick it out of the backend). */
    private void interruptRaised() {
        irqEvent = true;
        lock.notifyAll();
        if (Thread.currentThread() != vcpuThread && vcpuThread != null && pic.hasInterrupt()) kick();
    }

    private void kick() {
        if (!canKick) return;
        kicked = true;
        try {
            vcpu().kick();
        } catch (UnsupportedOperationException e) {
            canKick = false;
            note("backend cannot kick a running vCPU: timers and --timeout act at the next exit only");
        }
    }

    private void injectPic(Vcpu v) throws KvmException {
        if (pic.hasInterrupt()) {
            if (v.readyForInterruptInjection()) {
                int vector = pic.acknowledge();
                v.interrupt(vector);
                if (tracer.io()) tracer.io(String.format("pic inject vector 0x%02x", vector));
                v.requestInterruptWindow(pic.hasInterrupt());
            } else {
                v.requestInterruptWindow(true);
            }
        } else {
            v.requestInterruptWindow(false);
        }
    }

    /** Restores state with the machine lock held (device loads may re-arm timers). */
    public interface Restore {
        void apply(Machine m) throws IOException, KvmException, org.jkvm.vmm.snapshot.SnapshotFormatException;
    }

    public void restore(Restore r) throws IOException, KvmException, org.jkvm.vmm.snapshot.SnapshotFormatException {
        synchronized (lock) {
            r.apply(this);
        }
    }

    // ---- boot ----

    /** Puts vCPU 0 in the image's entry state. */
    public void boot(BootState b) throws KvmException {
        Vcpu v = vcpu();
        KvmSregs s = v.getSregs();
        boolean lm = b.longMode();
        KvmSegment code = new KvmSegment(0, 0xFFFFFFFF, BootState.CODE_SELECTOR, 0xB, true, 0, !lm, true, lm, true, false, false);
        KvmSegment data = new KvmSegment(0, 0xFFFFFFFF, BootState.DATA_SELECTOR, 0x3, true, 0, true, true, false, true, false, false);
        long cr0 = 0x11; // PE | ET
        long cr4 = 0, efer = 0;
        if (lm) {
            cr0 |= 0x80000000L | 0x10000 | 0x20 | 0x2; // PG | WP | NE | MP
            cr4 = 0x20 | 0x200 | 0x400;                 // PAE | OSFXSR | OSXMMEXCPT
            efer = 0x500;                               // LME | LMA
        }
        s = s.withCs(code).withDataSegments(data).withSs(data).withGdt(new KvmDtable(b.gdtBase(), b.gdtLimit()))
            .withIdt(new KvmDtable(0, 0)).withCr0(cr0).withCr3(b.cr3()).withCr4(cr4).withEfer(efer);
        v.setSregs(s);
        v.setRegs(new KvmRegs(b.rax(), b.rbx(), 0, 0, b.rsi(), b.rdi(), b.rsp(), 0,
            0, 0, 0, 0, 0, 0, 0, 0, b.rip(), 0x2));
    }

    // ---- the run loop ----

    /** Runs until the guest ends the run (or a limit or error does); returns how it ended. */
    public Outcome run() {
        vcpuThread = Thread.currentThread();
        if (config.timeoutNanos() > 0) timeoutAt = clock.nanos() + config.timeoutNanos();
        startThreads();
        try {
            return loop(vcpu());
        } finally {
            stopped = true;
            synchronized (lock) {
                lock.notifyAll();
            }
            serial.flush();
            tracer.flush();
            if (timerThread != null) timerThread.interrupt();
        }
    }

    private Outcome loop(Vcpu v) {
        long inRun = 0;
        InstructionBudget budget = v instanceof InstructionBudget b ? b : null;
        long budgetTarget = -1;
        while (true) {
            VcpuExit exit;
            try {
                synchronized (lock) {
                    injectPic(v);
                }
                if (budget != null) {
                    long target = nextInstructionTarget();
                    if (target != budgetTarget) {
                        budgetTarget = target;
                        budget.setInstructionBudget(target == 0 ? 0 : Math.max(1, target - budget.instructionsRetired()));
                    }
                }
                long t0 = System.nanoTime();
                runEnteredAt = clock.nanos();
                exit = v.run();
                runEnteredAt = -1;
                inRun = System.nanoTime() - t0;
            } catch (KvmException e) {
                return new Outcome(70, "KVM_RUN failed: " + e.getMessage());
            }
            long t1 = System.nanoTime();
            synchronized (lock) {
                Outcome o;
                try {
                    o = handle(v, exit);
                } catch (KvmException e) {
                    o = new Outcome(70, "vCPU state access failed: " + e.getMessage());
                } catch (IOException e) {
                    o = new Outcome(74, e.getMessage());
                }
                tally.record(exit, inRun, System.nanoTime() - t1);
                if (o != null) return o;
            }
        }
    }

    private Outcome handle(Vcpu v, VcpuExit exit) throws KvmException, IOException {
        if (tracer.exits()) tracer.exit(describe(exit));
        switch (exit) {
            case VcpuExit.Io e -> {
                handleIo(e);
                int st = debugExit.requestedStatus();
                if (st >= 0) return new Outcome(st, null);
                if (snapshotTrigger.takeRequest()) requestSnapshot();
                return null;
            }
            case VcpuExit.Mmio e -> {
                handleMmio(e);
                return null;
            }
            case VcpuExit.Hlt h -> {
                return handleHlt(v);
            }
            case VcpuExit.IrqWindowOpen w -> {
                return null; // injection happens before the next run
            }
            case VcpuExit.Shutdown s -> {
                if (config.dumpOnTripleFault() && log != null) dumpRegisters(v, log);
                return new Outcome(Outcome.TRIPLE_FAULT_STATUS, "guest triple fault (shutdown)");
            }
            case VcpuExit.SystemEvent e -> {
                return switch (e.type()) {
                    case VcpuExit.SystemEvent.SHUTDOWN -> new Outcome(0, null);
                    case VcpuExit.SystemEvent.RESET -> new Outcome(0, "guest requested a reset; jkvm does not reboot");
                    default -> new Outcome(Outcome.TRIPLE_FAULT_STATUS, "guest crashed (system event " + e.type() + ")");
                };
            }
            case VcpuExit.FailEntry e -> {
                return new Outcome(70, String.format("VM entry failed (hardware reason 0x%x)", e.hardwareEntryFailureReason()));
            }
            case VcpuExit.InternalError e -> {
                if (config.dumpOnTripleFault() && log != null) dumpRegisters(v, log);
                return new Outcome(70, "backend internal error: " + (e.description() != null ? e.description()
                    : "suberror " + e.suberror()));
            }
            case VcpuExit.Interrupted i -> {
                return handleInterrupted(v);
            }
        }
    }

    private void handleIo(VcpuExit.Io e) {
        MemorySegment d = e.data();
        int size = e.size();
        for (int i = 0; i < e.count(); i++) {
            long off = (long) i * size;
            if (e.in()) {
                int val = io.in(e.port(), size);
                switch (size) {
                    case 1 -> d.set(ValueLayout.JAVA_BYTE, off, (byte) val);
                    case 2 -> d.set(ValueLayout.JAVA_SHORT_UNALIGNED, off, (short) val);
                    default -> d.set(ValueLayout.JAVA_INT_UNALIGNED, off, val);
                }
            } else {
                int val = switch (size) {
                    case 1 -> d.get(ValueLayout.JAVA_BYTE, off) & 0xFF;
                    case 2 -> d.get(ValueLayout.JAVA_SHORT_UNALIGNED, off) & 0xFFFF;
                    default -> d.get(ValueLayout.JAVA_INT_UNALIGNED, off);
                };
                io.out(e.port(), size, val);
                if (debugExit.requestedStatus() >= 0) return;
            }
        }
    }

    private void handleMmio(VcpuExit.Mmio e) {
        MemorySegment d = e.data();
        int len = Math.min(e.len(), 8);
        if (e.isWrite()) {
            long val = 0;
            for (int i = 0; i < len; i++) val |= (d.get(ValueLayout.JAVA_BYTE, i) & 0xFFL) << (8 * i);
            if (tracer.io()) tracer.io(String.format("mmio write 0x%x size %d <- 0x%x", e.physAddr(), len, val));
            mmio.write(e.physAddr(), len, val);
        } else {
            long val = mmio.read(e.physAddr(), len);
            if (tracer.io()) tracer.io(String.format("mmio read  0x%x size %d -> 0x%x", e.physAddr(), len, val));
            for (int i = 0; i < len; i++) d.set(ValueLayout.JAVA_BYTE, i, (byte) (val >>> (8 * i)));
        }
    }

    private Outcome handleHlt(Vcpu v) throws KvmException {
        KvmRegs r = v.getRegs();
        if ((r.rflags() & RFLAGS_IF) == 0) {
            // Nothing can wake it except an NMI, and nothing here sends NMIs: the run is over.
            return new Outcome(0, null);
        }
        // Wait for an interrupt source. The backend's local APIC may have its own (its timer), which the VMM
        // cannot see: then the wait is short and the vCPU re-enters to let the backend decide.
        long limit = lapicInBackend ? 1_000_000L : Long.MAX_VALUE;
        long until = clock.nanos() + limit;
        irqEvent = false;
        while (!pic.hasInterrupt() && !irqEvent && pendingStop == null && !stopped) {
            long wait = until - clock.nanos();
            if (wait <= 0) break;
            try {
                lock.wait(Math.max(1, wait / 1_000_000), 0);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return new Outcome(70, "interrupted");
            }
        }
        return pendingStop;
    }

    /** The next instruction count (from the machine's start) the vCPU must stop at; 0 for none. */
    private long nextInstructionTarget() {
        long t = 0;
        if (!snapshotAtTaken && config.snapshotAtInstructions() > 0) t = config.snapshotAtInstructions();
        long max = config.maxInstructions();
        if (max > 0 && (t == 0 || max < t)) t = max;
        return t;
    }

    private Outcome handleInterrupted(Vcpu v) throws KvmException, IOException {
        boolean ours = kicked;
        kicked = false;
        if (pendingStop != null) return pendingStop;
        if (v instanceof InstructionBudget b) {
            long retired = b.instructionsRetired();
            long at = config.snapshotAtInstructions();
            if (!snapshotAtTaken && at > 0 && retired >= at) {
                snapshotAtTaken = true;
                if (snapshotHook != null) snapshotHook.save(this);
            }
            long max = config.maxInstructions();
            if (max > 0 && retired >= max) {
                return new Outcome(Outcome.LIMIT_STATUS, "instruction limit reached: " + retired + " instructions retired");
            }
        } else if (config.maxInstructions() > 0 && !ours) {
            // A backend without exact counts got --max-instructions as a per-run budget: an Interrupted the VMM
            // did not ask for means a run used it up.
            return new Outcome(Outcome.LIMIT_STATUS, "instruction limit reached (" + config.maxInstructions()
                + " instructions in one run)");
        }
        if (snapshotPending) {
            snapshotPending = false;
            if (snapshotHook != null) snapshotHook.save(this);
        }
        if (idleKick) {
            idleKick = false;
            int mp;
            try {
                mp = v.getMpState();
            } catch (KvmException e) {
                mp = -1;
            }
            if (mp == Vcpu.MP_STATE_HALTED && (v.getRegs().rflags() & RFLAGS_IF) == 0) return new Outcome(0, null);
        }
        return null;
    }

    /** Stops the vCPU after the current exit completes, then calls the snapshot hook (vCPU thread only). */
    private void requestSnapshot() {
        if (snapshotHook == null) return;
        snapshotPending = true;
        kick();
        if (!canKick) {
            // Without immediate_exit the pending OUT cannot be completed first; refuse rather than save a state
            // that would replay the OUT on restore.
            snapshotPending = false;
            note("snapshot request ignored: this backend cannot complete an I/O exit without running the guest");
        }
    }

    /** Asks the vCPU to stop at the next opportunity and save a snapshot (e.g. an instruction-count trigger). */
    public void requestSnapshotFromVcpuThread() {
        requestSnapshot();
    }

    // ---- helper threads ----

    private void startThreads() {
        timerThread = Thread.ofPlatform().daemon().name("jkvm-timers").start(this::timerLoop);
        if (config.serialIn() != null) {
            stdinThread = Thread.ofPlatform().daemon().name("jkvm-stdin").start(this::stdinLoop);
        }
    }

    private void timerLoop() {
        synchronized (lock) {
            while (!stopped) {
                long now = clock.nanos();
                for (Timed t : timed) {
                    if (t.nextDeadline() <= now) t.advance(now);
                }
                if (now >= timeoutAt) {
                    timeoutAt = Long.MAX_VALUE;
                    if (pendingStop == null) {
                        pendingStop = new Outcome(Outcome.LIMIT_STATUS, String.format(
                            "timeout: the guest ran for %.3g s without finishing", config.timeoutNanos() / 1e9));
                    }
                    lock.notifyAll();
                    kick();
                }
                long entered = runEnteredAt;
                if (entered >= 0 && now - entered >= IDLE_CHECK_NANOS && !idleKick) {
                    idleKick = true;
                    kick();
                }
                long next = timeoutAt;
                for (Timed t : timed) next = Math.min(next, t.nextDeadline());
                next = Math.min(next, now + IDLE_CHECK_NANOS / 2);
                // Always wait (at least ~1 ms when something is overdue) so the vCPU thread can take the lock.
                long wait = Math.max(next - clock.nanos(), 1);
                try {
                    lock.wait(wait / 1_000_000, (int) (wait % 1_000_000));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private void stdinLoop() {
        byte[] buf = new byte[64];
        try {
            while (!stopped) {
                int n = config.serialIn().read(buf);
                if (n < 0) return;
                int off = 0;
                while (off < n && !stopped) {
                    synchronized (lock) {
                        int taken = serial.receive(buf, off, n - off);
                        off += taken;
                        if (off < n) lock.wait(10);
                    }
                }
            }
        } catch (IOException | InterruptedException e) {
            // stdin closed or the run ended
        }
    }

    // ---- diagnostics ----

    static String describe(VcpuExit exit) {
        return switch (exit) {
            case VcpuExit.Io e -> String.format("IO %s port 0x%04x size %d count %d", e.in() ? "in" : "out", e.port(), e.size(), e.count());
            case VcpuExit.Mmio e -> String.format("MMIO %s 0x%x len %d", e.isWrite() ? "write" : "read", e.physAddr(), e.len());
            case VcpuExit.Hlt h -> "HLT";
            case VcpuExit.IrqWindowOpen w -> "IRQ_WINDOW_OPEN";
            case VcpuExit.Shutdown s -> "SHUTDOWN";
            case VcpuExit.FailEntry e -> String.format("FAIL_ENTRY reason 0x%x", e.hardwareEntryFailureReason());
            case VcpuExit.Interrupted i -> "INTR";
            case VcpuExit.InternalError e -> "INTERNAL_ERROR " + e.suberror() + (e.description() != null ? " " + e.description() : "");
            case VcpuExit.SystemEvent e -> "SYSTEM_EVENT " + e.type();
        };
    }

    /** A register dump (for --on-triple-fault=dump). */
    public static void dumpRegisters(Vcpu v, PrintStream out) {
        try {
            KvmRegs r = v.getRegs();
            KvmSregs s = v.getSregs();
            out.printf("RAX=%016x RBX=%016x RCX=%016x RDX=%016x%n", r.rax(), r.rbx(), r.rcx(), r.rdx());
            out.printf("RSI=%016x RDI=%016x RBP=%016x RSP=%016x%n", r.rsi(), r.rdi(), r.rbp(), r.rsp());
            out.printf("R8 =%016x R9 =%016x R10=%016x R11=%016x%n", r.r8(), r.r9(), r.r10(), r.r11());
            out.printf("R12=%016x R13=%016x R14=%016x R15=%016x%n", r.r12(), r.r13(), r.r14(), r.r15());
            out.printf("RIP=%016x RFLAGS=%08x%n", r.rip(), r.rflags());
            for (String n : List.of("cs", "ss", "ds", "es", "fs", "gs", "tr", "ldt")) {
                KvmSegment g = switch (n) {
                    case "cs" -> s.cs(); case "ss" -> s.ss(); case "ds" -> s.ds(); case "es" -> s.es();
                    case "fs" -> s.fs(); case "gs" -> s.gs(); case "tr" -> s.tr(); default -> s.ldt();
                };
                out.printf("%-3s=%04x base=%016x limit=%08x type=%x%s%s%s%n", n.toUpperCase(), g.selector(), g.base(),
                    g.limit(), g.type(), g.present() ? " P" : "", g.l() ? " L" : "", g.db() ? " DB" : "");
            }
            out.printf("GDT=%016x/%x IDT=%016x/%x%n", s.gdt().base(), s.gdt().limit(), s.idt().base(), s.idt().limit());
            out.printf("CR0=%016x CR2=%016x CR3=%016x CR4=%016x EFER=%x%n", s.cr0(), s.cr2(), s.cr3(), s.cr4(), s.efer());
        } catch (KvmException e) {
            out.println("jkvm: cannot read registers: " + e.getMessage());
        }
        out.flush();
    }

    @Override
    public void close() {
        stopped = true;
        if (timerThread != null) timerThread.interrupt();
        if (stdinThread != null) stdinThread.interrupt();
        for (Vcpu v : vcpus) v.close();
        vm.close();
        mem.close();
    }
}
