package org.jkvm.cpu.rig;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;

import org.jkvm.cpu.Gpr;
import org.jkvm.cpu.mem.PhysicalMemory;
import org.jkvm.cpu.mem.RamRegion;
import org.jkvm.cpu.model.CpuModels;
import org.jkvm.cpu.vmx.ExitReason;
import org.jkvm.cpu.vmx.PhysicalCpu;
import org.jkvm.cpu.vmx.Vmcs;
import org.jkvm.cpu.vmx.VmcsField;

/**
 * A small machine for CPU unit tests: 8 MiB of RAM at 0, a GDT, an IDT whose handler for vector v does
 * {@code mov $v, %r15d; hlt}, identity paging (the first 2 MiB with 4 KiB pages the test can re-map, the rest
 * 2 MiB pages) and VMCS set-ups for real, 32-bit protected and 64-bit mode. HLT exits.
 */
public final class GuestRig implements AutoCloseable {
    public static final long RAM = 8L << 20;
    public static final long GDT = 0x500, IDT = 0x4000, PML4 = 0x1000, PDPT = 0x2000, PD = 0x3000, PT = 0x5000,
        HANDLERS = 0x6000, TSS = 0x700, CODE = 0x10000, STACK = 0x80000, DATA = 0x90000;
    public static final int CS64 = 0x08, DS = 0x10, CS64U = 0x1B, DSU = 0x23, TR = 0x28, CS32 = 0x38;

    private final Arena arena = Arena.ofShared();
    public final MemorySegment ram = arena.allocate(RAM, 4096);
    public final PhysicalMemory mem = new PhysicalMemory();
    public final PhysicalCpu cpu;
    public final Vmcs v;

    public GuestRig() {
        mem.add(new RamRegion(0, ram));
        cpu = new PhysicalCpu(mem, CpuModels.byName("max"));
        v = cpu.vmcs();
        buildTables();
    }

    private void buildTables() {
        long[] gdt = {0,
            0x00AF9A000000FFFFL,   // 0x08 64-bit code, DPL 0
            0x00CF92000000FFFFL,   // 0x10 data, DPL 0
            0x00AFFA000000FFFFL,   // 0x18 64-bit code, DPL 3
            0x00CFF2000000FFFFL,   // 0x20 data, DPL 3
            0, 0,                  // 0x28 TSS (16 bytes, filled below)
            0x00CF9A000000FFFFL};  // 0x38 32-bit code, DPL 0
        for (int i = 0; i < gdt.length; i++) q(GDT + 8L * i, gdt[i]);
        long tssDesc = 0x67 | (TSS & 0xFFFFFFL) << 16 | 0x89L << 40 | ((TSS >>> 24) & 0xFF) << 56;
        q(GDT + 0x28, tssDesc);
        q(GDT + 0x30, TSS >>> 32);
        q(TSS + 4, STACK - 0x1000); // RSP0
        q(TSS + 0x24, STACK - 0x2000); // IST1
        for (int vec = 0; vec < 256; vec++) {
            long h = HANDLERS + vec * 16L;
            // mov $vec, %r15d ; hlt
            byte[] stub = {0x41, (byte) 0xBF, (byte) vec, 0, 0, 0, (byte) 0xF4};
            MemorySegment.copy(MemorySegment.ofArray(stub), 0, ram, h, stub.length);
            long lo = (h & 0xFFFF) | (long) CS64 << 16 | 0x8EL << 40 | ((h >>> 16) & 0xFFFF) << 48;
            q(IDT + vec * 16L, lo);
            q(IDT + vec * 16L + 8, h >>> 32);
        }
        q(PML4, PDPT | 7);
        q(PDPT, PD | 7);
        q(PD, PT | 7);
        for (int i = 1; i < 512; i++) q(PD + 8L * i, ((long) i << 21) | 0x87);
        for (int i = 0; i < 512; i++) q(PT + 8L * i, ((long) i << 12) | 7);
    }

    public void q(long pa, long val) { ram.set(ValueLayout.JAVA_LONG_UNALIGNED, pa, val); }

    public long q(long pa) { return ram.get(ValueLayout.JAVA_LONG_UNALIGNED, pa); }

    public int d(long pa) { return ram.get(ValueLayout.JAVA_INT_UNALIGNED, pa); }

    /** Sets the 4 KiB PTE of linear page {@code lin} (< 2 MiB) to {@code phys | flags}. */
    public void pte(long lin, long phys, long flags) { q(PT + 8 * (lin >>> 12), phys | flags); }

    public void code(long addr, String hex) {
        byte[] b = HexFormat.of().parseHex(hex.replace(" ", ""));
        MemorySegment.copy(MemorySegment.ofArray(b), 0, ram, addr, b.length);
    }

