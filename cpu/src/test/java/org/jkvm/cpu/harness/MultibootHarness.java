package org.jkvm.cpu.harness;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import org.jkvm.cpu.Gpr;
import org.jkvm.cpu.mem.PhysicalMemory;
import org.jkvm.cpu.mem.RamRegion;
import org.jkvm.cpu.model.CpuModels;
import org.jkvm.cpu.vmx.ExitReason;
import org.jkvm.cpu.vmx.PhysicalCpu;
import org.jkvm.cpu.vmx.Vmcs;
import org.jkvm.cpu.vmx.VmcsField;

/**
 * A minimal test-only machine around {@link PhysicalCpu}: loads a Multiboot (v1, a.out kludge) image, puts the
 * CPU in the Multiboot entry state through the VMCS, and runs it, emulating COM1 output (0x3F8, LSR 0x3FD) and
 * isa-debug-exit (0xF4). The real machine and loaders live in the vmm module.
 */
public final class MultibootHarness implements AutoCloseable {
    public static final long RAM_SIZE = 64L << 20;
    private final Arena arena = Arena.ofShared();
    public final MemorySegment ram = arena.allocate(RAM_SIZE, 4096);
    public final PhysicalMemory mem = new PhysicalMemory();
    public final PhysicalCpu cpu;
    public final StringBuilder serial = new StringBuilder();
    public int exitStatus = -1;
    public long exits;

    public MultibootHarness() {
        mem.add(new RamRegion(0, ram));
        cpu = new PhysicalCpu(mem, CpuModels.byName("max"));
    }

    /** Loads the image and sets the Multiboot entry state; returns the entry point. */
    public long load(Path image) throws IOException {
        byte[] f = Files.readAllBytes(image);
        ByteBuffer bb = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
        int hdr = -1;
        for (int off = 0; off + 32 <= Math.min(f.length, 8192); off += 4) {
            if (bb.getInt(off) == 0x1BADB002 && bb.getInt(off) + bb.getInt(off + 4) + bb.getInt(off + 8) == 0) {
                hdr = off;
                break;
            }
        }
        if (hdr < 0) throw new IOException("no Multiboot header in " + image);
        int flags = bb.getInt(hdr + 4);
        if ((flags & 0x10000) == 0) throw new IOException("not an a.out-kludge image");
        long headerAddr = bb.getInt(hdr + 12) & 0xFFFF_FFFFL, loadAddr = bb.getInt(hdr + 16) & 0xFFFF_FFFFL;
        long loadEnd = bb.getInt(hdr + 20) & 0xFFFF_FFFFL, bssEnd = bb.getInt(hdr + 24) & 0xFFFF_FFFFL;
        long entry = bb.getInt(hdr + 28) & 0xFFFF_FFFFL;
        long fileOff = hdr - (headerAddr - loadAddr);
        long len = loadEnd == 0 ? f.length - fileOff : loadEnd - loadAddr;
        MemorySegment.copy(MemorySegment.ofArray(f), fileOff, ram, loadAddr, len);
        if (bssEnd > loadAddr + len) ram.asSlice(loadAddr + len, bssEnd - loadAddr - len).fill((byte) 0);
        // Multiboot information: mem_lower/mem_upper valid
        long info = 0x9000;
        ram.set(ValueLayout.JAVA_INT_UNALIGNED, info, 1);
        ram.set(ValueLayout.JAVA_INT_UNALIGNED, info + 4, 640);
        ram.set(ValueLayout.JAVA_INT_UNALIGNED, info + 8, (int) (RAM_SIZE / 1024 - 1024));
        setEntryState(entry, info);
        return entry;
    }

