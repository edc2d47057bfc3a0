package org.jkvm.cpu.exec;

import static org.jkvm.cpu.exec.Flags.*;
import static org.jkvm.cpu.exec.Op.*;

import org.jkvm.cpu.fault.Fault;
import org.jkvm.cpu.mem.PhysicalMemory;

/**
 * The execution engine: the block cache and the interpreter loop over pre-decoded {@link Uop}s. The hot
 * cases (moves, ALU, branches, stack) are written inline in one switch; everything else calls a handler in
 * {@link Handlers}-style helper methods below so that the dispatch method stays small enough for the JIT.
 */
public abstract class Interpreter extends SystemOps {
    protected Interpreter(PhysicalMemory pmem) {
        super(pmem);
    }

    // ---------------------------------------------------------------- hooks implemented by the physical CPU

    /** Translates the block at {@code b.rip} (fills ops, n, phys); faults as instruction fetch would. */
    protected abstract void translate(Block b);

    /** Current XCR0 (owned by the extended-state unit). */
    protected abstract long xcr0();

    /** Executes an instruction that belongs to the extended-state/SIMD unit (x87, SSE, AVX, XSAVE...). */
    protected abstract void execExtended(Uop u);

    /** Counts an instruction the decoder knows but this CPU does not execute (it raises #UD). */
    protected abstract void countUnimplemented(String name);

    // ---------------------------------------------------------------- block cache

    static final int BC_BITS = 14, BC_SIZE = 1 << BC_BITS, BC_MASK = BC_SIZE - 1;
    final Block[] blockCache = new Block[BC_SIZE];

    /** Everything translation depends on besides the code bytes: code size, CPL, flat segments, APX enabled. */
    public final int modeKey() {
        return codeSize | cpl << 2 | (flat ? 16 : 0) | (apxEnabled() ? 32 : 0) | (int) (segBase[CS] == 0 ? 0 : 64);
    }

    public final boolean apxEnabled() {
        return long64 && (cr4 & CR4_OSXSAVE) != 0 && (xcr0() & (1L << 19)) != 0;
    }

    final Block lookup(long rip) {
        int key = modeKey();
        int h = (int) (rip ^ (rip >>> BC_BITS)) & BC_MASK;
        Block b = blockCache[h];
        if (b != null && b.rip == rip && b.modeKey == key && b.valid) {
            if (b.epoch == codeEpoch) {
                if (b.ramEpoch == ramEpoch) return b;
                if (sameBytes(b)) {
                    b.ramEpoch = ramEpoch;
                    return b;
                }
            } else if (revalidate(b)) return b;
        }
        b = new Block(rip, key);
        translate(b);
        b.epoch = codeEpoch;
        b.ramEpoch = ramEpoch;
        blockCache[h] = b;
        return b;
    }

    private boolean revalidate(Block b) {
        if (translateFetch(b.rip) != b.phys) return false;
        if (b.phys2 >= 0 && translateFetch(b.lin2) != b.phys2) return false;
        if (!sameBytes(b)) return false;
        b.epoch = codeEpoch;
        b.ramEpoch = ramEpoch;
        return true;
    }

    /**
     * Whether guest RAM still holds the bytes the block was translated from. Stores by the guest are caught as
     * they happen; this catches the hypervisor's (or a device's) writes to guest RAM while the vCPU was outside
     * guest mode: every VM entry moves {@link #ramEpoch} on, so each block is checked once per entry. User space
     * writes guest RAM through its own mapping (as with KVM's memory slots), so there is no write to hook.
     */
    private boolean sameBytes(Block b) {
        byte[] code = b.code;
        if (code == null) return true;
        int first = b.phys2 >= 0 ? (int) (0x1000 - (b.phys & 0xFFF)) : code.length;
        return samePiece(code, 0, first, b.phys) && samePiece(code, first, code.length, b.phys2);
    }

    /** Compares {@code code[from, to)} with guest RAM at {@code pa}; both lie within one page. */
    private boolean samePiece(byte[] code, int from, int to, long pa) {
        if (from >= to) return true;
        org.jkvm.cpu.mem.RamRegion reg = pmem.find(pa);
        if (reg == null || pa + (to - from) > reg.end()) return false;
        java.lang.foreign.MemorySegment seg = reg.segment();
        long off = pa - reg.gpa();
        for (int k = from; k < to; k++) {
            if (seg.get(B, off + (k - from)) != code[k]) return false;
        }
        return true;
    }

    public final void flushBlocks() {
        java.util.Arrays.fill(blockCache, null);
        codePages.clear();
        java.util.Arrays.fill(codeBits, 0);
        codeEpoch++;
    }

    // ---------------------------------------------------------------- effective addresses

    final long ea(Uop u) {
        long a = u.disp;
        if (u.base >= 0) a += r[u.base];
        if (u.index >= 0) a += r[u.index] << u.scale;
        if (u.asize != 8) a &= u.asize == 4 ? 0xFFFF_FFFFL : 0xFFFFL;
        if (u.seg >= 0) a = u.segCheck ? segCheck(u.seg, a, u.size, false) : a + segBase[u.seg];
        return a;
    }

    /** The offset without segmentation (LEA, and the base of segment checks for writes). */
    final long offset(Uop u) {
        long a = u.disp;
        if (u.base >= 0) a += r[u.base];
        if (u.index >= 0) a += r[u.index] << u.scale;
        if (u.asize != 8) a &= u.asize == 4 ? 0xFFFF_FFFFL : 0xFFFFL;
        return a;
    }

    final long eaW(Uop u) {
        if (u.seg >= 0 && u.segCheck) return segCheck(u.seg, offset(u), u.size, true);
        return ea(u);
    }

