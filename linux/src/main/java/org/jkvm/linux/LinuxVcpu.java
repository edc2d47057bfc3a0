package org.jkvm.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jkvm.api.Capability;
import org.jkvm.api.Errno;
import org.jkvm.api.KvmException;
import org.jkvm.api.Vcpu;
import org.jkvm.api.exit.VcpuExit;
import org.jkvm.api.uabi.KvmCpuid2;
import org.jkvm.api.uabi.KvmCpuidEntry2;
import org.jkvm.api.uabi.KvmFpu;
import org.jkvm.api.uabi.KvmLapicState;
import org.jkvm.api.uabi.KvmMsrEntry;
import org.jkvm.api.uabi.KvmMsrs;
import org.jkvm.api.uabi.KvmRegs;
import org.jkvm.api.uabi.KvmRun;
import org.jkvm.api.uabi.KvmSregs;
import org.jkvm.api.uabi.KvmVcpuEvents;
import org.jkvm.api.uabi.KvmXcrs;
import org.jkvm.api.uabi.KvmXsave;

/**
 * A /dev/kvm vCPU: its fd and its mmap'd kvm_run area. State calls marshal through a short-lived off-heap buffer;
 * KVM_RUN reuses one errno capture so the run loop allocates only the exit it returns. After {@link #close} the
 * kvm_run mapping is gone and every call fails with EBADF (or reads as idle), never touching unmapped memory.
 */
