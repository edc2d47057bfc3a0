package org.jkvm.kvm.run;

import static org.jkvm.kvm.SoftMsrs.*;

import org.jkvm.cpu.vmx.VmcsField;
import org.jkvm.kvm.SoftVcpu;
import org.jkvm.kvm.lapic.LocalApic;

/**
 * kvm_get_msr_common/kvm_set_msr_common for the soft backend: guest RDMSR/WRMSR exits and KVM_GET/SET_MSRS.
 * A null read or a false write is #GP for the guest and ends a KVM_GET/SET_MSRS batch. Host-initiated
 * accesses skip the CPUID checks, as in KVM.
 */
public final class MsrEmulation {
    private final SoftVcpu v;
    private final RunLoop loop;

    MsrEmulation(SoftVcpu v, RunLoop loop) {
        this.v = v;
        this.loop = loop;
    }

    /** The MSRs that are not intercepted and live in the physical CPU while the guest runs. */
    static final int[] PASSTHROUGH = {FS_BASE, GS_BASE, KERNEL_GS_BASE, SYSENTER_CS, SYSENTER_ESP, SYSENTER_EIP, STAR,
        LSTAR, CSTAR, SFMASK, TSC_AUX};

    static boolean isPassthrough(int msr) {
        for (int m : PASSTHROUGH) if (m == msr) return true;
        return false;
    }

    public Long read(int msr, boolean host) {
        LocalApic apic = v.lapic();
        switch (msr) {
            case FS_BASE -> { return v.vmcs.read(VmcsField.GUEST_FS_BASE); }
            case GS_BASE -> { return v.vmcs.read(VmcsField.GUEST_GS_BASE); }
            case SYSENTER_CS -> { return v.vmcs.read(VmcsField.GUEST_SYSENTER_CS); }
            case SYSENTER_ESP -> { return v.vmcs.read(VmcsField.GUEST_SYSENTER_ESP); }
            case SYSENTER_EIP -> { return v.vmcs.read(VmcsField.GUEST_SYSENTER_EIP); }
            case KERNEL_GS_BASE, STAR, LSTAR, CSTAR, SFMASK, TSC_AUX -> { return v.cpu.readMsr(msr); }
            case EFER -> { return v.vmcs.read(VmcsField.GUEST_IA32_EFER); }
            case PAT -> { return v.vmcs.read(VmcsField.GUEST_IA32_PAT); }
            case TSC -> { return v.cpu.tsc(); }
            case TSC_ADJUST -> { return v.tscAdjust(); }
            case APIC_BASE -> { return v.apicBaseValue(); }
            case TSC_DEADLINE -> { return apic == null ? 0L : apic.tscDeadline(); }
            case MISC_ENABLE -> { return v.miscEnable(); }
            case MCG_CAP -> { return 0L; }
            case MCG_STATUS -> { return v.mcgStatus(); }
            case FEATURE_CONTROL -> { return 1L; }
            case MTRRCAP -> { return 0x508L; }
            case SPEC_CTRL -> { return 0L; }
            case ARCH_CAPABILITIES -> { return 0L; }
            case XSS -> {
                if (!v.xstate.canReadXss(host)) return null;
                return v.xstate.xss();
            }
            case XFD -> {
                if (!v.xstate.canAccessXfd(host)) return null;
                return v.fpu.xfd();
            }
            case XFD_ERR -> {
                if (!v.xstate.canAccessXfd(host)) return null;
                return v.fpu.xfdErr();
            }
            default -> {
                if (msr == MTRR_DEF_TYPE || (msr >= 0x200 && msr < 0x210) || msr == 0x250 || msr == 0x258 || msr == 0x259
                    || (msr >= 0x268 && msr <= 0x26F)) {
                    return v.mtrr(msr);
                }
                if (msr >= X2APIC_FIRST && msr <= X2APIC_LAST) {
                    if (apic == null) return null;
                    return apic.x2apicRead(msr);
                }
                return null;
            }
        }
    }