    /** Legacy-mode segmentation: usability, limit and write checks; returns the linear address. */
    final long segCheck(int seg, long off, int size, boolean write) {
        int ar = segAr[seg];
        int vec = seg == SS ? Fault.SS : Fault.GP;
        if (long64) return seg >= FS ? segBase[seg] + off : off;
        if (pe() && (rflags & VM) == 0) {
            if ((ar & 0x10000) != 0) throw new Fault(vec, 0, 0);
            if (write && ((ar & 8) != 0 || (ar & 2) == 0)) throw new Fault(vec, 0, 0);
            if (!write && (ar & 0xA) == 8) throw new Fault(vec, 0, 0);
        }
        long lim = segLimit[seg] & 0xFFFF_FFFFL;
        long end = off + size - 1;
        if ((ar & 0x1C) == 0x14) { // expand-down
            long upper = (ar & 0x4000) != 0 ? 0xFFFF_FFFFL : 0xFFFF;
            if (off <= lim || end > upper) throw new Fault(vec, 0, 0);
        } else if (end > lim) {
            throw new Fault(vec, 0, 0);
        }
        return (segBase[seg] + off) & 0xFFFF_FFFFL;
    }

    // ---------------------------------------------------------------- run-loop state

    /** Set when the current instruction must exit after retiring (MMIO write) or events need a look. */
    public int interruptShadow;
    /** Retired-instruction count at which the run loop must stop (preemption timer, injected #MC). */
    public long stopAt = Long.MAX_VALUE;
    /** The I/O instruction whose exit is outstanding, for completeIo. */
    Uop pendingIo;
    long pendingIoCount;

    /**
     * Runs translated blocks until something needs the outer loop: a stop request, the instruction limit, or an
     * exit/fault (thrown). RIP and the retired count are exact on return and on every throw.
     */
    final void runBlocks() {
        int key = modeKey();
        Block b = lookup(rip);
        while (true) {
            int n = b.n;
            long left = stopAt - retired;
            if (left < n) {
                if (left <= 0) return;
                n = (int) left;
            }
            if ((rflags & TF) != 0 || interruptShadow != 0 || mmioDoneCount != 0) n = 1;
            if (++b.heat == Jit.THRESHOLD && b.jit == null && Jit.THRESHOLD > 0) b.jit = Jit.compile(b);
            execBlock(b, n);
            if (stopBlock || n != b.n || kickPending) {
                stopBlock = false;
                if (exitPending) {
                    // every path counted the exiting instruction as retired and moved RIP past it
                    rip = exitRip;
                    retired--;
                }
                return;
            }
            Block nb = b.next0;
            if (nb == null || nb.rip != rip || nb.epoch != codeEpoch || nb.ramEpoch != ramEpoch || !nb.valid || nb.modeKey != key) {
                nb = b.next1;
                if (nb == null || nb.rip != rip || nb.epoch != codeEpoch || nb.ramEpoch != ramEpoch || !nb.valid || nb.modeKey != key) {
                    nb = lookup(rip);
                    b.next1 = b.next0;
                    b.next0 = nb;
                }
            }
            b = nb;
        }
    }

    /** Set (possibly from another thread, via PhysicalCpu.kick) to make the run loop look at events. */
    public volatile boolean kickPending;

    // ---------------------------------------------------------------- the interpreter

    final void execBlock(Block blk, int n) {
        boolean whole = n == blk.n;
        if (whole && blk.jit != null) {
            runCompiled(blk);
            return;
        }
        Uop[] ops = whole ? blk.fused : blk.ops;
        int m = whole ? ops.length : n;
        runOps(ops, 0, m, whole ? blk.n - m : 0, true);
    }

    /** Index of the uop a compiled block is executing (set before anything that can throw). */
    public int jitIdx;

    private void runCompiled(Block blk) {
        jitIdx = 0;
        try {
            blk.jit.run((Core) this);
        } catch (RuntimeException e) {
            retired += jitIdx;
            rip = blk.ops[jitIdx].rip;
            stopBlock = false;
            throw e;
        }
    }

    /** Executes one uop for a compiled block: semantics only, no RIP or retired-count bookkeeping. */
    public final void execOp(Uop[] ops, int i) {
        runOps(ops, i, i + 1, 0, false);
    }

