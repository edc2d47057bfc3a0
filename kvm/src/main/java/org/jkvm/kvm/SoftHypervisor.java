package org.jkvm.kvm;

import java.util.ArrayList;
import java.util.List;

import org.jkvm.api.Capability;
import org.jkvm.api.HostCpuid;
import org.jkvm.api.Hypervisor;
import org.jkvm.api.KvmException;
import org.jkvm.api.Vm;
import org.jkvm.api.uabi.KvmCpuidEntry2;
import org.jkvm.cpu.model.CpuModel;
import org.jkvm.cpu.model.CpuidLeaf;
import org.jkvm.cpu.model.CpuidTable;
import org.jkvm.cpu.xstate.XFeature;
import org.jkvm.cpu.xstate.XsaveCpuid;
import org.jkvm.cpu.xstate.XsaveLayout;
import org.jkvm.isa.CpuFeature;
import org.jkvm.kvm.fpu.GuestPermission;
import org.jkvm.kvm.xcr.Xfeatures;

/**
 * The system handle of the soft backend ({@code /dev/kvm} opened): KVM's capabilities (kvm_caps) derived
 * from the physical CPU model, and the process-wide guest XSAVE permission. Its {@link HostCpuid} view is the
 * model's own CPUID as the host kernel sees it.
 */
public final class SoftHypervisor implements Hypervisor, HostCpuid {
    private final KvmOptions options;
    private final CpuModel model;
    /** kvm_caps.supported_xcr0: host XCR0 support & what KVM can virtualize. */
    private final long supportedXcr0;
    /** kvm_caps.supported_xss. */
    private final long supportedXss;
    private final GuestPermission permission;

    SoftHypervisor(KvmOptions options) {
        this.options = options;
        this.model = options.cpu();
        long xcr0 = model.supportedXcr0() & Xfeatures.KVM_SUPPORTED_XCR0;
        // MPX and APX share the offset-960 area; a CPU with both cannot give a guest both.
        if ((xcr0 & Xfeatures.APX) != 0) xcr0 &= ~Xfeatures.MPX;
        this.supportedXcr0 = xcr0;
        // kvm_caps.supported_xss: what the host kernel itself enables in IA32_XSS and KVM can switch.
        this.supportedXss = model.osXss() & Xfeatures.KVM_SUPPORTED_XSS;
        this.permission = new GuestPermission(supportedXcr0);
    }

    public KvmOptions options() { return options; }

    public CpuModel model() { return model; }

    public long supportedXcr0() { return supportedXcr0; }

    public long supportedXss() { return supportedXss; }

    public GuestPermission permission() { return permission; }

    /** kvm_get_filtered_xcr0: supported XCR0 limited by the guest permission; no XTILECFG without XTILEDATA. */
    public long filteredXcr0() {
        long x = supportedXcr0 & permission.permitted();
        if ((x & Xfeatures.XTILE_DATA) == 0) x &= ~Xfeatures.XTILE_CFG;
        return x;
    }

    @Override
    public String name() { return SoftProvider.NAME; }

    @Override
    public int apiVersion() { return KVM_API_VERSION; }

    @Override
    public long checkExtension(Capability cap) {
        return switch (cap) {
            case IRQCHIP, HLT, USER_MEMORY, SET_TSS_ADDR, EXT_CPUID, MP_STATE, VCPU_EVENTS, XCRS, TSC_DEADLINE_TIMER,
                IMMEDIATE_EXIT, SPLIT_IRQCHIP -> 1;
            case XSAVE -> model.has(CpuFeature.XSAVE) ? 1 : 0;
            case XSAVE2 -> Math.max(4096, XsaveLayout.standardSize(filteredXcr0()));
            case NR_VCPUS -> SoftVm.MAX_VCPUS;
            case MAX_VCPUS -> SoftVm.MAX_VCPUS;
            case NR_MEMSLOTS -> SoftVm.MAX_MEMSLOTS;
            case IRQ_ROUTING, X86_USER_SPACE_MSR -> 0;
        };
    }

