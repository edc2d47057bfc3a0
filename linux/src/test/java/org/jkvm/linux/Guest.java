package org.jkvm.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import org.jkvm.api.Hypervisor;
import org.jkvm.api.KvmException;
import org.jkvm.api.Vcpu;
import org.jkvm.api.Vm;
import org.jkvm.api.uabi.KvmDtable;
import org.jkvm.api.uabi.KvmSegment;
import org.jkvm.api.uabi.KvmSregs;

/** A one-vCPU VM with {@code size} bytes of RAM at guest physical 0, for tests that run real guest code. */
final class Guest implements AutoCloseable {
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** GDT entries (SDM vol. 3 3.4.5): flat 4 GiB 32-bit code/data, and 64-bit code. */
    static final long CODE32 = 0x00CF9A000000FFFFL, DATA = 0x00CF92000000FFFFL, CODE64 = 0x00AF9A000000FFFFL,
        USER_CODE64 = 0x00AFFA000000FFFFL, USER_DATA = 0x00CFF2000000FFFFL;
    static final int SEL_CODE32 = 0x08, SEL_DATA = 0x10, SEL_CODE64 = 0x18, SEL_USER_CODE64 = 0x2B, SEL_USER_DATA = 0x33;
    static final int GDT_ENTRIES = 7;
    /** A 64-bit TSS (RSP0 at +4, an I/O permission bitmap at +0x68) for ring 3 to ring 0 transitions. */
    static final int TSS_AT = 0x6000, RSP0 = 0x9000;
    /** Where the tests keep the GDT pseudo-descriptor and the GDT itself. */
    static final int GDTR_AT = 0x0F00, GDT_AT = 0x0F10;
    /** 4-level page tables: PML4, PDPT, PD identity-mapping the first 4 MiB with 2 MiB pages. */
    static final int PML4_AT = 0x10000, PDPT_AT = 0x11000, PD_AT = 0x12000;

    final Hypervisor hv;
    final Vm vm;
    final Vcpu vcpu;
    final Arena arena;
    final MemorySegment ram;

    Guest(long size) throws KvmException { this(size, false); }

    /** With {@code splitIrqchip}, the local APIC is KVM's (KVM_CAP_SPLIT_IRQCHIP, set before the vCPU exists). */
    Guest(long size, boolean splitIrqchip) throws KvmException {
        hv = KvmAvailable.openOrSkip();
        Vm v = null;
        Arena a = Arena.ofShared();
        try {
            ram = a.allocate(size, 4096);
            v = hv.createVm();
            v.setUserMemoryRegion(0, 0, 0, ram);
            if (splitIrqchip) v.createSplitIrqchip();
            vcpu = v.createVcpu(0);
            // what a VMM does first: without CPUID LM the guest's own WRMSR to EFER.LME is a #GP
            vcpu.setCpuid2(hv.supportedCpuid());
        } catch (KvmException | RuntimeException e) {
            if (v != null) v.close();
            a.close();
            hv.close();
            throw e;
        }
        vm = v;
        arena = a;
    }

    Guest() throws KvmException { this(4 << 20); }

    void load(long gpa, int... bytes) {
        for (int i = 0; i < bytes.length; i++) ram.set(ValueLayout.JAVA_BYTE, gpa + i, (byte) bytes[i]);
    }

    long u64(long gpa) { return ram.get(U64, gpa); }

    int u32(long gpa) { return ram.get(U32, gpa); }

    void putU64(long gpa, long v) { ram.set(U64, gpa, v); }

    void putU32(long gpa, int v) { ram.set(U32, gpa, v); }

    /**
     * GDT at {@link #GDT_AT} (null, code32, data, code64, null, user code64, user data), its pseudo-descriptor at
     * {@link #GDTR_AT}, and the TSS's RSP0.
     */
    void writeGdt() {
        long[] gdt = {0, CODE32, DATA, CODE64, 0, USER_CODE64, USER_DATA};
        putU64(TSS_AT + 4, RSP0);
        // I/O permission bitmap at TSS+0x68: 8 bytes (ports 0..63) allowing only ports 0x10-0x13, then the 0xFF terminator;
        // it is in force only when TR's limit covers it (see userMode)
        ram.set(ValueLayout.JAVA_SHORT_UNALIGNED, TSS_AT + 0x66, (short) 0x68);
        for (int i = 0; i < 9; i++) ram.set(ValueLayout.JAVA_BYTE, TSS_AT + 0x68 + i, (byte) (i == 2 ? 0xF0 : 0xFF));
        for (int i = 0; i < gdt.length; i++) putU64(GDT_AT + 8L * i, gdt[i]);
        ram.set(ValueLayout.JAVA_SHORT_UNALIGNED, GDTR_AT, (short) (gdt.length * 8 - 1));
        putU32(GDTR_AT + 2, GDT_AT);
    }

    /** Identity map of 0..4 MiB: PML4[0] -> PDPT, PDPT[0] -> PD, PD[0..1] = 2 MiB pages (P|RW|US|PS). */
    void writeIdentityPageTables() {
        putU64(PML4_AT, PDPT_AT | 0x7);
        putU64(PDPT_AT, PD_AT | 0x7);
        putU64(PD_AT, 0x87);
        putU64(PD_AT + 8, 0x200000 | 0x87);
    }

    static KvmSegment flat(int selector, int type, boolean code64) {
        return new KvmSegment(0, 0xffffffff, selector, type, true, 0, !code64, true, code64, true, false, false);
    }

    /** The segment and descriptor-table state a flat 32-bit protected-mode entry has (Multiboot's). */
    static KvmSregs protectedMode(KvmSregs s) {
        KvmSegment tr = new KvmSegment(TSS_AT, 0x67, 0, 11, true, 0, false, false, false, false, false, false);
        return s.withCs(flat(SEL_CODE32, 0xb, false)).withDataSegments(flat(SEL_DATA, 0x3, false))
            .withTr(tr).withGdt(new KvmDtable(GDT_AT, GDT_ENTRIES * 8 - 1))
            .withCr0(0x11 | (s.cr0() & ~0x80000001L & ~0x60000000L)); // PE|ET, caches on, paging off
    }

    /** Flat 64-bit long mode with the identity tables, CR4.PAE and SSE enabled (OSFXSR, OSXMMEXCPT). */
    static KvmSregs longMode(KvmSregs s) {
        return protectedMode(s).withCs(flat(SEL_CODE64, 0xb, true)).withCr3(PML4_AT).withCr4(s.cr4() | 0x20 | 0x600)
            .withEfer(s.efer() | 0x500).withCr0(0x80000011L);
    }

    /**
     * Long mode at CPL 3: the user code and data segments (DPL 3); ring 0 is reached through the TSS's RSP0. With
     * {@code ioBitmap} TR's limit covers the TSS's I/O permission bitmap (ports 0x10-0x13 allowed), else it ends at 0x67
     * and every port is a #GP when CPL > IOPL.
     */
    static KvmSregs userMode(KvmSregs s, boolean ioBitmap) {
        KvmSregs lm = longMode(s);
        return lm.withCs(flat(SEL_USER_CODE64, 0xb, true).withDpl(3))
            .withDataSegments(flat(SEL_USER_DATA, 0x3, false).withDpl(3))
            .withTr(lm.tr().withLimit(ioBitmap ? 0x68 + 8 : 0x67));
    }

    @Override
    public void close() {
        vm.close();
        hv.close();
        arena.close();
    }
}
