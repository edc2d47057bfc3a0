package org.jkvm.kvm.hw;

import org.jkvm.cpu.mem.PhysicalMemory;
import org.jkvm.cpu.model.CpuModel;
import org.jkvm.cpu.vmx.PhysicalCpu;

/** Creates the physical CPU a vCPU runs on (one per vCPU thread, as if each were pinned). */
public final class SiliconFactory {
    private SiliconFactory() {}

    public static Silicon create(CpuModel model, PhysicalMemory memory) {
        return new PhysicalCpuSilicon(new PhysicalCpu(memory, model));
    }
}
