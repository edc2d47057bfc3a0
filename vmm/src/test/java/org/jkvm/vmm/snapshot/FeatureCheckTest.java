package org.jkvm.vmm.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.jkvm.api.uabi.KvmCpuidEntry2;
import org.junit.jupiter.api.Test;

/** Naming what a restore target lacks: CPUID feature bits and XSAVE components. */
class FeatureCheckTest {
    static KvmCpuidEntry2 leaf(int fn, int idx, int eax, int ebx, int ecx, int edx) {
        return new KvmCpuidEntry2(fn, idx, fn == 7 || fn == 0xD ? KvmCpuidEntry2.KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0,
            eax, ebx, ecx, edx);
    }

    @Test
    void namesMissingCpuidFeatures() {
        List<KvmCpuidEntry2> saved = List.of(leaf(1, 0, 0, 0, 1 << 28, 1 << 25), leaf(7, 0, 0, 1 << 16, 0, 0),
            leaf(7, 1, 0, 0, 0, 1 << 21));
        List<KvmCpuidEntry2> target = List.of(leaf(1, 0, 0, 0, 1 << 28, 1 << 25), leaf(7, 0, 0, 0, 0, 0));
        assertEquals(List.of("AVX512F", "APX_F"), FeatureCheck.missingCpuFeatures(saved, target).stream()
            .filter(n -> n.equals("AVX512F") || n.startsWith("APX")).toList());
        assertTrue(FeatureCheck.missingCpuFeatures(target, saved).isEmpty());
    }

    @Test
    void guestControlledBitsAreNotFeatures() {
        // OSXSAVE (1.ECX[27]) follows the guest's CR4; a target that shows it clear is not lacking anything.
        List<KvmCpuidEntry2> saved = List.of(leaf(1, 0, 0, 0, 1 << 27, 0));
        List<KvmCpuidEntry2> target = List.of(leaf(1, 0, 0, 0, 0, 0));
        assertTrue(FeatureCheck.missingCpuFeatures(saved, target).isEmpty());
    }

    @Test
    void xsaveComponents() {
        long amx = (1L << 17) | (1L << 18);
        assertEquals("AMX XTILECFG (XSAVE component 17)", FeatureCheck.missingComponent(0x7 | amx, 0xE7));
        assertEquals("APX (XSAVE component 19)", FeatureCheck.missingComponent(0x7 | 1L << 19, 0x7 | amx));
        assertNull(FeatureCheck.missingComponent(0x7, 0xE7));
        assertEquals(0x600E7L, FeatureCheck.supportedXcr0(List.of(leaf(0xD, 0, 0x600E7, 0, 0, 0))));
    }
}
