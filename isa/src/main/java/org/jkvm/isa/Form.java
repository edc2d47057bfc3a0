package org.jkvm.isa;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One instruction form of the opcode table: its mnemonic, encoding constraints and operand slots. The
 * decoder, encoder and disassembler are all driven by these. Immutable; {@link #id()} is unique and stable
 * within one build of the table.
 */
public final class Form {
    static final int LEGACY = 0, VEX = 1, EVEX = 2;
    static final int PP_ANY = -1, PP_NP = 0, PP_66 = 1, PP_F3 = 2, PP_F2 = 3;
    static final int MOD_ANY = 0, MOD_MEM = 1, MOD_REG = 2;

    static final String[] CC = {"o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"};

    int id;
    final String name;
    Mnemonic mnemonic;
    final int space;
    final int map;
    final int pp;
    final int opcode;
    final boolean plusR;
    final int cc;
    final int reg;
    final int mod;
    final int rm;
    final int w;
    /** Bit i set: EVEX L'L / VEX L value i allowed. */
    final int lmask;
    final int nd;
    final int nf;
    final Opnd[] ops;
    final boolean lock, rep, repe, d64, f64, i64, o64, bnd, rex2Only, nop90, evx, vexp, attfwd, attstar;
    /** APX map-4 attributes: NF=1 allowed, SCC form (CCMP/CTEST), ZU (ND means zero upper). */
    final boolean nfOk, scc, zu;
    /** Required operand / address size (bytes) or 0. */
    final int osz, asz;
    /** EVEX: masking, zeroing, broadcast element bytes (0 none), embedded rounding, SAE. */
    final boolean kOk, zOk, er, sae, kReq;
    final int bcst;
    /** EVEX disp8*N override (element-granular tuples such as compress/expand), 0 = the memory size. */
    final int n8;
    final CpuFeature feature;
    final long xsaveStatic;
    /** AT&T mnemonic override, or null; attSuffix: append b/w/l/q in AT&T. */
    final String att;
    final boolean attSuffix;
    /** The operand codes as written, for messages. */
    final String opText;
    /** ModRM present. */
    final boolean modrm;
    /** Any operand uses VEX/EVEX.vvvv. */
    final boolean usesV;
    /** Has a vector register operand (EVEX masking, broadcast and disp8*N apply). */
    final boolean vector;
    /** Eligible for the decoder's fast path (legacy 64-bit form, GPR, segment, control and debug register, memory and immediate operands). */
    boolean fast;
    /** PUSH2/POP2(P): register restrictions checked after decoding (set when the table is indexed). */
    boolean pushPop2;
    /** A legacy form constrained only by opcode, ModRM.reg and mandatory prefix (matched by the index alone). */
    final boolean simple;
    /** Decoder context bits for {@link #matchMask}: pp in bits 0-1, vector length index in bits 3-5 (L, EVEX.b with
     *  a register operand), the others single flags. */
    static final int M_W = 4, M_MOD3 = 1 << 6, M_64 = 1 << 7, M_REX2 = 1 << 8, M_ANYB = 1 << 9, M_ND = 1 << 10,
            M_NF = 1 << 11;
    /** The form can match only if (context & matchMask) == matchValue; the length index must be in lengthSet; with
     *  matchSlow, ModRM.rm and operand/address size are checked as well. */
    final int matchMask, matchValue, lengthSet;
    final boolean matchSlow;
    /** Has an immediate-like operand (imm/imm2 written). */
    final boolean hasImm;
    /** Index of the ModRM.rm operand, or -1. */
    final int rmIndex;
    /** Has a VSIB memory operand. */
    final boolean vsib;
    /** Has a tile register operand (LLVM prints its SIB memory without riz). */
    final boolean tile;
    /** Intel mnemonic prefix such as "{evex} " decided by the table (rare). */
    final String intelOverride;
    /** A 66, 67, F2 or F3 prefix makes the encoding #UD (APX JMPABS; attribute "nopfx"). */
    final boolean noLegacyPrefix;
    /**
     * The width rule a sign-extended immediate (Ibs, Iws, Iz) is extended to: the operation's size, which is that
     * of the form's first GPR operand (1 for the byte forms such as {@code 80 /0 ib}), or the operand size when
     * the form has no GPR operand (PUSH imm8).
     */
    final int immExtWidth;

    private Form(String name, int space, int map, int pp, int opcode, boolean plusR, int cc, int reg, int mod, int rm,
                 int w, int lmask, int nd, int nf, Opnd[] ops, Attrs a) {
        this.name = name;
        this.space = space;
        this.map = map;
        this.pp = pp;
        this.opcode = opcode;
        this.plusR = plusR;
        this.cc = cc;
        this.reg = reg;
        this.mod = mod;
        this.rm = rm;
        this.w = w;
        this.lmask = lmask;
        this.nd = nd;
        this.nf = nf;
        this.ops = ops;
        this.lock = a.lock;
        this.rep = a.rep;
        this.repe = a.repe;
        this.d64 = a.d64;
        this.f64 = a.f64;
        this.i64 = a.i64;
        this.o64 = a.o64;
        this.bnd = a.bnd;
        this.rex2Only = a.rex2;
        this.nop90 = a.nop90;
        this.evx = a.evx;
        this.vexp = a.vexp;
        this.attfwd = a.attfwd;
        this.attstar = a.attstar;
        this.nfOk = a.nf;
        this.scc = a.scc;
        this.zu = a.zu;
        this.osz = a.osz;
        this.asz = a.asz;
        this.kOk = a.k;
        this.zOk = a.z;
        this.er = a.er;
        this.sae = a.sae;
        this.kReq = a.kreq;
        this.bcst = a.bcst;
        this.n8 = a.n8;
        this.feature = a.feature;
        this.xsaveStatic = a.xsave;
        this.att = a.att;
        this.attSuffix = a.suffix;
        this.intelOverride = null;
        this.noLegacyPrefix = a.nopfx;
        int iw = Opnd.SZ_OPSIZE;
        for (Opnd o : ops) {
            if (o.kind == Opnd.Kind.GPR) { iw = o.width; break; }
        }
        this.immExtWidth = iw;
        StringBuilder sb = new StringBuilder();
        boolean m = false, v = false;
        for (Opnd o : ops) {
            if (sb.length() > 0) sb.append(',');
            sb.append(o.code);
            m |= o.usesModrm();
            v |= o.usesVvvv();
        }
        this.opText = sb.toString();
        boolean vec = false, t = false;
        for (Opnd o : ops) {
            vec |= o.kind == Opnd.Kind.VEC || o.vsib != 0;
            t |= o.kind == Opnd.Kind.TMM;
        }
        this.vector = vec;
        this.tile = t;
        int ri = -1;
        boolean vs = false;
        for (int i = 0; i < ops.length; i++) {
            Opnd.Src s = ops[i].src;
            if (s == Opnd.Src.RM || s == Opnd.Src.RM_MEM || s == Opnd.Src.RM_REG) ri = i;
            vs |= ops[i].vsib != 0;
        }
        this.rmIndex = ri;
        this.vsib = vs;
        boolean hi = false;
        for (Opnd o : ops) {
            hi |= o.src == Opnd.Src.IMM || o.src == Opnd.Src.REL || o.src == Opnd.Src.FAR || o.src == Opnd.Src.IS4;
        }
        this.hasImm = hi;
        this.simple = space == LEGACY && w < 0 && osz == 0 && asz == 0 && !i64 && !o64 && !rex2Only && !nop90
                && mod == MOD_ANY && rm < 0;
        this.modrm = m || a.modrm || reg >= 0 || mod != MOD_ANY || rm >= 0;
        this.usesV = v;
        // The decoder's candidate test as one mask/value compare over its context bits (M_*), derived from the above.
        int mm = 0, mv = 0;
        boolean map4 = space == EVEX && map == 4;
        if (pp >= 0) {
            if (map4 && pp == PP_NP) mm |= 2; // map 4: NP also admits 66
            else { mm |= 3; mv |= pp; }
        } else if (map4) {
            mm |= 2;
        } else if (space != LEGACY) {
            mm = -1; // never: VEX/EVEX outside map 4 always name their prefix
        }
        if (i64 && o64) mm = -1;
        if (mm == -1) {
            mm = 0;
            mv = 1; // matches no context
        } else {
            if (w >= 0) { mm |= M_W; mv |= w == 1 ? M_W : 0; }
            if (mod == MOD_MEM) mm |= M_MOD3;
            else if (mod == MOD_REG) { mm |= M_MOD3; mv |= M_MOD3; }
            if (i64) mm |= M_64;
            else if (o64) { mm |= M_64; mv |= M_64; }
            if (rex2Only) { mm |= M_REX2; mv |= M_REX2; }
            if (nop90) mm |= M_ANYB;
            if (map4) {
                if (nd >= 0) { mm |= M_ND; mv |= nd == 1 ? M_ND : 0; }
                if (nf >= 0) { mm |= M_NF; mv |= nf == 1 ? M_NF : 0; }
                else if (!a.nf && !a.scc) mm |= M_NF;
            }
        }
        this.matchMask = mm;
        this.matchValue = mv;
        int ls = 0;
        for (int i = 0; i < 8; i++) {
            int l = i & 3;
            boolean bm3 = (i & 4) != 0;
            if (space == LEGACY || (lmask & (1 << l)) != 0 || bm3 && a.er) ls |= 1 << i;
        }
        this.lengthSet = ls;
        this.matchSlow = rm >= 0 || a.osz != 0 || a.asz != 0;
    }

    /** Unique number of this form in the table. */
    public int id() { return id; }

    public Mnemonic mnemonic() { return mnemonic; }

    /** The Intel mnemonic text (lower case). */
    public String name() { return name; }

    /** The condition code 0-15 baked into the opcode (Jcc, SETcc, CMOVcc, ...) or -1. */
    public int conditionCode() { return cc; }

    /** The primary CPUID feature the form needs, or null for the base x86 set. */
    public CpuFeature feature() { return feature; }

    /** Number of explicit operands. */
    public int operandCount() { return ops.length; }

    /** Whether the form accepts a LOCK prefix (with a memory destination). */
    public boolean lockable() { return lock; }

    /** Opcode byte (for +r/+cc forms, the base). */
    public int opcode() { return opcode; }

    /** Opcode map: 0 one-byte, 1 0F, 2 0F38, 3 0F3A, 4-7 EVEX/VEX maps. */
    public int map() { return map; }

    /** Encoding space: "legacy", "vex" or "evex". */
    public String space() { return space == LEGACY ? "legacy" : space == VEX ? "vex" : "evex"; }

    /** A readable description, e.g. {@code add Ev,Gv [legacy 0 01 /r]}. */
    @Override
    public String toString() {
        return name + " " + opText + " [" + space() + " map" + map + " " + String.format("%02X", opcode)
                + (reg >= 0 ? " /" + reg : "") + (pp >= 0 ? " pp" + pp : "") + (w >= 0 ? " W" + w : "")
                + (nd >= 0 ? " ND" + nd : "") + "]";
    }

    /** Parsed attributes of a table line. */
    static final class Attrs {
        boolean lock, rep, repe, d64, f64, i64, o64, bnd, nf, scc, zu, k, z, er, sae, kreq, suffix, nd, rex2, nop90, modrm, evx, vexp, attfwd, attstar,
                nopfx;
        int osz, asz, bcst, n8;
        CpuFeature feature;
        long xsave = -1;
        String att;
    }

    /** Parses one table line into one or more forms (cc expansion, ND variants). */
    static List<Form> parse(String line, boolean suffixDefault, CpuFeature defFeature) {
        String[] parts = line.split("\\|", -1);
        String head = parts[0].trim();
        String enc = parts.length > 1 ? parts[1].trim() : "";
        String attr = parts.length > 2 ? parts[2].trim() : "";
        int sp = head.indexOf(' ');
        String name = sp < 0 ? head : head.substring(0, sp);
        String opsText = sp < 0 ? "" : head.substring(sp + 1).replace(" ", "");
        List<Opnd> ops = new ArrayList<>();
        if (!opsText.isEmpty()) for (String o : opsText.split(",")) ops.add(Opnd.parse(o));

        Attrs a = new Attrs();
        a.feature = defFeature;
        a.suffix = suffixDefault;
        for (String t : attr.split("\\s+")) {
            if (t.isEmpty()) continue;
            switch (t) {
                case "lock" -> a.lock = true;
                case "rep" -> a.rep = true;
                case "repe" -> a.repe = true;
                case "d64" -> a.d64 = true;
                case "f64" -> a.f64 = true;
                case "i64" -> a.i64 = true;
                case "m64" -> a.o64 = true;
                case "bnd" -> a.bnd = true;
                case "rex2" -> a.rex2 = true;
                case "nop90" -> a.nop90 = true;
                case "evx" -> a.evx = true;
                case "vexp" -> a.vexp = true;
                case "attfwd" -> a.attfwd = true;
                case "attstar" -> a.attstar = true;
                case "nopfx" -> a.nopfx = true;
                case "nf" -> a.nf = true;
                case "nd" -> a.nd = true;
                case "scc" -> a.scc = true;
                case "zu" -> a.zu = true;
                case "k" -> a.k = true;
                case "kz" -> { a.k = true; a.z = true; }
                case "kreq" -> { a.k = true; a.kreq = true; }
                case "er" -> a.er = true;
                case "sae" -> a.sae = true;
                case "b2" -> a.bcst = 2;
                case "b4" -> a.bcst = 4;
                case "b8" -> a.bcst = 8;
                case "bw" -> a.bcst = -1;
                case "sfx" -> a.suffix = true;
                case "nosfx" -> a.suffix = false;
                case "o16" -> a.osz = 2;
                case "o32" -> a.osz = 4;
                case "o64" -> a.osz = 8;
                case "a16" -> a.asz = 2;
                case "a32" -> a.asz = 4;
                case "a64" -> a.asz = 8;
                default -> {
                    if (t.startsWith("F=")) a.feature = t.equals("F=-") ? null : CpuFeature.valueOf(t.substring(2));
                    else if (t.startsWith("X=")) a.xsave = Long.decode(t.substring(2));
                    else if (t.startsWith("att=")) a.att = t.substring(4);
                    else if (t.startsWith("n=")) a.n8 = Integer.parseInt(t.substring(2));
                    else throw new IllegalArgumentException("unknown attribute " + t + " in: " + line);
                }
            }
        }

        int space = LEGACY, map = 0, pp = PP_ANY, opcode = -1, reg = -1, mod = MOD_ANY, rm = -1, w = -1, lmask = 7;
        int nd = -1, nf = -1;
        boolean plusR = false, plusCc = false, sawOpcode = false, sawMap = false;
        for (String t : enc.split("\\s+")) {
            if (t.isEmpty()) continue;
            switch (t) {
                case "VEX" -> space = VEX;
                case "EVEX" -> space = EVEX;
                case "0F" -> { if (!sawOpcode && !sawMap) { map = 1; sawMap = true; } else { opcode = 0x0F; sawOpcode = true; } }
                case "0F38" -> { map = 2; sawMap = true; }
                case "0F3A" -> { map = 3; sawMap = true; }
                case "M4" -> { map = 4; sawMap = true; }
                case "M5" -> { map = 5; sawMap = true; }
                case "M6" -> { map = 6; sawMap = true; }
                case "M7" -> { map = 7; sawMap = true; }
                case "NP" -> pp = PP_NP;
                case "W0" -> w = 0;
                case "W1" -> w = 1;
                case "WIG" -> w = -1;
                case "L0", "L128" -> lmask = 1;
                case "L1", "L256" -> lmask = 2;
                case "L512" -> lmask = 4;
                case "LIG" -> lmask = 15;
                case "L01" -> lmask = 3;
                case "L12" -> lmask = 6;
                case "ND0" -> nd = 0;
                case "ND1" -> nd = 1;
                case "NF0" -> nf = 0;
                case "NF1" -> nf = 1;
                case "/r" -> { mod = MOD_ANY; a.modrm = true; }
                default -> {
                    if (t.startsWith("/")) {
                        String r = t.substring(1);
                        int c = r.indexOf(':');
                        String mm = c >= 0 ? r.substring(c + 1) : "";
                        r = c >= 0 ? r.substring(0, c) : r;
                        if (!r.equals("r")) reg = Integer.parseInt(r);
                        else if (mm.isEmpty()) reg = -1;
                        if (mm.equals("m")) mod = MOD_MEM;
                        else if (mm.equals("r")) mod = MOD_REG;
                        a.modrm = true;
                    } else if (t.startsWith("=")) {
                        int b = Integer.parseInt(t.substring(1), 16);
                        mod = MOD_REG;
                        reg = (b >> 3) & 7;
                        rm = b & 7;
                    } else if ((t.equals("66") || t.equals("F2") || t.equals("F3")) && !sawOpcode && !sawMap
                            && pp == PP_ANY && !(space == LEGACY && t.startsWith("F") && line.contains(t + " |"))) {
                        pp = t.equals("66") ? PP_66 : t.equals("F3") ? PP_F3 : PP_F2;
                    } else if (t.endsWith("+r")) {
                        opcode = Integer.parseInt(t.substring(0, t.length() - 2), 16);
                        plusR = true;
                        sawOpcode = true;
                    } else if (t.endsWith("+cc")) {
                        opcode = Integer.parseInt(t.substring(0, t.length() - 3), 16);
                        plusCc = true;
                        sawOpcode = true;
                    } else if (t.matches("[0-9A-Fa-f]{2}")) {
                        if (sawOpcode) throw bad(line, t);
                        opcode = Integer.parseInt(t, 16);
                        sawOpcode = true;
                    } else {
                        throw bad(line, t);
                    }
                }
            }
        }
        if (opcode < 0) throw bad(line, "no opcode");
        if (space == LEGACY && map >= 4) throw bad(line, "map");
        List<Form> out = new ArrayList<>();
        Opnd[] opArr = ops.toArray(new Opnd[0]);
        for (int cc = plusCc ? 0 : -1; cc < (plusCc ? 16 : 0); cc++) {
            String n = cc >= 0 ? name.replace("{cc}", CC[cc]) : name;
            String att = a.att;
            if (cc >= 0 && att != null) att = att.replace("{cc}", CC[cc]);
            Attrs aa = a;
            if (att != a.att) { aa = copy(a); aa.att = att; }
            int opc = cc >= 0 ? opcode + cc : opcode;
            if (a.nd && space == EVEX && map == 4) {
                // One line yields the two-operand form (ND=0) and the new-data-destination form (ND=1).
                out.add(new Form(n, space, map, pp, opc, plusR, cc, reg, mod, rm, w, lmask, 0, nf, opArr, aa));
                Opnd[] nddOps = new Opnd[opArr.length + 1];
                nddOps[0] = Opnd.parse(opArr[0].width == 1 ? "Bb" : "Bv");
                System.arraycopy(opArr, 0, nddOps, 1, opArr.length);
                out.add(new Form(n, space, map, pp, opc, plusR, cc, reg, mod, rm, w, lmask, 1, nf, nddOps, aa));
            } else {
                out.add(new Form(n, space, map, pp, opc, plusR, cc, reg, mod, rm, w, lmask, nd, nf, opArr, aa));
            }
        }
        return out;
    }

    private static Attrs copy(Attrs a) {
        Attrs b = new Attrs();
        b.lock = a.lock; b.rep = a.rep; b.repe = a.repe; b.d64 = a.d64; b.f64 = a.f64; b.i64 = a.i64;
        b.o64 = a.o64; b.bnd = a.bnd; b.nf = a.nf; b.scc = a.scc; b.zu = a.zu; b.k = a.k; b.z = a.z; b.er = a.er;
        b.sae = a.sae; b.kreq = a.kreq; b.suffix = a.suffix; b.nd = a.nd; b.osz = a.osz; b.asz = a.asz;
        b.rex2 = a.rex2; b.nop90 = a.nop90; b.modrm = a.modrm; b.evx = a.evx; b.vexp = a.vexp; b.attfwd = a.attfwd; b.attstar = a.attstar;
        b.nopfx = a.nopfx;
        b.n8 = a.n8; b.bcst = a.bcst; b.feature = a.feature; b.xsave = a.xsave; b.att = a.att;
        return b;
    }

    private static IllegalArgumentException bad(String line, String tok) {
        return new IllegalArgumentException("bad encoding token '" + tok + "' in: " + line);
    }

    static String enumName(String name) {
        return name.toUpperCase(Locale.ROOT).replace('.', '_');
    }
}
