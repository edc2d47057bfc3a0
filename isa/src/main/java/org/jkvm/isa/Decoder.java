package org.jkvm.isa;

/**
 * The x86-64 decoder. Never throws on guest bytes: an undefined or malformed encoding yields an invalid
 * result with a reason. A Decoder instance is not thread-safe (it owns a scratch buffer); the static
 * {@link #decode(Mode, byte[], int, int)} is.
 */
public final class Decoder {
    private static final int MAX_LEN = 15;

    private final Mode mode;
    private final DecodeBuffer scratch = new DecodeBuffer();
    /** The general path's unpacked result. */
    private final DecodeState state = new DecodeState();
    /**
     * Bytes a buffer should hold from the start of an instruction for {@link #decodeInto} to decode it in place:
     * the fast paths read whole words past the instruction's end (never past its {@code len}, as far as the result
     * goes). Shorter tails are decoded from a copy.
     */
    public static final int READ_AHEAD = FastPath.PAD;

    /** The last bytes of a buffer, copied where the fast paths can read past them. */
    private final byte[] padded = new byte[FastPath.PAD];
    private final Ctx ctx;

    private final boolean fastPath;

    public Decoder(Mode mode) {
        this.mode = mode;
        this.ctx = new Ctx(mode);
        this.fastPath = mode == Mode.BITS64 && !Boolean.getBoolean("jkvm.isa.nofastpath");
    }

    public Mode mode() { return mode; }

    /** Decodes one instruction from {@code code[off .. off+len)} into a new immutable {@link Instruction}. */
    public Instruction decode(byte[] code, int off, int len) {
        decodeInto(scratch, code, off, len);
        return new Instruction(scratch);
    }

    public static Instruction decode(Mode mode, byte[] code, int off, int len) {
        DecodeBuffer b = new DecodeBuffer();
        new Decoder(mode).decodeInto(b, code, off, len);
        return new Instruction(b);
    }

    public static Instruction decode(Mode mode, byte[] code) { return decode(mode, code, 0, code.length); }

    /** Decodes into a reusable buffer without allocating; returns {@link Insn#isValid()}. */
    public boolean decodeInto(DecodeBuffer out, byte[] code, int off, int len) {
        // The fast paths take the bulk of 64-bit code. They read whole words past the instruction, so an
        // instruction near the end of its array goes the longer way, through a padded copy.
        if (fastPath && off >= 0 && len > 0 && off <= code.length - FastPath.PAD
                && FastPath.decode(out, code, off, off + Math.min(len, MAX_LEN))) {
            return true;
        }
        return decodeRest(out, code, off, len);
    }

    private boolean decodeRest(DecodeBuffer out, byte[] code, int off, int len) {
        if (off < 0 || len < 0 || off > code.length) {
            DecodeState s = state;
            reset(s);
            s.mode = mode;
            s.form = null; s.prefixes = 0; s.opcode = 0; s.rexW = 0; s.xsave = 0; s.nops = 0;
            s.op0 = s.op1 = s.op2 = s.op3 = s.op4 = 0;
            s.length = 0;
            s.invalid = "no bytes";
            s.packInto(out);
            return false;
        }
        int limit = off + Math.min(len, Math.min(MAX_LEN, code.length - off));
        if (fastPath && off + FastPath.PAD > code.length) {
            byte[] pad = padded;
            System.arraycopy(code, off, pad, 0, limit - off);
            if (FastPath.decode(out, pad, 0, limit - off)) return true;
        }
        int hardLimit = off + Math.min(len, code.length - off);
        boolean ok = ctx.init(state, code, off, limit, hardLimit).run();
        state.packInto(out);
        return ok;
    }

    /** The general path only (for the test that checks the fast path against it). */
    boolean decodeGeneral(DecodeBuffer out, byte[] code, int off, int len) {
        int limit = off + Math.min(len, Math.min(MAX_LEN, code.length - off));
        int hardLimit = off + Math.min(len, code.length - off);
        boolean ok = ctx.init(state, code, off, limit, hardLimit).run();
        state.packInto(out);
        return ok;
    }

    /** For tests: whether REX2 may precede this map/opcode. */
    static boolean rex2AllowedForTest(int map, int op, boolean w) { return Ctx.rex2Allowed(map, op, w); }

    /** Resets the buffer; groups of fields the previous decode did not touch are already in their reset state. */
    private static void reset(DecodeState o) {
        // form, prefixes, opcode, rexW, nops, the operands and xsave are always written by a decode (bad() too).
        if (o.invalid != null) o.invalid = null;
        o.segOverride = -1; o.segment = 3; o.modrm = -1; o.sib = -1; o.opSize = 0; o.addrSize = 0;
        int d = o.dirty;
        if (d != 0) {
            if ((d & 1) != 0) {
                o.memBase = -1; o.memIndex = -1; o.memScale = 1; o.memSize = 0; o.memIndexClass = 0;
                o.memBaseClass = 0; o.memDisp = 0; o.ripRel = false;
            }
            if ((d & 2) != 0) {
                o.vl = 0; o.aaa = 0; o.rc = -1; o.disp8n = 1; o.zeroing = false; o.bcst = false; o.sae = false;
            }
            if ((d & 4) != 0) { o.scc = -1; o.dfv = 0; o.nd = false; o.nf = false; }
            if ((d & 8) != 0) { o.imm = 0; o.imm2 = 0; o.immSize = 0; }
        }
        o.dirty = 0;
    }

