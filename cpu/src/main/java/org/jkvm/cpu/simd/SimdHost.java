package org.jkvm.cpu.simd;

import org.jkvm.cpu.mem.LinearMemory;
import org.jkvm.cpu.xstate.XContext;

/**
 * What the SIMD unit needs from the CPU for the instruction being executed: the control state and
 * GPRs ({@link XContext}; {@code get/set} reach any of R0-R31 as raw 64-bit values), the linear
 * address of the instruction's memory operand, memory, and the arithmetic flags (COMISS, PTEST,
 * KORTEST write them).
 */
public interface SimdHost extends XContext {
    /** The linear address of the current instruction's memory operand (segment base applied). */
    long ea();

    LinearMemory memory();

    /** Sets OF, SF, ZF, AF, PF and CF from the corresponding bits of {@code flags}; other RFLAGS bits unchanged. */
    void setArithFlags(long flags);

    /**
     * RFLAGS, for FCMOVcc. The default says "not available" (FCMOVcc then reports itself as
     * unimplemented); a CPU that overrides it gets FCMOVcc.
     */
    default long rflags() {
        throw new UnsupportedOperationException("rflags");
    }

    long CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;
}
