package org.jkvm.cpu.exec;

/**
 * One pre-decoded instruction of a translated block: an operation code for the interpreter's switch and
 * the operands resolved to plain numbers. Blocks are keyed by linear RIP, so RIP-relative addresses are
 * already absolute here. Mutable only while the translator fills it.
 */
public final class Uop {
    public int op;
    /** Operand size in bytes. */
    public int size;
    /** Register operands (GPR numbers; 32+n is the high byte of GPR n). r3 is the APX new-data destination. */
    public int r1 = -1, r2 = -1, r3 = -1;
    /** Memory operand: base/index GPR (-1 none), scale as a shift, displacement, address size, segment. */
    public int base = -1, index = -1, scale;
    public long disp;
    public int asize = 8;
    /** Segment register to apply (-1: none, flat), and whether full protected-mode checks are needed. */
    public int seg = -1;
    public boolean segCheck;
    public long imm, imm2;
    /** Condition code, ALU/shift kind, secondary size or other small parameter. */
    public int cc, aux, aux2;
    /** LOCK prefix (or XCHG with memory): the read-modify-write is atomic on guest RAM. */
    public boolean lock;
    /** APX: NF (no flags), ZU/ND semantics. */
    public boolean nf, nd;
    /** Fused JCC: its condition, taken target and fall-through address. */
    public int jcc;
    public long jTaken, jNext;
    /** Linear address of this instruction and of the next one. */
    public long rip, next;
    /** The instruction writes RIP itself (branches, far transfers, event delivery). */
    public boolean setsRip;
    /** Mnemonic text, for the unimplemented-instruction counters and diagnostics. */
    public String name;
    /** Opaque payload for instructions executed by another unit (SIMD, XSAVE): the frozen decoded instruction. */
    public Object payload;

    int len() {
        return (int) (next - rip);
    }

    @Override
    public String toString() {
        return Long.toHexString(rip) + ": " + name + " op=" + op;
    }
}