    @Override
    public List<KvmCpuidEntry2> supportedCpuid() {
        return supportedCpuidFor(filteredXcr0());
    }

    /**
     * The CPU model's CPUID with the host kernel's state loaded, the same values the host model of each vCPU
     * boots with: XCR0 = every supported user component, IA32_XSS = {@link CpuModel#osXss()}, CR4.OSXSAVE set,
     * CR4.PKE set where the model has PKU (Linux enables both whenever the part supports them).
     */
    @Override
    public List<KvmCpuidEntry2> hostCpuid() {
        List<KvmCpuidEntry2> out = new ArrayList<>();
        for (CpuidLeaf l : CpuidTable.of(model).leaves(true, model.has(CpuFeature.PKU), model.supportedXcr0(), model.osXss())) {
            out.add(new KvmCpuidEntry2(l.function(), l.index(), l.flags(), l.eax(), l.ebx(), l.ecx(), l.edx()));
        }
        return out;
    }

    @Override
    public long hostXss() { return model.osXss(); }

    /** KVM_GET_SUPPORTED_CPUID for a given permitted XCR0. */
    List<KvmCpuidEntry2> supportedCpuidFor(long xcr0) {
        boolean apx = (xcr0 & Xfeatures.APX) != 0;
        List<KvmCpuidEntry2> out = new ArrayList<>();
        for (CpuidLeaf l : CpuidTable.of(model).leaves(false, false, model.supportedXcr0(), model.osXss())) {
            int fn = l.function(), idx = l.index();
            int eax = l.eax(), ebx = l.ebx(), ecx = l.ecx(), edx = l.edx();
            switch (fn) {
                case 1 -> ecx = (ecx | CpuFeature.HYPERVISOR.mask()) & ~CpuFeature.OSXSAVE.mask();
                case 7 -> {
                    if (idx == 1 && !apx) edx &= ~CpuFeature.APX_F.mask();
                    if (idx == 0) ecx &= ~CpuFeature.OSPKE.mask();
                }
                case 0x29 -> { if (!apx) eax = ebx = ecx = edx = 0; }
                case 0xD -> {
                    if (idx >= 2 && ((xcr0 | supportedXss) & (1L << idx)) == 0) continue;
                    if (idx == 0) {
                        eax = (int) xcr0;
                        edx = (int) (xcr0 >>> 32);
                        ebx = ecx = XsaveLayout.standardSize(xcr0);
                    } else if (idx == 1) {
                        eax &= XsaveCpuid.D1_XSAVEOPT | XsaveCpuid.D1_XSAVEC | XsaveCpuid.D1_XGETBV1 | XsaveCpuid.D1_XSAVES | XsaveCpuid.D1_XFD;
                        ebx = XsaveLayout.compactedSize(xcr0 | supportedXss);
                        ecx = (int) supportedXss;
                        edx = (int) (supportedXss >>> 32);
                    }
                }
                default -> { }
            }
            out.add(new KvmCpuidEntry2(fn, idx, l.flags(), eax, ebx, ecx, edx));
        }
        // KVM's paravirtual signature leaves (no paravirtual features are offered).
        out.add(new KvmCpuidEntry2(0x4000_0000, 0, 0, 0x4000_0001, 0x4b4d564b, 0x564b4d56, 0x4d));
        out.add(new KvmCpuidEntry2(0x4000_0001, 0, 0, 0, 0, 0, 0));
        return out;
    }

    @Override
    public int[] msrIndexList() {
        return SoftMsrs.msrsToSave(this);
    }

    @Override
    public void requestGuestPermission(int xfeature) throws KvmException {
        permission.request(xfeature);
    }

    @Override
    public long guestPermission() {
        return permission.permitted();
    }

    @Override
    public Vm createVm() throws KvmException {
        return new SoftVm(this);
    }

    @Override
    public void close() { }

    /** Which XSAVE components a value names, for messages. */
    static String describe(long mask) {
        StringBuilder sb = new StringBuilder();
        for (XFeature f : XFeature.all()) if ((mask & f.mask) != 0) sb.append(sb.isEmpty() ? "" : "|").append(f.label);
        return sb.toString();
    }
}