    private static final int REG_KIND = OperandKind.REG.ordinal();

    /** {@link Ctx#xsaveOf} by register class ordinal * 2 + (register number >= 16). */
    static final long[] XSAVE_OF = new long[Insn.CLASSES.length * 2];

    /** {@link Ctx#maxVl} (for {@link VexFastPath}). */
    static int maxVl(int lmask) { return Ctx.maxVl(lmask); }

    static {
        for (RegClass c : Insn.CLASSES) {
            XSAVE_OF[c.ordinal() * 2] = Ctx.xsaveOf(c, 0);
            XSAVE_OF[c.ordinal() * 2 + 1] = Ctx.xsaveOf(c, 16);
        }
    }
    private static final int GPR8_CLASS = RegClass.GPR8.ordinal(), GPR8H_CLASS = RegClass.GPR8H.ordinal(),
            GPR16_CLASS = RegClass.GPR16.ordinal(), GPR32_CLASS = RegClass.GPR32.ordinal(),
            GPR64_CLASS = RegClass.GPR64.ordinal();

    /** The decoding state of one instruction, reused by its Decoder (no allocation per decode). */
    private static final class Ctx {
        final Mode mode;
        final boolean m64;
        DecodeState o;
        byte[] code;
        int start, limit, hardLimit;
        int p;
        // prefix state
        int lastRep; // 0, 0xF2, 0xF3
        boolean has66, has67, lock;
        int rex; // 0 or 0x40-0x4F
        boolean rex2;
        int space, map;
        int pp, vvvv, vexL, aaa;
        boolean W, evexZ, evexB, vPrime, nd, nf;
        int R, X, B, R4, X4, B4, evexX; // bits already shifted into place (R: 8, R4: 16)
        int modrm = -1, mod, regf, rmf;

        /** Address size in bytes without and with a 67 prefix. */
        final int aszDefault, asz67;

        Ctx(Mode mode) {
            this.mode = mode;
            this.m64 = mode == Mode.BITS64;
            this.aszDefault = switch (mode) {
                case BITS64 -> 8;
                case BITS32 -> 4;
                case BITS16 -> 2;
            };
            this.asz67 = mode == Mode.BITS32 ? 2 : 4;
        }

        Ctx init(DecodeState o, byte[] code, int start, int limit, int hardLimit) {
            // Reference stores carry GC barriers: skip them when nothing changed (the common case).
            if (this.o != o) this.o = o;
            if (this.code != code) this.code = code;
            this.start = start;
            this.limit = limit;
            this.hardLimit = hardLimit;
            this.p = start;
            lastRep = 0; has66 = false; has67 = false; lock = false; rex = 0;
            return this;
        }

        boolean bad(String why) {
            o.form = null;
            o.invalid = why;
            o.prefixes = 0;
            o.opcode = 0;
            o.rexW = 0;
            o.xsave = 0;
            o.op0 = o.op1 = o.op2 = o.op3 = o.op4 = 0;
            o.length = Math.max(1, Math.min(p - start, MAX_LEN));
            o.nops = 0;
            return false;
        }

        /** Reads a byte; -1 past the end. */
        int next() {
            if (p >= limit) { p++; return -1; }
            return code[p++] & 0xFF;
        }

        String eof() { return p - start > MAX_LEN || limit < hardLimit ? "exceeds 15 bytes" : "truncated"; }

        boolean run() {
            reset(o);
            if (o.mode != mode) o.mode = mode;
            int b;
            int seg = -1;
            for (;;) {
                b = next();
                if (b < 0) return bad(eof());
                switch (b) {
                    case 0xF0 -> { lock = true; rex = 0; }
                    case 0xF2, 0xF3 -> { lastRep = b; rex = 0; }
                    case 0x66 -> { has66 = true; rex = 0; }
                    case 0x67 -> { has67 = true; rex = 0; }
                    case 0x26 -> { seg = 0; rex = 0; }
                    case 0x2E -> { seg = 1; rex = 0; }
                    case 0x36 -> { seg = 2; rex = 0; }
                    case 0x3E -> { seg = 3; rex = 0; }
                    case 0x64 -> { seg = 4; rex = 0; }
                    case 0x65 -> { seg = 5; rex = 0; }
                    default -> {
                        if (m64 && (b & 0xF0) == 0x40) { rex = b; continue; }
                        return afterPrefixes(b, seg);
                    }
                }
            }
        }

