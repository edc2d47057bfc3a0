package org.jkvm.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The host CPU's own CPUID, for tests that compare KVM's answers with the hardware: a 27-byte stub placed in an
 * executable page (written, then mprotect'ed read+execute) and called through a downcall. No native build.
 */
@SuppressWarnings("restricted")
final class HostCpuid {
    private static final byte[] STUB = {
        0x53,                               // push rbx
        (byte) 0x89, (byte) 0xF8,           // mov eax, edi
        (byte) 0x89, (byte) 0xF1,           // mov ecx, esi
        0x49, (byte) 0x89, (byte) 0xD0,     // mov r8, rdx
        0x0F, (byte) 0xA2,                  // cpuid
        0x41, (byte) 0x89, 0x00,            // mov [r8], eax
        0x41, (byte) 0x89, 0x58, 0x04,      // mov [r8+4], ebx
        0x41, (byte) 0x89, 0x48, 0x08,      // mov [r8+8], ecx
        0x41, (byte) 0x89, 0x50, 0x0C,      // mov [r8+12], edx
        0x5B,                               // pop rbx
        (byte) 0xC3,                        // ret
    };
    private static final MethodHandle CPUID;

    static {
        Linker linker = Linker.nativeLinker();
        try {
            MethodHandle mmap = linker.downcallHandle(linker.defaultLookup().findOrThrow("mmap"),
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
            MethodHandle mprotect = linker.downcallHandle(linker.defaultLookup().findOrThrow("mprotect"),
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
            long page = (long) mmap.invokeExact(0L, 4096L, LibC.PROT_READ | LibC.PROT_WRITE,
                LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS, -1, 0L);
            if (page == -1) throw new IllegalStateException("mmap failed");
            MemorySegment code = MemorySegment.ofAddress(page).reinterpret(4096);
            MemorySegment.copy(MemorySegment.ofArray(STUB), 0, code, 0, STUB.length);
            if ((int) mprotect.invokeExact(page, 4096L, LibC.PROT_READ | 4 /* PROT_EXEC */) != 0)
                throw new IllegalStateException("mprotect failed");
            CPUID = linker.downcallHandle(code, FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, ADDRESS));
        } catch (Throwable t) {
            throw new ExceptionInInitializerError(t);
        }
    }

    private HostCpuid() {}

    /** {EAX, EBX, ECX, EDX} of CPUID(leaf, subleaf) on the host. */
    static int[] query(int leaf, int subleaf) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(16, 4);
            CPUID.invokeExact(leaf, subleaf, out);
            return out.toArray(ValueLayout.JAVA_INT);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