final class LinuxVcpu implements Vcpu {
    private final LinuxVm vm;
    private final int id;
    private final Fd fd;
    /** Owns the kvm_run mapping (munmap on close) and the run loop's errno capture. */
    private final Arena arena;
    private final KvmRun run;
    private final MemorySegment runCapture;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The thread id inside (or entering) KVM_RUN, 0 otherwise: where {@link #kick} sends its signal. */
    private volatile long runningTid;
    /** That thread, so close() can tell whether it is called from inside the run loop. */
    private volatile Thread runningThread;
    /** How long close() waits for a kicked KVM_RUN to return before it lets go of the vCPU anyway. */
    private static final long CLOSE_WAIT_NANOS = 2_000_000_000L;
    /** Orders kick()'s read-and-signal against run()'s reset-and-drain, so no kick signal outlives its Interrupted. */
    private final Object kickLock = new Object();
    /** The signal mask KVM_RUN was last given (KVM_SET_SIGNAL_MASK), or -1 before the first run. */
    private long runMask = -1;

    private LinuxVcpu(LinuxVm vm, int id, Fd fd, Arena arena, KvmRun run, MemorySegment runCapture) {
        this.vm = vm;
        this.id = id;
        this.fd = fd;
        this.arena = arena;
        this.run = run;
        this.runCapture = runCapture;
    }

    @SuppressWarnings("restricted") // giving the mmap'd kvm_run its size and its munmap
    static LinuxVcpu create(LinuxVm vm, int id, Fd fd, long mmapSize) throws KvmException {
        Arena arena = Arena.ofShared();
        try {
            if (mmapSize < KvmRun.SIZE) throw new KvmException(Errno.EIO, "KVM_GET_VCPU_MMAP_SIZE " + mmapSize + " < kvm_run");
            long addr = fd.mmapShared(mmapSize);
            MemorySegment area = MemorySegment.ofAddress(addr).reinterpret(mmapSize, arena, seg -> {
                try (Arena a = Arena.ofConfined()) {
                    LibC.munmap(LibC.newCapture(a), addr, mmapSize);
                }
            });
            return new LinuxVcpu(vm, id, fd, arena, new KvmRun(area), LibC.newCapture(arena));
        } catch (KvmException | RuntimeException e) {
            arena.close();
            fd.close();
            throw e;
        }
    }

    @Override
    public int id() { return id; }

    /** A GET ioctl into a fresh buffer of {@code size} bytes, handed to {@code reader}. */
    private <T> T get(Ioctl op, long size, Reader<T> reader) throws KvmException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(size, 8);
            fd.ioctl(op, buf.address());
            return reader.read(buf);
        }
    }

    /** A SET ioctl from the bytes {@code writer} puts into a zeroed buffer of {@code size} bytes. */
    private int set(Ioctl op, long size, Writer writer) throws KvmException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(size, 8);
            writer.write(buf);
            return fd.ioctl(op, buf.address());
        }
    }

    private interface Reader<T> { T read(MemorySegment s) throws KvmException; }

    private interface Writer { void write(MemorySegment s) throws KvmException; }

    private static <T> T nonNull(T v, String what) throws KvmException {
        if (v == null) throw new KvmException(Errno.EFAULT, what + " is null");
        return v;
    }

    @Override
    public KvmRegs getRegs() throws KvmException { return get(Ioctl.KVM_GET_REGS, KvmRegs.SIZE, KvmRegs::fromBytes); }

    @Override
    public void setRegs(KvmRegs regs) throws KvmException {
        nonNull(regs, "kvm_regs");
        set(Ioctl.KVM_SET_REGS, KvmRegs.SIZE, regs::write);
    }

    @Override
    public KvmSregs getSregs() throws KvmException { return get(Ioctl.KVM_GET_SREGS, KvmSregs.SIZE, KvmSregs::fromBytes); }

    @Override
    public void setSregs(KvmSregs sregs) throws KvmException {
        nonNull(sregs, "kvm_sregs");
        set(Ioctl.KVM_SET_SREGS, KvmSregs.SIZE, sregs::write);
    }

    @Override
    public KvmFpu getFpu() throws KvmException { return get(Ioctl.KVM_GET_FPU, KvmFpu.SIZE, KvmFpu::fromBytes); }

    @Override
    public void setFpu(KvmFpu fpu) throws KvmException {
        nonNull(fpu, "kvm_fpu");
        set(Ioctl.KVM_SET_FPU, KvmFpu.SIZE, fpu::write);
    }

    @Override
    public KvmXsave getXsave() throws KvmException {
        return get(Ioctl.KVM_GET_XSAVE, KvmXsave.LEGACY_SIZE, KvmXsave::fromBytes);
    }

    /** The uABI size the kernel reads/writes for this process now: KVM_CHECK_EXTENSION(KVM_CAP_XSAVE2) on the VM. */
    private int xsave2Size() throws KvmException {
        long size = vm.checkExtension(Capability.XSAVE2.number);
        return (int) Math.max(size, KvmXsave.LEGACY_SIZE);
    }

    @Override
    public KvmXsave getXsave2() throws KvmException {
        if (vm.checkExtension(Capability.XSAVE2.number) <= 0) return getXsave(); // kernel before KVM_CAP_XSAVE2
        int size = xsave2Size();
        // The kernel writes the vCPU's own uABI size (<= the capability); the rest of the buffer stays zero.
        return get(Ioctl.KVM_GET_XSAVE2, size, KvmXsave::fromBytes);
    }

    /**
     * KVM_SET_XSAVE copies the vCPU's uABI size from user space, which can exceed 4096 once AMX is enabled:
     * the buffer handed to the kernel is always the KVM_CAP_XSAVE2 size, zero-extended. A larger region (a snapshot
     * from a host with more XSAVE state) is accepted when everything past this host's size is zero, i.e. those
     * components are in their init state; otherwise it carries state this host cannot hold: EINVAL.
     */
    @Override
    public void setXsave(KvmXsave xsave) throws KvmException {
        nonNull(xsave, "kvm_xsave");
        int size = xsave2Size();
        if (xsave.size() > size) {
            byte[] r = xsave.region();
            for (int i = size; i < r.length; i++)
                if (r[i] != 0)
                    throw new KvmException(Errno.EINVAL, "kvm_xsave of " + xsave.size() + " bytes has state at offset "
                        + i + ", beyond this host's " + size);
            xsave = xsave.resized(size);
        }
        set(Ioctl.KVM_SET_XSAVE, size, xsave::write);
    }

    @Override
    public KvmXcrs getXcrs() throws KvmException { return get(Ioctl.KVM_GET_XCRS, KvmXcrs.SIZE, KvmXcrs::fromBytes); }

    @Override
    public void setXcrs(KvmXcrs xcrs) throws KvmException {
        nonNull(xcrs, "kvm_xcrs");
        set(Ioctl.KVM_SET_XCRS, KvmXcrs.SIZE, xcrs::write);
    }

    private static void checkMsrCount(List<KvmMsrEntry> entries) throws KvmException {
        nonNull(entries, "MSR list");
        if (entries.size() > KvmMsrs.MAX_ENTRIES)
            throw new KvmException(Errno.E2BIG, entries.size() + " MSRs in one call (at most " + KvmMsrs.MAX_ENTRIES + ")");
        for (KvmMsrEntry e : entries) nonNull(e, "MSR entry");
    }

    @Override
    public int getMsrs(List<KvmMsrEntry> entries) throws KvmException {
        checkMsrCount(entries);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(KvmMsrs.byteSize(entries.size()), 8);
            KvmMsrs.write(buf, entries);
            int n = fd.ioctl(Ioctl.KVM_GET_MSRS, buf.address());
            KvmMsrs.readData(buf, entries, Math.min(n, entries.size()));
            return n;
        }
    }

    @Override
    public int setMsrs(List<KvmMsrEntry> entries) throws KvmException {
        checkMsrCount(entries);
        return set(Ioctl.KVM_SET_MSRS, KvmMsrs.byteSize(entries.size()), s -> KvmMsrs.write(s, entries));
    }

    @Override
    public void setCpuid2(List<KvmCpuidEntry2> entries) throws KvmException {
        nonNull(entries, "CPUID list");
        for (KvmCpuidEntry2 e : entries) nonNull(e, "CPUID entry");
        if (entries.size() > KvmCpuid2.MAX_ENTRIES)
            throw new KvmException(Errno.E2BIG, entries.size() + " CPUID entries (at most " + KvmCpuid2.MAX_ENTRIES + ")");
        set(Ioctl.KVM_SET_CPUID2, KvmCpuid2.byteSize(entries.size()), s -> KvmCpuid2.write(s, entries));
    }

    @Override
    public List<KvmCpuidEntry2> getCpuid2(int maxEntries) throws KvmException {
        if (maxEntries < 0) throw new KvmException(Errno.EINVAL, "negative CPUID capacity " + maxEntries);
        int capacity = Math.min(maxEntries, KvmCpuid2.MAX_ENTRIES * 16);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(KvmCpuid2.byteSize(capacity), 8);
            KvmCpuid2.writeHeader(buf, capacity);
            fd.ioctl(Ioctl.KVM_GET_CPUID2, buf.address());
            return LinuxHypervisor.readCpuid(buf, capacity);
        }
    }

    @Override
    public KvmVcpuEvents getVcpuEvents() throws KvmException {
        return get(Ioctl.KVM_GET_VCPU_EVENTS, KvmVcpuEvents.SIZE, KvmVcpuEvents::fromBytes);
    }

    @Override
    public void setVcpuEvents(KvmVcpuEvents events) throws KvmException {
        nonNull(events, "kvm_vcpu_events");
        set(Ioctl.KVM_SET_VCPU_EVENTS, KvmVcpuEvents.SIZE, events::write);
    }

    @Override
    public void interrupt(int vector) throws KvmException {
        if (vector < 0 || vector > 255) throw new KvmException(Errno.EINVAL, "interrupt vector " + vector + " outside 0..255");
        set(Ioctl.KVM_INTERRUPT, KvmStructs.INTERRUPT.size(), s -> KvmStructs.INTERRUPT.field("irq").set(s, vector));
    }

    /** Ignored once closed (there is no kvm_run left to write). */
    @Override
    public void requestInterruptWindow(boolean request) {
        if (closed.get()) return;
        try {
            run.setRequestInterruptWindow(request);
        } catch (IllegalStateException closedMeanwhile) {
            // closed by another thread between the check and the write: nothing to request any more
        }
    }

    /** False once closed. */
    @Override
    public boolean readyForInterruptInjection() {
        if (closed.get()) return false;
        try {
            return run.readyForInterruptInjection();
        } catch (IllegalStateException closedMeanwhile) {
            return false;
        }
    }

    /** The kvm_run area itself, for callers that need members the typed API does not carry (cr8, if_flag, ...). */
    KvmRun kvmRun() { return run; }

    /** True while a thread is inside (or entering) KVM_RUN on this vCPU. */
    boolean inKvmRun() { return runningTid != 0; }

    /**
     * KVM_RUN. EINTR (a {@link #kick}, another signal, or immediate_exit) is {@link VcpuExit.Interrupted}; the
     * kick's immediate_exit and pending signal are consumed before returning, so the next run proceeds.
     */
    @Override
    public VcpuExit run() throws KvmException {
        long[] thread = Kick.prepareThread();
        if (thread[1] != runMask) {
            set(Ioctl.KVM_SET_SIGNAL_MASK, KvmStructs.SIGNAL_MASK.size() + LibC.KERNEL_SIGSET_BYTES,
                s -> Kick.writeSignalMask(s, thread[1]));
            runMask = thread[1];
        }
        synchronized (kickLock) {
            runningTid = thread[0];
            runningThread = Thread.currentThread();
        }
        VarHandle.fullFence(); // publish the tid before KVM reads immediate_exit (pairs with kick())
        int r;
        try {
            // EAGAIN: a vCPU waiting for INIT/SIPI was woken by an event that did not start it (or just did);
            // KVM wants KVM_RUN again, which blocks until the SIPI or runs the started vCPU
            do {
                r = fd.ioctl(Ioctl.KVM_RUN, 0, runCapture);
            } while (r == -Errno.EAGAIN.code);
        } finally {
            synchronized (kickLock) {
                runningTid = 0; // from here on a kick signals nobody; one sent before is already pending here
                runningThread = null;
            }
            if (closed.get()) closeArenaIfIdle();
        }
        if (r == -Errno.EINTR.code) Kick.drain(); // even when closing: the thread may run another vCPU next
        try {
            if (r < 0) {
                if (-r != Errno.EINTR.code) throw Fd.error(-r, "KVM_RUN on vCPU " + id);
                run.setImmediateExit(false);
                return new VcpuExit.Interrupted();
            }
            return run.exit();
        } catch (IllegalStateException closedMeanwhile) {
            throw new KvmException(Errno.EBADF, "vCPU " + id + " closed while running");
        }
    }

    /**
     * immediate_exit plus, when a run is in progress, the kick signal: the running KVM_RUN returns EINTR, or the
     * next one completes the last exit's I/O and returns EINTR without running the guest. run() consumes both.
     */
    @Override
    public void kick() {
        if (closed.get()) return;
        try {
            run.setImmediateExit(true);
        } catch (IllegalStateException closedMeanwhile) {
            return;
        }
        VarHandle.fullFence(); // immediate_exit before reading the tid (pairs with run())
        synchronized (kickLock) {
            long tid = runningTid;
            if (tid != 0) Kick.send(tid);
        }
    }

    @Override
    public int getMpState() throws KvmException {
        return get(Ioctl.KVM_GET_MP_STATE, KvmStructs.MP_STATE.size(), s -> KvmStructs.MP_STATE.field("mp_state").getInt(s));
    }

    @Override
    public void setMpState(int state) throws KvmException {
        set(Ioctl.KVM_SET_MP_STATE, KvmStructs.MP_STATE.size(), s -> KvmStructs.MP_STATE.field("mp_state").set(s, state));
    }

    /** KVM_GET_LAPIC: EINVAL without an in-kernel local APIC (no split irqchip). */
    @Override
    public KvmLapicState getLapic() throws KvmException {
        return get(Ioctl.KVM_GET_LAPIC, KvmLapicState.SIZE, KvmLapicState::fromBytes);
    }

    @Override
    public void setLapic(KvmLapicState state) throws KvmException {
        nonNull(state, "kvm_lapic_state");
        set(Ioctl.KVM_SET_LAPIC, KvmLapicState.SIZE, state::write);
    }

    /**
     * Kicks a running KVM_RUN out and waits (up to 2 s) for it to return, so that once the VM is closed no vCPU
     * still touches guest memory the VMM may free next; the kvm_run mapping goes when no run uses it any more.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) return;
        Thread runner;
        synchronized (kickLock) {
            long tid = runningTid;
            runner = runningThread;
            if (tid != 0) Kick.send(tid);
        }
        if (runner != null && runner != Thread.currentThread()) {
            long deadline = System.nanoTime() + CLOSE_WAIT_NANOS;
            while (runningTid != 0 && System.nanoTime() < deadline) java.util.concurrent.locks.LockSupport.parkNanos(50_000);
        }
        fd.close();
        closeArenaIfIdle();
    }

    private void closeArenaIfIdle() {
        try {
            arena.close();
        } catch (IllegalStateException inUseOrClosed) {
            // a run() still inside KVM_RUN holds it; that run() closes it on its way out
        }
    }

    @Override
    public String toString() { return "kvm vCPU " + id + " (" + fd + ")"; }
}