    /**
     * The interpreter loop over {@code ops[start, end)}. With {@code book}, RIP and the retired count are kept
     * exact (on return and on every throw); {@code extra} counts instructions folded into a fused last uop.
     */
    final void runOps(Uop[] ops, int start, int m, int extra, boolean book) {
        long[] r = this.r;
        int i = start;
        Uop u = null;
        try {
            for (; i < m; i++) {
                u = ops[i];
                switch (u.op) {
                    case NOP -> { }
                    case CMPJ_RR64 -> { long a = r[u.r1], b = r[u.r2]; lfOp = LF_SUB; lfBits = 64; lfDst = a; lfSrc = b; lfRes = a - b; rip = condSub(u.jcc, a, b, 0) ? u.jTaken : u.jNext; }
                    case CMPJ_RR32 -> { long a = r[u.r1] & M32, b = r[u.r2] & M32; lfOp = LF_SUB; lfBits = 32; lfDst = a; lfSrc = b; lfRes = (a - b) & M32; rip = condSub(u.jcc, a, b, 32) ? u.jTaken : u.jNext; }
                    case CMPJ_RI64 -> { long a = r[u.r1], b = u.imm; lfOp = LF_SUB; lfBits = 64; lfDst = a; lfSrc = b; lfRes = a - b; rip = condSub(u.jcc, a, b, 0) ? u.jTaken : u.jNext; }
                    case CMPJ_RI32 -> { long a = r[u.r1] & M32, b = u.imm & M32; lfOp = LF_SUB; lfBits = 32; lfDst = a; lfSrc = b; lfRes = (a - b) & M32; rip = condSub(u.jcc, a, b, 32) ? u.jTaken : u.jNext; }
                    case TESTJ_RR64 -> { long v = r[u.r1] & r[u.r2]; lfOp = LF_LOGIC; lfBits = 64; lfRes = v; rip = condLogic(u.jcc, v) ? u.jTaken : u.jNext; }
                    case TESTJ_RR32 -> { long v = r[u.r1] & r[u.r2] & M32; lfOp = LF_LOGIC; lfBits = 32; lfRes = v; rip = condLogic(u.jcc, (int) v) ? u.jTaken : u.jNext; }
                    case SUBJ_RI64, SUBJ_RI32, ADDJ_RI64, ADDJ_RI32 -> {
                        boolean w = u.op == SUBJ_RI64 || u.op == ADDJ_RI64, sub = u.op == SUBJ_RI64 || u.op == SUBJ_RI32;
                        long mk = w ? -1L : M32;
                        long a = r[u.r1] & mk, b = u.imm & mk, v = (sub ? a - b : a + b) & mk;
                        r[u.r1] = v;
                        lfOp = sub ? LF_SUB : LF_ADD; lfBits = w ? 64 : 32; lfDst = a; lfSrc = b; lfRes = v;
                        rip = cond(u.jcc) ? u.jTaken : u.jNext;
                    }
                    case ADD_RR64 -> { long a = r[u.r1], b = r[u.r2], v = a + b; r[u.r1] = v; lfOp = LF_ADD; lfBits = 64; lfDst = a; lfSrc = b; lfRes = v; }
                    case SUB_RR64 -> { long a = r[u.r1], b = r[u.r2], v = a - b; r[u.r1] = v; lfOp = LF_SUB; lfBits = 64; lfDst = a; lfSrc = b; lfRes = v; }
                    case CMP_RR64 -> { long a = r[u.r1], b = r[u.r2]; lfOp = LF_SUB; lfBits = 64; lfDst = a; lfSrc = b; lfRes = a - b; }
                    case AND_RR64 -> { long v = r[u.r1] & r[u.r2]; r[u.r1] = v; lfOp = LF_LOGIC; lfBits = 64; lfRes = v; }
                    case OR_RR64 -> { long v = r[u.r1] | r[u.r2]; r[u.r1] = v; lfOp = LF_LOGIC; lfBits = 64; lfRes = v; }
                    case XOR_RR64 -> { long v = r[u.r1] ^ r[u.r2]; r[u.r1] = v; lfOp = LF_LOGIC; lfBits = 64; lfRes = v; }
                    case ADD_RR32 -> { long a = r[u.r1] & M32, b = r[u.r2] & M32, v = (a + b) & M32; r[u.r1] = v; lfOp = LF_ADD; lfBits = 32; lfDst = a; lfSrc = b; lfRes = v; }
                    case SUB_RR32 -> { long a = r[u.r1] & M32, b = r[u.r2] & M32, v = (a - b) & M32; r[u.r1] = v; lfOp = LF_SUB; lfBits = 32; lfDst = a; lfSrc = b; lfRes = v; }
                    case CMP_RR32 -> { long a = r[u.r1] & M32, b = r[u.r2] & M32; lfOp = LF_SUB; lfBits = 32; lfDst = a; lfSrc = b; lfRes = (a - b) & M32; }
                    case AND_RR32 -> { long v = r[u.r1] & r[u.r2] & M32; r[u.r1] = v; lfOp = LF_LOGIC; lfBits = 32; lfRes = v; }
                    case OR_RR32 -> { long v = (r[u.r1] | r[u.r2]) & M32; r[u.r1] = v; lfOp = LF_LOGIC; lfBits = 32; lfRes = v; }
                    case XOR_RR32 -> { long v = (r[u.r1] ^ r[u.r2]) & M32; r[u.r1] = v; lfOp = LF_LOGIC; lfBits = 32; lfRes = v; }
                    case ADD_RI64 -> { long a = r[u.r1], b = u.imm, v = a + b; r[u.r1] = v; lfOp = LF_ADD; lfBits = 64; lfDst = a; lfSrc = b; lfRes = v; }
                    case SUB_RI64 -> { long a = r[u.r1], b = u.imm, v = a - b; r[u.r1] = v; lfOp = LF_SUB; lfBits = 64; lfDst = a; lfSrc = b; lfRes = v; }
                    case CMP_RI64 -> { long a = r[u.r1], b = u.imm; lfOp = LF_SUB; lfBits = 64; lfDst = a; lfSrc = b; lfRes = a - b; }
                    case AND_RI64 -> { long v = r[u.r1] & u.imm; r[u.r1] = v; lfOp = LF_LOGIC; lfBits = 64; lfRes = v; }
                    case OR_RI64 -> { long v = r[u.r1] | u.imm; r[u.r1] = v; lfOp = LF_LOGIC; lfBits = 64; lfRes = v; }
                    case XOR_RI64 -> { long v = r[u.r1] ^ u.imm; r[u.r1] = v; lfOp = LF_LOGIC; lfBits = 64; lfRes = v; }
                    case ADD_RI32 -> { long a = r[u.r1] & M32, b = u.imm & M32, v = (a + b) & M32; r[u.r1] = v; lfOp = LF_ADD; lfBits = 32; lfDst = a; lfSrc = b; lfRes = v; }
                    case SUB_RI32 -> { long a = r[u.r1] & M32, b = u.imm & M32, v = (a - b) & M32; r[u.r1] = v; lfOp = LF_SUB; lfBits = 32; lfDst = a; lfSrc = b; lfRes = v; }
                    case CMP_RI32 -> { long a = r[u.r1] & M32, b = u.imm & M32; lfOp = LF_SUB; lfBits = 32; lfDst = a; lfSrc = b; lfRes = (a - b) & M32; }
                    case AND_RI32 -> { long v = r[u.r1] & u.imm & M32; r[u.r1] = v; lfOp = LF_LOGIC; lfBits = 32; lfRes = v; }
                    case OR_RI32 -> { long v = (r[u.r1] | u.imm) & M32; r[u.r1] = v; lfOp = LF_LOGIC; lfBits = 32; lfRes = v; }
                    case XOR_RI32 -> { long v = (r[u.r1] ^ u.imm) & M32; r[u.r1] = v; lfOp = LF_LOGIC; lfBits = 32; lfRes = v; }
                    case TEST_RR64 -> { lfOp = LF_LOGIC; lfBits = 64; lfRes = r[u.r1] & r[u.r2]; }
                    case TEST_RR32 -> { lfOp = LF_LOGIC; lfBits = 32; lfRes = r[u.r1] & r[u.r2] & M32; }
                    case MOV_RR64 -> r[u.r1] = r[u.r2];
                    case MOV_RR32 -> r[u.r1] = r[u.r2] & M32;
                    case MOV_RI64 -> r[u.r1] = u.imm;
                    case MOV_RI32 -> r[u.r1] = u.imm & M32;
                    case MOV_RM64 -> r[u.r1] = read64(ea(u));
                    case MOV_RM32 -> r[u.r1] = read32(ea(u));
                    case MOV_MR64 -> write64(ea(u), r[u.r2]);
                    case MOV_MR32 -> write32(ea(u), r[u.r2]);
                    case MOVZX_RM8 -> setReg(u.size, u.r1, read8(ea(u)));
                    case MOVZX_RR8 -> setReg(u.size, u.r1, reg(1, u.r2));
                    case MOVSXD_RR -> r[u.r1] = (int) r[u.r2];
                    case LEA64 -> r[u.r1] = offset(u);
                    case CMP_RM32 -> { long a = r[u.r1] & M32, b = read32(ea(u)); lfOp = LF_SUB; lfBits = 32; lfDst = a; lfSrc = b; lfRes = (a - b) & M32; }
                    case CMP_RM64 -> { long a = r[u.r1], b = read64(ea(u)); lfOp = LF_SUB; lfBits = 64; lfDst = a; lfSrc = b; lfRes = a - b; }
                    case ADD_RM32 -> { long a = r[u.r1] & M32, b = read32(ea(u)), v = (a + b) & M32; r[u.r1] = v; lfOp = LF_ADD; lfBits = 32; lfDst = a; lfSrc = b; lfRes = v; }
                    case ADD_RM64 -> { long a = r[u.r1], b = read64(ea(u)), v = a + b; r[u.r1] = v; lfOp = LF_ADD; lfBits = 64; lfDst = a; lfSrc = b; lfRes = v; }
                    case XOR_RM32 -> { long v = (r[u.r1] ^ read32(ea(u))) & M32; r[u.r1] = v; lfOp = LF_LOGIC; lfBits = 32; lfRes = v; }
                    case SHL_RI64 -> { long a = r[u.r1], v = a << u.imm; r[u.r1] = v; lfOp = LF_SHL; lfBits = 64; lfDst = a; lfSrc = u.imm; lfRes = v; }
                    case SHR_RI64 -> { long a = r[u.r1], v = a >>> u.imm; r[u.r1] = v; lfOp = LF_SHR; lfBits = 64; lfDst = a; lfSrc = u.imm; lfRes = v; }
                    case SAR_RI64 -> { long a = r[u.r1], v = a >> u.imm; r[u.r1] = v; lfOp = LF_SAR; lfBits = 64; lfDst = a; lfSrc = u.imm; lfRes = v; }
                    case SHL_RI32 -> { long a = r[u.r1] & M32, v = (a << u.imm) & M32; r[u.r1] = v; lfOp = LF_SHL; lfBits = 32; lfDst = a; lfSrc = u.imm; lfRes = v; }
                    case SHR_RI32 -> { long a = r[u.r1] & M32, v = a >>> u.imm; r[u.r1] = v; lfOp = LF_SHR; lfBits = 32; lfDst = a; lfSrc = u.imm; lfRes = v; }
                    case SAR_RI32 -> { long a = r[u.r1] & M32, v = ((int) a >> u.imm) & M32; r[u.r1] = v; lfOp = LF_SAR; lfBits = 32; lfDst = a; lfSrc = u.imm; lfRes = v; }
                    case IMUL_RR32 -> setReg(4, u.r1, imul(4, r[u.r1], r[u.r2], false));
                    case IMUL_RR64 -> r[u.r1] = imul(8, r[u.r1], r[u.r2], false);
                    case IMUL_RM32 -> setReg(4, u.r1, imul(4, r[u.r1], read32(ea(u)), false));
                    case INC_R64 -> { long a = r[u.r1]; lfCarry = cf() ? 1 : 0; long v = a + 1; r[u.r1] = v; lfOp = LF_INC; lfBits = 64; lfDst = a; lfSrc = 1; lfRes = v; }
                    case DEC_R64 -> { long a = r[u.r1]; lfCarry = cf() ? 1 : 0; long v = a - 1; r[u.r1] = v; lfOp = LF_DEC; lfBits = 64; lfDst = a; lfSrc = 1; lfRes = v; }
                    case INC_R32 -> { long a = r[u.r1] & M32; lfCarry = cf() ? 1 : 0; long v = (a + 1) & M32; r[u.r1] = v; lfOp = LF_INC; lfBits = 32; lfDst = a; lfSrc = 1; lfRes = v; }
                    case DEC_R32 -> { long a = r[u.r1] & M32; lfCarry = cf() ? 1 : 0; long v = (a - 1) & M32; r[u.r1] = v; lfOp = LF_DEC; lfBits = 32; lfDst = a; lfSrc = 1; lfRes = v; }
                    case PUSH_R64 -> { long sp = r[4] - 8; write64(sp, r[u.r1]); r[4] = sp; }
                    case POP_R64 -> { long v = read64(r[4]); r[4] += 8; r[u.r1] = v; }
                    case CALL64 -> { long sp = r[4] - 8; write64(sp, u.next); r[4] = sp; rip = u.imm; }
                    case RET64 -> { long t = read64(r[4]); r[4] += 8 + u.imm; rip = t; }
                    case MOV_RR -> {
                        int s = u.size;
                        if (s == 8) r[u.r1] = r[u.r2];
                        else if (s == 4) r[u.r1] = r[u.r2] & 0xFFFF_FFFFL;
                        else setReg(s, u.r1, reg(s, u.r2));
                    }
                    case MOV_RI -> setReg(u.size, u.r1, u.imm);
                    case MOV_RM -> {
                        int s = u.size;
                        if (s == 8) r[u.r1] = read64(ea(u));
                        else if (s == 4) r[u.r1] = read32(ea(u));
                        else setReg(s, u.r1, read(ea(u), s));
                    }
                    case MOV_MR -> write(eaW(u), u.size, reg(u.size, u.r2));
                    case MOV_MI -> write(eaW(u), u.size, u.imm);
                    case MOVZX_RR -> setReg(u.size, u.r1, reg(u.aux, u.r2));
                    case MOVZX_RM -> setReg(u.size, u.r1, read(ea(u), u.aux));
                    case MOVSX_RR -> setReg(u.size, u.r1, sext(u.aux, reg(u.aux, u.r2)));
                    case MOVSX_RM -> setReg(u.size, u.r1, sext(u.aux, read(ea(u), u.aux)));
                    case LEA -> setReg(u.size, u.r1, offset(u));
                    case ALU_RR -> {
                        long v = alu(u.aux, u.size, reg(u.size, u.r1), reg(u.size, u.r2), u.nf);
                        if (u.aux != CMP) setReg(u.size, u.r1, v);
                    }
                    case ALU_RI -> {
                        long v = alu(u.aux, u.size, reg(u.size, u.r1), u.imm, u.nf);
                        if (u.aux != CMP) setReg(u.size, u.r1, v);
                    }
                    case ALU_RM -> {
                        long v = alu(u.aux, u.size, reg(u.size, u.r1), read(ea(u), u.size), u.nf);
                        if (u.aux != CMP) setReg(u.size, u.r1, v);
                    }
                    case ALU_MR -> aluMem(u, reg(u.size, u.r2));
                    case ALU_MI -> aluMem(u, u.imm);
                    case TEST_RR -> setFlagsLogic(u.size * 8, reg(u.size, u.r1) & reg(u.size, u.r2));
                    case TEST_RI -> setFlagsLogic(u.size * 8, reg(u.size, u.r1) & u.imm & mask(u.size));
                    case TEST_MR -> setFlagsLogic(u.size * 8, read(ea(u), u.size) & reg(u.size, u.r2));
                    case TEST_MI -> setFlagsLogic(u.size * 8, read(ea(u), u.size) & u.imm & mask(u.size));
                    case JCC -> rip = cond(u.cc) ? u.imm : u.next;
                    case JMP -> rip = u.imm;
                    case JMP_R -> rip = branchTarget(u, reg(u.size, u.r1));
                    case JMP_M -> rip = branchTarget(u, read(ea(u), u.size));
                    case CALL -> {
                        push(u.size, u.next);
                        rip = u.imm;
                    }
                    case CALL_R -> {
                        long t = branchTarget(u, reg(u.size, u.r1));
                        push(u.size, u.next);
                        rip = t;
                    }
                    case CALL_M -> {
                        long t = branchTarget(u, read(ea(u), u.size));
                        push(u.size, u.next);
                        rip = t;
                    }
                    case RET -> {
                        long t = read(stackLin(r[4]), u.size);
                        setRsp(r[4] + u.size + u.imm);
                        rip = branchTarget(u, t);
                    }
                    case PUSH_R -> push(u.size, reg(u.size, u.r1));
                    case PUSH_I -> push(u.size, u.imm);
                    case PUSH_M -> push(u.size, read(ea(u), u.size));
                    case POP_R -> {
                        long v = read(stackLin(r[4]), u.size);
                        setRsp(r[4] + u.size);
                        setReg(u.size, u.r1, v);
                    }
                    case POP_M -> popMem(u);
                    case SHIFT_RI -> setReg(u.size, u.r1, shift(u.aux, u.size, reg(u.size, u.r1), (int) u.imm, u.nf));
                    case SHIFT_RCL -> setReg(u.size, u.r1, shift(u.aux, u.size, reg(u.size, u.r1), (int) r[1] & 0xFF, u.nf));
                    case SHIFT_MI, SHIFT_MCL -> shiftMem(u);
                    case INC_R -> setReg(u.size, u.r1, incdec(u.size, reg(u.size, u.r1), true, u.nf));
                    case DEC_R -> setReg(u.size, u.r1, incdec(u.size, reg(u.size, u.r1), false, u.nf));
                    case INC_M, DEC_M, NOT_M, NEG_M -> unaryMem(u);
                    case NOT_R -> setReg(u.size, u.r1, ~reg(u.size, u.r1));
                    case NEG_R -> setReg(u.size, u.r1, neg(u.size, reg(u.size, u.r1), u.nf));
                    case IMUL_RR -> setReg(u.size, u.r1, imul(u.size, reg(u.size, u.r1), reg(u.size, u.r2), u.nf));
                    case IMUL_RM -> setReg(u.size, u.r1, imul(u.size, reg(u.size, u.r1), read(ea(u), u.size), u.nf));
                    case IMUL3_RR -> setReg(u.size, u.r1, imul(u.size, reg(u.size, u.r2), u.imm, u.nf));
                    case IMUL3_RM -> setReg(u.size, u.r1, imul(u.size, read(ea(u), u.size), u.imm, u.nf));
                    case MULDIV_R -> mulDiv(u, reg(u.size, u.r1));
                    case MULDIV_M -> mulDiv(u, read(ea(u), u.size));
                    case CMOV_RR -> {
                        if (cond(u.cc)) setReg(u.size, u.r1, reg(u.size, u.r2));
                        else if (u.size == 4) r[u.r1] &= 0xFFFF_FFFFL;
                    }
                    case CMOV_RM -> {
                        long v = read(ea(u), u.size);
                        if (cond(u.cc)) setReg(u.size, u.r1, v);
                        else if (u.size == 4) r[u.r1] &= 0xFFFF_FFFFL;
                    }
                    case SETCC_R -> setReg(1, u.r1, cond(u.cc) ? 1 : 0);
                    case SETCC_M -> write8(eaW(u), cond(u.cc) ? 1 : 0);
                    default -> slow(u);
                }
                if (stopBlock) {
                    i++;
                    break;
                }
            }
        } catch (RuntimeException e) {
            if (book) {
                retired += i - start;
                rip = u.rip;
                stopBlock = false;
            }
            throw e;
        }
        if (book) {
            retired += i == m ? i - start + extra : i - start;
            if (!u.setsRip) rip = u.next;
        }
    }

