package org.jkvm.api.uabi;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HexFormat;

import org.jkvm.api.exit.VcpuExit;

/**
 * struct kvm_run, the page shared by KVM_RUN and user space, as an accessor over a {@link MemorySegment}: the
 * mmap'd area of a /dev/kvm vCPU, or an identical area the soft backend allocates. Offsets come from
 * {@link #LAYOUT}; the exit union members are the ones x86 user space handles.
 *
 * <p>The area is larger than the struct: port I/O data lives at {@link #PIO_DATA_OFFSET} (one page in, as
 * KVM_PIO_PAGE_OFFSET), so backends allocate {@link #AREA_SIZE} bytes or what KVM_GET_VCPU_MMAP_SIZE says.
 */
public final class KvmRun {
    /** sizeof(struct kvm_run) on x86-64. */
    public static final int SIZE = 2352;
    /** Where KVM puts kvm_run.io data: KVM_PIO_PAGE_OFFSET (1) pages from the start. */
    public static final int PIO_DATA_OFFSET = 4096;
    /** An area covering kvm_run and the PIO data page, for backends that allocate their own. */
    public static final int AREA_SIZE = 2 * 4096;
    public static final int UNION_OFFSET = 32, UNION_SIZE = 256;

    public static final CStruct LAYOUT = CStruct.of("kvm_run", SIZE)
        .field("request_interrupt_window", 0, 1)
        .field("immediate_exit", 1, 1)
        .field("padding1", 2, 6)
        .field("exit_reason", 8, 4)
        .field("ready_for_interrupt_injection", 12, 1)
        .field("if_flag", 13, 1)
        .field("flags", 14, 2)
        .field("cr8", 16, 8)
        .field("apic_base", 24, 8)
        .field("hw.hardware_exit_reason", 32, 8)
        .field("fail_entry.hardware_entry_failure_reason", 32, 8)
        .field("fail_entry.cpu", 40, 4)
        .field("ex.exception", 32, 4)
        .field("ex.error_code", 36, 4)
        .field("io.direction", 32, 1)
        .field("io.size", 33, 1)
        .field("io.port", 34, 2)
        .field("io.count", 36, 4)
        .field("io.data_offset", 40, 8)
        .field("mmio.phys_addr", 32, 8)
        .field("mmio.data", 40, 8)
        .field("mmio.len", 48, 4)
        .field("mmio.is_write", 52, 1)
        .field("internal.suberror", 32, 4)
        .field("internal.ndata", 36, 4)
        .field("internal.data", 40, 16 * 8)
        .field("emulation_failure.flags", 40, 8)
        .field("emulation_failure.insn_size", 48, 1)
        .field("emulation_failure.insn_bytes", 49, 15)
        .field("system_event.type", 32, 4)
        .field("system_event.ndata", 36, 4)
        .field("system_event.data", 40, 16 * 8)
        .field("padding", UNION_OFFSET, UNION_SIZE)
        .field("kvm_valid_regs", 288, 8)
        .field("kvm_dirty_regs", 296, 8)
        .field("s", 304, 2048)
        .build();

    private static final Field REQUEST_INTERRUPT_WINDOW = LAYOUT.field("request_interrupt_window"),
        IMMEDIATE_EXIT = LAYOUT.field("immediate_exit"), EXIT_REASON = LAYOUT.field("exit_reason"),
        READY_FOR_INTERRUPT_INJECTION = LAYOUT.field("ready_for_interrupt_injection"),
        IF_FLAG = LAYOUT.field("if_flag"), FLAGS = LAYOUT.field("flags"), CR8 = LAYOUT.field("cr8"),
        APIC_BASE = LAYOUT.field("apic_base"), HW_EXIT_REASON = LAYOUT.field("hw.hardware_exit_reason"),
        FAIL_REASON = LAYOUT.field("fail_entry.hardware_entry_failure_reason"),
        FAIL_CPU = LAYOUT.field("fail_entry.cpu"), IO_DIRECTION = LAYOUT.field("io.direction"),
        IO_SIZE = LAYOUT.field("io.size"), IO_PORT = LAYOUT.field("io.port"), IO_COUNT = LAYOUT.field("io.count"),
        IO_DATA_OFFSET = LAYOUT.field("io.data_offset"), MMIO_PHYS_ADDR = LAYOUT.field("mmio.phys_addr"),
        MMIO_DATA = LAYOUT.field("mmio.data"), MMIO_LEN = LAYOUT.field("mmio.len"),
        MMIO_IS_WRITE = LAYOUT.field("mmio.is_write"), INTERNAL_SUBERROR = LAYOUT.field("internal.suberror"),
        INTERNAL_NDATA = LAYOUT.field("internal.ndata"), INTERNAL_DATA = LAYOUT.field("internal.data"),
        EMULATION_FLAGS = LAYOUT.field("emulation_failure.flags"),
        INSN_SIZE = LAYOUT.field("emulation_failure.insn_size"),
        INSN_BYTES = LAYOUT.field("emulation_failure.insn_bytes"),
        SYSTEM_EVENT_TYPE = LAYOUT.field("system_event.type"), SYSTEM_EVENT_NDATA = LAYOUT.field("system_event.ndata"),
        SYSTEM_EVENT_DATA = LAYOUT.field("system_event.data"), UNION = LAYOUT.field("padding");

