package org.jkvm.cpu.exec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * Atomic read-modify-write on guest RAM for LOCK-prefixed instructions and XCHG, so that several physical CPUs
 * sharing the same RAM segments see x86 lock semantics. Naturally aligned 4- and 8-byte operands use a CAS
 * loop on the operand; 1- and 2-byte operands a CAS loop on the aligned 4 bytes containing them. A split
 * lock (an operand crossing its natural alignment) is done without atomicity.
 */
final class Atomics {
    private Atomics() {}

    static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();
    static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    // operations (ALU kinds 0-6 first, as Op.ADD..Op.XOR)
    static final int INC = 8, DEC = 9, NOT = 10, NEG = 11, XCHG = 12, XADD = 13, CMPXCHG = 14, BTS = 15, BTR = 16,
        BTC = 17;

    /** The new value of the operand for {@code kind} applied to {@code old}. */
    static long apply(int kind, int size, long old, long src, long src2) {
        long m = CpuState.mask(size);
        long v = switch (kind) {
            case Op.ADD -> old + src;
            case Op.OR -> old | src;
            case Op.ADC -> old + src + src2;
            case Op.SBB -> old - src - src2;
            case Op.AND -> old & src;
            case Op.SUB -> old - src;
            case Op.XOR -> old ^ src;
            case INC -> old + 1;
            case DEC -> old - 1;
            case NOT -> ~old;
            case NEG -> -old;
            case XCHG -> src;
            case XADD -> old + src;
            case CMPXCHG -> (old & m) == (src2 & m) ? src : old;
            case BTS -> old | (1L << src);
            case BTR -> old & ~(1L << src);
            case BTC -> old ^ (1L << src);
            default -> throw new IllegalArgumentException("atomic op " + kind);
        };
        return v & m;
    }

    /**
     * Atomically replaces the {@code size}-byte operand at {@code off} in {@code seg} and returns the old value,
     * or returns -1 in {@code done[0] = false} when the operand is not naturally aligned (caller falls back).
     */
    static long rmw(MemorySegment seg, long off, int size, int kind, long src, long src2, boolean[] done) {
        long addr = seg.address() + off;
        done[0] = true;
        if (size == 8 && (addr & 7) == 0) {
            long old, nv;
            do {
                old = (long) LONG.getVolatile(seg, off);
                nv = apply(kind, 8, old, src, src2);
            } while (!LONG.compareAndSet(seg, off, old, nv));
            return old;
        }
        if (size == 4 && (addr & 3) == 0) {
            int old, nv;
            do {
                old = (int) INT.getVolatile(seg, off);
                nv = (int) apply(kind, 4, old & 0xFFFF_FFFFL, src, src2);
            } while (!INT.compareAndSet(seg, off, old, nv));
            return old & 0xFFFF_FFFFL;
        }
        if (size <= 2 && ((addr & 3) + size) <= 4) {
            long base = off - (addr & 3);
            int shift = (int) (addr & 3) * 8;
            long m = CpuState.mask(size);
            int word, nword;
            long old;
            do {
                word = (int) INT.getVolatile(seg, base);
                old = ((word & 0xFFFF_FFFFL) >>> shift) & m;
                long nv = apply(kind, size, old, src, src2);
                nword = (int) ((word & ~(m << shift)) | (nv << shift));
            } while (!INT.compareAndSet(seg, base, word, nword));
            return old;
        }
        done[0] = false;
        return -1;
    }
}