        boolean afterPrefixes(int b, int seg) {
            int prefixes = 0;
            if (lock) prefixes |= Insn.P_LOCK;
            if (has66) prefixes |= Insn.P_OPSIZE;
            if (has67) prefixes |= Insn.P_ADDRSIZE;
            if (seg >= 0) { prefixes |= Insn.P_SEG; o.segOverride = seg; }
            int opcode;
            // Every decode-state field is assigned here or in the escape branches below (no per-decode reset).
            W = (rex & 8) != 0;
            R = (rex & 4) << 1;
            X = (rex & 2) << 2;
            B = (rex & 1) << 3;
            if (rex != 0) prefixes |= Insn.P_REX;
            rex2 = false;
            space = Form.LEGACY;
            R4 = X4 = B4 = evexX = 0;
            vvvv = 0; vexL = 0; aaa = 0;
            evexZ = evexB = vPrime = nd = nf = false;
            pp = lastRep == 0xF3 ? Form.PP_F3 : lastRep == 0xF2 ? Form.PP_F2 : has66 ? Form.PP_66 : Form.PP_NP;
            if (b == 0xD5 && m64) {
                prefixes |= Insn.P_REX2;
                opcode = rex2Escape();
                if (opcode < 0) return false;
            } else if ((b == 0xC4 || b == 0xC5) && (m64 || peekModIsReg())) {
                prefixes |= Insn.P_VEX;
                opcode = vexEscape(b);
                if (opcode < 0) return false;
            } else if (b == 0x62 && (m64 || peekModIsReg())) {
                prefixes |= Insn.P_EVEX;
                opcode = evexEscape();
                if (opcode < 0) return false;
            } else if (b == 0x0F) {
                int b2 = next();
                if (b2 < 0) return bad(eof());
                if (b2 == 0x38 || b2 == 0x3A) {
                    map = b2 == 0x38 ? 2 : 3;
                    opcode = next();
                    if (opcode < 0) return bad(eof());
                } else {
                    map = 1;
                    opcode = b2;
                }
            } else {
                map = 0;
                opcode = b;
            }
            o.prefixes = prefixes;
            o.opcode = opcode;
            o.rexW = W ? 1 : 0;
            int sm = space * 8 + map;
            Form[][] narrow = OpcodeTable.NARROW[sm][opcode];
            if (narrow == null) return bad("undefined opcode");
            mod = 0; regf = 0; rmf = 0; modrm = -1;
            if (OpcodeTable.HAS_MODRM[sm][opcode]) {
                modrm = next();
                if (modrm < 0) return bad(eof());
                mod = modrm >> 6;
                regf = (modrm >> 3) & 7;
                rmf = modrm & 7;
                o.modrm = modrm;
            }
            Form f = null;
            int osz = 0, asz = 0;
            Form[] cands = narrow[regf * 4 + pp];
            if (cands.length > 0 && cands[0].simple && space == Form.LEGACY) {
                // The common case: a legacy form whose only constraints (reg, prefix) the index already applied.
                f = cands[0];
            } else {
                int cx = pp | (W ? Form.M_W : 0) | vexL << 3 | (evexB && mod == 3 ? 32 : 0) | (mod == 3 ? Form.M_MOD3 : 0)
                        | (m64 ? Form.M_64 : 0) | (rex2 ? Form.M_REX2 : 0) | ((B | B4) != 0 ? Form.M_ANYB : 0)
                        | (nd ? Form.M_ND : 0) | (nf ? Form.M_NF : 0);
                int li = (cx >>> 3) & 7;
                for (Form c : cands) {
                    if ((cx & c.matchMask) != c.matchValue || (c.lengthSet >>> li & 1) == 0) continue;
                    if (c.matchSlow && (c.rm >= 0 && c.rm != rmf || c.osz != 0 && c.osz != opSize(c)
                            || c.asz != 0 && c.asz != addrSize())) {
                        continue;
                    }
                    f = c;
                    break;
                }
            }
            if (f == null) return bad("undefined opcode");
            if (rex2 && map == 1 && mod != 3 && (opcode == 0xAE && regf >= 4 && regf <= 6 || opcode == 0xC7 && regf >= 3 && regf <= 5)) {
                return bad("EGPR not allowed in this instruction (XSAVE family under REX2)");
            }
            osz = opSize(f);
            asz = addrSize();
            this.asz = asz;
            o.form = f;
            o.opSize = osz;
            o.addrSize = asz;
            if (lock && (!f.lock || mod == 3)) return bad("LOCK not allowed");
            if (f.noLegacyPrefix && (has66 || has67 || lastRep != 0)) return bad("66/67/F2/F3 prefix not allowed");
            if (lastRep != 0 && f.pp < 0 && space == Form.LEGACY) {
                if (f.repe) o.prefixes |= lastRep == 0xF3 ? Insn.P_REP : Insn.P_REPNE;
                else if (f.rep && lastRep == 0xF3) o.prefixes |= Insn.P_REP;
                else o.prefixes |= lastRep == 0xF3 ? Insn.P_F3_IGNORED : Insn.P_F2_IGNORED;
            }
            return operands(f);
        }

