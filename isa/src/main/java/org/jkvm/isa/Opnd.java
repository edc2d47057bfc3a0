package org.jkvm.isa;

/**
 * One operand slot of a table form, parsed from its opcode-map style code (see {@link OpcodeTable}).
 * Immutable; shared by every decoded instruction of the form.
 */
final class Opnd {
    /** Where the operand comes from. */
    enum Src { RM, RM_REG, RM_MEM, REG, VVVV, OPLOW, IMM, REL, FIXED, CONST1, MOFFS, FAR, STR_SI, STR_DI, IS4 }

    /** {@link Src} ordinals as constants (an int switch on the decoder's hot path); checked below. */
    static final int S_RM = 0, S_RM_REG = 1, S_RM_MEM = 2, S_REG = 3, S_VVVV = 4, S_OPLOW = 5, S_IMM = 6, S_REL = 7,
            S_FIXED = 8, S_CONST1 = 9, S_MOFFS = 10, S_FAR = 11, S_STR_SI = 12, S_STR_DI = 13, S_IS4 = 14;

    static {
        int[] ids = {S_RM, S_RM_REG, S_RM_MEM, S_REG, S_VVVV, S_OPLOW, S_IMM, S_REL, S_FIXED, S_CONST1, S_MOFFS, S_FAR,
            S_STR_SI, S_STR_DI, S_IS4};
        for (Src x : Src.values()) {
            if (ids[x.ordinal()] != x.ordinal()) throw new AssertionError("Src ids out of step");
        }
    }

    /** How a register operand's class and width are chosen. */
    enum Kind { GPR, SEG, CR, DR, VEC, K, TMM, MMX, ST, BND, NONE }

    /** Width rules (bytes when positive). */
    static final int SZ_OPSIZE = -1, SZ_Y = -2, SZ_Z = -3, SZ_ADDR = -4, SZ_VL = -5, SZ_VLH = -6, SZ_VLQ = -7,
            SZ_VLE = -8, SZ_NONE = 0, SZ_FARPTR = -9, SZ_NATIVE = -10;

    final String code;
    final Src src;
    /** {@code src.ordinal()}, for an int switch on the decoder's hot path. */
    final int srcId;
    final Kind kind;
    /** Register width rule/bytes (for GPR/VEC), or immediate size rule. */
    final int width;
    /** Memory operand size rule/bytes; SZ_NONE = printed without a size. */
    final int memSize;
    /** Fixed register number (Src.FIXED) or -1. */
    final int fixed;
    /** Immediate sign-extends to the operand size. */
    final boolean signExt;
    /** VSIB: memory index is a vector register of this width rule (0 = not VSIB). */
    final int vsib;

    /**
     * For a vector register operand, the packed decoded operand (kind, class, size; register 0) by vector length
     * 16/32/64 bytes at index vl / 32; null otherwise. Derived from {@link #width}.
     */
    final int[] vecByVl;

    Opnd(String code, Src src, Kind kind, int width, int memSize, int fixed, boolean signExt, int vsib) {
        this.code = code;
        this.src = src;
        this.srcId = src.ordinal();
        this.kind = kind;
        this.width = width;
        this.memSize = memSize;
        this.fixed = fixed;
        this.signExt = signExt;
        this.vsib = vsib;
        if (kind == Kind.VEC) {
            vecByVl = new int[3];
            for (int vl = 16; vl <= 64; vl *= 2) {
                int size = vecBytes(width, vl);
                vecByVl[vl >>> 5] = OperandKind.REG.ordinal() | RegClass.vec(size).ordinal() << 8 | size << 24;
            }
        } else {
            vecByVl = null;
        }
    }

    boolean usesModrm() { return src == Src.RM || src == Src.RM_REG || src == Src.RM_MEM || src == Src.REG; }

    boolean usesVvvv() { return src == Src.VVVV; }

    @Override
    public String toString() { return code; }

    private static int gprWidth(char c) {
        return switch (c) {
            case 'b' -> 1;
            case 'w' -> 2;
            case 'd' -> 4;
            case 'q' -> 8;
            case 'v' -> SZ_OPSIZE;
            case 'y' -> SZ_Y;
            case 'z' -> SZ_Z;
            case 'a' -> SZ_ADDR;
            case 'n' -> SZ_NATIVE;
            default -> throw new IllegalArgumentException("bad GPR width " + c);
        };
    }

    private static int vecWidth(char c) {
        return switch (c) {
            case 'x' -> SZ_VL;
            case 'o' -> 16;
            case 'y' -> 32;
            case 'z' -> 64;
            case 'h' -> SZ_VLH;
            case 'f' -> SZ_VLQ;
            case 'e' -> SZ_VLE;
            case 'q' -> 8;
            case 'd' -> 4;
            case 'w' -> 2;
            case 'b' -> 1;
            default -> throw new IllegalArgumentException("bad vector width " + c);
        };
    }