    /** KVM_RUN_X86_SMM and friends in kvm_run.flags. */
    public static final int FLAG_X86_SMM = 1 << 0, FLAG_X86_BUS_LOCK = 1 << 1, FLAG_X86_GUEST_MODE = 1 << 2;

    private final MemorySegment area;

    /** Wraps an area of at least {@link #SIZE} bytes (IllegalArgumentException otherwise). */
    public KvmRun(MemorySegment area) {
        if (area.byteSize() < SIZE) throw new IllegalArgumentException("kvm_run area of " + area.byteSize() + " < " + SIZE);
        this.area = area;
    }

    /** A zeroed, page-aligned area of {@link #AREA_SIZE} bytes from {@code arena}, for a backend without mmap. */
    public static KvmRun allocate(Arena arena) { return new KvmRun(arena.allocate(AREA_SIZE, 4096)); }

    public MemorySegment segment() { return area; }

    public boolean requestInterruptWindow() { return REQUEST_INTERRUPT_WINDOW.getBool(area); }

    public void setRequestInterruptWindow(boolean v) { REQUEST_INTERRUPT_WINDOW.set(area, v); }

    public boolean immediateExit() { return IMMEDIATE_EXIT.getBool(area); }

    public void setImmediateExit(boolean v) { IMMEDIATE_EXIT.set(area, v); }

    public int exitReason() { return EXIT_REASON.getInt(area); }

    public void setExitReason(int v) { EXIT_REASON.set(area, v); }

    public boolean readyForInterruptInjection() { return READY_FOR_INTERRUPT_INJECTION.getBool(area); }

    public void setReadyForInterruptInjection(boolean v) { READY_FOR_INTERRUPT_INJECTION.set(area, v); }

    public boolean ifFlag() { return IF_FLAG.getBool(area); }

    public void setIfFlag(boolean v) { IF_FLAG.set(area, v); }

    public int flags() { return FLAGS.getInt(area); }

    public void setFlags(int v) { FLAGS.set(area, v); }

    public long cr8() { return CR8.get(area); }

    public void setCr8(long v) { CR8.set(area, v); }

    public long apicBase() { return APIC_BASE.get(area); }

    public void setApicBase(long v) { APIC_BASE.set(area, v); }

    public long hardwareExitReason() { return HW_EXIT_REASON.get(area); }

    public long failEntryReason() { return FAIL_REASON.get(area); }

    public int failEntryCpu() { return FAIL_CPU.getInt(area); }

    public int ioDirection() { return IO_DIRECTION.getInt(area); }

    public int ioSize() { return IO_SIZE.getInt(area); }

    public int ioPort() { return IO_PORT.getInt(area); }

    public int ioCount() { return IO_COUNT.getInt(area); }

    public long ioDataOffset() { return IO_DATA_OFFSET.get(area); }

    public long mmioPhysAddr() { return MMIO_PHYS_ADDR.get(area); }

    public int mmioLen() { return MMIO_LEN.getInt(area); }

    public boolean mmioIsWrite() { return MMIO_IS_WRITE.getBool(area); }

    /** The 8-byte mmio.data member. */
    public MemorySegment mmioData() { return MMIO_DATA.slice(area); }

    public int internalSuberror() { return INTERNAL_SUBERROR.getInt(area); }

    public int internalNdata() { return INTERNAL_NDATA.getInt(area); }

    public long internalData(int i) { return new Field("internal.data", INTERNAL_DATA.offset() + 8 * checkIndex(i), 8).get(area); }

