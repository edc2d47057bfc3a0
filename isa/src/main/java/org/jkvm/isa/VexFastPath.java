package org.jkvm.isa;

import java.util.ArrayList;
import java.util.Arrays;
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
    private static final int LANE_ZERO = 0, LANE_REG = 8, LANE_RM_GPR = 16, LANE_RM_VEC = 24, LANE_VVVV = 32,
            LANE_REG_RAW = 40, LANE_RM_RAW = 48;

    /** (space - 1) * 8 + map, opcode: whether a ModRM byte follows. */
    private static final boolean[] MODRM = new boolean[16 * 256];
    /** ((space - 1) * 8 + map) * 256 + opcode, then * 32 + reg * 4 + pp: offset of the slot's plans in PLANS, or -1. */
    private static final int[] SLOT = new int[16 * 256 * 32];
    private static final Plan[] PLANS;

    static {
        Arrays.fill(SLOT, -1);
        Map<List<Object>, Plan> plans = new HashMap<>();
        Map<List<Plan>, Integer> slots = new HashMap<>();
        List<Plan> pool = new ArrayList<>();
        for (int sp = Form.VEX; sp <= Form.EVEX; sp++) {
            for (int map = 1; map < 8; map++) {
                int sm = sp * 8 + map;
                for (int op = 0; op < 256; op++) {
                    Form[][] narrow = OpcodeTable.NARROW[sm][op];
                    if (narrow == null) continue;
                    int row = (sp - 1) * 8 + map << 8 | op;
                    MODRM[row] = OpcodeTable.HAS_MODRM[sm][op];
                    for (int reg = 0; reg < 8; reg++) {
                        for (int pp = 0; pp < 4; pp++) {
                            Form[] cands = narrow[reg * 4 + pp];
                            if (cands.length == 0) continue;
                            List<Plan> keyed = new ArrayList<>(KEYS);
                            boolean any = false;
                            for (int key = 0; key < KEYS; key++) {
                                Plan pl = null;
                                if (keyPossible(sp, key, MODRM[row])) {
                                    Form f = select(cands, sp, map, pp, key);
                                    if (f != null) {
                                        int k = key, ppk = pp, spk = sp, mapk = map;
                                        pl = plans.computeIfAbsent(List.of(f, k, ppk == Form.PP_66),
                                                x -> Plan.of(f, spk, mapk, ppk, k));
                                    }
                                }
                                any |= pl != null;
                                keyed.add(pl);
                            }
                            if (!any) continue;
                            Integer at = slots.get(keyed);
                            if (at == null) {
                                at = pool.size();
                                pool.addAll(keyed);
                                slots.put(keyed, at);
                            }
                            SLOT[row << 5 | reg << 2 | pp] = at;
                        }
                    }
                }
            }
        }
        PLANS = pool.toArray(new Plan[0]);
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

    static boolean decode(DecodeBuffer o, byte[] code, int off, int limit) {
        int p = off;
        if (p + 3 > limit) return false;
        int b = code[p] & 0xFF;
        int row, w, rx, vvvv, vexL, pp, z = 0, eb = 0, aaa = 0, vp = 0, evex;
        // rx packs R|R4 (bits 0-4 of a ModRM.reg number), X|X4 (<< 8), B|B4 (<< 16), the EVEX.X vector bit (<< 24).
        if (b == 0x62) {
            if (p + 5 > limit) return false;
            int p0 = code[p + 1] & 0xFF, p1 = code[p + 2] & 0xFF, p2 = code[p + 3] & 0xFF;
            p += 4;
            int map = p0 & 7;
            if (map == 0) return false;
            int n0 = ~p0;
            rx = (n0 & 0x80) >> 4 | (n0 & 0x10) | ((n0 & 0x40) >> 3 | (~p1 & 4) << 2) << 8
                    | ((n0 & 0x20) >> 2 | (p0 & 8) << 1) << 16 | (n0 & 0x40) >> 2 << 24;
            w = p1 >> 7;
            vvvv = (~p1 >> 3) & 0xF;
            pp = p1 & 3;
            z = p2 >> 7;
            vexL = (p2 >> 5) & 3;
            eb = (p2 >> 4) & 1;
            vp = (~p2 >> 3) & 1;
            aaa = p2 & 7;
            row = 8 + map << 8;
            evex = 1;
        } else if (b == 0xC4) {
            if (p + 4 > limit) return false;
            int p1 = code[p + 1] & 0xFF, p2 = code[p + 2] & 0xFF;
            p += 3;
            int map = p1 & 0x1F;
            if (map == 0 || map > 7) return false;
            int n1 = ~p1;
            rx = (n1 & 0x80) >> 4 | (n1 & 0x40) >> 3 << 8 | (n1 & 0x20) >> 2 << 16;
            w = p2 >> 7;
            vvvv = (~p2 >> 3) & 0xF;
            vexL = (p2 >> 2) & 1;
            pp = p2 & 3;
            row = map << 8;
            evex = 0;
        } else if (b == 0xC5) {
            int p1 = code[p + 1] & 0xFF;
            p += 2;
            rx = (~p1 & 0x80) >> 4;
            w = 0;
            vvvv = (~p1 >> 3) & 0xF;
            vexL = (p1 >> 2) & 1;
            pp = p1 & 3;
            row = 1 << 8;
            evex = 0;
        } else {
            return false;
        }
        int opcode = code[p++] & 0xFF;
        row |= opcode;
        int modrm = -1, mod = 0, reg = 0, rm = 0;
        if (MODRM[row]) {
            if (p >= limit) return false;
            modrm = code[p++] & 0xFF;
            mod = modrm >> 6;
            reg = (modrm >> 3) & 7;
            rm = modrm & 7;
        }
        int at = SLOT[row << 5 | reg << 2 | pp];
        if (at < 0) return false;
        int mod3 = mod == 3 ? 2 : 0;
        Plan pl = PLANS[at + (w | mod3 | vexL << 2 | eb << 4 | (aaa & 4) << 3)];
        if (pl == null || (pl.badAaa >> aaa & 1) != 0 || z > pl.zMax || ((vvvv | vp << 4) & pl.vCheck) != 0) {
            return false;
        }
        int X = rx >> 8 & 0xFF, B = rx >> 16 & 0xFF;
        // Memory operand.
        int sib = -1, base = -1, index = -1, scale = 1, defSeg = 3;
        long disp = 0;
        boolean rip = false;
        boolean hasMem = pl.hasMem;
        if (hasMem) {
            int dispBytes = 0;
            if (rm == 4) {
                if (p >= limit) return false;
                sib = code[p++] & 0xFF;
                scale = 1 << (sib >> 6);
                int sidx = (sib >> 3) & 7;
                if (pl.vsib) {
                    index = sidx | (X & 8) | vp << 4 & pl.vsibHigh;
                } else {
                    index = sidx | X;
                    if (index == 4) index = -1;
                }
                int sbase = sib & 7;
                if (sbase == 5 && mod == 0) dispBytes = 4;
                else base = sbase | B;
            } else if (pl.tileSib) {
                return false;
            } else if (rm == 5 && mod == 0) {
                dispBytes = 4;
                rip = true;
            } else {
                base = rm | B;
            }
            if (mod == 1) dispBytes = 1;
            else if (mod == 2) dispBytes = 4;
            if (base == 4 || base == 5) defSeg = 2;
            if (dispBytes == 1) {
                if (p >= limit) return false;
                disp = code[p++] * pl.disp8n;
            } else if (dispBytes == 4) {
                if (p + 4 > limit) return false;
                disp = (code[p] & 0xFF) | (code[p + 1] & 0xFF) << 8 | (code[p + 2] & 0xFF) << 16 | code[p + 3] << 24;
                p += 4;
            }
        }
        // Register operands: templates plus the register number each picks from the lanes of nums.
        long nums = (long) (reg | (rx & 0x1F)) << LANE_REG | (long) (rm | B) << LANE_RM_GPR
                | (long) (rm | (B & 8) | (rx >>> 24)) << LANE_RM_VEC | (long) (vvvv | vp << 4) << LANE_VVVV
                | (long) reg << LANE_REG_RAW | (long) rm << LANE_RM_RAW;
        int n0 = (int) (nums >>> pl.s0) & pl.m0, n1 = (int) (nums >>> pl.s1) & pl.m1, n2 = (int) (nums >>> pl.s2) & pl.m2,
                n3 = (int) (nums >>> pl.s3) & pl.m3, n4 = (int) (nums >>> pl.s4) & pl.m4;
        // Immediates (at most two; an is4 register byte counts as the first).
        long imm = 0, imm2 = 0;
        int isz = pl.immSize;
        if (isz != 0) {
            int i2 = pl.imm2Size;
            if (p + isz + i2 > limit) return false;
            imm = (le(code, p, isz) << pl.immShift) >> pl.immShift;
            p += isz;
            if (i2 != 0) {
                imm2 = (le(code, p, i2) << pl.imm2Shift) >> pl.imm2Shift;
                p += i2;
            }
            int is4 = pl.is4Op;
            if (is4 >= 0) {
                int v = (int) imm >> 4 & 15;
                switch (is4) {
                    case 0 -> n0 = v;
                    case 1 -> n1 = v;
                    case 2 -> n2 = v;
                    case 3 -> n3 = v;
                    default -> n4 = v;
                }
            }
        }
        long xs = pl.xsave | pl.xsaveMasked & -(long) (aaa != 0 ? 1 : 0) | pl.xh0 & -(long) (n0 >> 4 & 1)
                | pl.xh1 & -(long) (n1 >> 4 & 1) | pl.xh2 & -(long) (n2 >> 4 & 1) | pl.xh3 & -(long) (n3 >> 4 & 1)
                | pl.xh4 & -(long) (n4 >> 4 & 1);
        if (base >= 16 || index >= 16 && !pl.vsib) xs |= 1L << 19;
        // Commit: the state the general path leaves.
        if (o.invalid != null) o.invalid = null;
        if (o.mode != Mode.BITS64) o.mode = Mode.BITS64;
        if (o.segOverride != -1) o.segOverride = -1;
        if (o.addrSize != 8) o.addrSize = 8;
        o.form = pl.form;
        o.prefixes = evex != 0 ? Insn.P_EVEX : Insn.P_VEX;
        o.opcode = opcode;
        o.rexW = w;
        o.modrm = modrm;
        o.sib = sib;
        o.opSize = pl.osz;
        o.nops = pl.n;
        o.op0 = pl.t0 | n0 << 16;
        o.op1 = pl.t1 | n1 << 16;
        o.op2 = pl.t2 | n2 << 16;
        o.op3 = pl.t3 | n3 << 16;
        o.op4 = pl.t4 | n4 << 16;
        int d = o.dirty;
        if (hasMem) {
            o.memBase = base;
            o.memIndex = index;
            o.memScale = scale;
            o.memDisp = disp;
            o.ripRel = rip;
            o.memSize = pl.memSize;
            o.memBaseClass = G64;
            o.memIndexClass = pl.memIndexClass;
            o.segment = defSeg;
        } else {
            if ((d & 1) != 0) Decoder.resetMemory(o);
            if (o.segment != 3) o.segment = 3;
        }
        o.disp8n = pl.disp8n;
        o.bcst = pl.bcst;
        o.vl = pl.vl;
        o.rc = pl.rc;
        o.sae = pl.sae;
        o.evexW = false;
        if (pl.keepMask) {
            o.aaa = aaa;
            o.zeroing = z != 0;
        } else {
            o.aaa = 0;
            o.zeroing = false;
        }
        if (pl.scc) {
            o.scc = (vp ^ 1) << 3 | (aaa & 7);
            o.dfv = ~vvvv & 0xF;
            o.nd = false;
            o.nf = false;
        } else {
            o.scc = -1;
            o.dfv = 0;
            o.nd = pl.nd;
            o.nf = pl.nf;
        }
        if (pl.hasImm) {
            o.imm = imm;
            o.imm2 = imm2;
            o.immSize = pl.immSizeOut;
        } else if ((d & 8) != 0) {
            o.imm = 0; o.imm2 = 0; o.immSize = 0;
        }
        o.dirty = 6 | (hasMem ? 1 : 0) | (pl.hasImm ? 8 : 0);
        o.xsave = xs;
        o.feature = pl.feature;
        o.length = p - off;
        return true;
    }

    /** Little-endian unsigned value of {@code size} (1, 2, 4 or 8) bytes at {@code p}. */
    private static long le(byte[] c, int p, int size) {
        return switch (size) {
            case 1 -> c[p] & 0xFFL;
            case 2 -> (c[p] & 0xFF) | (c[p + 1] & 0xFF) << 8;
            case 4 -> ((c[p] & 0xFF) | (c[p + 1] & 0xFF) << 8 | (c[p + 2] & 0xFF) << 16 | (c[p + 3] & 0xFF) << 24) & 0xFFFFFFFFL;
            default -> ((c[p] & 0xFF) | (c[p + 1] & 0xFF) << 8 | (c[p + 2] & 0xFF) << 16 | (c[p + 3] & 0xFF) << 24) & 0xFFFFFFFFL
                    | ((long) ((c[p + 4] & 0xFF) | (c[p + 5] & 0xFF) << 8 | (c[p + 6] & 0xFF) << 16 | (c[p + 7] & 0xFF) << 24)) << 32;
        };
    }

    /**
     * Everything about a VEX/EVEX decode that the form and the key bits determine, worked out once by the
     * general path's rules ({@code Decoder.Ctx.vexEvexChecks}, {@code operands}, {@code memory}): the checks
     * left to each instruction as masks, operand templates with the lane and mask of their register number,
     * vector length, rounding, broadcast and disp8*N, immediates and XSAVE components.
     */
    static final class Plan {
        Form form;
        CpuFeature feature;
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
        /** XSAVE components: always, with masking (aaa != 0), and with operand i's register number >= 16. */
        long xsave, xsaveMasked, xh0, xh1, xh2, xh3, xh4;

        /** The plan for form f under the key bits, or null where the general path rejects every such encoding or this path does not cover it. */
        static Plan of(Form f, int space, int map, int pp, int key) {
            boolean w = (key & 1) != 0, mod3 = (key & 2) != 0, evexB = (key & 16) != 0, aaa2 = (key & 32) != 0;
            int vexL = key >> 2 & 3;
            boolean evex = space == Form.EVEX, map4 = evex && map == 4;
            Opnd[] ops = f.ops;
            if (ops.length > 5 || f.pushPop2 || f.space != space) return null;
            Plan pl = new Plan();
            pl.form = f;
            pl.feature = f.feature;
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
                if (mo.kind == Opnd.Kind.GPR && mo.memSize == mo.width) memSize = gprBytes(mo.width, osz);
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
                pl.vsibHigh = evex ? 16 : 0;
                pl.memIndexClass = mo.vsib != 0 ? RegClass.vec(Opnd.vecBytes(mo.vsib, vl)).ordinal() : G64;
            }
            int[] t = new int[5], sh = new int[5], mk = new int[5];
            long[] xh = new long[5];
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
                        t[i] = IMM | 1 << 24;
                        continue;
                    }
                    case Opnd.S_IMM -> {
                        int sz = op.width == Opnd.SZ_Z ? (osz == 2 ? 2 : 4) : op.width == Opnd.SZ_OPSIZE ? osz : op.width;
                        if (nimm == 2) return null;
                        if (nimm == 0) pl.immSizeOut = sz;
                        isz[nimm] = sz;
                        ish[nimm] = op.signExt ? 64 - 8 * sz : 0;
                        nimm++;
                        t[i] = IMM | Math.min(op.signExt ? osz : sz, 8) << 24;
                        continue;
                    }
                    default -> { return null; }
                }
                if (lane == -1) return null;
                // A register operand: Decoder.Ctx.regOperand with register number 0, then the number's mask.
                int tmpl, mask;
                if (op.kind == Opnd.Kind.GPR) {
                    int size = op.width > 0 ? op.width : gprBytes(op.width, osz);
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
                    xh[i] = 1L << 19;
                } else if (derive) {
                    xs |= Decoder.XSAVE_OF[cls << 1];
                    xh[i] = Decoder.XSAVE_OF[cls << 1 | 1];
                }
                t[i] = tmpl;
                sh[i] = lane;
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
            pl.xh0 = xh[0]; pl.xh1 = xh[1]; pl.xh2 = xh[2]; pl.xh3 = xh[3]; pl.xh4 = xh[4];
            return pl;
        }

        private static int rmLane(Opnd op) {
            return op.kind == Opnd.Kind.GPR ? LANE_RM_GPR : op.kind == Opnd.Kind.VEC ? LANE_RM_VEC : LANE_RM_RAW;
        }
    }

    private static int gprBytes(int rule, int osz) {
        return switch (rule) {
            case Opnd.SZ_OPSIZE -> osz;
            case Opnd.SZ_Y -> osz == 8 ? 8 : 4;
            case Opnd.SZ_Z -> osz == 2 ? 2 : 4;
            case Opnd.SZ_ADDR, Opnd.SZ_NATIVE -> 8;
            default -> rule;
        };
    }
}
