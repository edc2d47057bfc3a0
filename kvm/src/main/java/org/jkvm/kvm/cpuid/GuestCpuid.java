package org.jkvm.kvm.cpuid;

import java.util.ArrayList;
import java.util.List;

import org.jkvm.api.Errno;
import org.jkvm.api.KvmException;
import org.jkvm.api.uabi.KvmCpuidEntry2;
import org.jkvm.cpu.xstate.XsaveLayout;
import org.jkvm.isa.CpuFeature;

/**
 * A vCPU's CPUID table (vcpu->arch.cpuid_entries) with KVM's runtime updates: OSXSAVE and OSPKE follow CR4,
 * the APIC bit follows the APIC base MSR, 0xD.0 EBX follows XCR0 and 0xD.1 EBX follows XCR0|XSS.
 * Immutable entries; the table object is replaced on KVM_SET_CPUID2.
 */
public final class GuestCpuid {
    public static final int MAX_ENTRIES = 256;

    private final List<KvmCpuidEntry2> entries;

    public GuestCpuid(List<KvmCpuidEntry2> entries) {
        this.entries = List.copyOf(entries);
    }

    public static GuestCpuid empty() { return new GuestCpuid(List.of()); }

    public List<KvmCpuidEntry2> entries() { return entries; }

    public boolean isEmpty() { return entries.isEmpty(); }

    /** kvm_find_cpuid_entry2. */
    public KvmCpuidEntry2 find(int fn, int idx) {
        for (KvmCpuidEntry2 e : entries) if (e.matches(fn, idx)) return e;
        return null;
    }

    public boolean has(CpuFeature f) {
        KvmCpuidEntry2 e = find(f.leaf(), f.subleaf());
        return e != null && f.isSet(e.eax(), e.ebx(), e.ecx(), e.edx());
    }

    /** cpuid_get_supported_xcr0 before masking: CPUID.(0xD,0) EDX:EAX. */
    public long xcr0Mask() {
        KvmCpuidEntry2 e = find(0xD, 0);
        return e == null ? 0 : (e.eax() & 0xFFFF_FFFFL) | (long) e.edx() << 32;
    }

    /** CPUID.(0xD,1) EDX:ECX. */
    public long xssMask() {
        KvmCpuidEntry2 e = find(0xD, 1);
        return e == null ? 0 : (e.ecx() & 0xFFFF_FFFFL) | (long) e.edx() << 32;
    }

    /** kvm_check_cpuid's structural checks (everything but the FPU permission, which the caller does). */
    public static void check(List<KvmCpuidEntry2> entries) throws KvmException {
        if (entries.size() > MAX_ENTRIES) throw new KvmException(Errno.E2BIG, entries.size() + " CPUID entries (max " + MAX_ENTRIES + ")");
        for (KvmCpuidEntry2 e : entries) {
            if (e.function() == 0x8000_0008) {
                int vaddr = (e.eax() >> 8) & 0xFF;
                if (vaddr != 48 && vaddr != 57 && vaddr != 0) throw new KvmException(Errno.EINVAL, "CPUID 0x80000008 virtual address width " + vaddr);
            }
        }
    }

    /** __kvm_update_cpuid_runtime applied to a copy. */
    public GuestCpuid withRuntime(boolean osxsave, boolean ospke, boolean apicEnabled, long xcr0, long xss) {
        List<KvmCpuidEntry2> out = new ArrayList<>(entries.size());
        for (KvmCpuidEntry2 e : entries) {
            KvmCpuidEntry2 n = e;
            switch (e.function()) {
                case 1 -> {
                    int ecx = e.ecx();
                    if ((ecx & CpuFeature.XSAVE.mask()) != 0) ecx = osxsave ? ecx | CpuFeature.OSXSAVE.mask() : ecx & ~CpuFeature.OSXSAVE.mask();
                    int edx = apicEnabled ? e.edx() | CpuFeature.APIC.mask() : e.edx() & ~CpuFeature.APIC.mask();
                    n = e.withEcx(ecx).withEdx(edx);
                }
                case 7 -> {
                    if (e.index() == 0 && (e.ecx() & CpuFeature.PKU.mask()) != 0) {
                        n = e.withEcx(ospke ? e.ecx() | CpuFeature.OSPKE.mask() : e.ecx() & ~CpuFeature.OSPKE.mask());
                    }
                }
                case 0xD -> {
                    if (e.index() == 0) n = e.withEbx(XsaveLayout.standardSize(xcr0));
                    if (e.index() == 1 && (e.eax() & 0xA) != 0) n = e.withEbx(XsaveLayout.compactedSize(xcr0 | xss));
                }
                default -> { }
            }
            out.add(n);
        }
        return new GuestCpuid(out);
    }

    /**
     * What the guest's CPUID instruction returns: the matching entry; a leaf above the maximum basic or
     * extended leaf returns the maximum basic leaf's data (Intel's behaviour, as KVM emulates it); a missing
     * entry below the maximum reads zero.
     */
    public void query(int fn, int idx, int[] out) {
        KvmCpuidEntry2 e = find(fn, idx);
        if (e == null) {
            KvmCpuidEntry2 max = find(fn < 0 ? 0x8000_0000 : (fn >= 0x4000_0000 && fn < 0x5000_0000 ? 0x4000_0000 : 0), 0);
            boolean outOfRange = max == null || Integer.compareUnsigned(fn, max.eax()) > 0;
            if (outOfRange) {
                KvmCpuidEntry2 basic = find(0, 0);
                if (basic != null) e = find(basic.eax(), idx);
                if (e == null && basic != null) e = find(basic.eax(), 0);
            }
        }
        if (e == null) {
            out[0] = out[1] = out[2] = out[3] = 0;
            return;
        }
        out[0] = e.eax();
        out[1] = e.ebx();
        out[2] = e.ecx();
        out[3] = e.edx();
    }

    /** kvm_cpuid_check_equal. */
    public boolean sameAs(GuestCpuid o) {
        return entries.equals(o.entries);
    }
}
