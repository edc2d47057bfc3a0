package org.jkvm.cpu.diff;

import java.util.Locale;

/** Whether this host can run the native side at all (x86-64 Linux), and why not. */
final class HostSupport {
    private HostSupport() {}

    private static volatile Boolean gsZero;

    /**
     * Whether this thread's GS base is 0 (Linux user space leaves it so), read with arch_prctl(ARCH_GET_GS):
     * then a GS override means the same addresses natively as on the software CPU, whose GS base is 0.
     */
    static boolean gsBaseIsZero() {
        Boolean z = gsZero;
        if (z == null) {
            z = false;
            if (reason() == null) {
                try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
                    java.lang.foreign.Linker linker = java.lang.foreign.Linker.nativeLinker();
                    java.lang.invoke.MethodHandle syscall = linker.downcallHandle(
                        linker.defaultLookup().find("syscall").orElseThrow(),
                        java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_LONG,
                            java.lang.foreign.ValueLayout.JAVA_LONG, java.lang.foreign.ValueLayout.JAVA_LONG,
                            java.lang.foreign.ValueLayout.ADDRESS),
                        java.lang.foreign.Linker.Option.firstVariadicArg(1));
                    java.lang.foreign.MemorySegment out = arena.allocate(8, 8);
                    out.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, -1L);
                    long rc = (long) syscall.invokeExact(158L /* arch_prctl */, 0x1004L /* ARCH_GET_GS */, out);
                    z = rc == 0 && out.get(java.lang.foreign.ValueLayout.JAVA_LONG, 0) == 0;
                } catch (Throwable t) {
                    z = false;
                }
            }
            gsZero = z;
        }
        return z;
    }

    /** Null when the native side can run here; otherwise the reason it cannot, for an Assumption. */
    static String reason() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (!arch.equals("amd64") && !arch.equals("x86_64")) return "host is not x86-64 (" + arch + ")";
        if (!os.contains("linux")) return "host is not Linux (" + os + ")";
        return null;
    }
}