        /** REX2 (D5): sets the extension bits and map; returns the opcode or -1 after bad(). */
        int rex2Escape() {
            if (rex != 0) { bad("REX before REX2"); return -1; }
            int pl = next();
            if (pl < 0) { bad(eof()); return -1; }
            rex2 = true;
            map = pl >> 7;
            R4 = (pl & 0x40) >> 2;
            X4 = (pl & 0x20) >> 1;
            B4 = pl & 0x10;
            W = (pl & 8) != 0;
            R = (pl & 4) << 1;
            X = (pl & 2) << 2;
            B = (pl & 1) << 3;
            int opcode = next();
            if (opcode < 0) { bad(eof()); return -1; }
            if (!rex2Allowed(map, opcode, W)) { bad("opcode not allowed with REX2"); return -1; }
            space = Form.LEGACY;
            return opcode;
        }

        /** VEX (C4/C5): returns the opcode or -1 after bad(). */
        int vexEscape(int b) {
            if (rex != 0 || has66 || lastRep != 0 || lock) { bad("legacy prefix before VEX"); return -1; }
            space = Form.VEX;
            o.dirty |= 6;
            int p1 = next();
            if (p1 < 0) { bad(eof()); return -1; }
            int p2;
            if (b == 0xC5) {
                map = 1;
                p2 = p1;
                R = ((~p1) & 0x80) >> 4;
            } else {
                p2 = next();
                if (p2 < 0) { bad(eof()); return -1; }
                R = ((~p1) & 0x80) >> 4;
                X = ((~p1) & 0x40) >> 3;
                B = ((~p1) & 0x20) >> 2;
                map = p1 & 0x1F;
                W = (p2 & 0x80) != 0;
            }
            if (!m64) { R = 0; X = 0; B = 0; }
            vvvv = ((~p2) >> 3) & 0xF;
            if (!m64) vvvv &= 7;
            vexL = (p2 >> 2) & 1;
            pp = p2 & 3;
            if (map == 0 || map > 7) { bad("reserved VEX map"); return -1; }
            int opcode = next();
            if (opcode < 0) { bad(eof()); return -1; }
            return opcode;
        }

        /** EVEX (62), including the APX map-4 bit meanings: returns the opcode or -1 after bad(). */
        int evexEscape() {
            if (rex != 0 || has66 || lastRep != 0 || lock) { bad("legacy prefix before EVEX"); return -1; }
            space = Form.EVEX;
            o.dirty |= 6;
            int p0, p1, p2;
            if (p + 3 <= limit) {
                p0 = code[p] & 0xFF; p1 = code[p + 1] & 0xFF; p2 = code[p + 2] & 0xFF;
                p += 3;
            } else {
                p0 = next(); p1 = next(); p2 = next();
            }
            if (p2 < 0) { bad(eof()); return -1; }
            if ((p1 & 4) == 0 && !m64) { bad("EVEX reserved bit"); return -1; }
            R = ((~p0) & 0x80) >> 4;
            X = ((~p0) & 0x40) >> 3;
            B = ((~p0) & 0x20) >> 2;
            R4 = ((~p0) & 0x10);
            B4 = (p0 & 0x08) << 1;
            map = p0 & 7;
            W = (p1 & 0x80) != 0;
            vvvv = ((~p1) >> 3) & 0xF;
            X4 = ((~p1) & 0x04) << 2;
            pp = p1 & 3;
            evexZ = (p2 & 0x80) != 0;
            vexL = (p2 >> 5) & 3;
            evexB = (p2 & 0x10) != 0;
            vPrime = (p2 & 0x08) == 0;
            aaa = p2 & 7;
            if (!m64) { R = X = B = R4 = B4 = X4 = 0; vvvv &= 7; vPrime = false; }
            evexX = X << 1; // EVEX.X is bit 4 of a vector ModRM.rm register
            if (map == 4) {
                nd = evexB;
                nf = (aaa & 4) != 0;
            } else if (map == 0) {
                { bad("reserved EVEX map"); return -1; }
            }
            int opcode = next();
            if (opcode < 0) { bad(eof()); return -1; }
            return opcode;
        }

        boolean peekModIsReg() {
            return p < limit && (code[p] & 0xC0) == 0xC0;
        }

        int addrSize() { return has67 ? asz67 : aszDefault; }

        int opSize(Form c) {
            if (space == Form.LEGACY) {
                boolean o66 = has66 && c.pp != Form.PP_66;
                if (m64) {
                    if (W) return 8;
                    if (c.f64) return 8;
                    if (c.d64) return o66 ? 2 : 8;
                    return o66 ? 2 : 4;
                }
                int def = mode == Mode.BITS16 ? 2 : 4;
                return o66 ? (def == 2 ? 4 : 2) : def;
            }
            if (map == 4 && space == Form.EVEX) {
                if (W) return 8;
                if (c.d64 || c.f64) return 8;
                return pp == Form.PP_66 && c.pp != Form.PP_66 ? 2 : 4;
            }
            return W && m64 ? 8 : 4;
        }

