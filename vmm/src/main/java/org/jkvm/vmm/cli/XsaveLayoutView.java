package org.jkvm.vmm.cli;

import java.util.ArrayList;
import java.util.List;

import org.jkvm.api.uabi.KvmCpuidEntry2;

/**
 * The XSAVE layout as a guest would derive it from CPUID leaf 0xD: supported XCR0/IA32_XSS, each
 * component's size, standard offset and flags (ECX bit 0 supervisor, bit 1 64-byte aligned when
 * compacted, bit 2 XFD-capable), and compacted offsets computed the way XSAVEC/XSAVES lay an area
 * out (from byte 576, in component order, aligning where ECX[1] says).
 */
final class XsaveLayoutView {
    /** One state component as CPUID describes it. */
    record Component(int index, int size, int standardOffset, int flags) {
        boolean supervisor() { return (flags & 1) != 0; }

        boolean aligned() { return (flags & 2) != 0; }

        boolean xfd() { return (flags & 4) != 0; }
    }

    /** Display labels for component numbers (the layout itself comes from CPUID only). */
    private static final String[] LABELS = {"x87", "SSE", "AVX", "MPX BNDREGS", "MPX BNDCSR", "AVX-512 opmask",
        "AVX-512 ZMM_Hi256", "AVX-512 Hi16_ZMM", "PT", "PKRU", "PASID", "CET_U", "CET_S", "HDC", "UINTR", "Arch LBR",
        "HWP", "AMX TILECFG", "AMX TILEDATA", "APX"};

    final long xcr0, xss;
    final int d0Ebx, d0Ecx, d1Eax, d1Ebx;
    final List<Component> components = new ArrayList<>();

    XsaveLayoutView(List<KvmCpuidEntry2> leaves) {
        KvmCpuidEntry2 d0 = find(leaves, 0xD, 0), d1 = find(leaves, 0xD, 1);
        if (d0 == null) throw new IllegalArgumentException("no CPUID leaf 0xD");
        xcr0 = (d0.eax() & 0xFFFF_FFFFL) | (long) d0.edx() << 32;
        d0Ebx = d0.ebx();
        d0Ecx = d0.ecx();
        d1Eax = d1 == null ? 0 : d1.eax();
        d1Ebx = d1 == null ? 0 : d1.ebx();
        xss = d1 == null ? 0 : (d1.ecx() & 0xFFFF_FFFFL) | (long) d1.edx() << 32;
        if ((xcr0 & 1) != 0) components.add(new Component(0, 160, 0, 0));
        if ((xcr0 & 2) != 0) components.add(new Component(1, 256, 160, 0));
        for (int i = 2; i < 63; i++) {
            if (((xcr0 | xss) >>> i & 1) == 0) continue;
            KvmCpuidEntry2 e = find(leaves, 0xD, i);
            if (e != null && e.eax() != 0) components.add(new Component(i, e.eax(), e.ebx(), e.ecx()));
        }
    }

    static String label(int i) {
        return i < LABELS.length ? LABELS[i] : "component " + i;
    }

    /** Offset of component {@code index} in a compacted area holding {@code mask}, or -1 when absent. */
    int compactedOffset(long mask, int index) {
        if ((mask >>> index & 1) == 0) return -1;
        if (index < 2) return index == 0 ? 0 : 160;
        int off = 576;
        for (Component c : components) {
            if (c.index() < 2 || (mask >>> c.index() & 1) == 0) continue;
            if (c.aligned()) off = (off + 63) & ~63;
            if (c.index() == index) return off;
            off += c.size();
        }
        return -1;
    }

    int compactedSize(long mask) {
        int off = 576;
        for (Component c : components) {
            if (c.index() < 2 || (mask >>> c.index() & 1) == 0) continue;
            if (c.aligned()) off = (off + 63) & ~63;
            off += c.size();
        }
        return off;
    }

    static KvmCpuidEntry2 find(List<KvmCpuidEntry2> leaves, int fn, int idx) {
        for (KvmCpuidEntry2 e : leaves) if (e.function() == fn && e.index() == idx) return e;
        return null;
    }
}
