package org.jkvm.vmm.machine;

import org.jkvm.vmm.bus.IoDevice;

/**
 * jkvm's snapshot request port (0x5C5): a guest writing 1 asks the VMM to save a snapshot right after that
 * OUT instruction (with --save-snapshot; otherwise the write is ignored). Reads return 0 when no snapshot
 * file is configured and 1 when one is, so a guest can tell whether its request will be honoured.
 */
final class SnapshotTrigger implements IoDevice {
    static final int PORT = 0x5C5;
    private final boolean enabled;
    private boolean requested;

    SnapshotTrigger(boolean enabled) {
        this.enabled = enabled;
    }

    @Override
    public int in(int port, int size) {
        return enabled ? 1 : 0;
    }

    @Override
    public void out(int port, int size, int value) {
        if (enabled && (value & 0xFF) == 1) requested = true;
    }

    boolean takeRequest() {
        boolean r = requested;
        requested = false;
        return r;
    }
}
