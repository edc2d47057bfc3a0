package org.jkvm.cpu.diff;

/**
 * Where things live in a test region, as offsets from its (page-aligned) base address. The native side
 * mmaps the region; the soft side maps the same linear addresses, so every address a sequence computes
 * (its stack pointer, its data base register, a pushed RSP) is the same number on both sides.
 */
final class Layout {
    /** Trampoline prologue, the sequence, epilogue. Read-execute while running. */
    static final int CODE = 0, CODE_SIZE = 0x4000;
    /**
     * Where a sequence starts: 24 bytes before the end of the first code page, so most sequences straddle a
     * page boundary (the software CPU maps consecutive pages to non-consecutive frames).
     */
    static final int SEQUENCE = 0x1000 - 24;
    /** The host-only block the trampoline loads registers from and stores them to. */
    static final int STATE = 0x4000;
    /**
     * Unused room below the private stack: a signal delivered while the sequence runs puts its frame
     * below RSP, and that must not land on anything we compare or on another mapping.
     */
    static final int HEADROOM = 0x5000;
    /** The compared data: the private stack window, then the scratch buffer memory operands address. */
    static final int DATA = 0x11000, STACK_SIZE = 0x1000, SCRATCH = DATA + STACK_SIZE, SCRATCH_SIZE = 0x2000;
    static final int DATA_SIZE = STACK_SIZE + SCRATCH_SIZE;
    static final int TOTAL = DATA + DATA_SIZE;
    /** The sequence's initial RSP: the middle of the stack window, so both PUSH and POP stay inside. */
    static final int INITIAL_RSP = DATA + STACK_SIZE / 2;
    /** The data base register's value: the middle of the scratch buffer. */
    static final int SCRATCH_BASE = SCRATCH + SCRATCH_SIZE / 2;

    private Layout() {}
}