    /** A condition after SUB/CMP of {@code a} and {@code b} (zero-extended values of width 64 - sh... see sh). */
    static boolean condSub(int cc, long d, long s, int sh) {
        switch (cc) {
            case 2: return Long.compareUnsigned(d, s) < 0;
            case 3: return Long.compareUnsigned(d, s) >= 0;
            case 4: return d == s;
            case 5: return d != s;
            case 6: return Long.compareUnsigned(d, s) <= 0;
            case 7: return Long.compareUnsigned(d, s) > 0;
            case 0xC: return (d << sh) < (s << sh);
            case 0xD: return (d << sh) >= (s << sh);
            case 0xE: return (d << sh) <= (s << sh);
            case 0xF: return (d << sh) > (s << sh);
            default: {
                int bits = 64 - sh;
                long res = (d - s) & (bits == 64 ? -1L : (1L << bits) - 1);
                boolean of = (((d ^ s) & (d ^ res)) >>> (bits - 1) & 1) != 0;
                boolean sf = ((res >>> (bits - 1)) & 1) != 0;
                boolean pf = (Integer.bitCount((int) res & 0xFF) & 1) == 0;
                return switch (cc) {
                    case 0 -> of; case 1 -> !of; case 8 -> sf; case 9 -> !sf; case 0xA -> pf; default -> !pf;
                };
            }
        }
    }

