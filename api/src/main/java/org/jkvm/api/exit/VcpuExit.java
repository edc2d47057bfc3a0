package org.jkvm.api.exit;

import java.lang.foreign.MemorySegment;

/**
 * What KVM_RUN returns to user space (kvm_run.exit_reason and its union), as types.
 * Reason numbers are Linux's KVM_EXIT_*.
 */
public sealed interface VcpuExit {
    int KVM_EXIT_IO = 2, KVM_EXIT_HLT = 5, KVM_EXIT_MMIO = 6, KVM_EXIT_IRQ_WINDOW_OPEN = 7,
        KVM_EXIT_SHUTDOWN = 8, KVM_EXIT_FAIL_ENTRY = 9, KVM_EXIT_INTR = 10, KVM_EXIT_INTERNAL_ERROR = 17,
        KVM_EXIT_SYSTEM_EVENT = 24;

    int reason();

    /**
     * Port I/O. {@code data} is the kvm_run data area: {@code size * count} bytes, read for OUT,
     * written by the VMM for IN before the next run.
     */
    record Io(boolean in, int port, int size, int count, MemorySegment data) implements VcpuExit {
        public static final int KVM_EXIT_IO_IN = 0, KVM_EXIT_IO_OUT = 1;
        public int reason() { return KVM_EXIT_IO; }
    }

    /** MMIO to an address no memory slot backs; for a read the VMM fills {@code data} (len bytes). */
    record Mmio(long physAddr, int len, boolean isWrite, MemorySegment data) implements VcpuExit {
        public int reason() { return KVM_EXIT_MMIO; }
    }

    record Hlt() implements VcpuExit {
        public int reason() { return KVM_EXIT_HLT; }
    }

    record IrqWindowOpen() implements VcpuExit {
        public int reason() { return KVM_EXIT_IRQ_WINDOW_OPEN; }
    }

    /** Triple fault (or another shutdown condition). */
    record Shutdown() implements VcpuExit {
        public int reason() { return KVM_EXIT_SHUTDOWN; }
    }

    record FailEntry(long hardwareEntryFailureReason, int cpu) implements VcpuExit {
        public int reason() { return KVM_EXIT_FAIL_ENTRY; }
    }

    /** KVM_RUN returned -EINTR (immediate_exit, a signal, or the soft backend's instruction/time budget). */
    record Interrupted() implements VcpuExit {
        public int reason() { return KVM_EXIT_INTR; }
    }

    /** KVM_EXIT_INTERNAL_ERROR; {@code description} is jkvm's text for it (e.g. the unimplemented instruction). */
    record InternalError(int suberror, long[] data, String description) implements VcpuExit {
        public static final int EMULATION = 1, SIMUL_EX = 2, DELIVERY_EV = 3, UNEXPECTED_EXIT_REASON = 4;
        public int reason() { return KVM_EXIT_INTERNAL_ERROR; }

        @Override
        public String toString() {
            return "InternalError[suberror=" + suberror + ", data=" + hex(data) + ", description=" + description + "]";
        }
    }

    record SystemEvent(int type, long[] data) implements VcpuExit {
        public static final int SHUTDOWN = 1, RESET = 2, CRASH = 3;
        public int reason() { return KVM_EXIT_SYSTEM_EVENT; }

        @Override
        public String toString() { return "SystemEvent[type=" + type + ", data=" + hex(data) + "]"; }
    }

    private static String hex(long[] data) {
        if (data == null) return "null";
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < data.length; i++) b.append(i == 0 ? "" : ", ").append("0x").append(Long.toHexString(data[i]));
        return b.append(']').toString();
    }
}
