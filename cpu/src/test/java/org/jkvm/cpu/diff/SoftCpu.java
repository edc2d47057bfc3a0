package org.jkvm.cpu.diff;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import org.jkvm.cpu.mem.PhysicalMemory;
import org.jkvm.cpu.mem.RamRegion;
import org.jkvm.cpu.model.CpuModel;
import org.jkvm.cpu.model.CpuModels;
import org.jkvm.cpu.vmx.ExitReason;
import org.jkvm.cpu.vmx.PhysicalCpu;
import org.jkvm.cpu.vmx.Vmcs;
import org.jkvm.cpu.vmx.VmcsField;

/**
 * The software CPU side: a {@link PhysicalCpu} running the sequence as a 64-bit guest, at CPL 3 (ended by
 * INT3, a #BP exit through the exception bitmap) or CPL 0 (ended by HLT, a HLT exit). Guest paging maps the
 * region's code and data pages at the host's addresses (to guest-physical frames of their own, in reverse
 * order so page-crossing fetches and accesses are translated twice), so addresses compare equal; the state page and the signal headroom stay unmapped, and touching them is a #PF exit.
 * Every exception exits (exception bitmap all ones), so a fault is reported, never delivered.
 */
final class SoftCpu implements Machine {
    static final long RAM_SIZE = 1 << 20, TABLES = 0x1000, REGION_PA = 0x80000;
    private static final long CR0 = 0x8005_0033L; // PG WP NE ET MP PE
    private static final long CR4_PAE = 1 << 5, CR4_OSFXSR = 1 << 9, CR4_OSXMMEXCPT = 1 << 10, CR4_OSXSAVE = 1 << 18;
    private static final long XCR0_APX = 1L << 19;
    private static final int BUDGET = 100_000;

    /** How one run ended. {@code vector} is -1 unless the exit is an exception. */
    record Exit(int reason, int vector, int errorCode, long rip) {
        String describe(long sequenceAddress) {
            String what = reason == ExitReason.EXCEPTION_NMI
                ? "exception " + org.jkvm.cpu.fault.Fault.name(vector) + (errorCode >= 0 ? "(" + Integer.toHexString(errorCode) + ")" : "")
                : ExitReason.name(reason);
            return what + " at sequence+0x" + Long.toHexString(rip - sequenceAddress);
        }
    }

    private final Arena arena = Arena.ofShared();
    private final MemorySegment ram;
    private final PhysicalCpu cpu;
    private final long base;
    private final long sequenceAddress;
    private final int cpl;
    private byte[] loaded;
    private Exit lastExit;

    /**
     * @param base the region address (the host's, so both sides use the same linear addresses)
     * @param sequenceAddress where the sequence starts (inside the code pages)
     * @param cpl 3 or 0
     * @param apx whether XCR0.APX is enabled (R16-R31, REX2, APX EVEX)
     */
    SoftCpu(long base, long sequenceAddress, int cpl, boolean apx) {
        this(base, sequenceAddress, cpl, apx, CpuModels.byName("max"));
    }

    SoftCpu(long base, long sequenceAddress, int cpl, boolean apx, CpuModel model) {
        if (cpl != 0 && cpl != 3) throw new IllegalArgumentException("cpl " + cpl);
        this.base = base;
        this.sequenceAddress = sequenceAddress;
        this.cpl = cpl;
        ram = arena.allocate(RAM_SIZE, 4096);
        PhysicalMemory pm = new PhysicalMemory();
        pm.add(new RamRegion(0, ram));
        cpu = new PhysicalCpu(pm, model);
        PageTables pt = new PageTables(ram, TABLES);
        for (long off = 0; off < Layout.CODE_SIZE; off += 4096) {
            pt.map(base + off, frame(off), PageTables.RW | PageTables.US);
        }
        for (long off = Layout.DATA; off < Layout.TOTAL; off += 4096) {
            pt.map(base + off, frame(off), PageTables.RW | PageTables.US);
        }
        if (pt.end() > REGION_PA || frame(0) + 4096 > RAM_SIZE) throw new IllegalStateException("page tables overlap the region");
        cpu.setHostCr4(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_OSXSAVE);
        cpu.xsetbv(0, 0x7 | (apx ? XCR0_APX : 0));
        setUpVmcs(cpu.vmcs(), pt.cr3());
    }

    private void setUpVmcs(Vmcs v, long cr3) {
        v.write(VmcsField.GUEST_CR0, CR0);
        v.write(VmcsField.GUEST_CR3, cr3);
        v.write(VmcsField.GUEST_CR4, CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_OSXSAVE);
        v.write(VmcsField.GUEST_IA32_EFER, 0x500);
        v.setBits(VmcsField.VM_ENTRY_CONTROLS, Vmcs.ENTRY_IA32E_MODE | Vmcs.ENTRY_LOAD_IA32_EFER);
        int dpl = cpl << 5;
        int code = 0xB | Vmcs.AR_S | dpl | Vmcs.AR_P | Vmcs.AR_L | Vmcs.AR_G;
        int data = 0x3 | Vmcs.AR_S | dpl | Vmcs.AR_P | Vmcs.AR_DB | Vmcs.AR_G;
        int cs = cpl == 3 ? 0x33 : 0x08, ds = cpl == 3 ? 0x2B : 0x10;
        v.setSegment(1, cs, 0, 0xFFFF_FFFF, code);
        v.setSegment(2, ds, 0, 0xFFFF_FFFF, data);
        // as Linux runs 64-bit user space (and the host process): null DS, ES, FS, GS (bases 0)
        for (int seg : new int[] {0, 3, 4, 5}) v.setSegment(seg, 0, 0, 0, Vmcs.AR_UNUSABLE);
        v.setSegment(6, 0, 0, 0, Vmcs.AR_UNUSABLE);
        v.setSegment(7, 0x40, 0, 0x67, 0x8B);
        v.write(VmcsField.EXCEPTION_BITMAP, 0xFFFF_FFFFL);
        v.setBits(VmcsField.CPU_BASED_VM_EXEC_CONTROL, Vmcs.CPU_HLT_EXITING);
    }