    private static int memSizeCode(String s) {
        return switch (s) {
            case "" -> SZ_NONE;
            case "b" -> 1;
            case "w" -> 2;
            case "d" -> 4;
            case "q" -> 8;
            case "o" -> 16;
            case "y" -> 32;
            case "z" -> 64;
            case "t" -> 10;
            case "v" -> SZ_OPSIZE;
            case "x" -> SZ_VL;
            case "h" -> SZ_VLH;
            case "f" -> SZ_VLQ;
            case "e" -> SZ_VLE;
            case "p" -> SZ_FARPTR;
            case "a" -> SZ_ADDR;
            default -> throw new IllegalArgumentException("bad memory size " + s);
        };
    }

    /** Register width in bytes of a vector width rule, for vector length {@code vl} bytes. */
    static int vecBytes(int rule, int vl) {
        return switch (rule) {
            case SZ_VL -> vl;
            case SZ_VLH -> Math.max(16, vl / 2);
            case SZ_VLQ, SZ_VLE -> 16;
            default -> rule < 16 ? 16 : rule;
        };
    }

    /** Memory size in bytes of a memory size rule. */
    static int memBytes(int rule, int opSize, int addrSize, int vl) {
        return switch (rule) {
            case SZ_OPSIZE -> opSize;
            case SZ_VL -> vl;
            case SZ_VLH -> vl / 2;
            case SZ_VLQ -> vl / 4;
            case SZ_VLE -> vl / 8;
            case SZ_FARPTR -> opSize + 2;
            case SZ_ADDR -> addrSize;
            case SZ_Y -> opSize == 8 ? 8 : 4;
            default -> rule;
        };
    }

