package org.jkvm.cpu.diff;

import static org.jkvm.cpu.diff.Flags.CF;
import static org.jkvm.cpu.diff.Flags.OF;
import static org.jkvm.cpu.diff.Flags.PF;
import static org.jkvm.cpu.diff.Flags.SF;
import static org.jkvm.cpu.diff.Flags.ZF;

/** The sixteen condition codes in encoding order, with the flags each reads (SDM vol. 1, B.1). */
enum Cond {
    O(OF), NO(OF), B(CF), AE(CF), E(ZF), NE(ZF), BE(CF | ZF), A(CF | ZF),
    S(SF), NS(SF), P(PF), NP(PF), L(SF | OF), GE(SF | OF), LE(ZF | SF | OF), G(ZF | SF | OF);

    final int reads;

    Cond(int reads) { this.reads = reads; }

    String suffix() { return name().toLowerCase(java.util.Locale.ROOT); }
}
