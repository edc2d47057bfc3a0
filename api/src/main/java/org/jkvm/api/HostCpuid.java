package org.jkvm.api;

import java.util.List;

import org.jkvm.api.uabi.KvmCpuidEntry2;

/**
 * Optional view a {@link Hypervisor} may also offer: the CPUID of the physical machine under the backend, as
 * a host process would read it with the host OS's XCR0 and IA32_XSS loaded (OSXSAVE and OSPKE set where the
 * host OS enables them). Unlike {@link Hypervisor#supportedCpuid()} nothing is filtered for guests, so leaf
 * 0xD reports everything the silicon supports, including supervisor components KVM does not virtualize.
 */
public interface HostCpuid {
    /** The host's CPUID leaves in KVM_GET_SUPPORTED_CPUID order and form. */
    List<KvmCpuidEntry2> hostCpuid() throws KvmException;

    /**
     * The IA32_XSS the host OS runs with (behind CPUID.(0xD,1).EBX), or -1 when this backend cannot read it
     * (the MSR is not readable from user space).
     */
    long hostXss();
}
