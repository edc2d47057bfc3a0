package org.jkvm.cpu.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import org.jkvm.cpu.fault.Fault;
import org.jkvm.cpu.model.CpuModel;
import org.jkvm.cpu.model.CpuModels;
import org.jkvm.cpu.model.FeatureDeps;
import org.jkvm.isa.CpuFeature;
import org.junit.jupiter.api.Test;

/**
 * The generator only uses what the model enumerates; this is the other side of that contract. On a model
 * without the feature the SDM's "#UD if CPUID...= 0" holds for each instruction the generator can emit, and
 * the two whose encodings predate them (LZCNT, TZCNT) run as BSR and BSF, as the SDM says they do on
 * processors without them. The same bytes on the full model complete, so the #UD is the feature's doing.
 */
class FeatureGatingTest {
    private static final long BASE = 0x0000_5A5A_0000_0000L, SEQ = BASE + 0x100;

    /** The max model less {@code f} (and {@code alias}, a second name for the same CPUID bit) and dependents. */
    private static CpuModel without(CpuFeature f, CpuFeature... alias) {
        CpuModel max = CpuModels.byName("max");
        EnumSet<CpuFeature> set = EnumSet.copyOf(max.features());
        set.removeAll(FeatureDeps.withDependents(f));
        for (CpuFeature a : alias) set.removeAll(FeatureDeps.withDependents(a));
        for (EnumSet<CpuFeature> bad = FeatureDeps.unsatisfied(set); !bad.isEmpty(); bad = FeatureDeps.unsatisfied(set)) {
            set.removeAll(bad);
        }
        CpuModel m = max.withFeatures("max-" + f.name().toLowerCase(java.util.Locale.ROOT), set);
        int[] id = new org.jkvm.cpu.vmx.PhysicalCpu(new org.jkvm.cpu.mem.PhysicalMemory(), m).cpuid(f.leaf(), f.subleaf());
        assertTrue(!m.has(f) && !f.isSet(id[0], id[1], id[2], id[3]), f + " still enumerated");
        return m;
    }

    private static SoftCpu.Exit run(CpuModel model, long[] r, int... code) {
        byte[] b = new byte[code.length];
        for (int i = 0; i < code.length; i++) b[i] = (byte) code[i];
        try (SoftCpu cpu = new SoftCpu(BASE, SEQ, 3, false, model)) {
            SoftCpu.Exit e = cpu.execute(b, r, 0, new byte[Layout.DATA_SIZE]);
            r[16 - 1] = cpu.rflags(); // R15 carries RFLAGS back to the caller
            return e;
        }
    }

    private static long[] regs() {
        long[] r = new long[16];
        r[1] = 0x10;
        r[2] = 0xF0F0;
        r[4] = BASE + Layout.INITIAL_RSP;
        return r;
    }

    /** Null when {@code code} completes on the full model and is #UD without {@code f}; else what went wrong. */
    private static String gated(CpuFeature f, int... code) {
        SoftCpu.Exit on = run(CpuModels.byName("max"), regs(), code);
        if (on.vector() != Fault.BP) return f + " on the full model: " + on.describe(SEQ);
        SoftCpu.Exit off = run(without(f), regs(), code);
        if (off.vector() != Fault.UD || off.rip() != SEQ) return f + " not enumerated, yet: " + off.describe(SEQ);
        return null;
    }

    @Test
    void instructionsOfAMissingFeatureAreUD() {
        java.util.List<String> problems = new java.util.ArrayList<>();
        java.util.stream.Stream.of(
            gated(CpuFeature.BMI1, 0xC4, 0xE2, 0x70, 0xF2, 0xC2),          // andn eax, ecx, edx
            gated(CpuFeature.BMI2, 0xC4, 0xE2, 0x73, 0xF5, 0xC2),          // pdep eax, ecx, edx
            gated(CpuFeature.ADX, 0x66, 0x0F, 0x38, 0xF6, 0xC1),           // adcx eax, ecx
            gated(CpuFeature.MOVBE, 0x0F, 0x38, 0xF0, 0x04, 0x24),         // movbe eax, [rsp]
            gated(CpuFeature.POPCNT, 0xF3, 0x0F, 0xB8, 0xC1),              // popcnt eax, ecx
            gated(CpuFeature.CX16, 0x48, 0x0F, 0xC7, 0x0C, 0x24),          // cmpxchg16b [rsp]
            gated(CpuFeature.LAHF_LM, 0x9F)                                // lahf (64-bit mode)
        ).filter(java.util.Objects::nonNull).forEach(problems::add);
        assertTrue(problems.isEmpty(), "instructions run although the model does not enumerate them (the"
            + " SDM: #UD):\n" + String.join("\n", problems));
    }

    @Test
    void lzcntAndTzcntRunAsBsrAndBsfWithoutTheirFeatures() {
        long[] r = regs();
        SoftCpu.Exit e = run(without(CpuFeature.LZCNT, CpuFeature.ABM), r, 0xF3, 0x0F, 0xBD, 0xC1); // lzcnt eax, ecx = 0x10
        assertEquals(Fault.BP, e.vector(), e.describe(SEQ));
        assertEquals(4, r[0], "BSR of 0x10");
        r = regs();
        r[1] = 1;
        e = run(without(CpuFeature.BMI1), r, 0xF3, 0x0F, 0xBC, 0xC1);               // tzcnt eax, ecx (ecx = 1)
        assertEquals(Fault.BP, e.vector(), e.describe(SEQ));
        assertEquals(0, r[0], "BSF of 1");
        assertEquals(0, r[15] & Flags.ZF, "BSF: ZF clear for a non-zero source (TZCNT would set it: result 0)");
    }
}