        static boolean rex2Allowed(int map, int op, boolean w) {
            if (map == 0) {
                int hi = op & 0xF0;
                if (hi == 0x40 || hi == 0x70 || hi == 0xE0 || op == 0x0F) return false;
                if (hi == 0xA0) return op == 0xA1 && !w;
                return true;
            }
            int hi = op & 0xF0;
            return hi != 0x30 && hi != 0x80;
        }

        int asz;

        /** VEX/EVEX attribute checks; returns the vector length in bytes, or -1 after bad(). */
        int vexEvexChecks(Form f) {
            int vl = space == Form.VEX ? (vexL == 0 ? 16 : 32) : 16 << vexL;
            if (space == Form.EVEX && map != 4 && !f.vector) {
                // APX-extended EVEX GPR/opmask/tile instructions: the map-4 bit layout (NF in aaa[2]).
                if (evexZ || evexB || (aaa & 3) != 0) return badVl("reserved EVEX bits");
                if ((aaa & 4) != 0) {
                    if (!f.nfOk) return badVl("NF not allowed");
                    o.nf = true;
                }
            } else if (space == Form.EVEX && map != 4) {
                if (evexB && mod == 3 && (f.er || f.sae)) {
                    if (f.er) o.rc = vexL;
                    else o.sae = true;
                    vl = f.lmask == 15 ? 16 : 64;
                    if (f.lmask != 15 && (f.lmask & 4) == 0) vl = maxVl(f.lmask);
                } else if (vexL == 3) {
                    return badVl("reserved EVEX.L'L");
                } else if (evexB && mod == 3) {
                    return badVl("EVEX.b without rounding");
                }
                if (aaa != 0 && !f.kOk) return badVl("masking not allowed");
                if (f.kReq && aaa == 0) return badVl("mask register required");
                if (evexZ && !f.zOk) return badVl("zeroing not allowed");
                if (evexB && mod != 3 && f.bcst == 0) return badVl("broadcast not allowed");
                o.aaa = aaa;
                o.zeroing = evexZ;
            } else if (space == Form.EVEX) {
                if (evexZ || vexL != 0 || (aaa & 3) != 0 && !f.scc) return badVl("reserved EVEX bits in map 4");
                o.nd = nd;
                o.nf = nf;
            }
            if (space != Form.LEGACY && f.lmask == 15) vl = space == Form.VEX ? 16 : vl;
            if (space != Form.LEGACY) {
                o.dirty |= 6;
                o.vl = vl;
            }
            if (space != Form.LEGACY && !f.usesV && !f.scc) {
                if (vvvv != 0 || (vPrime && !f.vsib)) return badVl("VEX.vvvv must be 1111");
            }
            if (f.scc) {
                o.scc = sccOf();
                o.dfv = ~vvvv & 0xF;
                o.nd = false;
                o.nf = false;
            }
            return vl;
        }

        int badVl(String why) {
            bad(why);
            return -1;
        }