    /** A condition after a logical operation with sign-correct result {@code v} (CF = OF = 0). */
    static boolean condLogic(int cc, long v) {
        return switch (cc) {
            case 0, 2 -> false;
            case 1, 3 -> true;
            case 4, 6 -> v == 0;
            case 5, 7 -> v != 0;
            case 8, 0xC -> v < 0;
            case 9, 0xD -> v >= 0;
            case 0xE -> v <= 0;
            case 0xF -> v > 0;
            case 0xA -> (Long.bitCount(v & 0xFF) & 1) == 0;
            default -> (Long.bitCount(v & 0xFF) & 1) != 0;
        };
    }

    static final long M32 = 0xFFFF_FFFFL;

    final long branchTarget(Uop u, long t) {
        if (u.size == 8) return t;
        if (u.size == 4) return t & 0xFFFF_FFFFL;
        return t & 0xFFFF;
    }

    // ---------------------------------------------------------------- ALU

    final long alu(int kind, int size, long a, long b, boolean nf) {
        long m = mask(size);
        int bits = size * 8;
        a &= m;
        b &= m;
        long res;
        switch (kind) {
            case ADD -> {
                res = (a + b) & m;
                if (!nf) setFlags(LF_ADD, bits, a, b, res);
            }
            case OR -> {
                res = a | b;
                if (!nf) setFlagsLogic(bits, res);
            }
            case ADC -> {
                long c = cf() ? 1 : 0;
                res = (a + b + c) & m;
                if (!nf) { setFlags(LF_ADC, bits, a, b, res); lfCarry = c; }
            }
            case SBB -> {
                long c = cf() ? 1 : 0;
                res = (a - b - c) & m;
                if (!nf) { setFlags(LF_SBB, bits, a, b, res); lfCarry = c; }
            }
            case AND -> {
                res = a & b;
                if (!nf) setFlagsLogic(bits, res);
            }
            case XOR -> {
                res = a ^ b;
                if (!nf) setFlagsLogic(bits, res);
            }
            default -> { // SUB, CMP
                res = (a - b) & m;
                if (!nf) setFlags(LF_SUB, bits, a, b, res);
            }
        }
        return res;
    }

