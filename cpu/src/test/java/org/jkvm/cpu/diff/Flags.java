package org.jkvm.cpu.diff;

/** RFLAGS bits the harness deals with. */
final class Flags {
    static final int CF = 1, PF = 1 << 2, AF = 1 << 4, ZF = 1 << 6, SF = 1 << 7, OF = 1 << 11;
    static final int ARITH = CF | PF | AF | ZF | SF | OF;
    /** Bit 1 always reads as one; IF is set in user mode. */
    static final int FIXED = 1 << 1, IF = 1 << 9;

    private Flags() {}

    static String describe(long f) {
        StringBuilder sb = new StringBuilder();
        if ((f & OF) != 0) sb.append('O');
        if ((f & SF) != 0) sb.append('S');
        if ((f & ZF) != 0) sb.append('Z');
        if ((f & AF) != 0) sb.append('A');
        if ((f & PF) != 0) sb.append('P');
        if ((f & CF) != 0) sb.append('C');
        return sb.isEmpty() ? "-" : sb.toString();
    }
}
