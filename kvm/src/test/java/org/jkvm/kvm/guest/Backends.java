package org.jkvm.kvm.guest;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Map;

import org.jkvm.api.Hypervisor;
import org.jkvm.api.HypervisorProvider;
import org.jkvm.api.KvmException;

/** The backends a port runs on: "soft" always, "kvm" (Linux's /dev/kvm) where this machine has it. */
public final class Backends {
    private Backends() {}

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
            // Linux reports a dynamic feature (XTILEDATA) as supported only once the process may give it to guests.
            if ((xfeatures & (1L << Hypervisor.XFEATURE_XTILEDATA)) != 0) {
                try {
                    h.requestGuestPermission(Hypervisor.XFEATURE_XTILEDATA);
                } catch (KvmException e) {
                    assumeTrue(false, name + " backend refuses guest permission for XTILEDATA: " + e.getMessage());
                }
            }
            long sup = supportedXcr0(h.supportedCpuid());
            assumeTrue((sup & xfeatures) == xfeatures,
                name + " backend lacks XCR0 features 0x" + Long.toHexString(xfeatures & ~sup) + " on this host");
        }
    }

    public static long supportedXcr0(List<org.jkvm.api.uabi.KvmCpuidEntry2> cpuid) {
        for (var e : cpuid) if (e.function() == 0xD && e.index() == 0) return (e.eax() & 0xFFFF_FFFFL) | (long) e.edx() << 32;
        return 0;
    }
}
