package org.jkvm.vmm.snapshot;

import java.util.List;
import java.util.Map;

/**
 * A machine as saved: the configuration needed to rebuild it, each vCPU, each device's bytes by name, and
 * guest RAM as runs of non-zero pages (each run raw or deflated, as stored).
 */
public record Snapshot(MachineInfo machine, List<VcpuState> vcpus, Map<String, byte[]> devices, List<RamRun> ram) {

    /** @param clockNanos the machine clock when saved; the restored machine's clock continues from it */
    public record MachineInfo(long ramSize, long clockNanos, String backend, String cmdline, int vcpuCount,
                              boolean lapicInBackend) {}

    /** {@code pages} pages from guest-RAM page {@code firstPage} (RAM offset, not physical address). */
    public record RamRun(long firstPage, int pages, boolean deflated, byte[] data) {}
}
