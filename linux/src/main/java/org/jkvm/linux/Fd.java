package org.jkvm.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;

import org.jkvm.api.Errno;
import org.jkvm.api.KvmException;

/**
 * An owned file descriptor (/dev/kvm, a VM or a vCPU). Calls after {@link #close} fail with EBADF without
 * reaching the kernel, and the descriptor number is released only when no call is in flight, so a concurrent
 * close can never make an ioctl land on an unrelated file that reused the number.
 */
final class Fd implements AutoCloseable {
    private static final int CLOSED = Integer.MIN_VALUE;

    private final int fd;
    private final String what;
    /** Calls in flight in the low bits; the sign bit once closed. */
    private final AtomicInteger state = new AtomicInteger();

    Fd(int fd, String what) {
        this.fd = fd;
        this.what = what;
    }

    /** open(2) with O_RDWR | O_CLOEXEC; the KvmException carries the real errno. */
    static Fd open(String path) throws KvmException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = LibC.newCapture(a);
            int fd = LibC.open(cap, path, LibC.O_RDWR | LibC.O_CLOEXEC);
            if (fd < 0) throw error(LibC.errno(cap), "open " + path);
            return new Fd(fd, path);
        }
    }

    static KvmException error(int errno, String what) {
        Errno e = Errno.of(errno);
        return e != null ? new KvmException(e, what) : new KvmException(errno, what);
    }

    boolean isClosed() { return state.get() < 0; }

    String what() { return what; }

    private void acquire(String op) throws KvmException {
        while (true) {
            int s = state.get();
            if (s < 0) throw new KvmException(Errno.EBADF, op + " on closed " + what);
            if (state.compareAndSet(s, s + 1)) return;
        }
    }

    private void release() {
        if (state.decrementAndGet() == CLOSED) closeNow();
    }

    /** The ioctl's non-negative result; a KvmException with the kernel's errno otherwise. */
    int ioctl(Ioctl op, long arg) throws KvmException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = LibC.newCapture(a);
            int r = ioctl(op, arg, cap);
            if (r < 0) throw error(-r, op.name() + " on " + what);
            return r;
        }
    }

    /** The ioctl's result, or -errno; errno goes through {@code capture} (reusable by one thread at a time). */
    int ioctl(Ioctl op, long arg, MemorySegment capture) throws KvmException {
        acquire(op.name());
        try {
            int r = LibC.ioctl(capture, fd, op.number, arg);
            return r < 0 ? -LibC.errno(capture) : r;
        } finally {
            release();
        }
    }

    /** mmap(NULL, length, READ|WRITE, SHARED, fd, 0): the raw address. */
    long mmapShared(long length) throws KvmException {
        acquire("mmap");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cap = LibC.newCapture(a);
            long addr = LibC.mmap(cap, 0, length, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, 0);
            if (addr == LibC.MAP_FAILED) throw error(LibC.errno(cap), "mmap of " + what);
            return addr;
        } finally {
            release();
        }
    }

    /** Idempotent; the descriptor is closed once the last in-flight call returns. */
    @Override
    public void close() {
        while (true) {
            int s = state.get();
            if (s < 0) return;
            if (state.compareAndSet(s, s | CLOSED)) {
                if (s == 0) closeNow();
                return;
            }
        }
    }

    private void closeNow() {
        try (Arena a = Arena.ofConfined()) {
            LibC.close(LibC.newCapture(a), fd);
        }
    }

    @Override
    public String toString() { return what + (isClosed() ? " (closed)" : " (fd " + fd + ")"); }
}
