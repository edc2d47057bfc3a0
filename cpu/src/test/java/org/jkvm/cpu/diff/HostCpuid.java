package org.jkvm.cpu.diff;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import org.jkvm.isa.CpuFeature;

/** CPUID on the host, through a five-instruction trampoline: the generator offers only what the host runs. */
final class HostCpuid {
    private static final MethodHandle CPUID;

    static {
        MemorySegment page = Libc.mmapAnonymous(Libc.PAGE);
        Asm a = new Asm(page.address());
        Operand.Reg r8 = Operand.Reg.of(Gpr.R8, 8);
        a.legacy(4, 0, false, new int[] {0x89}, Operand.Reg.of(Gpr.RDI, 4), Operand.Reg.of(Gpr.RAX, 4), 0, 0);
        a.legacy(4, 0, false, new int[] {0x89}, Operand.Reg.of(Gpr.RSI, 4), Operand.Reg.of(Gpr.RCX, 4), 0, 0);
        a.legacy(8, 0, false, new int[] {0x89}, Operand.Reg.of(Gpr.RDX, 8), r8, 0, 0);
        a.db(0x53, 0x0F, 0xA2); // push rbx; cpuid
        Gpr[] order = {Gpr.RAX, Gpr.RBX, Gpr.RCX, Gpr.RDX};
        for (int i = 0; i < 4; i++) {
            a.legacy(4, 0, false, new int[] {0x89}, Operand.Reg.of(order[i], 4), Operand.Mem.base(Gpr.R8, 4 * i), 0, 0);
        }
        a.db(0x5B, 0xC3); // pop rbx; ret
        byte[] code = a.bytes();
        MemorySegment.copy(code, 0, page, ValueLayout.JAVA_BYTE, 0, code.length);
        Libc.mprotect(page, Libc.PAGE, Libc.PROT_READ | Libc.PROT_EXEC);
        CPUID = Linker.nativeLinker().downcallHandle(page, FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    }

    private HostCpuid() {}

    /** EAX, EBX, ECX, EDX of CPUID(leaf, subleaf) on the host. */
    static int[] cpuid(int leaf, int subleaf) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(16, 4);
            CPUID.invokeExact(leaf, subleaf, out);
            return out.toArray(ValueLayout.JAVA_INT);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Whether the host enumerates {@code feature} (false for a leaf beyond the host's maximum). */
    static boolean has(CpuFeature feature) {
        int max = cpuid(feature.leaf() & 0x80000000, 0)[0];
        if (Integer.compareUnsigned(feature.leaf(), max) > 0) return false;
        int[] r = cpuid(feature.leaf(), feature.subleaf());
        return feature.isSet(r[0], r[1], r[2], r[3]);
    }
}
