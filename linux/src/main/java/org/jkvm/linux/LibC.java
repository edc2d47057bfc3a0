package org.jkvm.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few libc entry points the backend needs, as FFM downcalls that capture errno. Every call takes a capture
 * segment ({@link #newCapture}) so errno is read from the call itself, never from a later libc call on the
 * same thread. Raw results are returned as libc gives them (-1 / MAP_FAILED on failure).
 * Linking native functions is what this backend is for: the "restricted" lint is expected here.
 */
@SuppressWarnings("restricted")
final class LibC {
    static final int O_RDWR = 2, O_CLOEXEC = 0x80000;
    static final int PROT_READ = 1, PROT_WRITE = 2;
    static final int MAP_SHARED = 1, MAP_PRIVATE = 2, MAP_ANONYMOUS = 0x20;
    static final long MAP_FAILED = -1L;
    static final long SYS_ARCH_PRCTL = 158;

    static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
        CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final MethodHandle OPEN, CLOSE, IOCTL, MMAP, MUNMAP, SYSCALL, SYSCALL3, PTHREAD_SIGMASK, SIGNAL,
        SIGTIMEDWAIT;

    static {
        Linker linker = Linker.nativeLinker();
        SymbolLookup libc = linker.defaultLookup();
        Linker.Option errno = Linker.Option.captureCallState("errno");
        OPEN = linker.downcallHandle(libc.findOrThrow("open"),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), errno, Linker.Option.firstVariadicArg(2));
        CLOSE = linker.downcallHandle(libc.findOrThrow("close"), FunctionDescriptor.of(JAVA_INT, JAVA_INT), errno);
        // ioctl(int, unsigned long, ...): the argument is a pointer or an integer; both travel as a 64-bit value.
        IOCTL = linker.downcallHandle(libc.findOrThrow("ioctl"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), errno, Linker.Option.firstVariadicArg(2));
        MMAP = linker.downcallHandle(libc.findOrThrow("mmap"),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG), errno);
        MUNMAP = linker.downcallHandle(libc.findOrThrow("munmap"),
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG), errno);
        SYSCALL = linker.downcallHandle(libc.findOrThrow("syscall"),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), errno, Linker.Option.firstVariadicArg(1));
        SYSCALL3 = linker.downcallHandle(libc.findOrThrow("syscall"),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG), errno,
            Linker.Option.firstVariadicArg(1));
        PTHREAD_SIGMASK = linker.downcallHandle(libc.findOrThrow("pthread_sigmask"),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG));
        SIGNAL = linker.downcallHandle(libc.findOrThrow("signal"), FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG),
            errno);
        SIGTIMEDWAIT = linker.downcallHandle(libc.findOrThrow("sigtimedwait"),
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG), errno);
    }

    static final long SYS_GETPID = 39, SYS_GETTID = 186, SYS_TGKILL = 234;
    static final int SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2;
    /** glibc's sigset_t is 1024 bits; the kernel's (what KVM_SET_SIGNAL_MASK takes) is its first 64. */
    static final int GLIBC_SIGSET_BYTES = 128, KERNEL_SIGSET_BYTES = 8;
    static final long SIG_IGN = 1;

    static long syscall3(MemorySegment capture, long number, long a1, long a2, long a3) {
        try {
            return (long) SYSCALL3.invokeExact(capture, number, a1, a2, a3);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** pthread_sigmask: returns 0 or an error number (it does not use errno). */
    static int pthreadSigmask(int how, long set, long oldSet) {
        try {
            return (int) PTHREAD_SIGMASK.invokeExact(how, set, oldSet);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long signal(MemorySegment capture, int sig, long handler) {
        try {
            return (long) SIGNAL.invokeExact(capture, sig, handler);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int sigtimedwait(MemorySegment capture, long set, long info, long timeout) {
        try {
            return (int) SIGTIMEDWAIT.invokeExact(capture, set, info, timeout);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private LibC() {}

    static MemorySegment newCapture(Arena arena) { return arena.allocate(CAPTURE_LAYOUT); }

    static int errno(MemorySegment capture) { return (int) ERRNO.get(capture, 0L); }

    static int open(MemorySegment capture, String path, int flags) {
        try (Arena a = Arena.ofConfined()) {
            return (int) OPEN.invokeExact(capture, a.allocateFrom(path), flags, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int close(MemorySegment capture, int fd) {
        try {
            return (int) CLOSE.invokeExact(capture, fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int ioctl(MemorySegment capture, int fd, long request, long arg) {
        try {
            return (int) IOCTL.invokeExact(capture, fd, request, arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long mmap(MemorySegment capture, long addr, long length, int prot, int flags, int fd, long offset) {
        try {
            return (long) MMAP.invokeExact(capture, addr, length, prot, flags, fd, offset);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int munmap(MemorySegment capture, long addr, long length) {
        try {
            return (int) MUNMAP.invokeExact(capture, addr, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long syscall(MemorySegment capture, long number, long a1, long a2) {
        try {
            return (long) SYSCALL.invokeExact(capture, number, a1, a2);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
