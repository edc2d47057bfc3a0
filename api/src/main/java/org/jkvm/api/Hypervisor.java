package org.jkvm.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import org.jkvm.api.uabi.KvmCpuidEntry2;

/**
 * The system-level handle of a backend: what {@code open("/dev/kvm")} gives in Linux, plus the
 * process-wide XSAVE guest permission of arch_prctl(ARCH_REQ_XCOMP_GUEST_PERM).
 */
public interface Hypervisor extends AutoCloseable {
    /** The backend used when none is named. */
    String DEFAULT_BACKEND = "soft";
    /** KVM_GET_API_VERSION's stable answer. */
    int KVM_API_VERSION = 12;
    /** arch_prctl() feature number of XTILEDATA: the only dynamic feature a guest can be permitted. */
    int XFEATURE_XTILEDATA = 18;

    static List<HypervisorProvider> providers() {
        List<HypervisorProvider> out = new ArrayList<>();
        for (HypervisorProvider p : ServiceLoader.load(HypervisorProvider.class)) out.add(p);
        return out;
    }

    /** Opens the backend by name; ENODEV when none has that name, ENXIO with the reason when it cannot run here. */
    static Hypervisor open(String name, Map<String, String> options) throws KvmException {
        for (HypervisorProvider p : providers()) {
            if (!p.name().equals(name)) continue;
            String why = p.unavailableReason();
            if (why != null) throw new KvmException(Errno.ENXIO, "backend '" + name + "' unavailable: " + why);
            return p.open(options);
        }
        throw new KvmException(Errno.ENODEV, "no backend named '" + name + "'");
    }

    String name();

    /** KVM_GET_API_VERSION. */
    int apiVersion();

    /** KVM_CHECK_EXTENSION: 0 when absent, else the capability's value (for XSAVE2, the uABI xsave size). */
    long checkExtension(Capability cap);

    /** KVM_GET_SUPPORTED_CPUID: what this backend can give a guest, filtered by the guest permission. */
    List<KvmCpuidEntry2> supportedCpuid() throws KvmException;

    /** KVM_GET_MSR_INDEX_LIST: the MSRs a VMM must save and restore. */
    int[] msrIndexList() throws KvmException;

    /** ARCH_REQ_XCOMP_GUEST_PERM. Only {@link #XFEATURE_XTILEDATA}: EOPNOTSUPP otherwise, EBUSY once a vCPU exists. */
    void requestGuestPermission(int xfeature) throws KvmException;

    /** ARCH_GET_XCOMP_GUEST_PERM: the permitted XCR0 mask. */
    long guestPermission() throws KvmException;

    /** KVM_CREATE_VM. */
    Vm createVm() throws KvmException;

    @Override
    void close();
}
