package org.jkvm.vmm.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;

import org.jkvm.api.Hypervisor;
import org.jkvm.api.HypervisorProvider;

/** Picks a backend that can run here (kvm first unless -Djkvm.backend names one), or skips the test visibly. */
public final class Backends {
    private Backends() {}

    public static String available() {
        List<String> why = new ArrayList<>();
        String forced = System.getProperty("jkvm.backend"); // -Djkvm.backend=soft runs the tests on one backend
        for (String name : forced != null ? List.of(forced) : List.of("kvm", "soft")) {
            String reason = "not in this build";
            for (HypervisorProvider p : Hypervisor.providers()) {
                if (p.name().equals(name)) reason = p.unavailableReason();
            }
            if (reason == null) return name;
            why.add(name + ": " + reason);
        }
        assumeTrue(false, "no backend can run here (" + String.join("; ", why) + ")");
        return null;
    }

    public static boolean has(String name) {
        for (HypervisorProvider p : Hypervisor.providers()) {
            if (p.name().equals(name)) return p.unavailableReason() == null;
        }
        return false;
    }

    /** The shared material directory (guests, specs), or a skip when the build did not set it. */
    public static java.nio.file.Path shared() {
        String s = System.getProperty("jkvm.shared");
        assumeTrue(s != null && java.nio.file.Files.isDirectory(java.nio.file.Path.of(s)), "jkvm.shared is not set");
        return java.nio.file.Path.of(s);
    }
}
