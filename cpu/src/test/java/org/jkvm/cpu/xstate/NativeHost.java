package org.jkvm.cpu.xstate;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Runs hand-encoded machine code on the host CPU through the Foreign Function API, for differential
 * tests of the extended-state instructions. Code is written to an anonymous mapping that is then made
 * read-execute (never writable and executable at once) and called as {@code void f(void *ctx)}.
 *
 * <p>Every stub built with {@link Stub} saves the caller's whole XSAVE state first and restores it
 * last, so the JVM (whose ABI makes MXCSR control bits and the x87 control word callee-saved and the
 * x87 stack empty) never sees what the test loaded. Stubs must not fault: a fault is a signal that
 * kills the JVM, so only valid inputs ever reach the host.
 */
public final class NativeHost {
    private NativeHost() {}

    private static final Linker LINKER = Linker.nativeLinker();
    private static final int PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4, MAP_PRIVATE = 2, MAP_ANONYMOUS = 0x20;
    private static final MethodHandle MMAP, MPROTECT, SYSCALL;

    static {
        MethodHandle mm = null, mp = null, sc = null;
        if (supportedPlatform()) {
            var lookup = LINKER.defaultLookup();
            mm = LINKER.downcallHandle(lookup.find("mmap").orElseThrow(), FunctionDescriptor.of(ValueLayout.ADDRESS,
                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
            mp = LINKER.downcallHandle(lookup.find("mprotect").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
            sc = LINKER.downcallHandle(lookup.find("syscall").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG), Linker.Option.firstVariadicArg(1));
        }
        MMAP = mm;
        MPROTECT = mp;
        SYSCALL = sc;
    }

    /** Linux on x86-64: the only place these tests can run natively. */
    public static boolean supportedPlatform() {
        String arch = System.getProperty("os.arch");
        return System.getProperty("os.name").startsWith("Linux") && ("amd64".equals(arch) || "x86_64".equals(arch));
    }

    /** An anonymous read-write mapping (page aligned, zero filled). */
    public static MemorySegment mmap(long length) {
        try {
            MemorySegment p = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, length, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0L);
            if (p.address() == -1L) throw new IllegalStateException("mmap failed");
            return p.reinterpret(length);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Machine code as a callable {@code void f(void *ctx)}. */
    public static MethodHandle function(byte[] code) {
        long len = (code.length + 4095) & ~4095L;
        MemorySegment m = mmap(len);
        MemorySegment.copy(code, 0, m, ValueLayout.JAVA_BYTE, 0, code.length);
        try {
            int rc = (int) MPROTECT.invokeExact(m, len, PROT_READ | PROT_EXEC);
            if (rc != 0) throw new IllegalStateException("mprotect failed");
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        return LINKER.downcallHandle(m, FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
    }

    public static void call(MethodHandle f, MemorySegment ctx) {
        try {
            f.invokeExact(ctx);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public static long syscall(long nr, long a, long b) {
        try {
            return (long) SYSCALL.invokeExact(nr, a, b);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static final long SYS_ARCH_PRCTL = 158, ARCH_REQ_XCOMP_PERM = 0x1023;
    private static Boolean amx;

    /** arch_prctl(ARCH_REQ_XCOMP_PERM, XTILEDATA): needed before this process may use tile data. */
    public static synchronized boolean requestAmx() {
        if (amx == null) amx = syscall(SYS_ARCH_PRCTL, ARCH_REQ_XCOMP_PERM, 18) == 0;
        return amx;
    }

    private static MethodHandle cpuidFn, xgetbvFn;

    /** CPUID on the host: EAX, EBX, ECX, EDX. */
    public static synchronized int[] cpuid(int leaf, int sub) {
        if (cpuidFn == null) {
            // push rbx; mov eax,[rdi]; mov ecx,[rdi+4]; cpuid; mov [rdi],eax; mov [rdi+4],ebx; mov [rdi+8],ecx;
            // mov [rdi+12],edx; pop rbx; ret
            cpuidFn = function(hex("53 8B 07 8B 4F 04 0F A2 89 07 89 5F 04 89 4F 08 89 57 0C 5B C3"));
        }
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment ctx = arena.allocate(16, 8);
            ctx.set(ValueLayout.JAVA_INT, 0, leaf);
            ctx.set(ValueLayout.JAVA_INT, 4, sub);
            call(cpuidFn, ctx);
            return new int[] {ctx.get(ValueLayout.JAVA_INT, 0), ctx.get(ValueLayout.JAVA_INT, 4),
                ctx.get(ValueLayout.JAVA_INT, 8), ctx.get(ValueLayout.JAVA_INT, 12)};
        }
    }

    /** XGETBV on the host (requires CR4.OSXSAVE, which any Linux with AVX has). */
    public static synchronized long xgetbv(int ecx) {
        if (xgetbvFn == null) {
            // mov ecx,[rdi]; xgetbv; mov [rdi],eax; mov [rdi+4],edx; ret
            xgetbvFn = function(hex("8B 0F 0F 01 D0 89 07 89 57 04 C3"));
        }
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment ctx = arena.allocate(8, 8);
            ctx.set(ValueLayout.JAVA_INT, 0, ecx);
            call(xgetbvFn, ctx);
            return ctx.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    /** Whether the host enumerates XSAVE with OSXSAVE set (the precondition of every stub). */
    public static boolean hasOsXsave() {
        return supportedPlatform() && (cpuid(1, 0)[2] & (1 << 27)) != 0;
    }

    public static byte[] hex(String s) {
        String[] p = s.trim().split("\\s+");
        byte[] b = new byte[p.length];
        for (int i = 0; i < p.length; i++) b[i] = (byte) Integer.parseInt(p[i], 16);
        return b;
    }

    /**
     * Builds {@code void f(ctx)} around test instructions: saves the caller's state (XSAVE64, mask
     * all, into the area whose address is at ctx+0) on entry, restores it (XRSTOR64) on exit, and
     * keeps ctx in R12 and a scratch address in RBX for the body.
     */
    public static final class Stub {
        private final ByteArrayOutputStream b = new ByteArrayOutputStream();

        public Stub() {
            emit("53 41 54 49 89 FC"); // push rbx; push r12; mov r12, rdi
            loadRbx(0).allOnes().emit("48 0F AE 23"); // xsave64 [rbx]
        }

        public Stub emit(String hex) {
            b.writeBytes(hex(hex));
            return this;
        }

        public Stub emit(byte[] code) {
            b.writeBytes(code);
            return this;
        }

        /** mov rbx, [r12 + off]. */
        public Stub loadRbx(int off) {
            return emit("49 8B 5C 24").disp8(off);
        }

        /** mov eax, [r12 + off]; mov edx, [r12 + off + 4]. */
        public Stub loadEdxEax(int off) {
            emit("41 8B 44 24").disp8(off);
            return emit("41 8B 54 24").disp8(off + 4);
        }

        /** mov eax, -1; mov edx, -1. */
        public Stub allOnes() {
            return emit("B8 FF FF FF FF BA FF FF FF FF");
        }

        /** XGETBV(1) into ctx+off. */
        public Stub xinuseTo(int off) {
            emit("B9 01 00 00 00 0F 01 D0");
            emit("41 89 44 24").disp8(off);
            return emit("41 89 54 24").disp8(off + 4);
        }

        private Stub disp8(int off) {
            if (off < 0 || off > 127) throw new IllegalArgumentException("disp8 " + off);
            b.write(off);
            return this;
        }

        public byte[] build() {
            loadRbx(0).allOnes().emit("48 0F AE 2B"); // xrstor64 [rbx]
            emit("41 5C 5B C3"); // pop r12; pop rbx; ret
            return b.toByteArray();
        }
    }
}
