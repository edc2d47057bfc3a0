package org.jkvm.cpu.diff;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Runs an instruction sequence on the host CPU, in user mode, through a hand-encoded trampoline called via
 * the Foreign Function API. The trampoline (SysV ABI) saves the callee-saved registers and the host RSP,
 * loads RFLAGS with POPF (on the host stack, so the private stack is not touched), switches RSP to the
 * private stack, loads the other fifteen GPRs, runs the sequence, stores all sixteen GPRs, switches back,
 * stores RFLAGS with PUSHF and returns. The state block is addressed RIP-relative, so no register is lost
 * to the harness. Code pages are written read-write and made read-execute before the call (W^X).
 *
 * <p>The sequence must not fault (a fault is a signal, and the JVM would die of it), must not touch
 * memory outside the data area, and must leave DF and AC clear.
 */
final class NativeCpu implements Machine {
    private static final int IN_GPR = 0, IN_FLAGS = 128, OUT_GPR = 256, OUT_FLAGS = 384, HOST_RSP = 392;
    private static final Gpr[] CALLEE_SAVED = {Gpr.RBX, Gpr.RBP, Gpr.R12, Gpr.R13, Gpr.R14, Gpr.R15};

    private final MemorySegment region;
    private final MemorySegment state;
    private final MethodHandle entry;
    private final int sequenceOffset;
    private final int entryOffset;
    /** The sequence now in the code pages (rewriting them costs two mprotect calls). */
    private byte[] loaded;

    NativeCpu() {
        // in the low 2 GiB when possible: then 32-bit address-size forms (67) reach the data too
        MemorySegment low = Libc.mmapLow(Layout.TOTAL);
        region = low != null ? low : Libc.mmapAnonymous(Layout.TOTAL);
        state = region.asSlice(Layout.STATE, 4096);
        entryOffset = Layout.SEQUENCE - prologue(base()).length; // RIP-relative disp32: the length is fixed
        entry = Libc.voidFunction(region.asSlice(entryOffset));
        sequenceOffset = Layout.SEQUENCE;
    }

    /** The address of the region; the data area is at {@code base() + Layout.DATA}. */
    @Override
    public long base() { return region.address(); }

    /** Where the first byte of a sequence runs. */
    @Override
    public long sequenceAddress() { return base() + sequenceOffset; }

    private long stateAddr(int off) { return base() + Layout.STATE + off; }

    private byte[] prologue(long origin) {
        Asm a = new Asm(origin);
        int[] mov = {0x8B}, store = {0x89};
        for (Gpr r : CALLEE_SAVED) a.plusReg(8, true, new int[] {0x50}, Operand.Reg.of(r, 8), 0, 0);
        a.legacy(8, 0, false, store, Operand.Reg.of(Gpr.RSP, 8), Operand.Mem.rip(stateAddr(HOST_RSP)), 0, 0);
        a.legacy(8, 0, true, new int[] {0xFF}, 6, Operand.Mem.rip(stateAddr(IN_FLAGS)), 0, 0); // push [in.rflags]
        a.db(0x9D); // popfq
        a.legacy(8, 0, false, mov, Operand.Reg.of(Gpr.RSP, 8), Operand.Mem.rip(stateAddr(IN_GPR + 8 * 4)), 0, 0);
        for (Gpr r : Gpr.values()) {
            if (r != Gpr.RSP) {
                a.legacy(8, 0, false, mov, Operand.Reg.of(r, 8), Operand.Mem.rip(stateAddr(IN_GPR + 8 * r.num())), 0, 0);
            }
        }
        return a.bytes();
    }

    private byte[] epilogue(long at) {
        Asm a = new Asm(at);
        for (Gpr r : Gpr.values()) {
            a.legacy(8, 0, false, new int[] {0x89}, Operand.Reg.of(r, 8), Operand.Mem.rip(stateAddr(OUT_GPR + 8 * r.num())),
                0, 0);
        }
        a.legacy(8, 0, false, new int[] {0x8B}, Operand.Reg.of(Gpr.RSP, 8), Operand.Mem.rip(stateAddr(HOST_RSP)), 0, 0);
        a.db(0x9C); // pushfq
        a.legacy(8, 0, true, new int[] {0x8F}, 0, Operand.Mem.rip(stateAddr(OUT_FLAGS)), 0, 0); // pop [out.rflags]
        for (int i = CALLEE_SAVED.length - 1; i >= 0; i--) {
            a.plusReg(8, true, new int[] {0x58}, Operand.Reg.of(CALLEE_SAVED[i], 8), 0, 0);
        }
        a.db(0xC3);
        return a.bytes();
    }

    /** Runs {@code sequence} (assembled for {@link #sequenceAddress()}) from {@code initial}; returns the final state. */
    @Override
    public ArchState run(byte[] sequence, ArchState initial) {
        if ((initial.rflags() & ~(long) (Flags.ARITH | Flags.FIXED | Flags.IF)) != 0) {
            throw new IllegalArgumentException("only arithmetic flags may be set: " + Long.toHexString(initial.rflags()));
        }
        if (!java.util.Arrays.equals(sequence, loaded)) load(sequence);

        for (int i = 0; i < 16; i++) state.set(ValueLayout.JAVA_LONG, IN_GPR + 8 * i, initial.gpr()[i]);
        state.set(ValueLayout.JAVA_LONG, IN_FLAGS, initial.rflags() | Flags.FIXED | Flags.IF);
        MemorySegment data = region.asSlice(Layout.DATA, Layout.DATA_SIZE);
        MemorySegment.copy(initial.data(), 0, data, ValueLayout.JAVA_BYTE, 0, Layout.DATA_SIZE);
        try {
            entry.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        long[] gpr = new long[16];
        for (int i = 0; i < 16; i++) gpr[i] = state.get(ValueLayout.JAVA_LONG, OUT_GPR + 8 * i);
        byte[] out = new byte[Layout.DATA_SIZE];
        MemorySegment.copy(data, ValueLayout.JAVA_BYTE, 0, out, 0, Layout.DATA_SIZE);
        return new ArchState(gpr, state.get(ValueLayout.JAVA_LONG, OUT_FLAGS), out);
    }

    private void load(byte[] sequence) {
        byte[] pro = prologue(base() + entryOffset);
        byte[] epi = epilogue(sequenceAddress() + sequence.length);
        if (sequenceOffset + sequence.length + epi.length > Layout.CODE_SIZE) throw new IllegalArgumentException("too long");
        Libc.mprotect(region, Layout.CODE_SIZE, Libc.PROT_READ | Libc.PROT_WRITE);
        MemorySegment code = region.asSlice(0, Layout.CODE_SIZE);
        code.fill((byte) 0xCC);
        MemorySegment.copy(pro, 0, code, ValueLayout.JAVA_BYTE, entryOffset, pro.length);
        MemorySegment.copy(sequence, 0, code, ValueLayout.JAVA_BYTE, sequenceOffset, sequence.length);
        MemorySegment.copy(epi, 0, code, ValueLayout.JAVA_BYTE, sequenceOffset + sequence.length, epi.length);
        Libc.mprotect(region, Layout.CODE_SIZE, Libc.PROT_READ | Libc.PROT_EXEC);
        loaded = sequence.clone();
    }

    @Override
    public void close() { Libc.munmap(region, Layout.TOTAL); }
}
