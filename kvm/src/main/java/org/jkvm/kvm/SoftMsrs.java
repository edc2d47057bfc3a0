package org.jkvm.kvm;

import java.util.ArrayList;
import java.util.List;

import org.jkvm.cpu.model.CpuModel;
import org.jkvm.isa.CpuFeature;

/** MSR numbers the soft backend emulates, and the KVM_GET_MSR_INDEX_LIST it reports (msrs_to_save). */
public final class SoftMsrs {
    private SoftMsrs() {}

    public static final int TSC = 0x10, APIC_BASE = 0x1B, FEATURE_CONTROL = 0x3A, TSC_ADJUST = 0x3B,
        SPEC_CTRL = 0x48, MTRRCAP = 0xFE, SYSENTER_CS = 0x174, SYSENTER_ESP = 0x175, SYSENTER_EIP = 0x176,
        MCG_CAP = 0x179, MCG_STATUS = 0x17A, MISC_ENABLE = 0x1A0, XFD = 0x1C4, XFD_ERR = 0x1C5, PAT = 0x277,
        MTRR_DEF_TYPE = 0x2FF, TSC_DEADLINE = 0x6E0, XSS = 0xDA0, EFER = 0xC000_0080, STAR = 0xC000_0081,
        LSTAR = 0xC000_0082, CSTAR = 0xC000_0083, SFMASK = 0xC000_0084, FS_BASE = 0xC000_0100,
        GS_BASE = 0xC000_0101, KERNEL_GS_BASE = 0xC000_0102, TSC_AUX = 0xC000_0103, ARCH_CAPABILITIES = 0x10A,
        X2APIC_FIRST = 0x800, X2APIC_LAST = 0x8FF, X2APIC_ICR = 0x830;

    /** msrs_to_save for this CPU model: what a VMM must carry in a snapshot. */
    static int[] msrsToSave(SoftHypervisor h) {
        CpuModel m = h.model();
        List<Integer> l = new ArrayList<>(List.of(SYSENTER_CS, SYSENTER_ESP, SYSENTER_EIP, STAR, CSTAR,
            KERNEL_GS_BASE, SFMASK, LSTAR, TSC, PAT, MISC_ENABLE, TSC_ADJUST, TSC_DEADLINE, EFER, APIC_BASE,
            MCG_STATUS));
        if (m.has(CpuFeature.RDTSCP)) l.add(TSC_AUX);
        if (m.has(CpuFeature.XSAVES)) l.add(XSS);
        if (m.has(CpuFeature.XFD)) {
            l.add(XFD);
            l.add(XFD_ERR);
        }
        int[] out = new int[l.size()];
        for (int i = 0; i < out.length; i++) out[i] = l.get(i);
        return out;
    }
}
