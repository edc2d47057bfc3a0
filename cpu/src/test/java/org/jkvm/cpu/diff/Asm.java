package org.jkvm.cpu.diff;

import java.io.ByteArrayOutputStream;
import java.util.HexFormat;

/**
 * A small byte emitter for the test harness: legacy (prefixes, REX, opcode, ModRM/SIB/displacement, immediate)
 * and VEX forms. It knows encoding rules, not instructions: the instruction tables hand it opcodes.
 * {@code origin} is the address of the first byte, so RIP-relative operands can be resolved.
 */
final class Asm {
    private final long origin;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Asm(long origin) { this.origin = origin; }

    long pc() { return origin + out.size(); }

    int size() { return out.size(); }

    byte[] bytes() { return out.toByteArray(); }

    void db(int... bytes) {
        for (int b : bytes) out.write(b);
    }

    void imm(long value, int bytes) {
        for (int i = 0; i < bytes; i++) out.write((int) (value >>> (8 * i)));
    }

    /** A legacy instruction with a register in ModRM.reg. */
    void legacy(int opSize, int mandatory, boolean default64, int[] opcode, Operand.Reg reg, Operand rm,
                long imm, int immBytes) {
        emit(opSize, mandatory, default64, opcode, reg.encoding(), reg.needsRex(), reg.high(), rm, imm, immBytes);
    }

    /** A legacy instruction with an opcode extension (/digit) in ModRM.reg. */
    void legacy(int opSize, int mandatory, boolean default64, int[] opcode, int digit, Operand rm,
                long imm, int immBytes) {
        emit(opSize, mandatory, default64, opcode, digit, false, false, rm, imm, immBytes);
    }

    /** A legacy instruction whose register is in the low three opcode bits (PUSH, POP, BSWAP, MOV r, imm). */
    void plusReg(int opSize, boolean default64, int[] opcode, Operand.Reg reg, long imm, int immBytes) {
        if (opSize == 2) out.write(0x66);
        int rex = (opSize == 8 && !default64 ? 8 : 0) | (reg.encoding() >= 8 ? 1 : 0);
        if (rex != 0 || reg.needsRex()) {
            if (reg.high()) throw new IllegalArgumentException("AH-DH cannot be encoded with REX");
            out.write(0x40 | rex);
        }
        for (int i = 0; i < opcode.length - 1; i++) out.write(opcode[i]);
        out.write(opcode[opcode.length - 1] + (reg.encoding() & 7));
        imm(imm, immBytes);
    }

    /** An instruction with no operands beyond its opcode (CBW, CQO, CLC, ...). */
    void plain(int opSize, int... opcode) {
        if (opSize == 2) out.write(0x66);
        if (opSize == 8) out.write(0x48);
        db(opcode);
    }

    /** An opcode followed by an immediate (AL/eAX forms, PUSH imm). */
    void plainImm(int opSize, int opcode, long imm, int immBytes) {
        plain(opSize, opcode);
        imm(imm, immBytes);
    }

    private void emit(int opSize, int mandatory, boolean default64, int[] opcode, int regField, boolean regRex,
                      boolean regHigh, Operand rm, long imm, int immBytes) {
        if (rm instanceof Operand.Mem m && m.addr32()) out.write(0x67);
        if (opSize == 2) out.write(0x66);
        if (mandatory != 0) out.write(mandatory);
        int rex = (opSize == 8 && !default64 ? 8 : 0) | ((regField & 8) != 0 ? 4 : 0);
        boolean forceRex = regRex;
        boolean high = regHigh;
        switch (rm) {
            case Operand.Reg r -> {
                rex |= (r.encoding() & 8) != 0 ? 1 : 0;
                forceRex |= r.needsRex();
                high |= r.high();
            }
            case Operand.Mem m -> {
                if (m.base() != null) rex |= (m.base().num() & 8) != 0 ? 1 : 0;
                if (m.index() != null) rex |= (m.index().num() & 8) != 0 ? 2 : 0;
            }
        }
        if (rex != 0 || forceRex) {
            if (high) throw new IllegalArgumentException("AH-DH cannot be encoded with REX");
            out.write(0x40 | rex);
        }
        db(opcode);
        modrm(regField, rm, immBytes);
        imm(imm, immBytes);
    }

    /**
     * A VEX-encoded instruction (always the three-byte C4 form). {@code map}: 1 = 0F, 2 = 0F38, 3 = 0F3A;
     * {@code pp}: 0 none, 1 = 66, 2 = F3, 3 = F2. {@code vvvv} may be null (encoded as 1111).
     */
    void vex(int map, int pp, boolean w, Operand.Reg vvvv, int opcode, int regField, Operand rm, long imm,
             int immBytes) {
        int r = (regField & 8) != 0 ? 0 : 0x80;
        int x = 0x40, b = 0x20;
        switch (rm) {
            case Operand.Reg rr -> b = (rr.encoding() & 8) != 0 ? 0 : 0x20;
            case Operand.Mem m -> {
                if (m.base() != null && (m.base().num() & 8) != 0) b = 0;
                if (m.index() != null && (m.index().num() & 8) != 0) x = 0;
            }
        }
        int v = vvvv == null ? 0 : vvvv.encoding();
        if (rm instanceof Operand.Mem m && m.addr32()) out.write(0x67);
        out.write(0xC4);
        out.write(r | x | b | map);
        out.write((w ? 0x80 : 0) | ((~v & 15) << 3) | pp);
        out.write(opcode);
        modrm(regField, rm, immBytes);
        imm(imm, immBytes);
    }

    private void modrm(int regField, Operand rm, int immBytes) {
        int reg = (regField & 7) << 3;
        switch (rm) {
            case Operand.Reg r -> out.write(0xC0 | reg | (r.encoding() & 7));
            case Operand.Mem m -> {
                if (m.ripRelative()) {
                    out.write(reg | 5);
                    long next = pc() + 4 + immBytes;
                    long disp = m.ripTarget() - next;
                    if (disp != (int) disp) throw new IllegalArgumentException("RIP target out of reach");
                    imm(disp, 4);
                    return;
                }
                int baseLow = m.base().num() & 7;
                int mod;
                if (m.wideDisp() || m.disp() != (byte) m.disp()) mod = 2;
                else if (m.disp() != 0 || baseLow == 5) mod = 1;
                else mod = 0;
                boolean sib = m.index() != null || baseLow == 4;
                out.write((mod << 6) | reg | (sib ? 4 : baseLow));
                if (sib) {
                    int ss = Integer.numberOfTrailingZeros(m.scale());
                    int idx = m.index() == null ? 4 : m.index().num() & 7;
                    out.write((ss << 6) | (idx << 3) | baseLow);
                }
                if (mod == 1) out.write(m.disp());
                else if (mod == 2) imm(m.disp(), 4);
            }
        }
    }

    static String hex(byte[] bytes) {
        return HexFormat.ofDelimiter(" ").formatHex(bytes);
    }
}