    final void aluMem(Uop u, long src) {
        if (u.aux == CMP) {
            alu(CMP, u.size, read(ea(u), u.size), src, u.nf);
            return;
        }
        if (u.lock) {
            long carry = (u.aux == ADC || u.aux == SBB) && cf() ? 1 : 0;
            long old = lockedRmw(eaW(u), u.size, u.aux, src & mask(u.size), carry);
            if (!u.nf) {
                if (u.aux == ADC || u.aux == SBB) {
                    // alu() reads CF for the carry in: give it the value the atomic update used
                    setArith(Flags.CF, carry);
                }
                alu(u.aux, u.size, old, src, false);
            }
            return;
        }
        long a = eaW(u);
        long v = read(a, u.size);
        long res = alu(u.aux, u.size, v, src, true);
        write(a, u.size, res);
        if (!u.nf) alu(u.aux, u.size, v, src, false);
    }

    final long incdec(int size, long a, boolean inc, boolean nf) {
        long m = mask(size);
        long res = (inc ? a + 1 : a - 1) & m;
        if (!nf) {
            long c = cf() ? 1 : 0;
            setFlags(inc ? LF_INC : LF_DEC, size * 8, a & m, 1, res);
            lfCarry = c;
        }
        return res;
    }

    final long neg(int size, long a, boolean nf) {
        long m = mask(size);
        long res = -a & m;
        if (!nf) setFlags(LF_SUB, size * 8, 0, a & m, res);
        return res;
    }