        boolean operands(Form f) {
            Opnd[] ops = f.ops;
            int vl = 16;
            if (space != Form.LEGACY) {
                vl = vexEvexChecks(f);
                if (vl < 0) return false;
            }
            // Memory operand (ModRM) first: it fixes the displacement bytes that precede immediates.
            int rmi = f.rmIndex;
            if (rmi >= 0) {
                Opnd.Src s = ops[rmi].src;
                if (mod != 3) {
                    if (s == Opnd.Src.RM_REG) return bad("memory form not allowed");
                    if (f.tile && rmf != 4 && asz != 2) return bad("tile memory operand needs a SIB byte");
                    if (f.vsib && (rmf != 4 || asz == 2)) return bad("VSIB memory operand needs a SIB byte");
                    if (!memory(f, ops[rmi], vl)) return false;
                } else if (s == Opnd.Src.RM_MEM) {
                    return bad("register form not allowed");
                }
            }
            int nimm = 0;
            int n = ops.length;
            if (f.hasImm) o.dirty |= 8;
            o.nops = n;
            long xs = f.xsaveStatic >= 0 ? f.xsaveStatic : 0;
            boolean derive = f.xsaveStatic < 0;
            boolean egpr = rex2 && (R4 | X4 | B4) != 0;
            for (int i = 0; i < n; i++) {
                Opnd op = ops[i];
                int packed;
                switch (op.srcId) {
                    case Opnd.S_RM, Opnd.S_RM_MEM -> {
                        if (mod != 3) {
                            packed = pack(OperandKind.MEM, RegClass.GPR8, 0, o.memSize);
                            break;
                        }
                        packed = regOperand(op, rmNumber(op), vl);
                    }
                    case Opnd.S_RM_REG -> packed = regOperand(op, rmNumber(op), vl);
                    case Opnd.S_REG -> packed = regOperand(op, regNumber(op), vl);
                    case Opnd.S_VVVV -> packed = regOperand(op, vvvv | (vPrime ? 16 : 0), vl);
                    case Opnd.S_OPLOW -> packed = regOperand(op, (o.opcode & 7) | B | B4, vl);
                    case Opnd.S_FIXED -> packed = regOperand(op, op.fixed, vl);
                    case Opnd.S_IS4 -> {
                        int v = next();
                        if (v < 0) return bad(eof());
                        o.imm = v;
                        nimm++;
                        packed = regOperand(op, m64 ? v >> 4 : (v >> 4) & 7, vl);
                    }
                    case Opnd.S_CONST1 -> {
                        // The count of D0/D1 (and their map-4 forms) is part of the opcode: an immediate 1, no bytes.
                        o.dirty |= 8;
                        o.imm = 1;
                        nimm++;
                        packed = pack(OperandKind.IMM, RegClass.GPR8, 0, 1);
                    }
                    case Opnd.S_IMM -> {
                        int sz = immBytes(op);
                        long v = readImm(sz);
                        if (p > limit) return bad(eof());
                        // A sign-extended immediate has the operation's size (1 for byte forms), else its own.
                        int opw = op.signExt ? resolveGpr(f.immExtWidth) : sz;
                        if (op.signExt) v = signExtend(v, sz);
                        if (nimm == 0) { o.imm = v; o.immSize = sz; } else o.imm2 = v;
                        nimm++;
                        packed = pack(OperandKind.IMM, RegClass.GPR8, 0, Math.min(opw, 8));
                    }
                    case Opnd.S_REL -> {
                        int sz = op.width == 1 ? 1 : (o.opSize == 2 ? 2 : 4);
                        long v = signExtend(readImm(sz), sz);
                        if (p > limit) return bad(eof());
                        o.imm = v;
                        o.immSize = sz;
                        packed = pack(OperandKind.REL, RegClass.GPR8, 0, o.opSize);
                    }
                    case Opnd.S_FAR -> {
                        int sz = o.opSize == 2 ? 2 : 4;
                        long off = readImm(sz);
                        long sel = readImm(2);
                        if (p > limit) return bad(eof());
                        o.imm = off;
                        o.imm2 = sel;
                        packed = pack(OperandKind.FAR, RegClass.GPR8, 0, sz + 2);
                    }
                    case Opnd.S_MOFFS -> {
                        int sz = o.addrSize;
                        long v = readImm(sz);
                        if (p > limit) return bad(eof());
                        o.dirty |= 1;
                        o.memDisp = v;
                        o.memBase = -1;
                        o.memIndex = -1;
                        o.segment = o.segOverride >= 0 ? o.segOverride : 3;
                        int w = resolveGpr(op.width);
                        o.memSize = w;
                        packed = pack(OperandKind.MEM, RegClass.GPR8, 0, w);
                    }
                    case Opnd.S_STR_SI -> {
                        int w = resolveGpr(op.width);
                        o.segment = o.segOverride >= 0 ? o.segOverride : 3;
                        packed = pack(OperandKind.MEM_SI, RegClass.GPR8, 6, w);
                    }
                    case Opnd.S_STR_DI -> packed = pack(OperandKind.MEM_DI, RegClass.GPR8, 7, resolveGpr(op.width));
                    default -> throw new IllegalStateException();
                }
                if (packed == -1) return false;
                if ((packed & 0xFF) == REG_KIND) {
                    int cls = (packed >>> 8) & 0xFF;
                    int num = (packed >>> 16) & 0xFF;
                    if (cls <= GPR64_CLASS) {
                        if (num >= 16) egpr = true;
                    } else if (derive) {
                        xs |= XSAVE_OF[cls << 1 | (num >>> 4 & 1)];
                    }
                }
                switch (i) {
                    case 0 -> o.op0 = packed;
                    case 1 -> o.op1 = packed;
                    case 2 -> o.op2 = packed;
                    case 3 -> o.op3 = packed;
                    default -> o.op4 = packed;
                }
            }
            if (o.memBase >= 16 || o.memIndex >= 16 && o.memIndexClass <= RegClass.GPR64.ordinal()) egpr = true;
            if (n < 5) {
                o.op4 = 0;
                if (n < 4) o.op3 = 0;
                if (n < 3) o.op2 = 0;
                if (n < 2) o.op1 = 0;
                if (n < 1) o.op0 = 0;
            }
            if (f.pushPop2) {
                int a = (o.op0 >>> 16) & 0xFF, b = (o.op1 >>> 16) & 0xFF;
                if (a == 4 || b == 4) return bad("PUSH2/POP2 cannot name RSP");
                if (a == b && (f.mnemonic == Mnemonic.POP2 || f.mnemonic == Mnemonic.POP2P)) {
                    return bad("POP2 with the same register twice");
                }
            }
            if (f.vsib && ops[0].src == Opnd.Src.REG) {
                // A gather #UDs when its destination is its index register, a VEX gather also when its mask
                // (VEX.vvvv) is either of them.
                int dest = (o.op0 >>> 16) & 0xFF, index = o.memIndex;
                int mask = n > 2 && ops[2].src == Opnd.Src.VVVV ? (o.op2 >>> 16) & 0xFF : -1;
                if (dest == index || mask == index || mask == dest) {
                    return bad("gather destination, index and mask registers must differ");
                }
            }
            if (derive) {
                if (space == Form.VEX && xs != 0) xs |= 4;
                if (space == Form.EVEX && map != 4 && (xs & 2) != 0) xs |= 0x44;
                if (aaa != 0 && space == Form.EVEX && map != 4) xs |= 0x20;
            }
            if (egpr) xs |= 1L << 19;
            o.xsave = xs;
            if (p > limit) return bad(eof());
            o.length = p - start;
            return true;
        }