    @Override
    public long base() { return base; }

    @Override
    public long sequenceAddress() { return sequenceAddress; }

    PhysicalCpu cpu() { return cpu; }

    /** How the last {@link #execute} ended. */
    Exit lastExit() { return lastExit; }

    /** The byte that ends a sequence: INT3 at CPL 3, HLT at CPL 0. */
    int terminator() { return cpl == 3 ? 0xCC : 0xF4; }

    /**
     * The guest-physical frame of the region page at {@code offset}: in reverse order, so that an access or
     * a fetch that crosses into the next linear page lands in a frame below, never simply the next one.
     */
    private static long frame(long offset) {
        int pages = Layout.TOTAL / 4096;
        return REGION_PA + (pages - 1 - offset / 4096) * 4096L;
    }

    /** Copies {@code bytes} to the region at {@code offset}, page by page through the mapping. */
    private void write(long offset, byte[] bytes) {
        for (int i = 0; i < bytes.length; ) {
            long off = offset + i;
            int n = (int) Math.min(bytes.length - i, 4096 - (off & 4095));
            MemorySegment.copy(bytes, i, ram, ValueLayout.JAVA_BYTE, frame(off) + (off & 4095), n);
            i += n;
        }
    }

    private void read(long offset, byte[] into) {
        for (int i = 0; i < into.length; ) {
            long off = offset + i;
            int n = (int) Math.min(into.length - i, 4096 - (off & 4095));
            MemorySegment.copy(ram, ValueLayout.JAVA_BYTE, frame(off) + (off & 4095), into, i, n);
            i += n;
        }
    }

    /**
     * Loads {@code code} (the terminator appended), the registers (32 with APX, else 16), flags and data
     * area, enters guest mode and returns how it exited; the registers, flags and data are then in
     * {@code gpr}, the returned state and the data array.
     */
    Exit execute(byte[] code, long[] gpr, long rflags, byte[] data) {
        byte[] withEnd = Arrays.copyOf(code, code.length + 1);
        withEnd[code.length] = (byte) terminator();
        long codeOff = sequenceAddress - base;
        if (codeOff + withEnd.length > Layout.CODE_SIZE) throw new IllegalArgumentException("too long");
        if (!Arrays.equals(withEnd, loaded)) {
            for (long off = 0; off < Layout.CODE_SIZE; off += 4096) ram.asSlice(frame(off), 4096).fill((byte) 0xCC);
            write(codeOff, withEnd);
            // guest RAM written behind the CPU's back, as a loader or a DMA would: no flush, the CPU must notice
            loaded = withEnd;
        }
        write(Layout.DATA, data);
        for (int i = 0; i < gpr.length; i++) if (i != 4) cpu.setGpr(i, gpr[i]);
        Vmcs v = cpu.vmcs();
        v.write(VmcsField.GUEST_RSP, gpr[4]);
        v.write(VmcsField.GUEST_RIP, sequenceAddress);
        v.write(VmcsField.GUEST_RFLAGS, rflags | Flags.FIXED | Flags.IF); // IF as in the host's user mode (PUSHF)
        v.write(VmcsField.GUEST_ACTIVITY_STATE, 0);
        v.write(VmcsField.GUEST_INTERRUPTIBILITY_INFO, 0);
        int reason = cpu.enter(BUDGET);
        int info = v.read32(VmcsField.VM_EXIT_INTR_INFO);
        boolean exc = reason == ExitReason.EXCEPTION_NMI && (info & Vmcs.INTR_INFO_VALID) != 0;
        int err = exc && (info & Vmcs.INTR_INFO_DELIVER_CODE) != 0 ? v.read32(VmcsField.VM_EXIT_INTR_ERROR_CODE) : -1;
        lastExit = new Exit(reason, exc ? info & 0xFF : -1, err, v.read(VmcsField.GUEST_RIP));
        for (int i = 0; i < gpr.length; i++) gpr[i] = i == 4 ? v.read(VmcsField.GUEST_RSP) : cpu.gpr(i);
        read(Layout.DATA, data);
        return lastExit;
    }

    /** The guest's RFLAGS after the last run. */
    long rflags() { return cpu.vmcs().read(VmcsField.GUEST_RFLAGS); }

    /** Whether {@code e} is the sequence's own end: the terminator at {@code sequenceAddress + length}. */
    boolean endedAtTerminator(Exit e, int length) {
        long at = sequenceAddress + length;
        return cpl == 3 ? e.reason() == ExitReason.EXCEPTION_NMI && e.vector() == 3 && e.rip() == at
            : e.reason() == ExitReason.HLT && e.rip() == at;
    }

    @Override
    public ArchState run(byte[] code, ArchState initial) {
        long[] gpr = initial.gpr().clone();
        byte[] data = initial.data().clone();
        Exit e = execute(code, gpr, initial.rflags(), data);
        if (!endedAtTerminator(e, code.length)) {
            throw new IllegalStateException("guest exit " + e.describe(sequenceAddress) + " instead of the "
                + (cpl == 3 ? "INT3" : "HLT") + " at sequence+0x" + Integer.toHexString(code.length));
        }
        return new ArchState(gpr, rflags(), data);
    }

    @Override
    public void close() { arena.close(); }
}
