package org.jkvm.isa;

/**
 * Prints decoded instructions in Intel or AT&T syntax following LLVM's conventions (operand order, "ptr"
 * size keywords, sigils, {evex}/{nf}/{dfv=} markers, immediates signed or unsigned by their encoding).
 */
public final class Disassembler {
    private Disassembler() {}

    static final String[] G64 = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi"};
    static final String[] G32 = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
    static final String[] G16 = {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di"};
    static final String[] G8 = {"al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil"};
    static final String[] G8H = {"al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"};
    static final String[] SEG = {"es", "cs", "ss", "ds", "fs", "gs", "?", "?"};
    static final String[] SCC = {"o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "t", "f", "l", "ge", "le", "g"};
    static final String[] RC = {"{rn-sae}", "{rd-sae}", "{ru-sae}", "{rz-sae}"};

    /** Intel syntax, as LLVM prints it; "(bad)" for an invalid encoding. */
    public static String intel(Insn i) { return print(i, false); }

    /** AT&T syntax, as LLVM prints it; "(bad)" for an invalid encoding. */
    public static String att(Insn i) { return print(i, true); }

    public static String print(Insn i, boolean att) {
        if (!i.isValid()) return "(bad)";
        StringBuilder sb = new StringBuilder(48);
        Form f = i.form();
        if (i.hasLock()) sb.append("lock ");
        // LLVM reads an F3 before opcode 90 as part of the opcode (the PAUSE row) and never prints it, also
        // when REX.B/REX2.B make 90 an XCHG with r8/r16/r24.
        boolean f3Xchg90 = f.mnemonic == Mnemonic.XCHG && i.opcode() == 0x90 && i.modrm() < 0;
        if ((i.hasRep() || (i.prefixes() & Insn.P_F3_IGNORED) != 0) && !f3Xchg90) sb.append("rep ");
        if (i.hasRepne() || (i.prefixes() & Insn.P_F2_IGNORED) != 0) sb.append("repne ");
        if (i.nf() && !f.scc && f.nf != 1) sb.append("{nf} ");
        else if (f.evx && !i.nd()) sb.append("{evex} ");
        else if (f.vexp) sb.append("{vex} ");
        String name = f.name;
        if (f.scc) name = name + SCC[i.scc()];
        boolean cmpPred = isCmpPredicate(i, f);
        if (cmpPred) name = f.name.substring(0, f.name.length() - 2) + CMP_PRED[(int) i.imm()] + f.name.substring(f.name.length() - 2);
        if (att) name = attName(i, f, name);
        sb.append(name);
        if (f.scc) {
            sb.append(" {dfv=");
            String[] fl = {"cf", "zf", "sf", "of"};
            boolean first = true;
            for (int b = 3; b >= 0; b--) {
                if ((i.dfv() & (1 << b)) != 0) {
                    if (!first) sb.append(',');
                    sb.append(fl[b]);
                    first = false;
                }
            }
            sb.append('}');
        }
        int n = cmpPred ? i.nops() - 1 : i.nops();
        boolean firstOp = true;
        if (att && !f.attfwd) {
            if (i.rc() >= 0 || i.sae()) { sb.append(' ').append(i.rc() >= 0 ? RC[i.rc()] : "{sae}"); firstOp = false; }
            for (int k = n - 1; k >= 0; k--) {
                if (skip(f, k)) continue;
                sb.append(firstOp ? " " : ", ");
                firstOp = false;
                operand(sb, i, k, true);
                if (k == 0) masks(sb, i, true);
            }
        } else {
            for (int k = 0; k < n; k++) {
                if (skip(f, k)) continue;
                sb.append(firstOp ? " " : ", ");
                firstOp = false;
                if (k == 0 && n == 1 && i.kind(0) == OperandKind.MEM && i.aaa() != 0) {
                    // A lone memory operand (prefetch scatter/gather): LLVM prints the mask first.
                    sb.append("{k").append(i.aaa()).append("}, ");
                    operand(sb, i, k, false);
                    continue;
                }
                operand(sb, i, k, att);
                if (k == 0) masks(sb, i, att);
            }
            if (i.rc() >= 0 || i.sae()) sb.append(", ").append(i.rc() >= 0 ? RC[i.rc()] : "{sae}");
        }
        return sb.toString();
    }

    private static boolean skip(Form f, int k) {
        return f.ops[k].src == Opnd.Src.CONST1;
    }

    static final String[] CMP_PRED = {"eq", "lt", "le", "unord", "neq", "nlt", "nle", "ord", "eq_uq", "nge", "ngt",
        "false", "neq_oq", "ge", "gt", "true", "eq_os", "lt_oq", "le_oq", "unord_s", "neq_us", "nlt_uq", "nle_uq",
        "ord_s", "eq_us", "nge_uq", "ngt_uq", "false_os", "neq_os", "ge_oq", "gt_oq", "true_us"};

    /** CMPPS/PD/SS/SD with a known predicate print as the pseudo-op (cmpeqps ...), as LLVM does. */
    static boolean isCmpPredicate(Insn i, Form f) {
        String n = f.name;
        if (!(n.equals("cmpps") || n.equals("cmppd") || n.equals("cmpss") || n.equals("cmpsd") || n.equals("vcmpps")
                || n.equals("vcmppd") || n.equals("vcmpss") || n.equals("vcmpsd"))) return false;
        if (f.ops.length < 3 || f.ops[f.ops.length - 1].src != Opnd.Src.IMM) return false;
        return i.imm() >= 0 && i.imm() < (f.space == Form.LEGACY ? 8 : 32);
    }

    private static void masks(StringBuilder sb, Insn i, boolean att) {
        if (i.aaa() != 0) sb.append(att ? " {%k" : " {k").append(i.aaa()).append('}');
        if (i.zeroing()) sb.append(" {z}");
    }

    private static char suffix(int size) {
        return switch (size) {
            case 1 -> 'b';
            case 2 -> 'w';
            case 4 -> 'l';
            case 8 -> 'q';
            default -> '?';
        };
    }

    private static String attName(Insn i, Form f, String name) {
        if (f.att != null) {
            String a = f.att;
            if (a.indexOf('{') < 0) return a;
            StringBuilder sb = new StringBuilder();
            for (int k = 0; k < a.length(); k++) {
                char c = a.charAt(k);
                if (c == '{' && k + 2 < a.length() && a.charAt(k + 1) == 'v' && a.charAt(k + 2) == '}') {
                    sb.append(suffix(i.opSize()));
                    k += 2;
                } else if (c == '{' && k + 3 < a.length() && a.charAt(k + 1) == 's') {
                    int op = a.charAt(k + 2) - '0';
                    sb.append(suffix(i.size(op)));
                    k += 3;
                } else {
                    sb.append(c);
                }
            }
            return sb.toString();
        }
        if (!f.attSuffix || i.nops() == 0) return name;
        int size = 0;
        for (int k = 0; k < i.nops(); k++) {
            OperandKind kd = i.kind(k);
            if (kd == OperandKind.REG && i.regClass(k).isGpr() || kd == OperandKind.MEM && i.size(k) > 0) {
                size = i.size(k);
                break;
            }
        }
        if (size == 0) {
            // No operand fixes the size (FXSAVE, XRSTORS, relative branches): no suffix.
            return name;
        }
        if (size > 8) return name;
        return name + suffix(size);
    }

    static String regName(RegClass c, int n) {
        return switch (c) {
            case GPR64 -> n < 8 ? G64[n] : "r" + n;
            case GPR32 -> n < 8 ? G32[n] : "r" + n + "d";
            case GPR16 -> n < 8 ? G16[n] : "r" + n + "w";
            case GPR8 -> n < 8 ? G8[n] : "r" + n + "b";
            case GPR8H -> G8H[n & 7];
            case SEG -> SEG[n & 7];
            case CR -> "cr" + n;
            case DR -> "dr" + n;
            case XMM -> "xmm" + n;
            case YMM -> "ymm" + n;
            case ZMM -> "zmm" + n;
            case K -> "k" + n;
            case TMM -> "tmm" + n;
            case MMX -> "mm" + n;
            case ST -> "st(" + n + ")";
            case BND -> "bnd" + n;
            case RIP -> "rip";
        };
    }

    static String sizePtr(int size) {
        return switch (size) {
            case 1 -> "byte ptr ";
            case 2 -> "word ptr ";
            case 4 -> "dword ptr ";
            case 8 -> "qword ptr ";
            case 10 -> "tbyte ptr ";
            case 16 -> "xmmword ptr ";
            case 32 -> "ymmword ptr ";
            case 64 -> "zmmword ptr ";
            default -> "";
        };
    }

    private static void operand(StringBuilder sb, Insn i, int k, boolean att) {
        int packed = i.packed(k);
        OperandKind kind = Insn.KINDS[packed & 0xFF];
        Opnd od = i.form().ops[k];
        if (att && i.form().attstar) sb.append('*');
        switch (kind) {
            case REG -> {
                if (att) sb.append('%');
                if (od.src == Opnd.Src.FIXED && od.kind == Opnd.Kind.ST) sb.append("st");
                else sb.append(regName(i.regClass(k), i.reg(k)));
            }
            case IMM -> {
                if (att) sb.append('$');
                sb.append(immText(i, od, k));
            }
            case REL -> sb.append(i.imm());
            case FAR -> {
                if (att) sb.append('$').append((short) i.imm2()).append(", $").append(i.imm());
                else sb.append((short) i.imm2()).append(", ").append(i.imm());
            }
            case MEM -> mem(sb, i, i.size(k), att, od);
            case MEM_SI, MEM_DI -> {
                boolean si = kind == OperandKind.MEM_SI;
                int r = si ? 6 : 7;
                String reg = regName(RegClass.gpr(i.addrSize()), r);
                String seg = si ? (i.segOverride() >= 0 ? SEG[i.segOverride()] : null) : "es";
                if (att) {
                    if (seg != null) sb.append('%').append(seg).append(':');
                    sb.append("(%").append(reg).append(')');
                } else {
                    sb.append(sizePtr(i.size(k)));
                    if (seg != null) sb.append(seg).append(':');
                    sb.append('[').append(reg).append(']');
                }
            }
        }
    }

    private static String immText(Insn i, Opnd od, int k) {
        if (od.src == Opnd.Src.IS4) return Long.toString(i.imm());
        long v = k > 0 && isSecondImm(i, k) ? i.imm2() : i.imm();
        int enc = od.src == Opnd.Src.IMM ? encSize(i, od) : 1;
        if (od.signExt) {
            if (enc == 2 && od.width == 2) return Long.toString((short) v);
            if (enc == 1 || i.opSize() == 8 && od.width != 1 || enc == 8) return Long.toString(v);
            return Long.toString(v & mask(enc));
        }
        if (enc == 8) return Long.toString(v);
        return Long.toString(v & mask(enc));
    }

    private static boolean isSecondImm(Insn i, int k) {
        for (int j = 0; j < k; j++) if (i.form().ops[j].src == Opnd.Src.IMM) return true;
        return false;
    }

    private static long mask(int bytes) { return bytes >= 8 ? -1L : (1L << (8 * bytes)) - 1; }

    private static int encSize(Insn i, Opnd od) {
        return switch (od.width) {
            case Opnd.SZ_Z -> i.opSize() == 2 ? 2 : 4;
            case Opnd.SZ_OPSIZE -> i.opSize();
            default -> od.width;
        };
    }

    private static void mem(StringBuilder sb, Insn i, int size, boolean att, Opnd od) {
        RegClass ac = Insn.CLASSES[i.memBaseClassId()];
        RegClass ic = i.memIndexClass();
        String base = i.isRipRelative() ? (i.addrSize() == 4 ? "eip" : "rip") : i.memBase() >= 0 ? regName(ac, i.memBase()) : null;
        String index = i.memIndex() >= 0 ? regName(ic, i.memIndex()) : null;
        int scale = i.memScale();
        if (index == null && i.sib() >= 0 && base != null && ((i.sib() >> 3) & 7) == 4 && i.memBase() != 4 && i.memBase() != 12
                && od.vsib == 0 && !i.form().tile) {
            index = i.addrSize() == 8 ? "riz" : "eiz";
        }
        long disp = i.memDisp();
        String seg = i.segOverride() >= 0 ? SEG[i.segOverride()] : null;
        if (att) {
            if (seg != null) sb.append('%').append(seg).append(':');
            if (disp != 0 || (base == null && index == null)) sb.append(disp);
            if (base != null || index != null) {
                sb.append('(');
                if (base != null) sb.append('%').append(base);
                if (index != null) {
                    sb.append(",%").append(index);
                    if (scale != 1 || true) { if (scale != 1) sb.append(',').append(scale); }
                }
                sb.append(')');
            }
            if (i.bcst()) sb.append("{1to").append(i.vl() / i.memSize()).append('}');
            return;
        }
        if (!(i.form().ops.length > 0 && isUnsized(i, od))) sb.append(sizePtr(size));
        if (seg != null) sb.append(seg).append(':');
        sb.append('[');
        boolean any = false;
        if (base != null) { sb.append(base); any = true; }
        if (index != null) {
            if (any) sb.append(" + ");
            if (scale != 1 || base == null) sb.append(scale).append('*');
            sb.append(index);
            any = true;
        }
        if (any) {
            if (disp > 0) sb.append(" + ").append(disp);
            else if (disp < 0) sb.append(" - ").append(-disp);
        } else {
            sb.append(disp);
        }
        sb.append(']');
        if (i.bcst()) sb.append("{1to").append(i.vl() / i.memSize()).append('}');
    }

    private static boolean isUnsized(Insn i, Opnd od) {
        return od.memSize == Opnd.SZ_NONE || od.memSize == Opnd.SZ_FARPTR;
    }
}