        int sccOf() {
            // CCMP/CTEST: SCC is EVEX.P2[3:0] taken raw (the V4, NF and aaa[1:0] positions).
            return (vPrime ? 0 : 1) << 3 | (nf ? 1 : 0) << 2 | (aaa & 3);
        }

        static int maxVl(int lmask) { return (lmask & 4) != 0 ? 64 : (lmask & 2) != 0 ? 32 : 16; }

        int immBytes(Opnd op) {
            return switch (op.width) {
                case Opnd.SZ_Z -> o.opSize == 2 ? 2 : 4;
                case Opnd.SZ_OPSIZE -> o.opSize;
                default -> op.width;
            };
        }

        long readImm(int sz) {
            if (p + sz <= limit) {
                byte[] c = code;
                int q = p;
                p = q + sz;
                return switch (sz) {
                    case 1 -> c[q] & 0xFFL;
                    case 2 -> (c[q] & 0xFF) | (c[q + 1] & 0xFF) << 8;
                    case 4 -> ((c[q] & 0xFF) | (c[q + 1] & 0xFF) << 8 | (c[q + 2] & 0xFF) << 16 | (c[q + 3] & 0xFF) << 24)
                            & 0xFFFFFFFFL;
                    default -> slowImm(q, sz);
                };
            }
            return slowImm(p, sz);
        }

        /** Reads from {@code q}, leaving {@code p} one past the first missing byte as {@link #next} does. */
        private long slowImm(int q, int sz) {
            p = q;
            long v = 0;
            for (int i = 0; i < sz; i++) {
                int b = next();
                if (b < 0) return 0;
                v |= (long) b << (8 * i);
            }
            return v;
        }

        static long signExtend(long v, int sz) {
            return switch (sz) {
                case 1 -> (byte) v;
                case 2 -> (short) v;
                case 4 -> (int) v;
                default -> v;
            };
        }

        int resolveGpr(int rule) {
            return switch (rule) {
                case Opnd.SZ_OPSIZE -> o.opSize;
                case Opnd.SZ_Y -> o.opSize == 8 ? 8 : 4;
                case Opnd.SZ_Z -> o.opSize == 2 ? 2 : 4;
                case Opnd.SZ_ADDR -> o.addrSize;
                case Opnd.SZ_NATIVE -> m64 ? 8 : 4;
                default -> rule;
            };
        }

        int regNumber(Opnd op) {
            if (op.kind == Opnd.Kind.GPR || op.kind == Opnd.Kind.VEC) return regf | R | R4;
            if (op.kind == Opnd.Kind.CR || op.kind == Opnd.Kind.DR) return regf | R;
            return regf;
        }

        int rmNumber(Opnd op) {
            if (op.kind == Opnd.Kind.GPR) return rmf | B | B4;
            if (op.kind == Opnd.Kind.VEC) return rmf | B | (space == Form.EVEX ? evexX : 0);
            return rmf;
        }

        @SuppressWarnings("unused")
        static int pack(OperandKind k, RegClass c, int num, int size) {
            return k.ordinal() | c.ordinal() << 8 | num << 16 | Math.min(size, 255) << 24;
        }

        int regOperand(Opnd op, int num, int vl) {
            if (op.kind == Opnd.Kind.GPR) return gprOperand(op, num);
            if (op.vecByVl != null) {
                // A vector register: class and size by vector length, worked out once per operand.
                if (space != Form.EVEX) num &= 15;
                return op.vecByVl[vl >>> 5] | num << 16;
            }
            return otherOperand(op, num, vl);
        }

        /** The common case, small enough to inline. */
        int gprOperand(Opnd op, int num) {
            int w = op.width;
            int size = w > 0 ? w : resolveGpr(w);
            int cls = size == 8 ? GPR64_CLASS : size == 4 ? GPR32_CLASS : size == 2 ? GPR16_CLASS : GPR8_CLASS;
            if (size == 1 && num >= 4 && num < 8 && rex == 0 && !rex2 && space == Form.LEGACY) cls = GPR8H_CLASS;
            return REG_KIND | cls << 8 | num << 16 | size << 24;
        }

