package org.jkvm.kvm.hw;

import org.jkvm.cpu.mem.PhysicalMemory;
import org.jkvm.cpu.model.CpuModel;

/** Creates the physical CPU a vCPU runs on. */
public final class SiliconFactory {
    private SiliconFactory() {}

    public static Silicon create(CpuModel model, PhysicalMemory memory) {
        throw new UnsupportedOperationException("the cpu module's physical CPU has not landed yet");
    }
}
