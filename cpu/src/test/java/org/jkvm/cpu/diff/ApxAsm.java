package org.jkvm.cpu.diff;

import java.io.ByteArrayOutputStream;

/**
 * APX encodings built from the bit layouts in the spec (isa.md, "REX2" and "EVEX for APX"), for the
 * software-CPU-only APX tests: the host cannot run them, so the tests encode from the spec and assert the
 * spec's semantics. Register numbers are 0-31.
 */
final class ApxAsm {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    ApxAsm db(int... bytes) {
        for (int b : bytes) out.write(b);
        return this;
    }

    ApxAsm append(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    ApxAsm imm(long v, int bytes) {
        for (int i = 0; i < bytes; i++) out.write((int) (v >>> (8 * i)));
        return this;
    }

    byte[] bytes() { return out.toByteArray(); }

    /** The REX2 payload: M0 R4 X4 B4 W R3 X3 B3 (isa.md REX2 table). */
    static int rex2(boolean map1, boolean w, int reg, int index, int base) {
        return (map1 ? 0x80 : 0) | bit(reg, 4) << 6 | bit(index, 4) << 5 | bit(base, 4) << 4 | (w ? 8 : 0)
            | bit(reg, 3) << 2 | bit(index, 3) << 1 | bit(base, 3);
    }

    /** D5, payload, opcode, ModRM (mod=11) for a register-register instruction. */
    ApxAsm rex2RR(boolean map1, boolean w, int opcode, int reg, int rm) {
        return db(0xD5, rex2(map1, w, reg, 0, rm), opcode, 0xC0 | (reg & 7) << 3 | (rm & 7));
    }

    /**
     * EVEX P0: R̄3 X̄3 B̄3 R̄4 B4 mmm (map 4 = 100). {@code index} is the SIB index (or 0), {@code base} the
     * ModRM.rm register or SIB base.
     */
    static int p0(int reg, int index, int base) {
        return (1 - bit(reg, 3)) << 7 | (1 - bit(index, 3)) << 6 | (1 - bit(base, 3)) << 5 | (1 - bit(reg, 4)) << 4
            | bit(base, 4) << 3 | 4;
    }

    /** EVEX P1: W v̄v̄v̄v̄ X̄4 pp; {@code vvvv} is the low four bits of V (inverted here). */
    static int p1(boolean w, int v, int index, int pp) {
        return (w ? 0x80 : 0) | (~v & 15) << 3 | (1 - bit(index, 4)) << 2 | pp;
    }

    /** EVEX P2 with z=L'=L=aaa=0: ND, V̄4, NF. */
    static int p2(boolean nd, int v, boolean nf) {
        return (nd ? 0x10 : 0) | (1 - bit(v, 4)) << 3 | (nf ? 4 : 0);
    }

    /** A map-4 EVEX instruction with a register ModRM.rm; {@code pp} 1 selects 16-bit (isa.md). */
    ApxAsm evexRR(boolean w, int pp, boolean nd, boolean nf, int v, int opcode, int reg, int rm) {
        return db(0x62, p0(reg, 0, rm), p1(w, v, 0, pp), p2(nd, v, nf), opcode, 0xC0 | (reg & 7) << 3 | (rm & 7));
    }

    /** A map-4 EVEX instruction with memory [base + disp32] as ModRM.rm (base not RSP/R12, so no SIB). */
    ApxAsm evexRM(boolean w, int pp, boolean nd, boolean nf, int v, int opcode, int reg, int base, int disp) {
        if ((base & 7) == 4) throw new IllegalArgumentException("needs a SIB");
        db(0x62, p0(reg, 0, base), p1(w, v, 0, pp), p2(nd, v, nf), opcode, 0x80 | (reg & 7) << 3 | (base & 7));
        return imm(disp, 4);
    }

    /**
     * CCMPscc/CTESTscc: ND=0, NF=0, P1's vvvv holds the default flags value (not inverted: OF SF ZF CF in bits
     * 3..0) and P2[3:0] the source condition code (isa.md).
     */
    ApxAsm ccmpRR(boolean w, int pp, int scc, int dfv, int opcode, int reg, int rm) {
        int p1 = (w ? 0x80 : 0) | (dfv & 15) << 3 | 4 | pp;
        return db(0x62, p0(reg, 0, rm), p1, scc & 15, opcode, 0xC0 | (reg & 7) << 3 | (rm & 7));
    }

    private static int bit(int n, int b) { return n >>> b & 1; }
}
