package org.jkvm.cpu.xstate;

import java.util.EnumSet;

import org.jkvm.cpu.model.CpuModel;
import org.jkvm.cpu.model.FeatureDeps;
import org.jkvm.isa.CpuFeature;

/** A {@link CpuModel} with exactly the CPUID features of the host, for differential tests. */
public final class HostModel {
    private HostModel() {}

    private static CpuModel model;

    public static synchronized CpuModel get() {
        if (model != null) return model;
        int maxBasic = NativeHost.cpuid(0, 0)[0];
        int maxExt = NativeHost.cpuid(0x8000_0000, 0)[0];
        EnumSet<CpuFeature> f = EnumSet.noneOf(CpuFeature.class);
        for (CpuFeature c : CpuFeature.values()) {
            int leaf = c.leaf();
            if (leaf >= 0 ? Integer.compareUnsigned(leaf, maxBasic) > 0 : Integer.compareUnsigned(leaf, maxExt) > 0) continue;
            int[] r = NativeHost.cpuid(leaf, c.subleaf());
            if (c.isSet(r[0], r[1], r[2], r[3])) f.add(c);
        }
        // Keep the set closed under the dependency table (a virtual CPU may hide a requirement).
        for (EnumSet<CpuFeature> bad = FeatureDeps.unsatisfied(f); !bad.isEmpty(); bad = FeatureDeps.unsatisfied(f)) {
            f.removeAll(bad);
        }
        int sig = NativeHost.cpuid(1, 0)[0];
        int family = (sig >> 8 & 0xF) + (sig >> 20 & 0xFF);
        int mdl = (sig >> 4 & 0xF) | (sig >> 12 & 0xF0);
        model = new CpuModel("host", family, mdl, sig & 0xF, "host", 46, f, 0);
        return model;
    }
}
