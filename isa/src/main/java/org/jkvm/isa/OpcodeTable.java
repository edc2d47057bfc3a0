package org.jkvm.isa;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The opcode table, declared once as data and indexed for the decoder; the encoder and disassembler read
 * the same {@link Form}s.
 *
 * <p>Each line reads {@code mnemonic operands | encoding | attributes}, in the notation of the SDM's opcode
 * maps: operands E (ModRM.rm, register or memory), G (ModRM.reg), R (rm, register only), M (memory only),
 * B (VEX/EVEX.vvvv GPR), Z (opcode low bits), I (immediate: b/w/d/q, z = 16/32, v = operand size, bs =
 * sign-extended byte), J (relative), O (moffs), X/Y (string source/destination); sizes b/w/d/q, v (operand
 * size), y (32/64 by W), z (16/32), a (address size); vectors V/H/W/U/L (reg, vvvv, rm, rm-register, imm8[7:4])
 * with widths x (vector length), o/y/z (16/32/64 bytes), h/f/e (half/quarter/eighth of the length), q/d/w/b
 * (a scalar in an XMM register); "Ed:b" gives a register width d and a memory size b; KG/KE/KV, TG/TE/TV and P/Q/N are
 * opmask, tile and MMX registers. The encoding names the space (VEX, EVEX), map (0F, 0F38, 0F3A, M4-M7),
 * mandatory prefix (NP/66/F3/F2), W0/W1, L constraints, opcode (+r, +cc), /digit or /r, ":m"/":r" for
 * memory/register-only ModRM, and =XX for a full ModRM byte. Attributes are listed in {@link Form}.
 */
final class OpcodeTable {
    private OpcodeTable() {}

    static final Form[] FORMS;
    /** [space * 8 + map][opcode] -> candidate forms, most specific first. */
    static final Form[][][] INDEX = new Form[24][256][];
    /** [space * 8 + map][opcode][reg * 4 + pp] -> the candidates that can match that ModRM.reg and prefix. */
    static final Form[][][][] NARROW = new Form[24][256][][];
    /** Whether the slot takes a ModRM byte. */
    static final boolean[][] HAS_MODRM = new boolean[24][256];

    static {
        List<Form> all = TableSource.parseAll();
        List<List<Form>> slots = new ArrayList<>();
        for (int i = 0; i < 24 * 256; i++) slots.add(null);
        int id = 0;
        for (Form f : all) {
            f.id = id++;
            f.mnemonic = Mnemonic.valueOf(Form.enumName(f.name));
            f.fast = fastEligible(f);
            f.pushPop2 = f.mnemonic == Mnemonic.PUSH2 || f.mnemonic == Mnemonic.POP2 || f.mnemonic == Mnemonic.PUSH2P
                    || f.mnemonic == Mnemonic.POP2P;
            int n = f.plusR ? 8 : 1;
            for (int k = 0; k < n; k++) {
                int key = (f.space * 8 + f.map) * 256 + f.opcode + k;
                List<Form> l = slots.get(key);
                if (l == null) slots.set(key, l = new ArrayList<>());
                l.add(f);
            }
        }
        for (int key = 0; key < slots.size(); key++) {
            List<Form> l = slots.get(key);
            if (l == null) continue;
            l.sort(Comparator.comparingInt(OpcodeTable::specificity).reversed());
            int sm = key / 256, op = key % 256;
            INDEX[sm][op] = l.toArray(new Form[0]);
            boolean m = l.get(0).modrm;
            for (Form f : l) {
                if (f.modrm != m) throw new IllegalStateException("ModRM disagreement at " + f);
            }
            HAS_MODRM[sm][op] = m;
            Form[][] nar = new Form[32][];
            for (int reg = 0; reg < 8; reg++) {
                for (int pp = 0; pp < 4; pp++) {
                    List<Form> sub = new ArrayList<>();
                    for (Form f : l) {
                        if (f.reg >= 0 && f.reg != reg) continue;
                        boolean map4 = f.space == Form.EVEX && f.map == 4;
                        if (f.pp >= 0 && f.pp != pp && !(map4 && f.pp == Form.PP_NP && pp == Form.PP_66)) continue;
                        sub.add(f);
                    }
                    nar[reg * 4 + pp] = sub.toArray(new Form[0]);
                }
            }
            NARROW[sm][op] = nar;
        }
        FORMS = all.toArray(new Form[0]);
    }

    /** See {@link Form#fast}: the fast path handles only these operand shapes. */
    private static boolean fastEligible(Form f) {
        // W, mod, operand-size and nop90 constraints are resolved by the fast path's precomputed selection.
        if (f.space != Form.LEGACY || f.pp >= 0 || f.map > 1 || f.xsaveStatic > 0 || f.rm >= 0 || f.i64 || f.rex2Only
                || f.asz != 0 && f.asz != 8) {
            return false;
        }
        for (Opnd o : f.ops) {
            switch (o.src) {
                case RM, RM_REG, OPLOW, FIXED -> { if (o.kind != Opnd.Kind.GPR) return false; }
                case REG -> {
                    if (o.kind != Opnd.Kind.GPR && o.kind != Opnd.Kind.SEG && o.kind != Opnd.Kind.CR && o.kind != Opnd.Kind.DR) {
                        return false;
                    }
                }
                case RM_MEM -> { if (o.vsib != 0) return false; }
                case IMM, REL, CONST1 -> { }
                default -> { return false; }
            }
        }
        return true;
    }

    private static int specificity(Form f) {
        int s = 0;
        if (f.rex2Only) s += 64;
        if (f.pp >= 0) s += 32;
        // Map 4: NP also admits 66 (16-bit operand size), so an explicit 66/F3/F2 form must be tried first.
        if (f.space == Form.EVEX && f.map == 4 && f.pp > 0) s += 48;
        if (f.rm >= 0) s += 16;
        if (f.reg >= 0) s += 8;
        if (f.w >= 0) s += 4;
        if (f.osz != 0 || f.asz != 0) s += 2;
        if (f.mod != Form.MOD_ANY || f.nop90 || f.nd >= 0 || f.nf >= 0 || f.lmask != 7) s += 1;
        return s;
    }
}
