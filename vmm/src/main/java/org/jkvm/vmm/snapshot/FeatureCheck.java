package org.jkvm.vmm.snapshot;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.jkvm.api.uabi.KvmCpuidEntry2;
import org.jkvm.isa.CpuFeature;

/**
 * Whether a saved guest can continue on this backend and CPU model: every CPUID feature the guest was shown,
 * and every XSAVE component it enabled or has state in, must be available here. The failure names the first
 * missing feature; restoring anyway would silently drop state (or fault the guest later).
 */
final class FeatureCheck {
    private FeatureCheck() {}

    /** Bits that reflect guest-controlled state (CR4, APIC enable) or topology, not what the CPU can do. */
    private static final Set<CpuFeature> DYNAMIC = EnumSet.noneOf(CpuFeature.class);

    static {
        for (CpuFeature f : CpuFeature.values()) {
            String n = f.name();
            if (n.equals("OSXSAVE") || n.equals("OSPKE") || n.equals("APIC") || n.equals("HYPERVISOR")
                || n.equals("HTT")) DYNAMIC.add(f); // HTT describes topology, not an instruction set
        }
    }

    /** XSAVE state components by bit (Intel SDM vol. 1, 13.1). */
    static final String[] XSAVE_COMPONENTS = {
        "x87", "SSE", "AVX", "MPX BNDREGS", "MPX BNDCSR", "AVX-512 opmask", "AVX-512 ZMM_Hi256", "AVX-512 Hi16_ZMM",
        "PT", "PKRU", "PASID", "CET_U", "CET_S", "HDC", "UINTR", "LBR", "HWP", "AMX XTILECFG", "AMX XTILEDATA", "APX",
    };

    static String componentName(int bit) {
        return bit < XSAVE_COMPONENTS.length ? XSAVE_COMPONENTS[bit] + " (XSAVE component " + bit + ")"
            : "XSAVE component " + bit;
    }

    private static KvmCpuidEntry2 find(List<KvmCpuidEntry2> l, int fn, int idx) {
        for (KvmCpuidEntry2 e : l) {
            if (e.function() != fn) continue;
            if ((e.flags() & KvmCpuidEntry2.KVM_CPUID_FLAG_SIGNIFCANT_INDEX) == 0 || e.index() == idx) return e;
        }
        return null;
    }

    private static int reg(KvmCpuidEntry2 e, CpuFeature.Reg r) {
        if (e == null) return 0;
        return switch (r) {
            case EAX -> e.eax();
            case EBX -> e.ebx();
            case ECX -> e.ecx();
            case EDX -> e.edx();
        };
    }

    /** Features the saved guest CPUID has and {@code supported} lacks. */
    static List<String> missingCpuFeatures(List<KvmCpuidEntry2> saved, List<KvmCpuidEntry2> supported) {
        List<String> out = new ArrayList<>();
        for (CpuFeature f : CpuFeature.values()) {
            if (DYNAMIC.contains(f)) continue;
            int s = reg(find(saved, f.leaf(), f.subleaf()), f.register());
            int h = reg(find(supported, f.leaf(), f.subleaf()), f.register());
            if ((s & f.mask()) != 0 && (h & f.mask()) == 0) out.add(f.name());
        }
        return out;
    }

    /** The XCR0 bits the backend supports (CPUID 0xD.0 EDX:EAX). */
    static long supportedXcr0(List<KvmCpuidEntry2> supported) {
        KvmCpuidEntry2 d = find(supported, 0xD, 0);
        return d == null ? 0x3 : (d.eax() & 0xFFFFFFFFL) | ((long) d.edx() << 32);
    }

    /** The first component of {@code needed} outside {@code supported}, named; null when all are present. */
    static String missingComponent(long needed, long supported) {
        long miss = needed & ~supported;
        return miss == 0 ? null : componentName(Long.numberOfTrailingZeros(miss));
    }
}