    final void unaryMem(Uop u) {
        if (u.lock) {
            int kind = u.op == INC_M ? Atomics.INC : u.op == DEC_M ? Atomics.DEC : u.op == NOT_M ? Atomics.NOT : Atomics.NEG;
            long old = lockedRmw(eaW(u), u.size, kind, 0, 0);
            if (u.op == INC_M || u.op == DEC_M) incdec(u.size, old, u.op == INC_M, u.nf);
            else if (u.op == NEG_M) neg(u.size, old, u.nf);
            return;
        }
        long a = eaW(u);
        long v = read(a, u.size);
        long m = mask(u.size);
        switch (u.op) {
            case INC_M, DEC_M -> {
                long res = (u.op == INC_M ? v + 1 : v - 1) & m;
                write(a, u.size, res);
                incdec(u.size, v, u.op == INC_M, u.nf);
            }
            case NOT_M -> write(a, u.size, ~v);
            default -> {
                write(a, u.size, -v & m);
                neg(u.size, v, u.nf);
            }
        }
    }

    final void popMem(Uop u) {
        long v = read(stackLin(r[4]), u.size);
        long save = r[4];
        setRsp(r[4] + u.size);
        try {
            write(eaW(u), u.size, v); // the address is computed with the incremented RSP
        } catch (RuntimeException e) {
            r[4] = save;
            throw e;
        }
    }

    // ---------------------------------------------------------------- shifts and rotates

    final long shift(int kind, int size, long a, int count, boolean nf) {
        int bits = size * 8;
        long m = mask(size);
        a &= m;
        int c = count & (size == 8 ? 0x3F : 0x1F);
        if (c == 0) return a;
        long res;
        switch (kind) {
            case SHL, SAL -> {
                res = c >= 64 ? 0 : (a << c) & m;
                if (!nf) setFlags(LF_SHL, bits, a, c, res);
            }
            case SHR -> {
                res = a >>> c;
                if (!nf) setFlags(LF_SHR, bits, a, c, res);
            }
            case SAR -> {
                res = (sext(size, a) >> c) & m;
                if (!nf) setFlags(LF_SAR, bits, a, c, res);
            }
            case ROL -> {
                int k = c % bits;
                res = k == 0 ? a : ((a << k) | (a >>> (bits - k))) & m;
                if (!nf) {
                    long cfv = res & 1;
                    long ofv = ((res >>> (bits - 1)) & 1) ^ cfv;
                    setArith(CF | OF, cfv | ofv << 11);
                }
            }
            case ROR -> {
                int k = c % bits;
                res = k == 0 ? a : ((a >>> k) | (a << (bits - k))) & m;
                if (!nf) {
                    long cfv = (res >>> (bits - 1)) & 1;
                    long ofv = cfv ^ ((res >>> (bits - 2)) & 1);
                    setArith(CF | OF, cfv | ofv << 11);
                }
            }
            case RCL -> {
                int k = size <= 2 ? c % (bits + 1) : c;
                long cin = cf() ? 1 : 0;
                res = a;
                long carry = cin;
                for (int j = 0; j < k; j++) {
                    long out = (res >>> (bits - 1)) & 1;
                    res = ((res << 1) | carry) & m;
                    carry = out;
                }
                if (!nf) setArith(CF | OF, carry | ((((res >>> (bits - 1)) & 1) ^ carry) << 11));
            }
            default -> { // RCR
                int k = size <= 2 ? c % (bits + 1) : c;
                long cin = cf() ? 1 : 0;
                res = a;
                long carry = cin;
                long of0 = ((a >>> (bits - 1)) & 1) ^ cin;
                for (int j = 0; j < k; j++) {
                    long out = res & 1;
                    res = (res >>> 1) | (carry << (bits - 1));
                    carry = out;
                }
                res &= m;
                if (!nf) setArith(CF | OF, carry | (of0 << 11));
            }
        }
        return res;
    }

    final void shiftMem(Uop u) {
        long a = eaW(u);
        long v = read(a, u.size);
        int count = u.op == SHIFT_MI ? (int) u.imm : (int) r[1] & 0xFF;
        // compute without flags first so a faulting store leaves the flags alone
        long save = flags();
        long res = shift(u.aux, u.size, v, count, u.nf);
        int op = lfOp, bits = lfBits;
        long d = lfDst, s = lfSrc, rr = lfRes, fl = rflags;
        setFlagsRaw(save);
        write(a, u.size, res);
        lfOp = op; lfBits = bits; lfDst = d; lfSrc = s; lfRes = rr; rflags = fl;
    }

    // ---------------------------------------------------------------- multiply / divide

    final long imul(int size, long a, long b, boolean nf) {
        long sa = sext(size, a), sb = sext(size, b);
        long res, full;
        boolean ovf;
        if (size == 8) {
            res = sa * sb;
            long hi = Math.multiplyHigh(sa, sb);
            ovf = hi != (res >> 63);
        } else {
            full = sa * sb;
            res = full & mask(size);
            ovf = sext(size, res) != full;
        }
        if (!nf) mulFlags(size, res, ovf);
        return res;
    }

    final void mulFlags(int size, long low, boolean ovf) {
        long f = ovf ? CF | OF : 0;
        long lm = low & mask(size);
        if (lm == 0) f |= ZF;
        if (((lm >>> (size * 8 - 1)) & 1) != 0) f |= SF;
        if ((Integer.bitCount((int) lm & 0xFF) & 1) == 0) f |= PF;
        setArith(ARITH, f);
    }

