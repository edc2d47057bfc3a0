package org.jkvm.linux;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Map;

import org.jkvm.api.Hypervisor;
import org.jkvm.api.KvmException;

/** Opens the "kvm" backend for a test, or skips it with the provider's own reason. */
final class KvmAvailable {
    private KvmAvailable() {}

    static Hypervisor openOrSkip() throws KvmException {
        String why = new LinuxKvmProvider().unavailableReason();
        assumeTrue(why == null, () -> "skipped: /dev/kvm unusable here: " + why);
        return Hypervisor.open("kvm", Map.of());
    }
}
