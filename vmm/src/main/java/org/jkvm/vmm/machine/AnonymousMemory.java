package org.jkvm.vmm.machine;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * Guest RAM as a private anonymous mmap (Linux, through java.lang.foreign): page-aligned, zero-filled on
 * first touch, returned to the system with munmap when the arena closes.
 */
@SuppressWarnings("restricted") // mmap/munmap downcalls: the JVM runs with --enable-native-access
final class AnonymousMemory {
    private AnonymousMemory() {}

    private static final int PROT_READ = 1, PROT_WRITE = 2, MAP_PRIVATE = 0x02, MAP_ANONYMOUS = 0x20, MAP_NORESERVE = 0x4000;
    private static final MethodHandle MMAP, MUNMAP;

    static {
        MethodHandle mm = null, mu = null;
        try {
            Linker l = Linker.nativeLinker();
            Optional<MemorySegment> m = l.defaultLookup().find("mmap"), u = l.defaultLookup().find("munmap");
            if (m.isPresent() && u.isPresent() && System.getProperty("os.name", "").startsWith("Linux")) {
                mm = l.downcallHandle(m.get(), FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
                mu = l.downcallHandle(u.get(), FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
            }
        } catch (RuntimeException | LinkageError e) {
            // no native access: the caller falls back to Arena memory
        }
        MMAP = mm;
        MUNMAP = mu;
    }

    /** A mapping of {@code size} bytes owned by {@code arena}, or null when mmap is unavailable or fails. */
    static MemorySegment map(long size, Arena arena) {
        if (MMAP == null) return null;
        try {
            MemorySegment p = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, size, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0L);
            if (p.address() == -1L || p.address() == 0) return null;
            long addr = p.address();
            return p.reinterpret(size, arena, seg -> unmap(addr, size));
        } catch (Throwable t) {
            return null;
        }
    }

    private static void unmap(long address, long size) {
        try {
            int r = (int) MUNMAP.invokeExact(MemorySegment.ofAddress(address), size);
            assert r == 0;
        } catch (Throwable t) {
            // nothing sensible to do while an arena closes
        }
    }
}
