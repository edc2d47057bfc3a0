package org.jkvm.kvm.guest;

import static org.jkvm.isa.Regs.RSI;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.jkvm.api.Hypervisor;
import org.jkvm.api.HypervisorProvider;
import org.jkvm.api.KvmException;
import org.jkvm.api.exit.VcpuExit;
import org.jkvm.api.uabi.KvmXcr;
import org.jkvm.api.uabi.KvmXcrs;

/** The backends a port runs on: "soft" always, "kvm" (Linux's /dev/kvm) where this machine has it. */
public final class Backends {
    private Backends() {}

    /**
     * Opens "kvm" (skipping the test where it is unavailable) or "soft:MODEL", the soft backend with that CPU model:
     * the parameter of a port that runs on both.
     */
    public static Hypervisor open(String spec) throws KvmException {
        if (spec.startsWith("soft:")) return Hypervisor.open("soft", Map.of("cpu", spec.substring(5)));
        assumeAvailable(spec);
        return Hypervisor.open(spec, Map.of());
    }

    /** The backend name of an {@link #open} spec. */
    public static String name(String spec) { return spec.startsWith("soft:") ? "soft" : spec; }

    /** The options of an {@link #open} spec. */
    public static Map<String, String> options(String spec) {
        return spec.startsWith("soft:") ? Map.of("cpu", spec.substring(5)) : Map.of();
    }

    /** Skips the calling test, with the reason, unless {@code name} can be opened here. */
    public static void assumeAvailable(String name) {
        HypervisorProvider p = Hypervisor.providers().stream().filter(x -> x.name().equals(name)).findFirst().orElse(null);
        assumeTrue(p != null, "no " + name + " backend on the class path");
        String why = p.unavailableReason();
        assumeTrue(why == null, name + " backend unavailable: " + why);
    }

    /** As {@link #assumeAvailable}, and the backend's supported XCR0 must have all of {@code xfeatures}. */
    public static void assumeXfeatures(String name, Map<String, String> options, long xfeatures) throws KvmException {
        assumeAvailable(name);
        try (Hypervisor h = Hypervisor.open(name, options)) {
            long dynamic = 1L << Hypervisor.XFEATURE_XTILEDATA;
            long missing = xfeatures & ~dynamic & ~supportedXcr0(h.supportedCpuid());
            assumeTrue(missing == 0, name + " backend lacks XCR0 features 0x" + Long.toHexString(missing) + " on this host");
            // Linux reports a dynamic feature (XTILEDATA) as supported only once the process may give it to guests.
            if ((xfeatures & dynamic) != 0) {
                try {
                    h.requestGuestPermission(Hypervisor.XFEATURE_XTILEDATA);
                } catch (KvmException e) {
                    // Linux: EBUSY once the process has created a vCPU (run the class alone), else not supported
                    assumeTrue(false, name + " backend refuses guest permission for XTILEDATA: " + e.getMessage());
                }
            }
            long sup = supportedXcr0(h.supportedCpuid());
            assumeTrue((sup & xfeatures) == xfeatures,
                name + " backend lacks XCR0 features 0x" + Long.toHexString(xfeatures & ~sup) + " on this host");
        }
    }

    /**
     * Skips the calling test, with the reason, unless {@code insns} run to completion in a guest of {@code name} with
     * XCR0 = the supported XCR0 and RSI pointing at readable data. Some /dev/kvm implementations (PVM) emulate every
     * guest instruction and cannot run x87 or VEX code at all; the soft CPU may not know an instruction yet.
     */
    public static void assumeExecutes(String name, Map<String, String> options, String what, Consumer<Code> insns)
            throws KvmException {
        assumeAvailable(name);
        String why;
        try (LongModeGuest g = new LongModeGuest(Hypervisor.open(name, options), true, true, false)) {
            g.vcpu.setXcrs(new KvmXcrs(0, List.of(new KvmXcr(0, supportedXcr0(g.hv.supportedCpuid())))));
            Code c = new Code(LongModeGuest.CODE);
            c.mov(RSI, LongModeGuest.DATA);
            insns.accept(c);
            c.sync(1);
            g.load(c);
            VcpuExit e = g.vcpu.run();
            why = e instanceof VcpuExit.Io io && io.port() == LongModeGuest.SYNC_PORT ? null : String.valueOf(e);
        }
        assumeTrue(why == null, name + " backend cannot run " + what + " here: " + why);
    }

    public static long supportedXcr0(List<org.jkvm.api.uabi.KvmCpuidEntry2> cpuid) {
        for (var e : cpuid) if (e.function() == 0xD && e.index() == 0) return (e.eax() & 0xFFFF_FFFFL) | (long) e.edx() << 32;
        return 0;
    }
}