    private void setEntryState(long entry, long info) {
        Vmcs v = cpu.vmcs();
        v.setSegment(1, 0x08, 0, 0xFFFF_FFFF, 0xC09B);
        for (int s : new int[] {0, 2, 3, 4, 5}) v.setSegment(s, 0x10, 0, 0xFFFF_FFFF, 0xC093);
        v.setSegment(6, 0, 0, 0, Vmcs.AR_UNUSABLE);
        v.setSegment(7, 0, 0, 0xFFFF, 0x8B);
        v.write(VmcsField.GUEST_CR0, 0x11);
        v.write(VmcsField.GUEST_CR4, 0);
        v.write(VmcsField.GUEST_RFLAGS, 2);
        v.write(VmcsField.GUEST_RIP, entry);
        v.write(VmcsField.GUEST_RSP, 0x7000);
        v.write(VmcsField.CPU_BASED_VM_EXEC_CONTROL,
            Vmcs.CPU_HLT_EXITING | Vmcs.CPU_UNCOND_IO_EXITING | Vmcs.CPU_USE_MSR_BITMAPS);
        v.msrBitmap().intercept(0xC000_0080, false, false); // EFER passes through, as with VMX "load EFER"
        v.write(VmcsField.EXCEPTION_BITMAP, 0xFFFF_FFFFL); // any guest exception is a test failure: exit on it
        cpu.setGpr(Gpr.RAX, 0x2BAD_B002L);
        cpu.setGpr(Gpr.RBX, info);
    }

    /** Runs until the debug-exit port is written, HLT, a triple fault or an unexpected exit. Returns the last reason. */
    public int run(long maxExits) {
        return run(maxExits, Long.MAX_VALUE);
    }

    /** As {@link #run(long)}, stopping with PREEMPTION_TIMER once {@code maxInstructions} have retired. */
    public int run(long maxExits, long maxInstructions) {
        Vmcs v = cpu.vmcs();
        while (exits < maxExits) {
            long left = maxInstructions - cpu.retiredInstructions();
            if (left <= 0) return ExitReason.PREEMPTION_TIMER;
            int reason = left < 0xFFFF_FFFFL ? cpu.enter(left) : cpu.enter();
            exits++;
            switch (reason) {
                case ExitReason.IO_INSTRUCTION -> {
                    long q = v.read(VmcsField.EXIT_QUALIFICATION);
                    int port = (int) (q >>> 16) & 0xFFFF;
                    boolean in = (q & 8) != 0;
                    long data = v.read(VmcsField.EXIT_ACCESS_DATA);
                    long value = 0xFF;
                    if (!in) {
                        if (port == 0x3F8) serial.append((char) (data & 0xFF));
                        if (port == 0xF4) {
                            exitStatus = (int) ((data << 1) | 1);
                            cpu.completeIo(0);
                            return reason;
                        }
                    } else if (port == 0x3FD) {
                        value = 0x60;
                    }
                    cpu.completeIo(value);
                }
                case ExitReason.CPUID -> {
                    int[] r = cpu.cpuid((int) cpu.gpr(Gpr.RAX), (int) cpu.gpr(Gpr.RCX));
                    cpu.setGpr(Gpr.RAX, r[0] & 0xFFFF_FFFFL);
                    cpu.setGpr(Gpr.RBX, r[1] & 0xFFFF_FFFFL);
                    cpu.setGpr(Gpr.RCX, r[2] & 0xFFFF_FFFFL);
                    cpu.setGpr(Gpr.RDX, r[3] & 0xFFFF_FFFFL);
                    skip();
                }
                default -> {
                    return reason;
                }
            }
        }
        return -1;
    }

    public void skip() {
        Vmcs v = cpu.vmcs();
        v.write(VmcsField.GUEST_RIP, v.read(VmcsField.GUEST_RIP) + v.read32(VmcsField.VM_EXIT_INSTRUCTION_LEN));
    }

    public String describeExit(int reason) {
        Vmcs v = cpu.vmcs();
        return ExitReason.name(reason) + " rip=" + Long.toHexString(v.read(VmcsField.GUEST_RIP))
            + " qual=" + Long.toHexString(v.read(VmcsField.EXIT_QUALIFICATION))
            + " intr=" + Long.toHexString(v.read(VmcsField.VM_EXIT_INTR_INFO))
            + " err=" + Long.toHexString(v.read(VmcsField.VM_EXIT_INTR_ERROR_CODE))
            + " gpa=" + Long.toHexString(v.read(VmcsField.GUEST_PHYSICAL_ADDRESS))
            + " unimpl=" + cpu.unimplementedInstructions();
    }

    @Override
    public void close() {
        arena.close();
    }
}
