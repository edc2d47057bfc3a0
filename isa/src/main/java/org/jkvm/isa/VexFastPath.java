package org.jkvm.isa;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The decoder's fast path for VEX and EVEX encodings in 64-bit mode (AVX/AVX2, AVX-512, APX map 4 and the
 * APX-extended EVEX GPR forms) without legacy prefixes in front. The form and everything it fixes come from a
 * {@link Plan} chosen by the opcode slot (space, map, opcode, ModRM.reg, pp) and the payload bits the general
 * path's candidate test reads (W, ModRM.mod == 3, L'L, EVEX.b, EVEX.aaa[2]); the plans are derived from the table
 * at class initialisation by that same candidate test ({@link Form#matchMask}, {@link Form#lengthSet}). What is
 * left (masking, zeroing and vvvv constraints, operand register numbers, memory, immediates) is read per
 * instruction. Anything the general path would reject, or that the plans do not cover, returns false and the
 * general path decodes it; a test checks that both paths agree on every field.
 */
final class VexFastPath {
    private VexFastPath() {}

    private static final int REG = OperandKind.REG.ordinal(), MEM = OperandKind.MEM.ordinal(),
            IMM = OperandKind.IMM.ordinal();
    private static final int G8 = RegClass.GPR8.ordinal(), G16 = RegClass.GPR16.ordinal(),
            G32 = RegClass.GPR32.ordinal(), G64 = RegClass.GPR64.ordinal();

    /** Plans per slot: key bit 0 W, bit 1 ModRM.mod == 3, bits 2-3 L (VEX) or L'L (EVEX), bit 4 EVEX.b, bit 5 EVEX.aaa[2]. */
    private static final int KEYS = 64;

    /** Register number lanes of the per-instruction {@code nums} word (shift amounts). */
    private static final int LANE_ZERO = 0, LANE_REG = 6, LANE_RM_GPR = 12, LANE_RM_VEC = 18, LANE_VVVV = 24,
            LANE_REG_RAW = 30, LANE_RM_RAW = 36, LANE_VVVV_7 = 42, LANE_REG_6 = 48;

    /** (space - 1) * 8 + map, opcode: whether a ModRM byte follows. */
    private static final boolean[] MODRM = new boolean[16 * 256];
    /**
     * Per row ((space - 1) * 8 + map) * 256 + opcode: the offset of its plan ids in SEL (bits 12 up), whether a
     * ModRM byte follows ({@link #ROW_MODRM}) and the mask of the selector bits that the plans depend on (low 11
     * bits); 0 for none. Selector: pp 0-1, W 2, EVEX.aaa[2] 3, EVEX.b 4, L'L 5-6, ModRM.mod == 3 7, ModRM.reg 8-10.
     * A row's plan ids are stored densely by {@link Integer#compress} of the selector under that mask, so the
     * part of the tables that a stream touches stays small.
     */
    private static final int[] ROW = new int[16 * 256];
    /** ROW bit: a ModRM byte follows the opcode. */
    private static final int ROW_MODRM = 1 << 11;
    /** Plan ids (0: none, the general path decides). */
    private static final char[] SEL;
    /** Plan data, {@link #STRIDE} longs (a cache line) per plan id (see {@link Plan#flatten}). */
    private static final long[] P;
    private static final int STRIDE = 8;

    static {
        // Plan id + 1 by form id * 128 + key * 2 + (pp == 66); -1: no plan (computed once each).
        int[] planOf = new int[OpcodeTable.FORMS.length * 128];
        List<Plan> ids = new ArrayList<>();
        ids.add(null);
        // Plans with the same data share an id, so that key bits a form ignores do not split its row.
        Map<List<Long>, Integer> byContent = new HashMap<>();
        long[] flat = new long[STRIDE];
        StringBuilder sel = new StringBuilder().append((char) 0);
        int[] byKey = new int[1 << 11];
        for (int sp = Form.VEX; sp <= Form.EVEX; sp++) {
            for (int map = 1; map < 8; map++) {
                int sm = sp * 8 + map;
                for (int op = 0; op < 256; op++) {
                    Form[][] narrow = OpcodeTable.NARROW[sm][op];
                    if (narrow == null) continue;
                    int row = (sp - 1) * 8 + map << 8 | op;
                    MODRM[row] = OpcodeTable.HAS_MODRM[sm][op];
                    boolean any = false;
                    for (int s = 0; s < byKey.length; s++) {
                        int reg = s >> 8, pp = s & 3;
                        int key = (s >> 2 & 1) | (s >> 6 & 2) | (s >> 3 & 12) | (s & 16) | (s << 2 & 32);
                        Form[] cands = narrow[reg * 4 + pp];
                        int id = 0;
                        if (cands.length > 0 && keyPossible(sp, key, MODRM[row])) {
                            Form f = select(cands, sp, map, pp, key);
                            if (f != null) {
                                int at = f.id * 128 + key * 2 + (pp == Form.PP_66 ? 1 : 0);
                                if (planOf[at] == 0) {
                                    Plan y = Plan.of(f, sp, map, pp, key);
                                    if (y == null) {
                                        planOf[at] = -1;
                                    } else {
                                        y.flatten(flat, 0);
                                        List<Long> content = new ArrayList<>();
                                        for (long v : flat) content.add(v);
                                        Integer known = byContent.putIfAbsent(content, ids.size());
                                        if (known == null) ids.add(y);
                                        planOf[at] = (known == null ? ids.size() - 1 : known) + 1;
                                    }
                                }
                                id = Math.max(planOf[at] - 1, 0);
                            }
                        }
                        byKey[s] = id;
                        any |= id != 0;
                    }
                    if (!any) continue;
                    // Selectors no encoding produces (VEX: L'L high bit, EVEX.b, aaa; no ModRM: mod and reg) take the
                    // plan of the one the decoder computes instead, so that they do not split the row.
                    for (int s = 0; s < byKey.length; s++) {
                        int c = s;
                        if (sp == Form.VEX) c &= ~0x58;
                        if (!MODRM[row]) c &= ~(0x80 | 7 << 8);
                        byKey[s] = byKey[c];
                    }
                    // Keep only the selector bits the plan ids depend on.
                    int mask = 0;
                    for (int bit = 0; bit < 11; bit++) {
                        for (int s = 0; s < byKey.length; s++) {
                            if (byKey[s] != byKey[s ^ 1 << bit]) { mask |= 1 << bit; break; }
                        }
                    }
                    int base = sel.length();
                    for (int s = 0; s < byKey.length; s++) {
                        if ((s & ~mask) == 0) sel.append((char) byKey[s]);
                    }
                    ROW[row] = base << 12 | (MODRM[row] ? ROW_MODRM : 0) | mask;
                }
            }
        }
        if (ids.size() > Character.MAX_VALUE || sel.length() >= 1 << 19) throw new IllegalStateException("plan ids");
        SEL = sel.toString().toCharArray();
        P = new long[ids.size() * STRIDE];
        for (int i = 1; i < ids.size(); i++) ids.get(i).flatten(P, i * STRIDE);
    }

    /** Key bits that an encoding of this space can produce. */
    private static boolean keyPossible(int space, int key, boolean modrm) {
        if (!modrm && (key & 2) != 0) return false;
        if (space == Form.VEX) return (key & 0x38) == 0;
        return true;
    }

    /** The general path's candidate loop ({@code Decoder.Ctx.afterPrefixes}) for one VEX/EVEX context; null if it depends on more. */
    private static Form select(Form[] cands, int space, int map, int pp, int key) {
        boolean w = (key & 1) != 0, mod3 = (key & 2) != 0, evexB = (key & 16) != 0, aaa2 = (key & 32) != 0;
        int vexL = key >> 2 & 3;
        boolean nd = space == Form.EVEX && map == 4 && evexB, nf = space == Form.EVEX && map == 4 && aaa2;
        int cx = pp | (w ? Form.M_W : 0) | vexL << 3 | (evexB && mod3 ? 32 : 0) | (mod3 ? Form.M_MOD3 : 0) | Form.M_64
                | (nd ? Form.M_ND : 0) | (nf ? Form.M_NF : 0);
        int li = (cx >>> 3) & 7;
        for (Form c : cands) {
            if ((c.matchMask & Form.M_ANYB) != 0) return null; // depends on REX.B: left to the general path
            if ((cx & c.matchMask) != c.matchValue || (c.lengthSet >>> li & 1) == 0) continue;
            if (c.rm >= 0) return null; // depends on ModRM.rm
            if (c.osz != 0 && c.osz != opSize(c, space, map, pp, w)) continue;
            if (c.asz != 0 && c.asz != 8) continue;
            return c;
        }
        return null;
    }

    /** {@code Decoder.Ctx.opSize} for VEX/EVEX in 64-bit mode. */
    private static int opSize(Form c, int space, int map, int pp, boolean w) {
        if (map == 4 && space == Form.EVEX) {
            if (w) return 8;
            if (c.d64 || c.f64) return 8;
            return pp == Form.PP_66 && c.pp != Form.PP_66 ? 2 : 4;
        }
        return w ? 8 : 4;
    }

    /** The selector bits of the canonical payload (see decode): pp, W, aaa[2], b, L'L. */
    private static final int SEL_BITS = 0x7483;

    /**
     * The register-number extension bits (register number bits 3-4) where decode's nums word wants them: R|R4 in
     * lane REG, B|B4 in lane RM_GPR, B and the EVEX.X vector bit in lane RM_VEC, and X|X4 (for a SIB index) at
     * {@link #X_SHIFT}; by EVEX payload byte P0 (X4 is in P1), and by VEX3 byte 1's top three bits.
     */
    private static final long[] RX_EVEX = new long[256], RX_VEX = new long[8];
    private static final int X_SHIFT = 56;
    /** ModRM.reg and ModRM.rm in every lane of nums that takes them (by ModRM). */
    private static final long[] MODRM_LANES = new long[256];

    static {
        for (int p0 = 0; p0 < 256; p0++) {
            int n0 = ~p0;
            RX_EVEX[p0] = lanes((n0 & 0x80) >> 4 | (n0 & 0x10), (n0 & 0x40) >> 3, (n0 & 0x20) >> 2 | (p0 & 8) << 1,
                    (n0 & 0x40) >> 2);
        }
        for (int t = 0; t < 8; t++) {
            int n1 = ~(t << 5);
            RX_VEX[t] = lanes((n1 & 0x80) >> 4, (n1 & 0x40) >> 3, (n1 & 0x20) >> 2, 0);
        }
        for (int m = 0; m < 256; m++) {
            long reg = m >> 3 & 7, rm = m & 7;
            MODRM_LANES[m] = reg << LANE_REG | rm << LANE_RM_GPR | rm << LANE_RM_VEC | reg << LANE_REG_RAW
                    | rm << LANE_RM_RAW | (reg & 6) << LANE_REG_6;
        }
    }

    private static long lanes(int r, int x, int b, int xVec) {
        return (long) r << LANE_REG | (long) b << LANE_RM_GPR | (long) ((b & 8) | xVec) << LANE_RM_VEC
                | (long) x << X_SHIFT;
    }

    static boolean decode(DecodeBuffer o, byte[] code, int off, int limit) {
        // The prefix, opcode and ModRM in one read (the caller guarantees FastPath.PAD readable bytes).
        long wd = (long) FastPath.LE64.get(code, off);
        // e: the payload in EVEX's P1 | P2 << 8 layout (VEX's L moved to L'L, V' and aaa, b, z clear), so that what
        // follows is one path: pp 0-1, vvvv inverted 3-6, W 7, aaa 8-10, V' inverted 11, b 12, L'L 13-14, z 15.
        int row, e, p;
        long kind, rx;
        switch ((int) wd & 0xFF) {
            case 0x62 -> {
                int p0 = (int) (wd >>> 8) & 0xFF;
                int map = p0 & 7;
                if (map == 0) return false;
                e = (int) (wd >>> 16) & 0xFFFF;
                rx = RX_EVEX[p0] | (long) (~e & 4) << X_SHIFT + 2;
                row = 8 + map << 8;
                kind = (long) Insn.P_EVEX << 19;
                p = 4;
            }
            case 0xC4 -> {
                int p1 = (int) (wd >>> 8) & 0xFF, p2 = (int) (wd >>> 16) & 0xFF;
                int map = p1 & 0x1F;
                if (map == 0 || map > 7) return false;
                e = p2 & 0xFB | (p2 & 4) << 11 | 0x800;
                rx = RX_VEX[p1 >> 5];
                row = map << 8;
                kind = (long) Insn.P_VEX << 19;
                p = 3;
            }
            case 0xC5 -> {
                int p1 = (int) (wd >>> 8) & 0xFF;
                e = p1 & 0x7B | (p1 & 4) << 11 | 0x800;
                rx = (long) (~p1 & 0x80) >> 4 << LANE_REG;
                row = 1 << 8;
                kind = (long) Insn.P_VEX << 19;
                p = 2;
            }
            default -> {
                return false;
            }
        }
        int opcode = (int) (wd >>> 8 * p) & 0xFF;
        row |= opcode;
        int ri = ROW[row];
        if (ri == 0) return false;
        int modrm = -1, mod = 0, reg = 0, rm = 0;
        if ((ri & ROW_MODRM) != 0) {
            modrm = (int) (wd >>> 8 * p + 8) & 0xFF;
            mod = modrm >> 6;
            reg = (modrm >> 3) & 7;
            rm = modrm & 7;
            p++;
        }
        p += off + 1;
        // The selector: pp, W, aaa[2], b, L'L (gathered from e), ModRM.mod == 3, ModRM.reg.
        int id = SEL[(ri >>> 12) + Integer.compress(Integer.compress(e, SEL_BITS) | (mod == 3 ? 0x80 : 0) | reg << 8,
                ri & 0x7FF)];
        int aaa = e >> 8 & 7, vv = ~e >> 3 & 15 | ~e >> 7 & 16;
        if (id == 0) return false;
        long[] P = VexFastPath.P;
        int q = id * STRIDE;
        // The whole plan at once (the loads start together, and fewer values wait in spill slots).
        long w0 = P[q], vec = P[q + 1], xs = P[q + 2], t01 = P[q + 3], t23 = P[q + 4], l5 = P[q + 5], l6 = P[q + 6],
                l7 = P[q + 7];
        int a0 = (int) (l5 >>> 32), a1 = (int) l6, a2 = (int) (l6 >>> 32);
        if ((a1 >> aaa & 1) != 0 || e >>> 15 > (a0 >> 18 & 1) || (vv & a1 >> 8 & 31) != 0) return false;
        int B = (int) (rx >>> LANE_RM_GPR) & 0x18;
        // Memory operand.
        int sib = -1, base = -1, index = -1;
        long defSeg = 3L << 41, memDisp = 0, mem = Insn.MEM_NONE;
        if ((a0 & F_MEM) != 0) {
            int dispBytes = 0;
            long scale = 1;
            boolean rip = false;
            if (rm == 4) {
                sib = code[p++] & 0xFF;
                scale = 1 << (sib >> 6);
                int sidx = (sib >> 3) & 7, X = (int) (rx >>> X_SHIFT) & 0x18;
                if ((a0 & F_VSIB) != 0) {
                    index = sidx | (X & 8) | vv & 16 & a1 >> 9;
                } else {
                    index = sidx | X;
                    if (index == 4) index = -1;
                }
                int sbase = sib & 7;
                if (sbase == 5 && mod == 0) dispBytes = 4;
                else base = sbase | B;
            } else if ((a0 & (F_TILE | F_VSIB)) != 0) {
                return false; // a SIB byte is required
            } else if (rm == 5 && mod == 0) {
                dispBytes = 4;
                rip = true;
            } else {
                base = rm | B;
            }
            if (mod != 0) dispBytes = mod == 1 ? 1 : 4;
            if (base == 4 || base == 5) defSeg = 2L << 41;
            long disp = 0;
            if (dispBytes == 1) {
                disp = code[p++] * (a2 >>> 24);
            } else if (dispBytes == 4) {
                disp = (int) (long) FastPath.LE64.get(code, p);
                p += 4;
            }
            memDisp = disp;
            mem = (base + 1) | (index + 1) << 6 | scale << 12 | (long) (a2 & 0xFFFF) << 16
                    | (long) (a2 >> 16 & 0xFF) << 32 | (long) G64 << 37 | (rip ? 1L << 42 : 0);
        }
        // Register operands: templates plus the register number each picks from a lane of nums. Register numbers
        // by source, already masked as each register class needs (6-bit lanes); an operand's number is its lane
        // (the shift counts in l7 are taken mod 64). ModRM's fields come pre-spread from a table, the extension
        // bits pre-placed in rx (whose X field lies above every lane).
        long nums = MODRM_LANES[modrm & ~(modrm >> 31)] | rx | (long) vv << LANE_VVVV | (long) (vv & 7) << LANE_VVVV_7;
        int lk = (int) l7;
        long ops01 = t01 | (nums >>> lk & 31) << 16 | (nums >>> (lk >> 6) & 31) << 48;
        long ops23 = t23 | (nums >>> (lk >> 12) & 31) << 16 | (nums >>> (lk >> 18) & 31) << 48;
        int n4 = (int) (nums >>> (lk >> 24)) & 31;
        // Immediates (at most two; an is4 register byte counts as the first).
        long imm = a0 >>> A0_CONST_IMM & 1, imm2 = 0;
        int immOut = 0;
        if ((a0 & F_IMM) != 0) {
            int ims = (int) (l7 >>> 32);
            int isz = ims & 15, i2 = ims >> 10 & 15;
            int shift = ims >> 4 & 63;
            imm = (FastPath.le(code, p, isz) << shift) >> shift;
            p += isz;
            if (i2 != 0) {
                int shift2 = ims >> 14 & 63;
                imm2 = (FastPath.le(code, p, i2) << shift2) >> shift2;
                p += i2;
            }
            int is4 = (a0 >> 23 & 7) - 1;
            if (is4 >= 0) {
                long v = imm >> 4 & 15;
                switch (is4) {
                    case 0 -> ops01 |= v << 16;
                    case 1 -> ops01 |= v << 48;
                    case 2 -> ops23 |= v << 16;
                    case 3 -> ops23 |= v << 48;
                    default -> n4 = (int) v;
                }
            }
            immOut = a1 >> 26 & 15;
        }
        if (p > limit) return false;
        if ((a0 & F_GATHER) != 0) {
            // Registers a gather must not share (the general path reports the encoding as invalid).
            int dest = (int) (ops01 >>> 16) & 31, mask = (a0 & F_GATHER_VMASK) != 0 ? vv & 15 : -1;
            if (dest == index || mask == index || mask == dest) return false;
        }
        // Bit 4 of the register numbers, operand i's at bit i.
        int hi = (int) (ops01 >>> 20 & 1 | ops01 >>> 51 & 2 | ops23 >>> 18 & 4 | ops23 >>> 49 & 8) | (n4 & 16);
        if (aaa != 0 && (a0 & F_XSK) != 0) xs |= 0x20;
        if ((hi & a1 >> 16 & 31) != 0) xs |= 0x80;
        if ((hi & a1 >> 21 & 31) != 0 || base >= 16 || index >= 16 && (a0 & F_VSIB) == 0) xs |= 1L << 19;
        // Commit: the packed words of Insn, each stored once.
        o.w0 = w0 | (p - off) | kind | (long) opcode << 32 | (long) (e >> 7 & 1) << 40 | defSeg;
        o.w1 = (modrm + 1) | (sib + 1) << 9 | immOut << 18 | (long) ((int) l5 | n4 << 16) << 32;
        o.ops01 = ops01;
        o.ops23 = ops23;
        o.mem = mem;
        o.memDisp = memDisp;
        o.imm = imm;
        o.imm2 = imm2;
        vec |= (aaa << 8 | (long) (e >>> 15) << 31) & -(long) (a0 >> 12 & 1);
        if ((a0 & F_SCC) != 0) vec |= ((vv >> 4 ^ 1) << 3 | aaa) + 1 << 22 | (long) (~vv & 0xF) << 27;
        o.vec = vec;
        o.xsave = xs;
        return true;
    }

    private static final int F_SAE = 1 << 8, F_ND = 1 << 9, F_NF = 1 << 10, F_SCC = 1 << 11, F_KEEP = 1 << 12,
            F_MEM = 1 << 13, F_IMM = 1 << 14, F_BCST = 1 << 15, F_VSIB = 1 << 16, F_TILE = 1 << 17, F_XSK = 1 << 26;
    /** a0 bit: the plan's immediate without bytes (D0/D1's count 1). */
    private static final int A0_CONST_IMM = 27;
    /** a0 flags: a gather (its destination must not be its index register), whose VEX.vvvv mask must differ from both. */
    private static final int F_GATHER = 1 << 28, F_GATHER_VMASK = 1 << 29;

    /**
     * Everything about a VEX/EVEX decode that the form and the key bits determine, worked out once by the
     * general path's rules ({@code Decoder.Ctx.vexEvexChecks}, {@code operands}, {@code memory}): the checks
     * left to each instruction as masks, operand templates with the lane and mask of their register number,
     * vector length, rounding, broadcast and disp8*N, immediates and XSAVE components.
     */
    static final class Plan {
        Form form;
        int osz, vl, rc = -1, n;
        boolean sae, nd, nf, scc, keepMask, hasMem, hasImm, bcst, vsib, tileSib;
        /** Bit a set: EVEX.aaa == a is rejected. */
        int badAaa;
        /** Highest EVEX.z accepted (0 or 1). */
        int zMax;
        /** Rejected when (vvvv | V' << 4) & vCheck is not 0. */
        int vCheck;
        /** VSIB: mask for EVEX.V' as bit 4 of the index (16 for EVEX, 0 for VEX). */
        int vsibHigh;
        int memSize, memIndexClass, disp8n = 1;
        int t0, t1, t2, t3, t4, s0, s1, s2, s3, s4, m0, m1, m2, m3, m4;
        int immSize, immShift, imm2Size, imm2Shift, immSizeOut, is4Op = -1;
        /** An immediate without bytes (D0/D1's count 1), else 0. */
        int constImm;
        /** A gather: operand 0 a destination register, and (VEX) operand 2 the VEX.vvvv mask. */
        boolean gather, gatherVmask;
        /** XSAVE components: always, and with masking (aaa != 0). */
        long xsave, xsaveMasked;
        /** Operands (bit i) whose register number >= 16 adds hiExtra to the XSAVE components, or needs APX (a GPR). */
        int vecHiMask, gprMask;
        long hiExtra;

        /** Stores the plan at P[q .. q + STRIDE) in the layout {@link #decode} reads. */
        void flatten(long[] p, int q) {
            if (osz > 15 || n > 7 || memSize > 0xFFFF || memIndexClass > 0xFF || disp8n > 0xFF || vl > 0xFF
                    || immSizeOut > 15 || immSize > 15 || imm2Size > 15 || hiExtra != 0 && hiExtra != 0x80
                    || xsaveMasked != 0 && xsaveMasked != 0x20) {
                throw new IllegalStateException("plan field out of range: " + form);
            }
            int a0 = osz | n << 4 | (sae ? F_SAE : 0) | (nd ? F_ND : 0) | (nf ? F_NF : 0) | (scc ? F_SCC : 0)
                    | (keepMask ? F_KEEP : 0) | (hasMem ? F_MEM : 0) | (hasImm ? F_IMM : 0) | (bcst ? F_BCST : 0)
                    | (vsib ? F_VSIB : 0) | (tileSib ? F_TILE : 0) | zMax << 18 | (rc + 1) << 20 | (is4Op + 1) << 23
                    | (xsaveMasked != 0 ? F_XSK : 0) | constImm << A0_CONST_IMM | (gather ? F_GATHER : 0)
                    | (gatherVmask ? F_GATHER_VMASK : 0);
            int a1 = badAaa | vCheck << 8 | (vsibHigh != 0 ? 1 << 13 : 0) | vecHiMask << 16 | gprMask << 21
                    | immSizeOut << 26;
            int a2 = memSize | memIndexClass << 16 | disp8n << 24;
            if (immShift > 63 || imm2Shift > 63) throw new IllegalStateException("immediate shift");
            int ims = immSize | immShift << 4 | imm2Size << 10 | imm2Shift << 14;
            p[q] = Insn.w0(0, osz, 8, n, 0, 0, 0, 0, -1, Mode.BITS64, false, form.id);
            p[q + 1] = Insn.vec(vl, 0, rc, hasMem ? disp8n : 1, -1, 0, false, bcst, sae, !scc && nd, !scc && nf);
            p[q + 2] = xsave;
            p[q + 3] = (t0 & 0xFFFFFFFFL) | (long) t1 << 32;
            p[q + 4] = (t2 & 0xFFFFFFFFL) | (long) t3 << 32;
            p[q + 5] = (t4 & 0xFFFFFFFFL) | (long) a0 << 32;
            p[q + 6] = (a1 & 0xFFFFFFFFL) | (long) a2 << 32;
            p[q + 7] = s0 | s1 << 6 | s2 << 12 | s3 << 18 | s4 << 24 | (long) ims << 32;
        }

        /** The plan for form f under the key bits, or null where the general path rejects every such encoding or this path does not cover it. */
        static Plan of(Form f, int space, int map, int pp, int key) {
            boolean w = (key & 1) != 0, mod3 = (key & 2) != 0, evexB = (key & 16) != 0, aaa2 = (key & 32) != 0;
            int vexL = key >> 2 & 3;
            boolean evex = space == Form.EVEX, map4 = evex && map == 4;
            Opnd[] ops = f.ops;
            if (ops.length > 5 || f.pushPop2 || f.space != space) return null;
            Plan pl = new Plan();
            pl.form = f;
            pl.n = ops.length;
            int osz = opSize(f, space, map, pp, w);
            pl.osz = osz;
            // Decoder.Ctx.vexEvexChecks
            int vl = space == Form.VEX ? (vexL == 0 ? 16 : 32) : 16 << vexL;
            int badAaa = 0;
            if (evex && !map4 && !f.vector) {
                if (evexB) return null;
                pl.zMax = 0;
                for (int a = 0; a < 8; a++) if ((a & 3) != 0) badAaa |= 1 << a;
                if (aaa2) {
                    if (!f.nfOk) return null;
                    pl.nf = true;
                }
            } else if (evex && !map4) {
                if (evexB && mod3 && (f.er || f.sae)) {
                    if (f.er) pl.rc = vexL;
                    else pl.sae = true;
                    vl = f.lmask == 15 ? 16 : 64;
                    if (f.lmask != 15 && (f.lmask & 4) == 0) vl = Decoder.maxVl(f.lmask);
                } else if (vexL == 3) {
                    return null;
                } else if (evexB && mod3) {
                    return null;
                }
                for (int a = 0; a < 8; a++) {
                    if (a != 0 && !f.kOk || f.kReq && a == 0) badAaa |= 1 << a;
                }
                pl.zMax = f.zOk ? 1 : 0;
                if (evexB && !mod3 && f.bcst == 0) return null;
                pl.keepMask = true;
            } else if (evex) {
                if (vexL != 0) return null;
                pl.zMax = 0;
                for (int a = 0; a < 8; a++) if ((a & 3) != 0 && !f.scc) badAaa |= 1 << a;
                pl.nd = evexB;
                pl.nf = aaa2;
            }
            pl.badAaa = badAaa;
            if (f.lmask == 15 && space == Form.VEX) vl = 16;
            pl.vl = vl;
            if (!f.usesV && !f.scc) pl.vCheck = f.vsib ? 0xF : 0x1F;
            pl.scc = f.scc;
            // Decoder.Ctx.operands / memory
            int rmi = f.rmIndex;
            if (rmi >= 0) {
                Opnd.Src s = ops[rmi].src;
                if (!mod3 && s == Opnd.Src.RM_REG || mod3 && s == Opnd.Src.RM_MEM) return null;
            }
            pl.hasMem = rmi >= 0 && !mod3;
            pl.tileSib = pl.hasMem && f.tile;
            boolean derive = f.xsaveStatic < 0;
            long xs = derive ? 0 : f.xsaveStatic;
            if (pl.hasMem) {
                Opnd mo = ops[rmi];
                int memSize = Opnd.memBytes(mo.memSize, osz, 8, vl);
                if (mo.kind == Opnd.Kind.GPR && mo.memSize == mo.width) memSize = FastPath.gprBytes(mo.width, osz);
                int nscale = 1;
                if (evex && !map4 && f.vector) {
                    if (evexB) {
                        int e = f.bcst > 0 ? f.bcst : (w ? 8 : 4);
                        pl.bcst = true;
                        nscale = e;
                        memSize = e;
                    } else {
                        nscale = f.n8 > 0 ? f.n8 : memSize > 0 ? memSize : 1;
                    }
                }
                pl.disp8n = nscale;
                pl.memSize = memSize;
                pl.vsib = mo.vsib != 0;
                pl.gather = pl.vsib && ops[0].src == Opnd.Src.REG;
                pl.gatherVmask = pl.gather && ops.length > 2 && ops[2].src == Opnd.Src.VVVV;
                pl.vsibHigh = evex ? 16 : 0;
                pl.memIndexClass = mo.vsib != 0 ? RegClass.vec(Opnd.vecBytes(mo.vsib, vl)).ordinal() : G64;
            }
            int[] t = new int[5], sh = new int[5], mk = new int[5];
            long hiExtra = -1;
            int nimm = 0;
            int[] isz = new int[2], ish = new int[2];
            for (int i = 0; i < ops.length; i++) {
                Opnd op = ops[i];
                int lane;
                switch (op.srcId) {
                    case Opnd.S_RM -> {
                        if (pl.hasMem) {
                            t[i] = MEM | Math.min(pl.memSize, 255) << 24;
                            continue;
                        }
                        lane = rmLane(op);
                    }
                    case Opnd.S_RM_REG -> lane = rmLane(op);
                    case Opnd.S_RM_MEM -> {
                        t[i] = MEM | Math.min(pl.memSize, 255) << 24;
                        continue;
                    }
                    case Opnd.S_REG -> lane = op.kind == Opnd.Kind.GPR || op.kind == Opnd.Kind.VEC ? LANE_REG
                            : op.kind == Opnd.Kind.CR || op.kind == Opnd.Kind.DR ? -1 : LANE_REG_RAW;
                    case Opnd.S_VVVV -> lane = LANE_VVVV;
                    case Opnd.S_FIXED -> lane = -2;
                    case Opnd.S_IS4 -> {
                        if (nimm != 0) return null;
                        isz[nimm++] = 1;
                        pl.is4Op = i;
                        lane = LANE_ZERO;
                    }
                    case Opnd.S_CONST1 -> {
                        // The implicit count of the map-4 D0/D1 forms: imm() is 1 though no byte holds it.
                        t[i] = IMM | 1 << 24;
                        pl.constImm = 1;
                        continue;
                    }
                    case Opnd.S_IMM -> {
                        int sz = op.width == Opnd.SZ_Z ? (osz == 2 ? 2 : 4) : op.width == Opnd.SZ_OPSIZE ? osz : op.width;
                        if (nimm == 2) return null;
                        if (nimm == 0) pl.immSizeOut = sz;
                        isz[nimm] = sz;
                        ish[nimm] = op.signExt ? 64 - 8 * sz : 0;
                        nimm++;
                        t[i] = IMM | Math.min(op.signExt ? FastPath.gprBytes(f.immExtWidth, osz) : sz, 8) << 24;
                        continue;
                    }
                    default -> { return null; }
                }
                if (lane == -1) return null;
                // A register operand: Decoder.Ctx.regOperand with register number 0, then the number's mask.
                int tmpl, mask;
                if (op.kind == Opnd.Kind.GPR) {
                    int size = op.width > 0 ? op.width : FastPath.gprBytes(op.width, osz);
                    int cls = size == 8 ? G64 : size == 4 ? G32 : size == 2 ? G16 : G8;
                    tmpl = REG | cls << 8 | size << 24;
                    mask = 0xFF;
                } else if (op.vecByVl != null) {
                    tmpl = op.vecByVl[vl >>> 5];
                    mask = evex ? 0xFF : 15;
                } else {
                    RegClass c;
                    int size;
                    switch (op.kind) {
                        case K -> { c = RegClass.K; size = 8; mask = op.width == 16 ? 6 : 7; }
                        case TMM -> { c = RegClass.TMM; size = 1024; mask = 7; }
                        case MMX -> { c = RegClass.MMX; size = 8; mask = 7; }
                        case ST -> { c = RegClass.ST; size = 10; mask = 7; }
                        case BND -> { c = RegClass.BND; size = 16; mask = 3; }
                        default -> { return null; }
                    }
                    tmpl = REG | c.ordinal() << 8 | Math.min(size, 255) << 24;
                }
                int cls = tmpl >>> 8 & 0xFF;
                if (lane == -2) {
                    // A fixed register: its number is part of the template.
                    int num = op.fixed & mask;
                    tmpl |= num << 16;
                    lane = LANE_ZERO;
                    if (cls <= G64) {
                        if (num >= 16) xs |= 1L << 19;
                    } else if (derive) {
                        xs |= Decoder.XSAVE_OF[cls << 1 | (num >>> 4 & 1)];
                    }
                } else if (cls <= G64) {
                    pl.gprMask |= 1 << i;
                } else if (derive) {
                    long lo = Decoder.XSAVE_OF[cls << 1], extra = Decoder.XSAVE_OF[cls << 1 | 1] & ~lo;
                    xs |= lo;
                    if ((Decoder.XSAVE_OF[cls << 1 | 1] & lo) != lo) return null;
                    if (extra != 0) {
                        // One extra component for a high register, the same for every operand (ZMM_Hi256 / Hi16_ZMM).
                        if (hiExtra >= 0 && hiExtra != extra) return null;
                        hiExtra = extra;
                        pl.vecHiMask |= 1 << i;
                    }
                }
                t[i] = tmpl;
                sh[i] = maskedLane(lane, mask, evex);
                if (sh[i] < 0) return null;
                mk[i] = mask;
            }
            if (derive) {
                // As in Decoder.Ctx.operands: whether any operand is a vector register does not depend on its number.
                if (space == Form.VEX && xs != 0) xs |= 4;
                if (evex && !map4 && (xs & 2) != 0) xs |= 0x44;
                if (evex && !map4) pl.xsaveMasked = 0x20;
            }
            pl.xsave = xs;
            pl.hasImm = f.hasImm;
            pl.immSize = isz[0]; pl.immShift = ish[0]; pl.imm2Size = isz[1]; pl.imm2Shift = ish[1];
            pl.t0 = t[0]; pl.t1 = t[1]; pl.t2 = t[2]; pl.t3 = t[3]; pl.t4 = t[4];
            pl.s0 = sh[0]; pl.s1 = sh[1]; pl.s2 = sh[2]; pl.s3 = sh[3]; pl.s4 = sh[4];
            pl.m0 = mk[0]; pl.m1 = mk[1]; pl.m2 = mk[2]; pl.m3 = mk[3]; pl.m4 = mk[4];
            pl.hiExtra = Math.max(hiExtra, 0);
            return pl;
        }

        /**
         * The lane that holds the register number of {@code lane} under {@code mask}: the lane itself where the mask
         * keeps every value the lane can hold, a pre-masked lane, or -1 (not covered).
         */
        private static int maskedLane(int lane, int mask, boolean evex) {
            int max = switch (lane) {
                case LANE_ZERO -> 0;
                case LANE_REG_RAW, LANE_RM_RAW -> 7;
                default -> evex ? 31 : 15;
            };
            if ((max & mask) == max) return lane;
            if (lane == LANE_VVVV && mask == 7) return LANE_VVVV_7;
            if (lane == LANE_REG_RAW && mask == 6) return LANE_REG_6;
            return -1;
        }

        private static int rmLane(Opnd op) {
            return op.kind == Opnd.Kind.GPR ? LANE_RM_GPR : op.kind == Opnd.Kind.VEC ? LANE_RM_VEC : LANE_RM_RAW;
        }
    }
}
