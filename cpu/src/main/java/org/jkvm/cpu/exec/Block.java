package org.jkvm.cpu.exec;

/**
 * A translated straight-line run of guest instructions starting at a linear address, valid for one mode key
 * and as long as its code bytes are not written and its linear-to-physical mapping holds (rechecked
 * lazily whenever {@link Mmu#codeEpoch} moved on; the bytes alone whenever {@link Mmu#ramEpoch} moved on).
 */
public final class Block {
    final long rip;
    final int modeKey;
    Uop[] ops;
    /** Instructions in the block (= ops.length). */
    int n;
    /** The same block with a trailing flag-op + JCC fused into one uop (used when the whole block runs). */
    Uop[] fused;
    /** Physical address of the first byte and of the second page's start if the block crosses a page, else -1. */
    long phys, phys2 = -1;
    long lin2;
    /** The code bytes the block was translated from (first page, then second page). */
    byte[] code;
    int epoch;
    /** The {@link Mmu#ramEpoch} at which the code bytes were last known to match guest RAM. */
    int ramEpoch;
    boolean valid = true;
    /** Executions so far (for the decision to compile) and the compiled form, once there is one. */
    int heat;
    CompiledBlock jit;
    /** Successor cache (two most recent). */
    Block next0, next1;

    Block(long rip, int modeKey) {
        this.rip = rip;
        this.modeKey = modeKey;
    }
}