        int otherOperand(Opnd op, int num, int vl) {
            RegClass c;
            int size;
            switch (op.kind) {
                case GPR -> {
                    size = resolveGpr(op.width);
                    c = RegClass.gpr(size);
                    if (size == 1 && num >= 4 && num < 8 && o.prefixes == (o.prefixes & ~(Insn.P_REX | Insn.P_REX2 | Insn.P_EVEX))
                            && rex == 0 && !rex2 && space == Form.LEGACY) {
                        c = RegClass.GPR8H;
                    }
                }
                case VEC -> {
                    size = Opnd.vecBytes(op.width, vl);
                    c = RegClass.vec(size);
                    if (space != Form.EVEX) num &= 15;
                }
                case SEG -> {
                    if (num > 5) { bad("invalid segment register"); return -1; }
                    c = RegClass.SEG;
                    size = 2;
                }
                case CR -> { c = RegClass.CR; size = m64 ? 8 : 4; }
                case DR -> { c = RegClass.DR; size = m64 ? 8 : 4; }
                case K -> { c = RegClass.K; size = 8; num &= op.width == 16 ? 6 : 7; }
                case TMM -> { c = RegClass.TMM; size = 1024; num &= 7; }
                case MMX -> { c = RegClass.MMX; size = 8; num &= 7; }
                case ST -> { c = RegClass.ST; size = 10; num &= 7; }
                case BND -> { c = RegClass.BND; size = 16; num &= 3; }
                default -> throw new IllegalStateException(op.code);
            }
            return pack(OperandKind.REG, c, num, size);
        }

        static long xsaveOf(RegClass c, int num) {
            return switch (c) {
                case ST, MMX -> 1;
                case XMM -> num >= 16 ? 2 | 0x80 : 2;
                case YMM -> num >= 16 ? 6 | 0x80 : 6;
                case ZMM -> num >= 16 ? 0x46 | 0x80 : 0x46;
                case K -> 0x20;
                case TMM -> 0x60000;
                case BND -> 0x18;
                default -> 0;
            };
        }

        boolean memory(Form f, Opnd op, int vl) {
            int asz = o.addrSize;
            long disp = 0;
            int base = -1, index = -1, scale = 1;
            boolean rip = false;
            int dispBytes = 0;
            int memSize = Opnd.memBytes(op.memSize, o.opSize, asz, vl);
            if (op.kind == Opnd.Kind.GPR && op.memSize == op.width) memSize = resolveGpr(op.width);
            int defSeg = 3;
            if (asz == 2) {
                switch (rmf) {
                    case 0 -> { base = 3; index = 6; }
                    case 1 -> { base = 3; index = 7; }
                    case 2 -> { base = 5; index = 6; defSeg = 2; }
                    case 3 -> { base = 5; index = 7; defSeg = 2; }
                    case 4 -> base = 6;
                    case 5 -> base = 7;
                    case 6 -> { if (mod == 0) { base = -1; dispBytes = 2; } else { base = 5; defSeg = 2; } }
                    default -> base = 3;
                }
                if (mod == 1) dispBytes = 1;
                else if (mod == 2) dispBytes = 2;
            } else {
                if (rmf == 4) {
                    int sib = next();
                    if (sib < 0) return bad(eof());
                    o.sib = sib;
                    scale = 1 << (sib >> 6);
                    int sidx = (sib >> 3) & 7;
                    int sbase = sib & 7;
                    if (op.vsib != 0) {
                        index = sidx | X | (space == Form.EVEX && vPrime ? 16 : 0);
                    } else {
                        index = sidx | X | X4;
                        if (index == 4) index = -1;
                    }
                    if (sbase == 5 && mod == 0) { base = -1; dispBytes = 4; }
                    else base = sbase | B | B4;
                } else if (rmf == 5 && mod == 0) {
                    dispBytes = 4;
                    if (m64) rip = true;
                } else {
                    base = rmf | B | B4;
                }
                if (mod == 1) dispBytes = 1;
                else if (mod == 2) dispBytes = 4;
                if (base == 4 || base == 5) defSeg = 2;
            }
            if (dispBytes > 0) {
                long v = readImm(dispBytes);
                if (p > limit) return bad(eof());
                disp = signExtend(v, dispBytes);
            }
            int n = 1;
            boolean isBcst = false;
            if (space == Form.EVEX && map != 4 && f.vector) {
                if (evexB) {
                    int e = f.bcst > 0 ? f.bcst : (W ? 8 : 4);
                    isBcst = true;
                    n = e;
                    memSize = e;
                } else {
                    n = f.n8 > 0 ? f.n8 : memSize > 0 ? memSize : 1;
                }
                if (dispBytes == 1) disp *= n;
            }
            o.dirty |= 1;
            o.disp8n = space == Form.EVEX && map != 4 && f.vector ? n : 1;
            o.bcst = isBcst;
            o.memBase = base;
            o.memIndex = index;
            o.memScale = scale;
            o.memDisp = disp;
            o.ripRel = rip;
            o.memSize = memSize;
            RegClass ac = RegClass.gpr(asz);
            o.memBaseClass = ac.ordinal();
            o.memIndexClass = op.vsib != 0 ? RegClass.vec(Opnd.vecBytes(op.vsib, vl)).ordinal() : ac.ordinal();
            o.segment = o.segOverride >= 0 ? o.segOverride : defSeg;
            return true;
        }
    }
}
