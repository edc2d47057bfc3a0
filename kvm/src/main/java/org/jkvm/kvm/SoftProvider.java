package org.jkvm.kvm;

import java.util.Map;

import org.jkvm.api.Hypervisor;
import org.jkvm.api.HypervisorProvider;
import org.jkvm.api.KvmException;

/** The "soft" backend: KVM's x86 vCPU state handling on jkvm's software CPU. Always available. */
public final class SoftProvider implements HypervisorProvider {
    public static final String NAME = "soft";

    @Override
    public String name() { return NAME; }

    @Override
    public String unavailableReason() { return null; }

    @Override
    public Hypervisor open(Map<String, String> options) throws KvmException {
        return new SoftHypervisor(KvmOptions.parse(options));
    }
}