    public boolean write(int msr, long val, boolean host) {
        LocalApic apic = v.lapic();
        switch (msr) {
            case FS_BASE -> { if (!canonical(val)) return false; v.vmcs.write(VmcsField.GUEST_FS_BASE, val); }
            case GS_BASE -> { if (!canonical(val)) return false; v.vmcs.write(VmcsField.GUEST_GS_BASE, val); }
            case SYSENTER_CS -> v.vmcs.write(VmcsField.GUEST_SYSENTER_CS, val);
            case SYSENTER_ESP -> { if (!canonical(val)) return false; v.vmcs.write(VmcsField.GUEST_SYSENTER_ESP, val); }
            case SYSENTER_EIP -> { if (!canonical(val)) return false; v.vmcs.write(VmcsField.GUEST_SYSENTER_EIP, val); }
            case KERNEL_GS_BASE, LSTAR, CSTAR -> { if (!canonical(val)) return false; v.cpu.writeMsr(msr, val); }
            case STAR -> v.cpu.writeMsr(msr, val);
            case SFMASK, TSC_AUX -> { if ((val >>> 32) != 0) return false; v.cpu.writeMsr(msr, val); }
            case EFER -> {
                if ((val & ~loop.eferValidBits()) != 0) return false;
                long old = v.vmcs.read(VmcsField.GUEST_IA32_EFER);
                if (!host && ((old ^ val) & SoftVcpuBits.EFER_LME) != 0 && (v.regs.cr0Read() & SoftVcpuBits.CR0_PG) != 0) return false;
                // LMA is the CPU's to set; a guest write keeps the current value of it.
                long nv = host ? val : (val & ~SoftVcpuBits.EFER_LMA) | (old & SoftVcpuBits.EFER_LMA);
                loop.writeEfer(nv);
            }
            case PAT -> {
                for (int i = 0; i < 8; i++) {
                    int t = (int) (val >>> (8 * i)) & 0xFF;
                    if (t == 2 || t == 3 || t > 7) return false;
                }
                v.vmcs.write(VmcsField.GUEST_IA32_PAT, val);
            }
            case TSC -> loop.setGuestTsc(val);
            case TSC_ADJUST -> {
                if (!host) loop.setGuestTsc(v.cpu.tsc() + (val - v.tscAdjust()));
                v.setTscAdjust(val);
            }
            case APIC_BASE -> { return v.setApicBaseValue(val, host); }
            case TSC_DEADLINE -> { if (apic != null) apic.writeTscDeadline(val); }
            case MISC_ENABLE -> v.setMiscEnable(val);
            case MCG_STATUS -> v.setMcgStatus(val);
            case MCG_CAP -> { return host; }
            case SPEC_CTRL -> { return (val & ~7L) == 0; }
            case XSS -> {
                if (!v.xstate.setXss(val, host)) return false;
                v.updateCpuidRuntime();
            }
            case XFD -> {
                boolean was = v.xstate.xfdNoWriteIntercept();
                if (!v.xstate.setXfd(val, host)) return false;
                loop.guestXfdChanged(val, !was && v.xstate.xfdNoWriteIntercept());
            }
            case XFD_ERR -> { return v.xstate.setXfdErr(val, host); }
            default -> {
                if (msr == MTRR_DEF_TYPE || (msr >= 0x200 && msr < 0x210) || msr == 0x250 || msr == 0x258 || msr == 0x259
                    || (msr >= 0x268 && msr <= 0x26F)) {
                    v.setMtrr(msr, val);
                    return true;
                }
                if (msr >= X2APIC_FIRST && msr <= X2APIC_LAST) {
                    if (apic == null) return false;
                    boolean ok = apic.x2apicWrite(msr, val);
                    if (ok) apic.flushIpi();
                    return ok;
                }
                return false;
            }
        }
        return true;
    }

    static boolean canonical(long v) {
        return (v << 16 >> 16) == v;
    }
}