    public int systemEventType() { return SYSTEM_EVENT_TYPE.getInt(area); }

    public int systemEventNdata() { return SYSTEM_EVENT_NDATA.getInt(area); }

    public long systemEventData(int i) {
        return new Field("system_event.data", SYSTEM_EVENT_DATA.offset() + 8 * checkIndex(i), 8).get(area);
    }

    private static int checkIndex(int i) {
        if (i < 0 || i >= 16) throw new IndexOutOfBoundsException("data[" + i + "] of 16");
        return i;
    }

    /** Clears the exit union (what a backend does before reporting a new exit). */
    public void clearExit() { UNION.slice(area).fill((byte) 0); }

    /** Reports a port I/O exit whose data the backend put (or wants) at {@code dataOffset} in this area. */
    public void setIoExit(int direction, int size, int port, int count, long dataOffset) {
        clearExit();
        setExitReason(VcpuExit.KVM_EXIT_IO);
        IO_DIRECTION.set(area, direction);
        IO_SIZE.set(area, size);
        IO_PORT.set(area, port);
        IO_COUNT.set(area, count);
        IO_DATA_OFFSET.set(area, dataOffset);
    }

    /** Reports an MMIO exit; for a write, {@code data}'s first {@code len} bytes are the value. */
    public void setMmioExit(long physAddr, long data, int len, boolean isWrite) {
        clearExit();
        setExitReason(VcpuExit.KVM_EXIT_MMIO);
        MMIO_PHYS_ADDR.set(area, physAddr);
        MMIO_DATA.set(area, data);
        MMIO_LEN.set(area, len);
        MMIO_IS_WRITE.set(area, isWrite);
    }

    public void setFailEntryExit(long reason, int cpu) {
        clearExit();
        setExitReason(VcpuExit.KVM_EXIT_FAIL_ENTRY);
        FAIL_REASON.set(area, reason);
        FAIL_CPU.set(area, cpu);
    }

    public void setInternalErrorExit(int suberror, long... data) {
        clearExit();
        setExitReason(VcpuExit.KVM_EXIT_INTERNAL_ERROR);
        INTERNAL_SUBERROR.set(area, suberror);
        int n = Math.min(data.length, 16);
        INTERNAL_NDATA.set(area, n);
        for (int i = 0; i < n; i++) new Field("internal.data", INTERNAL_DATA.offset() + 8 * i, 8).set(area, data[i]);
    }

    public void setSystemEventExit(int type, long... data) {
        clearExit();
        setExitReason(VcpuExit.KVM_EXIT_SYSTEM_EVENT);
        SYSTEM_EVENT_TYPE.set(area, type);
        int n = Math.min(data.length, 16);
        SYSTEM_EVENT_NDATA.set(area, n);
        for (int i = 0; i < n; i++) new Field("system_event.data", SYSTEM_EVENT_DATA.offset() + 8 * i, 8).set(area, data[i]);
    }

    /** An exit with no union payload (HLT, SHUTDOWN, IRQ_WINDOW_OPEN, INTR). */
    public void setSimpleExit(int reason) {
        clearExit();
        setExitReason(reason);
    }