    private void common() {
        v.write(VmcsField.CPU_BASED_VM_EXEC_CONTROL,
            Vmcs.CPU_HLT_EXITING | Vmcs.CPU_UNCOND_IO_EXITING | Vmcs.CPU_USE_MSR_BITMAPS);
        v.write(VmcsField.EXCEPTION_BITMAP, 0);
        v.write(VmcsField.GUEST_RFLAGS, 2);
        v.write(VmcsField.GUEST_RIP, CODE);
        v.setSegment(6, 0, 0, 0, Vmcs.AR_UNUSABLE);
    }

    /** 64-bit mode at CPL 0, paging with the identity map, IDT and TSS loaded, OSXSAVE/OSFXSR/PKE on. */
    public GuestRig long64() {
        common();
        v.setSegment(1, CS64, 0, 0xFFFFFFFF, 0xA09B);
        for (int s : new int[] {0, 2, 3, 4, 5}) v.setSegment(s, DS, 0, 0xFFFFFFFF, 0xC093);
        v.setSegment(7, TR, TSS, 0x67, 0x8B);
        v.write(VmcsField.GUEST_GDTR_BASE, GDT);
        v.write(VmcsField.GUEST_GDTR_LIMIT, 0x3F);
        v.write(VmcsField.GUEST_IDTR_BASE, IDT);
        v.write(VmcsField.GUEST_IDTR_LIMIT, 0xFFF);
        v.write(VmcsField.GUEST_CR0, 0x8001_0033L);
        v.write(VmcsField.GUEST_CR3, PML4);
        v.write(VmcsField.GUEST_CR4, 0x20 | 0x200 | 0x400 | 0x4_0000 | 0x40_0000);
        v.write(VmcsField.GUEST_IA32_EFER, 0xD01);
        v.setBits(VmcsField.VM_ENTRY_CONTROLS, Vmcs.ENTRY_IA32E_MODE);
        v.write(VmcsField.GUEST_RSP, STACK);
        return this;
    }

    /** Flat 32-bit protected mode, no paging. */
    public GuestRig prot32() {
        common();
        v.setSegment(1, CS32, 0, 0xFFFFFFFF, 0xC09B);
        for (int s : new int[] {0, 2, 3, 4, 5}) v.setSegment(s, DS, 0, 0xFFFFFFFF, 0xC093);
        v.setSegment(7, 0, 0, 0xFFFF, 0x8B);
        v.write(VmcsField.GUEST_GDTR_BASE, GDT);
        v.write(VmcsField.GUEST_GDTR_LIMIT, 0x3F);
        v.write(VmcsField.GUEST_CR0, 0x11);
        v.write(VmcsField.GUEST_RSP, STACK);
        return this;
    }

    /** Real mode at CS:IP = 0:{@code ip}. */
    public GuestRig real16(int ip) {
        common();
        v.setSegment(1, 0, 0, 0xFFFF, 0x9B);
        for (int s : new int[] {0, 2, 3, 4, 5}) v.setSegment(s, 0, 0, 0xFFFF, 0x93);
        v.setSegment(7, 0, 0, 0xFFFF, 0x8B);
        v.write(VmcsField.GUEST_IDTR_LIMIT, 0x3FF);
        v.write(VmcsField.GUEST_CR0, 0x10);
        v.write(VmcsField.GUEST_RIP, ip);
        v.write(VmcsField.GUEST_RSP, 0x7000);
        return this;
    }

    /** Sets XCR0 (host-mode XSETBV on the physical CPU, as the hypervisor does before entry). */
    public GuestRig xcr0(long value) {
        cpu.xsetbv(0, value);
        return this;
    }

    /** Another physical CPU on the same RAM, with a copy of this CPU's guest state and controls. */
    public PhysicalCpu sibling() {
        PhysicalCpu other = new PhysicalCpu(mem, cpu.model());
        for (VmcsField f : VmcsField.values()) if (!f.isExitInformation()) other.vmcs().write(f, v.read(f));
        return other;
    }

    /** Every entry runs at most this many instructions (a broken test ends in PREEMPTION_TIMER, never hangs). */
    public static final long BUDGET = 50_000_000;

    public int enter() { return cpu.enter(BUDGET); }

    /** Enters and expects a HLT exit. */
    public GuestRig runToHlt() {
        int r = enter();
        if (r != ExitReason.HLT) throw new AssertionError("expected HLT, got " + describe(r));
        return this;
    }

    public String describe(int r) {
        return ExitReason.name(r) + " rip=" + Long.toHexString(v.read(VmcsField.GUEST_RIP))
            + " qual=" + Long.toHexString(v.read(VmcsField.EXIT_QUALIFICATION))
            + " intr=" + Long.toHexString(v.read(VmcsField.VM_EXIT_INTR_INFO))
            + " r15=" + Long.toHexString(cpu.gpr(15)) + " unimpl=" + cpu.unimplementedInstructions();
    }

    public long gpr(Gpr g) { return cpu.gpr(g); }

    public long rflags() { return v.read(VmcsField.GUEST_RFLAGS); }

    public long rip() { return v.read(VmcsField.GUEST_RIP); }

    public long rsp() { return v.read(VmcsField.GUEST_RSP); }

    @Override
    public void close() { arena.close(); }
}