    static Opnd parse(String c) {
        String code = c;
        String mem = null;
        int colon = c.indexOf(':');
        if (colon > 0) {
            mem = c.substring(colon + 1);
            c = c.substring(0, colon);
        }
        switch (c) {
            case "1": return new Opnd(code, Src.CONST1, Kind.NONE, 1, 0, -1, false, 0);
            case "AL": return fixed(code, Kind.GPR, 1, 0);
            case "CL": return fixed(code, Kind.GPR, 1, 1);
            case "AX": return fixed(code, Kind.GPR, 2, 0);
            case "DX": return fixed(code, Kind.GPR, 2, 2);
            case "EAX": return fixed(code, Kind.GPR, 4, 0);
            case "ECX": return fixed(code, Kind.GPR, 4, 1);
            case "EDX": return fixed(code, Kind.GPR, 4, 2);
            case "RAX": return fixed(code, Kind.GPR, 8, 0);
            case "rAX": return fixed(code, Kind.GPR, SZ_OPSIZE, 0);
            case "zAX": return fixed(code, Kind.GPR, SZ_Z, 0);
            case "aAX": return fixed(code, Kind.GPR, SZ_ADDR, 0);
            case "aCX": return fixed(code, Kind.GPR, SZ_ADDR, 1);
            case "XMM0": return fixed(code, Kind.VEC, 16, 0);
            case "ST0": return fixed(code, Kind.ST, 10, 0);
            case "STi": return new Opnd(code, Src.RM_REG, Kind.ST, 10, 0, -1, false, 0);
            case "ES": return fixed(code, Kind.SEG, 2, 0);
            case "CS": return fixed(code, Kind.SEG, 2, 1);
            case "SS": return fixed(code, Kind.SEG, 2, 2);
            case "DS": return fixed(code, Kind.SEG, 2, 3);
            case "FS": return fixed(code, Kind.SEG, 2, 4);
            case "GS": return fixed(code, Kind.SEG, 2, 5);
            case "Sw": return new Opnd(code, Src.REG, Kind.SEG, 2, 0, -1, false, 0);
            case "Cd": return new Opnd(code, Src.REG, Kind.CR, 8, 0, -1, false, 0);
            case "Dd": return new Opnd(code, Src.REG, Kind.DR, 8, 0, -1, false, 0);
            case "Ib": return new Opnd(code, Src.IMM, Kind.NONE, 1, 0, -1, false, 0);
            case "Ibs": return new Opnd(code, Src.IMM, Kind.NONE, 1, 0, -1, true, 0);
            case "Iw": return new Opnd(code, Src.IMM, Kind.NONE, 2, 0, -1, false, 0);
            case "Iws": return new Opnd(code, Src.IMM, Kind.NONE, 2, 0, -1, true, 0);
            case "Id": return new Opnd(code, Src.IMM, Kind.NONE, 4, 0, -1, false, 0);
            case "Ids": return new Opnd(code, Src.IMM, Kind.NONE, 4, 0, -1, true, 0);
            case "Iq": return new Opnd(code, Src.IMM, Kind.NONE, 8, 0, -1, false, 0);
            case "Iz": return new Opnd(code, Src.IMM, Kind.NONE, SZ_Z, 0, -1, true, 0);
            case "Iv": return new Opnd(code, Src.IMM, Kind.NONE, SZ_OPSIZE, 0, -1, false, 0);
            case "Jb": return new Opnd(code, Src.REL, Kind.NONE, 1, 0, -1, true, 0);
            case "Jz": return new Opnd(code, Src.REL, Kind.NONE, SZ_Z, 0, -1, true, 0);
            case "Ap": return new Opnd(code, Src.FAR, Kind.NONE, SZ_Z, 0, -1, false, 0);
            case "P": return new Opnd(code, Src.REG, Kind.MMX, 8, 0, -1, false, 0);
            case "N": return new Opnd(code, Src.RM_REG, Kind.MMX, 8, 0, -1, false, 0);
            case "Q": return new Opnd(code, Src.RM, Kind.MMX, 8, mem == null ? 8 : memSizeCode(mem), -1, false, 0);
            case "KG": return new Opnd(code, Src.REG, Kind.K, 8, 0, -1, false, 0);
            // An opmask register pair (VP2INTERSECT): ModRM.reg names the pair by its even register.
            case "KP": return new Opnd(code, Src.REG, Kind.K, 16, 0, -1, false, 0);
            case "KR": return new Opnd(code, Src.RM_REG, Kind.K, 8, 0, -1, false, 0);
            case "KV": return new Opnd(code, Src.VVVV, Kind.K, 8, 0, -1, false, 0);
            case "TG": return new Opnd(code, Src.REG, Kind.TMM, 1024, 0, -1, false, 0);
            case "TE": return new Opnd(code, Src.RM_REG, Kind.TMM, 1024, 0, -1, false, 0);
            case "TV": return new Opnd(code, Src.VVVV, Kind.TMM, 1024, 0, -1, false, 0);
            case "BG": return new Opnd(code, Src.REG, Kind.BND, 16, 0, -1, false, 0);
            case "BE": return new Opnd(code, Src.RM, Kind.BND, 16, mem == null ? 16 : memSizeCode(mem), -1, false, 0);
            default: break;
        }
        char k = c.charAt(0);
        String rest = c.substring(1);
        switch (k) {
            case 'E', 'R', 'G', 'B', 'Z': {
                if (k == 'B' && rest.startsWith("E")) break;
                int w = gprWidth(rest.charAt(0));
                Src s = switch (k) {
                    case 'E' -> Src.RM;
                    case 'R' -> Src.RM_REG;
                    case 'G' -> Src.REG;
                    case 'B' -> Src.VVVV;
                    default -> Src.OPLOW;
                };
                int ms = mem != null ? memSizeCode(mem) : w;
                return new Opnd(code, s, Kind.GPR, w, ms, -1, false, 0);
            }
            case 'M': {
                if (rest.startsWith("V")) {
                    // VSIB memory: index vector width rule, then ":" element size.
                    int iw = vecWidth(rest.charAt(1));
                    return new Opnd(code, Src.RM_MEM, Kind.NONE, 0, mem == null ? 0 : memSizeCode(mem), -1, false, iw);
                }
                return new Opnd(code, Src.RM_MEM, Kind.NONE, 0, memSizeCode(rest), -1, false, 0);
            }
            case 'V', 'H', 'W', 'U', 'L': {
                int w = vecWidth(rest.charAt(0));
                Src s = switch (k) {
                    case 'V' -> Src.REG;
                    case 'H' -> Src.VVVV;
                    case 'W' -> Src.RM;
                    case 'U' -> Src.RM_REG;
                    default -> Src.IS4;
                };
                int ms = mem != null ? memSizeCode(mem) : w;
                return new Opnd(code, s, Kind.VEC, w, ms, -1, false, 0);
            }
            case 'K': {
                if (rest.startsWith("E")) {
                    int ms = memSizeCode(rest.substring(1));
                    return new Opnd(code, Src.RM, Kind.K, 8, ms, -1, false, 0);
                }
                break;
            }
            case 'X', 'Y': {
                int w = gprWidth(rest.charAt(0));
                return new Opnd(code, k == 'X' ? Src.STR_SI : Src.STR_DI, Kind.NONE, w, w, -1, false, 0);
            }
            case 'O': {
                int w = gprWidth(rest.charAt(0));
                return new Opnd(code, Src.MOFFS, Kind.NONE, w, w, -1, false, 0);
            }
            default: break;
        }
        throw new IllegalArgumentException("unknown operand code " + code);
    }

    private static Opnd fixed(String code, Kind kind, int width, int n) {
        return new Opnd(code, Src.FIXED, kind, width, 0, n, false, 0);
    }
}