    /**
     * The typed exit for the current exit_reason. IO and MMIO data are views into this area (the VMM writes IN/MMIO
     * read results there before the next KVM_RUN). A reason user space does not handle, or an exit whose fields are
     * inconsistent with the area, becomes an {@link VcpuExit.InternalError} of suberror UNEXPECTED_EXIT_REASON.
     */
    public VcpuExit exit() {
        int reason = exitReason();
        switch (reason) {
            case VcpuExit.KVM_EXIT_IO -> {
                long off = ioDataOffset(), len = (long) ioSize() * ioCount();
                if (off < 0 || len < 0 || off + len > area.byteSize())
                    return unexpected(reason, String.format("io data at %#x+%d outside the %d-byte kvm_run area",
                        off, len, area.byteSize()));
                return new VcpuExit.Io(ioDirection() == VcpuExit.Io.KVM_EXIT_IO_IN, ioPort(), ioSize(), ioCount(),
                    area.asSlice(off, len));
            }
            case VcpuExit.KVM_EXIT_MMIO -> {
                int len = mmioLen();
                if (len < 0 || len > 8) return unexpected(reason, "mmio.len " + len + " > 8");
                return new VcpuExit.Mmio(mmioPhysAddr(), len, mmioIsWrite(), MMIO_DATA.slice(area).asSlice(0, len));
            }
            case VcpuExit.KVM_EXIT_HLT -> { return new VcpuExit.Hlt(); }
            case VcpuExit.KVM_EXIT_IRQ_WINDOW_OPEN -> { return new VcpuExit.IrqWindowOpen(); }
            case VcpuExit.KVM_EXIT_SHUTDOWN -> { return new VcpuExit.Shutdown(); }
            case VcpuExit.KVM_EXIT_INTR -> { return new VcpuExit.Interrupted(); }
            case VcpuExit.KVM_EXIT_FAIL_ENTRY -> { return new VcpuExit.FailEntry(failEntryReason(), failEntryCpu()); }
            case VcpuExit.KVM_EXIT_INTERNAL_ERROR -> {
                int n = Math.min(Math.max(internalNdata(), 0), 16);
                long[] data = new long[n];
                for (int i = 0; i < n; i++) data[i] = internalData(i);
                return new VcpuExit.InternalError(internalSuberror(), data, describeInternal(internalSuberror(), n));
            }
            case VcpuExit.KVM_EXIT_SYSTEM_EVENT -> {
                // Without KVM_CAP_SYSTEM_EVENT_DATA ndata is 0 and data[0] is the old "flags" member.
                int n = systemEventNdata();
                if (n <= 0 || n > 16) n = 1;
                long[] data = new long[n];
                for (int i = 0; i < n; i++) data[i] = systemEventData(i);
                return new VcpuExit.SystemEvent(systemEventType(), data);
            }
            default -> {
                return unexpected(reason, "exit reason " + reason + " (" + exitName(reason) + "), hardware reason "
                    + String.format("%#x", hardwareExitReason()));
            }
        }
    }

    private VcpuExit unexpected(int reason, String why) {
        return new VcpuExit.InternalError(VcpuExit.InternalError.UNEXPECTED_EXIT_REASON,
            new long[] {reason, hardwareExitReason()}, "unhandled KVM exit: " + why);
    }

    private String describeInternal(int suberror, int ndata) {
        String name = switch (suberror) {
            case VcpuExit.InternalError.EMULATION -> "emulation failure";
            case VcpuExit.InternalError.SIMUL_EX -> "exception while delivering an exception";
            case VcpuExit.InternalError.DELIVERY_EV -> "event delivery failed";
            case VcpuExit.InternalError.UNEXPECTED_EXIT_REASON -> "unexpected hardware exit reason";
            default -> "suberror " + suberror;
        };
        StringBuilder sb = new StringBuilder("KVM internal error: ").append(name);
        if (suberror == VcpuExit.InternalError.EMULATION && ndata >= 2 && (EMULATION_FLAGS.get(area) & 1) != 0) {
            int size = Math.min(INSN_SIZE.getInt(area), 15);
            byte[] insn = INSN_BYTES.getBytes(area);
            sb.append(", instruction bytes ").append(HexFormat.ofDelimiter(" ").formatHex(insn, 0, size));
        }
        return sb.toString();
    }

    /** Linux's name for a KVM_EXIT_* number, for messages. */
    public static String exitName(int reason) {
        return switch (reason) {
            case 0 -> "UNKNOWN"; case 1 -> "EXCEPTION"; case 2 -> "IO"; case 3 -> "HYPERCALL"; case 4 -> "DEBUG";
            case 5 -> "HLT"; case 6 -> "MMIO"; case 7 -> "IRQ_WINDOW_OPEN"; case 8 -> "SHUTDOWN";
            case 9 -> "FAIL_ENTRY"; case 10 -> "INTR"; case 11 -> "SET_TPR"; case 12 -> "TPR_ACCESS";
            case 17 -> "INTERNAL_ERROR"; case 18 -> "OSI"; case 20 -> "WATCHDOG"; case 22 -> "EPR";
            case 24 -> "SYSTEM_EVENT"; case 26 -> "IOAPIC_EOI"; case 27 -> "HYPERV"; case 29 -> "X86_RDMSR";
            case 30 -> "X86_WRMSR"; case 31 -> "DIRTY_RING_FULL"; case 32 -> "AP_RESET_HOLD";
            case 33 -> "X86_BUS_LOCK"; case 35 -> "NOTIFY"; case 36 -> "LOONGARCH_IOCSR"; case 37 -> "MEMORY_FAULT";
            default -> "?";
        };
    }
}