    /** MUL, IMUL, DIV, IDIV with the implicit rDX:rAX operands (aux: 4 MUL, 5 IMUL, 6 DIV, 7 IDIV). */
    final void mulDiv(Uop u, long src) {
        int size = u.size;
        long m = mask(size);
        src &= m;
        switch (u.aux) {
            case 4 -> { // MUL
                if (size == 1) {
                    long res = (r[0] & 0xFF) * src;
                    setReg(2, 0, res);
                    if (!u.nf) mulFlags(1, res, (res >>> 8) != 0);
                } else if (size == 8) {
                    long lo = r[0] * src, hi = Math.unsignedMultiplyHigh(r[0], src);
                    r[0] = lo;
                    r[2] = hi;
                    if (!u.nf) mulFlags(8, lo, hi != 0);
                } else {
                    long res = (r[0] & m) * src;
                    int bits = size * 8;
                    setReg(size, 0, res);
                    setReg(size, 2, res >>> bits);
                    if (!u.nf) mulFlags(size, res, (res >>> bits) != 0);
                }
            }
            case 5 -> { // IMUL one-operand
                long sa = sext(size, r[0]), sb = sext(size, src);
                if (size == 1) {
                    long res = sa * sb;
                    setReg(2, 0, res);
                    if (!u.nf) mulFlags(1, res, sext(1, res) != res);
                } else if (size == 8) {
                    long lo = sa * sb, hi = Math.multiplyHigh(sa, sb);
                    r[0] = lo;
                    r[2] = hi;
                    if (!u.nf) mulFlags(8, lo, hi != (lo >> 63));
                } else {
                    long res = sa * sb;
                    int bits = size * 8;
                    setReg(size, 0, res);
                    setReg(size, 2, res >> bits);
                    if (!u.nf) mulFlags(size, res, sext(size, res) != res);
                }
            }
            case 6 -> { // DIV
                if (src == 0) throw new Fault(Fault.DE, -1, 0);
                if (size == 1) {
                    long n = r[0] & 0xFFFF;
                    long q = n / src;
                    if (q > 0xFF) throw new Fault(Fault.DE, -1, 0);
                    setReg(2, 0, (n % src) << 8 | q);
                } else if (size == 8) {
                    long hi = r[2], lo = r[0];
                    if (Long.compareUnsigned(hi, src) >= 0) throw new Fault(Fault.DE, -1, 0);
                    if (hi == 0) {
                        r[0] = Long.divideUnsigned(lo, src);
                        r[2] = Long.remainderUnsigned(lo, src);
                    } else {
                        r[0] = divu128(hi, lo, src);
                        r[2] = divRem;
                    }
                } else {
                    int bits = size * 8;
                    long n = ((r[2] & m) << bits) | (r[0] & m);
                    long q = Long.divideUnsigned(n, src), rem = Long.remainderUnsigned(n, src);
                    if (Long.compareUnsigned(q, m) > 0) throw new Fault(Fault.DE, -1, 0);
                    setReg(size, 0, q);
                    setReg(size, 2, rem);
                }
            }
            default -> { // IDIV
                long d = sext(size, src);
                if (d == 0) throw new Fault(Fault.DE, -1, 0);
                if (size == 1) {
                    long n = sext(2, r[0]);
                    long q = n / d, rem = n % d;
                    if (q != sext(1, q)) throw new Fault(Fault.DE, -1, 0);
                    setReg(2, 0, (rem & 0xFF) << 8 | (q & 0xFF));
                } else if (size == 8) {
                    long hi = r[2], lo = r[0];
                    if (hi == (lo >> 63)) { // the dividend fits in 64 bits: the common CQO; IDIV
                        if (lo == Long.MIN_VALUE && d == -1) throw new Fault(Fault.DE, -1, 0);
                        r[0] = lo / d;
                        r[2] = lo % d;
                    } else {
                        boolean nneg = hi < 0, dneg = d < 0;
                        long mhi = hi, mlo = lo;
                        if (nneg) { mlo = -lo; mhi = ~hi + (lo == 0 ? 1 : 0); }
                        long md = dneg ? -d : d;
                        if (Long.compareUnsigned(mhi, md) >= 0) throw new Fault(Fault.DE, -1, 0);
                        long q = divu128(mhi, mlo, md), rem = divRem;
                        boolean qneg = nneg != dneg;
                        if (qneg ? Long.compareUnsigned(q, Long.MIN_VALUE) > 0 : q < 0) throw new Fault(Fault.DE, -1, 0);
                        r[0] = qneg ? -q : q;
                        r[2] = nneg ? -rem : rem;
                    }
                } else {
                    int bits = size * 8;
                    long n = (r[2] << bits) | (r[0] & m);
                    if (size == 2) n = sext(4, n);
                    long q = n / d, rem = n % d;
                    if (q != sext(size, q)) throw new Fault(Fault.DE, -1, 0);
                    setReg(size, 0, q);
                    setReg(size, 2, rem);
                }
            }
        }
    }

    /** Remainder of the last {@link #divu128}. */
    long divRem;

    /** Unsigned (hi:lo) / d for hi &lt; d (so the quotient fits), without allocating; remainder in divRem. */
    final long divu128(long hi, long lo, long d) {
        long rem = hi, q = 0;
        for (int i = 63; i >= 0; i--) {
            boolean top = rem < 0;
            rem = (rem << 1) | ((lo >>> i) & 1);
            q <<= 1;
            if (top || Long.compareUnsigned(rem, d) >= 0) {
                rem -= d;
                q |= 1;
            }
        }
        divRem = rem;
        return q;
    }

    // ---------------------------------------------------------------- everything else

    /** Handlers for the less frequent operations, kept out of execBlock to keep it small. */
    abstract void slow(Uop u);
}
