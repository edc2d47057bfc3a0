package org.jkvm.kvm.fpu;

import org.jkvm.kvm.cpuid.GuestCpuid;
import org.jkvm.kvm.xcr.XcrRules;
import org.jkvm.kvm.xcr.Xfeatures;
import org.jkvm.isa.CpuFeature;

/**
 * The XSAVE-related architectural state KVM keeps per vCPU outside the fpstate, and the rules for changing it:
 * {@code vcpu->arch.xcr0}, {@code ia32_xss}, {@code pkru}, the guest-supported masks derived from CPUID, and
 * the guest FPU's XFD/XFD_ERR with the interception switch ({@code xfd_no_write_intercept}).
 */
public final class VcpuXstate {
    private final long kvmSupportedXcr0, kvmSupportedXss;
    public final GuestFpu fpu;
    private long xcr0 = Xfeatures.FP;
    private long xss;
    private long pkru;
    private long guestSupportedXcr0, guestSupportedXss;
    private boolean cpuidXsaves, cpuidXfd;
    private boolean xfdNoWriteIntercept;

    public VcpuXstate(long kvmSupportedXcr0, long kvmSupportedXss, GuestFpu fpu) {
        this.kvmSupportedXcr0 = kvmSupportedXcr0;
        this.kvmSupportedXss = kvmSupportedXss;
        this.fpu = fpu;
    }

    /** kvm_vcpu_after_set_cpuid: the guest-supported masks follow the new CPUID. */
    public void afterSetCpuid(GuestCpuid cpuid) {
        guestSupportedXcr0 = cpuid.xcr0Mask() & kvmSupportedXcr0;
        guestSupportedXss = cpuid.xssMask() & kvmSupportedXss;
        cpuidXsaves = cpuid.has(CpuFeature.XSAVES);
        cpuidXfd = cpuid.has(CpuFeature.XFD);
    }

    public long xcr0() { return xcr0; }

    public long xss() { return xss; }

    public long pkru() { return pkru; }

    public void setPkru(long v) { pkru = v & 0xFFFF_FFFFL; }

    public long guestSupportedXcr0() { return guestSupportedXcr0; }

    public long guestSupportedXss() { return guestSupportedXss; }

    public boolean cpuidXsaves() { return cpuidXsaves; }

    public boolean xfdNoWriteIntercept() { return xfdNoWriteIntercept; }

    /** kvm_guest_supported_xfd: dynamic features the guest can enable. */
    public long guestSupportedXfd() { return guestSupportedXcr0 & Xfeatures.USER_DYNAMIC; }

    /** __kvm_set_xcr: false means #GP (XSETBV) or -EINVAL (KVM_SET_XCRS). */
    public boolean setXcr(int index, long value) {
        if (!XcrRules.valid(index, value, guestSupportedXcr0)) return false;
        xcr0 = value;
        return true;
    }

    /** WRMSR IA32_XSS; false means #GP / failed KVM_SET_MSRS. */
    public boolean setXss(long v, boolean host) {
        if (!host && !cpuidXsaves) return false;
        if ((v & ~guestSupportedXss) != 0) return false;
        xss = v;
        return true;
    }

    public boolean canReadXss(boolean host) { return host || cpuidXsaves; }

    /**
     * WRMSR IA32_XFD; false means #GP. Returns true when the write was accepted; {@link #xfdNoWriteIntercept()}
     * turns on at the first non-zero value written to the guest's XFD, by the guest or by user space (as
     * vmx_set_msr does: a restore with XFD armed must intercept #NM too, or the guest's XFD_ERR is lost).
     */
    public boolean setXfd(long v, boolean host) {
        if (!host && !cpuidXfd) return false;
        if ((v & ~guestSupportedXfd()) != 0) return false;
        fpu.updateXfd(v);
        if (v != 0) xfdNoWriteIntercept = true;
        return true;
    }

    public boolean setXfdErr(long v, boolean host) {
        if (!host && !cpuidXfd) return false;
        if ((v & ~guestSupportedXfd()) != 0) return false;
        fpu.setXfdErr(v);
        return true;
    }

    public boolean canAccessXfd(boolean host) { return host || cpuidXfd; }

    /** Restores a snapshot of XCR0/XSS/PKRU (a failed multi-part SET rolls back through this). */
    public void restore(long xcr0, long xss, long pkru) {
        this.xcr0 = xcr0;
        this.xss = xss;
        this.pkru = pkru;
    }
}
