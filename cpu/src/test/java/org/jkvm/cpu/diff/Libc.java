package org.jkvm.cpu.diff;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** The three libc calls the native side needs (mmap, mprotect, munmap), bound through the Foreign Function API. */
final class Libc {
    static final int PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
    static final int MAP_PRIVATE = 0x02, MAP_ANONYMOUS = 0x20, MAP_32BIT = 0x40;
    static final long PAGE = 4096;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle MMAP = bind("mmap", FunctionDescriptor.of(ValueLayout.ADDRESS,
        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
        ValueLayout.JAVA_LONG));
    private static final MethodHandle MPROTECT = bind("mprotect", FunctionDescriptor.of(ValueLayout.JAVA_INT,
        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle MUNMAP = bind("munmap", FunctionDescriptor.of(ValueLayout.JAVA_INT,
        ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));

    private Libc() {}

    private static MethodHandle bind(String name, FunctionDescriptor fd) {
        MemorySegment sym = LINKER.defaultLookup().find(name)
            .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(sym, fd);
    }

    /** An anonymous private read-write mapping of {@code length} bytes (a multiple of the page size). */
    static MemorySegment mmapAnonymous(long length) {
        MemorySegment p = map(length, 0);
        if (p == null) throw new IllegalStateException("mmap failed");
        return p;
    }

    /** As {@link #mmapAnonymous}, in the low 2 GiB (MAP_32BIT), or null when there is no room there. */
    static MemorySegment mmapLow(long length) {
        MemorySegment p = map(length, MAP_32BIT);
        if (p != null && p.address() + length > 0x8000_0000L) {
            munmap(p, length);
            return null;
        }
        return p;
    }

    private static MemorySegment map(long length, int extraFlags) {
        MemorySegment p;
        try {
            p = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, length, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | extraFlags, -1, 0L);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (p.address() == -1L || p.address() == 0) return null;
        return p.reinterpret(length);
    }

    static void mprotect(MemorySegment at, long length, int prot) {
        int rc;
        try {
            rc = (int) MPROTECT.invokeExact(at, length, prot);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (rc != 0) throw new IllegalStateException("mprotect(" + prot + ") failed");
    }

    static void munmap(MemorySegment at, long length) {
        try {
            int rc = (int) MUNMAP.invokeExact(at, length);
            if (rc != 0) throw new IllegalStateException("munmap failed");
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** A downcall to machine code at {@code entry} taking nothing and returning nothing. */
    static MethodHandle voidFunction(MemorySegment entry) {
        return LINKER.downcallHandle(entry, FunctionDescriptor.ofVoid());
    }
}
