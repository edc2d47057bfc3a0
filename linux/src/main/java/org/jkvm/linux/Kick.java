package org.jkvm.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.jkvm.api.KvmException;

/**
 * Kicking a vCPU thread out of KVM_RUN, the way QEMU's SIG_IPI does it, without a signal handler: the kick signal
 * is blocked in every thread that runs a vCPU and unblocked only inside KVM_RUN (KVM_SET_SIGNAL_MASK), so a kick
 * makes KVM_RUN return EINTR and then simply stays pending, blocked, until {@link #drain} consumes it. Its
 * disposition is set to ignore, so a stray kick to a thread that does not block it is discarded, never fatal
 * (a blocked signal is queued even when ignored). The signal is SIGUSR1, which the JVM does not use; a process
 * using this backend therefore ignores a SIGUSR1 sent to it from outside.
 */
final class Kick {
    static final int SIGNAL = 10; // SIGUSR1
    private static final long BIT = 1L << (SIGNAL - 1);
    private static final ThreadLocal<long[]> THREAD = new ThreadLocal<>(); // {tid, kernel mask without SIGNAL}

    static {
        try (Arena a = Arena.ofConfined()) {
            LibC.signal(LibC.newCapture(a), SIGNAL, LibC.SIG_IGN);
        }
    }

    private Kick() {}

    /**
     * Blocks the kick signal in the calling thread (once) and answers {tid, the thread's signal mask without the
     * kick signal}: the mask KVM_RUN should run with.
     */
    static long[] prepareThread() throws KvmException {
        long[] t = THREAD.get();
        if (t != null) return t;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment set = a.allocate(LibC.GLIBC_SIGSET_BYTES, 8), old = a.allocate(LibC.GLIBC_SIGSET_BYTES, 8);
            set.set(ValueLayout.JAVA_LONG, 0, BIT);
            int r = LibC.pthreadSigmask(LibC.SIG_BLOCK, set.address(), old.address());
            if (r != 0) throw Fd.error(r, "pthread_sigmask");
            MemorySegment cap = LibC.newCapture(a);
            long tid = LibC.syscall(cap, LibC.SYS_GETTID, 0, 0);
            t = new long[] {tid, old.get(ValueLayout.JAVA_LONG, 0) & ~BIT};
        }
        THREAD.set(t);
        return t;
    }

    /** KVM_SET_SIGNAL_MASK's argument: struct kvm_signal_mask { u32 len; u8 sigset[8]; }. */
    static void writeSignalMask(MemorySegment s, long mask) {
        s.set(ValueLayout.JAVA_INT_UNALIGNED, 0, LibC.KERNEL_SIGSET_BYTES);
        s.set(ValueLayout.JAVA_LONG_UNALIGNED, 4, mask);
    }

    /** tgkill(getpid(), tid, SIGUSR1). */
    static void send(long tid) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = LibC.newCapture(a);
            long pid = LibC.syscall(cap, LibC.SYS_GETPID, 0, 0);
            LibC.syscall3(cap, LibC.SYS_TGKILL, pid, tid, SIGNAL);
        }
    }

    /** Consumes kicks pending on the calling thread, so the next KVM_RUN does not stop at once. */
    static void drain() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment set = a.allocate(LibC.GLIBC_SIGSET_BYTES, 8), zero = a.allocate(16, 8);
            set.set(ValueLayout.JAVA_LONG, 0, BIT);
            MemorySegment cap = LibC.newCapture(a);
            while (LibC.sigtimedwait(cap, set.address(), 0, zero.address()) == SIGNAL) {
                // one more kick consumed
            }
        }
    }
}
