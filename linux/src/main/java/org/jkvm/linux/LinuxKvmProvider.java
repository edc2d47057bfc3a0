package org.jkvm.linux;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import org.jkvm.api.Errno;
import org.jkvm.api.Hypervisor;
import org.jkvm.api.HypervisorProvider;
import org.jkvm.api.KvmException;

/**
 * The "kvm" backend: Linux's /dev/kvm through the Foreign Function and Memory API.
 * Options: {@code device=<path>} (default /dev/kvm); {@code cpu=host} is accepted (the guest CPU is the host's,
 * narrowed by the VMM's KVM_SET_CPUID2); any other option is EINVAL.
 */
public final class LinuxKvmProvider implements HypervisorProvider {
    public static final String NAME = "kvm";
    private static final Set<String> OPTIONS = Set.of("device", "cpu");

    @Override
    public String name() { return NAME; }

    @Override
    public String unavailableReason() { return unavailableReason(LinuxHypervisor.DEFAULT_DEVICE); }

    /** Null when {@code device} can be opened and speaks KVM API 12, else why not, in one line. */
    static String unavailableReason(String device) {
        String os = System.getProperty("os.name", ""), arch = System.getProperty("os.arch", "");
        if (!os.equals("Linux") || !(arch.equals("amd64") || arch.equals("x86_64")))
            return "the kvm backend needs Linux on x86-64 (this is " + os + " on " + arch + ")";
        if (!Files.exists(Path.of(device)))
            return device + " does not exist (KVM module not loaded, or no hardware virtualization here)";
        try {
            LinuxHypervisor.open(device).close();
            return null;
        } catch (KvmException e) {
            if (e.errno() == Errno.EACCES || e.errno() == Errno.EPERM)
                return device + ": permission denied (the user needs read/write access, e.g. the kvm group)";
            if (e.errno() == Errno.ENXIO) return e.getMessage().replaceFirst("^ENXIO: ", "");
            return device + ": " + e.getMessage();
        } catch (UnsatisfiedLinkError | IllegalCallerException | ExceptionInInitializerError e) {
            return "cannot call libc through the Foreign Function API: " + e;
        }
    }

    @Override
    public Hypervisor open(Map<String, String> options) throws KvmException {
        for (String key : options.keySet())
            if (!OPTIONS.contains(key)) throw new KvmException(Errno.EINVAL, "the kvm backend has no option '" + key + "'");
        String cpu = options.get("cpu");
        if (cpu != null && !cpu.equals("host"))
            throw new KvmException(Errno.EINVAL, "the kvm backend runs the host CPU (cpu=host), not '" + cpu + "'");
        String device = options.getOrDefault("device", LinuxHypervisor.DEFAULT_DEVICE);
        return LinuxHypervisor.open(device);
    }
}
