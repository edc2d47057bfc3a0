package org.jkvm.api;

import java.util.Map;

/**
 * A backend, found through {@link java.util.ServiceLoader} (META-INF/services/org.jkvm.api.HypervisorProvider).
 * "soft" is jkvm's software CPU with its KVM core; "kvm" is Linux's /dev/kvm.
 */
public interface HypervisorProvider {
    /** The name users pass to --accel. */
    String name();

    /** Null when this backend can be opened here, else a one-line reason (e.g. "/dev/kvm: permission denied"). */
    String unavailableReason();

    /** Opens the backend. Options are backend-specific key/values (e.g. cpu=sapphirerapids,+amx-tile). */
    Hypervisor open(Map<String, String> options) throws KvmException;
}
