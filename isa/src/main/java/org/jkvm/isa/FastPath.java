package org.jkvm.isa;

/**
 * The decoder's fast path for the bulk of real code: 64-bit mode, 66 and segment-override prefixes and a REX or REX2
 * prefix, one-byte or 0F opcodes, and only GPR, segment/control/debug register, memory and immediate operands. The form and
 * everything it fixes come from a precomputed {@link Plan}; anything else returns false and the general path
 * decodes it. A test checks that both paths produce identical results.
 */
final class FastPath {
    private FastPath() {}

    /** Eight bytes of code as a little-endian long (one load). */
    static final java.lang.invoke.VarHandle LE64 =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    private static final int REG = OperandKind.REG.ordinal(), MEM = OperandKind.MEM.ordinal(),
            IMM = OperandKind.IMM.ordinal(), REL = OperandKind.REL.ordinal();
    private static final int G8 = RegClass.GPR8.ordinal(), G8H = RegClass.GPR8H.ordinal(),
            G16 = RegClass.GPR16.ordinal(), G32 = RegClass.GPR32.ordinal(), G64 = RegClass.GPR64.ordinal();
    private static final int SEG = RegClass.SEG.ordinal(), CR = RegClass.CR.ordinal(), DR = RegClass.DR.ordinal();

    /** Bits of the decoder's prefix word beside REX.WRXB and REX2.R4/X4/B4 (see {@link #decode}). */
    private static final int X_66 = 1 << 8, X_REX = 1 << 9, X_REX2 = 1 << 10;

    /** First bytes that can start a legacy fast-path instruction (not VEX/EVEX escapes, lock, repeats or 67). */
    static final boolean[] FIRST = new boolean[256];
    /** Non-zero for the prefixes the legacy fast path takes before REX: 66 (-1) and the segment overrides (their Insn.w0 bits). */
    private static final long[] PREFIX = new long[256];
    /** First bytes of VEX and EVEX encodings ({@link VexFastPath}). */
    static final boolean[] VEX = new boolean[256];

    static {
        VEX[0x62] = VEX[0xC4] = VEX[0xC5] = true;
        PREFIX[0x66] = -1;
        int[] overrides = {0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65}; // ES, CS, SS, DS, FS, GS
        for (int s = 0; s < overrides.length; s++) PREFIX[overrides[s]] = (long) Insn.P_SEG << 19 | (long) (s + 1) << 44;
        for (int b = 0; b < 256; b++) {
            FIRST[b] = b != 0x62 && b != 0xC4 && b != 0xC5 && b != 0xF0 && b != 0xF2 && b != 0xF3 && b != 0x67;
        }
    }

    /**
     * Per map * 256 + opcode: the offset of its plans in P, in plans (bits {@link #ROW_BASE} up), whether a ModRM
     * byte follows, and the mask of the selector bits (ModRM.reg << 5 | context) that they depend on (low 8 bits);
     * 0 for none. The plans are what the general path's own matching rules select for each 64-bit legacy context,
     * worked out at class initialisation. A row's plans are stored densely by
     * {@link Integer#compress} of the selector under that mask, so the part of the tables a stream touches is small,
     * and a plan is found with one dependent load.
     */
    private static final int[] ROW = new int[512];
    /** Plan data, {@link #STRIDE} longs per selector slot (see {@link Plan#flatten}); all zero where the general path decides. */
    private static final long[] P;
    private static final int STRIDE = 8;

    /** ROW: where a row's plans start (bits {@link #ROW_BASE} up) and whether a ModRM byte follows the opcode. */
    private static final int ROW_BASE = 9, ROW_MODRM_BIT = 8, ROW_MODRM = 1 << ROW_MODRM_BIT;

    static {
        java.util.Map<java.util.List<Object>, Plan> plans = new java.util.HashMap<>();
        java.util.List<Plan> ids = new java.util.ArrayList<>();
        ids.add(null);
        StringBuilder sel = new StringBuilder().append((char) 0);
        int[] byKey = new int[256];
        for (int map = 0; map < 2; map++) {
            for (int op = 0; op < 256; op++) {
                Form[][] slot = OpcodeTable.NARROW[map][op];
                if (slot == null) continue;
                boolean any = false;
                for (int k = 0; k < 256; k++) {
                    int reg = k >> 5, ctx = k & 31;
                    byKey[k] = 0;
                    Form f = select(slot[reg * 4 + ((ctx & 16) != 0 ? Form.PP_66 : Form.PP_NP)], map, op, ctx);
                    if (f == null || f.ops.length > 4) continue;
                    boolean o66 = (ctx & 16) != 0, w = (ctx & 8) != 0, modReg = (ctx & 4) != 0;
                    int osz = w || f.f64 ? 8 : f.d64 ? (o66 ? 2 : 8) : (o66 ? 2 : 4);
                    Plan pl = plans.computeIfAbsent(java.util.List.of(f, osz, modReg), x -> {
                        Plan y = new Plan(f, osz, modReg);
                        y.id = ids.size();
                        ids.add(y);
                        return y;
                    });
                    byKey[k] = pl.id;
                    any = true;
                }
                if (!any) continue;
                int mask = 0;
                for (int bit = 0; bit < 8; bit++) {
                    for (int k = 0; k < 256; k++) {
                        if (byKey[k] != byKey[k ^ 1 << bit]) { mask |= 1 << bit; break; }
                    }
                }
                int base = sel.length();
                for (int k = 0; k < 256; k++) if ((k & ~mask) == 0) sel.append((char) byKey[k]);
                ROW[map << 8 | op] = base << ROW_BASE | (OpcodeTable.HAS_MODRM[map][op] ? ROW_MODRM : 0) | mask;
            }
        }
        if (sel.length() >= 1 << 31 - ROW_BASE) throw new IllegalStateException("plan slots");
        P = new long[sel.length() * STRIDE];
        for (int i = 1; i < sel.length(); i++) {
            if (sel.charAt(i) != 0) ids.get(sel.charAt(i)).flatten(P, i * STRIDE);
        }
    }

    /** The general path's candidate loop ({@code Decoder.Ctx.afterPrefixes}) for one legacy 64-bit context. */
    private static Form select(Form[] cands, int map, int op, int ctx) {
        boolean o66 = (ctx & 16) != 0, w = (ctx & 8) != 0, modReg = (ctx & 4) != 0, rex2 = (ctx & 2) != 0,
                anyB = (ctx & 1) != 0;
        int pp = o66 ? Form.PP_66 : Form.PP_NP;
        Form f = null;
        if (cands.length > 0 && cands[0].simple) {
            f = cands[0];
        } else for (Form c : cands) {
            if (c.pp >= 0 && c.pp != pp) continue;
            if (c.w >= 0 && c.w != (w ? 1 : 0)) continue;
            if (c.rm >= 0) return null; // depends on ModRM.rm: left to the general path
            if (c.mod == Form.MOD_MEM ? modReg : c.mod == Form.MOD_REG && !modReg) continue;
            if (c.i64) continue;
            if (c.rex2Only && !rex2) continue;
            if (c.nop90 && anyB) continue;
            if (c.osz != 0) {
                boolean o = o66 && c.pp != Form.PP_66;
                int osz = w || c.f64 ? 8 : c.d64 ? (o ? 2 : 8) : (o ? 2 : 4);
                if (c.osz != osz) continue;
            }
            if (c.asz != 0 && c.asz != 8) continue;
            f = c;
            break;
        }
        if (f == null || !f.fast) return null;
        if (rex2 && map == 1 && !modReg && (op == 0xAE || op == 0xC7)) return null; // XSAVE family checks
        if (f.rmIndex >= 0) {
            int src = f.ops[f.rmIndex].srcId;
            if (src == Opnd.S_RM_MEM && modReg || src == Opnd.S_RM_REG && !modReg) return null;
        }
        return f;
    }

    /**
     * Bytes that must be readable from the start of an instruction: the fast paths read whole eight-byte words
     * (prefixes, ModRM/SIB/displacement, immediates) and check the length once, at the end; callers copy a shorter
     * tail into a padded buffer ({@link Decoder#decodeInto}).
     */
    static final int PAD = 24;

    /** Plan field (bits 56-63): an immediate the encoding implies without bytes (D0/D1's count 1). */
    private static final int PF_CONST_IMM = 56;
    /** Plan flag: a segment or control register, AH..BH, or a second immediate (handled off the main line). */
    private static final int PF_RARE = 2;
    /** Where the second copy of the five register-number fields starts in the numbers word. */
    private static final int NUMS_COPY = 25;
    /** Operand 0's and 1's register number fields in {@link Insn#ops01}. */
    private static final long OPS01_NUMS = 0x1FL << 16 | 0x1FL << 48;

    /**
     * Decodes the instruction at {@code off} by a fast path into {@code o}; false where the general path must
     * decide ({@code o} may then hold anything). At least {@link #PAD} bytes of {@code code} must be readable from
     * {@code off}: the fast paths check the length once, at the end, and read whole words past the instruction.
     */
    static boolean decode(DecodeBuffer o, byte[] code, int off, int limit) {
        int b = code[off] & 0xFF;
        return FIRST[b] ? legacy(o, code, off, limit) : VEX[b] && VexFastPath.decode(o, code, off, limit);
    }

    /** {@link #decode} for an instruction whose first byte is {@link #FIRST}. */
    static boolean legacy(DecodeBuffer o, byte[] code, int off, int limit) {
        int p = off;
        int b = code[p++] & 0xFF;
        // The prefix state in one word (fewer live values): REX.WRXB 0-3, REX2 R4 4, X4 5, B4 6, 66 8, REX 9, REX2 10.
        int x = 0;
        // 66 and segment overrides, in any order (the last override counts), as Insn.w0 bits: P_SEG and override + 1.
        long seg = 0;
        while (PREFIX[b] != 0) {
            if (b == 0x66) x = X_66;
            else seg = PREFIX[b];
            if (p >= limit) return false;
            b = code[p++] & 0xFF;
        }
        if ((b & 0xF0) == 0x40) {
            x |= X_REX | b & 15;
            b = code[p++] & 0xFF;
        }
        int mo = b; // map << 8 | opcode
        if (b == 0xD5) {
            if ((x & X_REX) != 0) return false;
            int pl = code[p++] & 0xFF;
            x |= X_REX2 | pl & 15 | (pl & 0x40) >> 2 | (pl & 0x20) | (pl & 0x10) << 2;
            int opcode = code[p++] & 0xFF;
            mo = (pl & 0x80) << 1 | opcode;
            int hi = opcode & 0xF0;
            if (pl < 0x80 ? hi == 0x40 || hi == 0x70 || hi == 0xE0 || hi == 0xA0 || opcode == 0x0F
                    : hi == 0x30 || hi == 0x80) {
                return false;
            }
        } else if (b == 0x0F) {
            mo = 0x100 | code[p++] & 0xFF;
            if (mo == 0x138 || mo == 0x13A) return false;
        }
        int ri = ROW[mo];
        if (ri == 0) return false;
        int modrm = 0, mod3 = 0;
        long w1 = 0; // Insn.w1, built as its parts are known (fewer values live at once)
        if ((ri & ROW_MODRM) != 0) {
            modrm = code[p++] & 0xFF;
            mod3 = modrm + 0x40 >> 6 & 4;
            w1 = modrm + 1;
        }
        int reg = modrm >> 3 & 7, rm = modrm & 7;
        long xt = XT[x];
        long[] P = FastPath.P;
        int q = ((ri >>> ROW_BASE) + Integer.compress(reg << 5 | (int) xt & 31 | mod3, ri & 0xFF)) * STRIDE;
        long pf = P[q + 6];
        if (pf == 0) return false;
        // The plan at once (the loads start together); the words that need nothing more are stored right away.
        long w0 = P[q], memT = P[q + 1], t01 = P[q + 3], sel = P[q + 5], immMask = P[q + 7];
        o.xsave = P[q + 2];
        o.ops23 = P[q + 4];
        o.vec = Insn.VEC_NONE;
        w0 |= xt & XT_W0 | (long) (mo & 0xFF) << 32 | seg;
        int B = (int) xt >> 8 & 0x18;
        // Memory operand.
        int base = -1, index = -1;
        if ((pf & 1) != 0) {
            long scale = 1;
            int dispBytes = 0;
            boolean rip = false;
            if (rm == 4) {
                int sib = code[p++] & 0xFF;
                w1 |= sib + 1 << 9;
                scale = 1 << (sib >> 6);
                index = ((sib >> 3) & 7) | (int) xt >> 13 & 0x18;
                if (index == 4) index = -1;
                int sbase = sib & 7;
                if (sbase == 5 && modrm < 0x40) dispBytes = 4;
                else base = sbase | B;
            } else if (rm == 5 && modrm < 0x40) {
                dispBytes = 4;
                rip = true;
            } else {
                base = rm | B;
            }
            // The effective segment: the override, else SS for an RSP/RBP base, else DS.
            w0 |= seg != 0 ? (seg >>> 44) - 1 << 41 : base == 4 || base == 5 ? 2L << 41 : 3L << 41;
            long disp = 0;
            if (modrm >= 0x40) dispBytes = modrm < 0x80 ? 1 : 4;
            if (dispBytes == 1) disp = code[p++];
            else if (dispBytes == 4) {
                disp = (int) (long) LE64.get(code, p);
                p += 4;
            }
            o.memDisp = disp;
            o.mem = (base + 1) | (index + 1) << 6 | scale << 12 | memT | (rip ? 1L << 42 : 0);
        } else {
            w0 |= 3L << 41;
            o.memDisp = 0;
            o.mem = Insn.MEM_NONE;
        }
        // Register operands: the plan's templates plus the numbers its selector picks out of the five-bit fields
        // (none, ModRM.reg with R/R4, ModRM.rm with B/B4, opcode low bits with B/B4, ModRM.reg alone), which are
        // stored twice so that operand 0 takes its field from the first copy and operand 1 from the second.
        long nums = NUMS_MODRM[modrm] | NUMS_X[x] | (mo & 7) * NUMS_OPLOW;
        long ops01 = t01 | Long.expand(Long.compress(nums, sel), OPS01_NUMS);
        // Immediates: the first without a branch on its size (shifted left and back to its sign, then masked to
        // its extension; or the plan's constant).
        int shift = (int) (pf >>> 32) & 0xFF;
        o.imm = ((long) LE64.get(code, p) << shift >> shift) & immMask | pf >>> PF_CONST_IMM;
        p += (int) (pf >>> 24) & 0xFF;
        w1 |= (pf >>> 24 & 0xFF) << 18;
        long imm2 = 0;
        if ((pf & PF_RARE) != 0 || (x & X_REX2) != 0) {
            int special = (int) pf >> 8 & 3;
            if (special != 0 && ((x & X_REX2) != 0 || special == Plan.SEG_REG && reg > 5)) return false;
            int byteRegs = (int) pf >> 4 & 15;
            if (byteRegs != 0 && (x & (X_REX | X_REX2)) == 0) {
                // AH..BH: an 8-bit register number 4-7 without any REX prefix.
                int op0 = (int) ops01, op1 = (int) (ops01 >>> 32);
                if ((byteRegs & 1) != 0) op0 = highByte(op0);
                if ((byteRegs & 2) != 0) op1 = highByte(op1);
                ops01 = (op0 & 0xFFFFFFFFL) | (long) op1 << 32;
            }
            int i2 = (int) (pf >>> 40) & 0xFF;
            if (i2 != 0) {
                int shift2 = (int) (pf >>> 48) & 0xFF;
                imm2 = (le(code, p, i2) << shift2) >> shift2;
                p += i2;
            }
            if ((x & X_REX2) != 0) o.xsave |= rex2Egpr(x, base, index, ops01, o.ops23, (int) pf >> 12 & 7);
        }
        if (p > limit) return false;
        o.w0 = w0 | (p - off);
        o.w1 = w1;
        o.ops01 = ops01;
        o.imm2 = imm2;
        return true;
    }

    /**
     * By the decoder's prefix word: the selector's context bits (0-4); B/B4 and X/X4 as register number bits 3-4,
     * shifted left by 8 and 13; and the prefixes and REX.W where Insn.w0 has them ({@link #XT_W0}).
     */
    private static final long[] XT = new long[2048];
    /** The fields of the numbers word (see decode) that ModRM gives, by ModRM; that the prefixes give, by prefix word. */
    private static final long[] NUMS_MODRM = new long[256], NUMS_X = new long[2048];
    /** Opcode bits 0-2 times this: the field of both copies that takes them. */
    private static final long NUMS_OPLOW = 1L << 15 | 1L << 15 + NUMS_COPY;

    static {
        for (int m = 0; m < 256; m++) {
            long v = (m >> 3 & 7) << 5 | (m & 7) << 10 | (m >> 3 & 7) << 20;
            NUMS_MODRM[m] = v | v << NUMS_COPY;
        }
        for (int x = 0; x < NUMS_X.length; x++) {
            long b = (x & 1) << 3 | (x & 64) >> 2, r = (x & 4) << 1 | (x & 16);
            long v = r << 5 | b << 10 | b << 15;
            NUMS_X[x] = v | v << NUMS_COPY;
        }
    }

    /** The bits of an XT entry that belong to Insn.w0. */
    private static final long XT_W0 = 0x1FFFL << 19 | 1L << 40;

    static {
        for (int x = 0; x < XT.length; x++) {
            int ctx = (x >> 4 & 16) | (x & 8) | (x >> 9 & 2) | ((x | x >> 6) & 1);
            int b = (x & 1) << 3 | (x & 64) >> 2, xx = (x & 2) << 2 | (x & 32) >> 1;
            int prefixes = (x >> 5 & Insn.P_OPSIZE) | (x >> 3 & (Insn.P_REX | Insn.P_REX2));
            XT[x] = ctx | (long) b << 8 | (long) xx << 13 | (long) prefixes << 19 | (long) (x >> 3 & 1) << 40;
        }
    }

    /** The APX XSAVE component bit when a REX2 instruction names an extended GPR (R4/X4/B4 or any register 16-31). */
    private static long rex2Egpr(int x, int base, int index, long ops01, long ops23, int n) {
        return (x & 0x70) != 0 || base >= 16 || index >= 16 || egpr((int) ops01, n > 0) || egpr((int) (ops01 >>> 32), n > 1)
                || egpr((int) ops23, n > 2) || egpr((int) (ops23 >>> 32), n > 3) ? 1L << 19 : 0;
    }

    private static int highByte(int packed) {
        int num = (packed >>> 16) & 0xFF;
        return num >= 4 && num < 8 ? (packed & ~0xFF00) | G8H << 8 : packed;
    }

    /** Little-endian unsigned value of {@code size} (1, 2, 4 or 8) bytes at {@code p}. */
    static long le(byte[] c, int p, int size) {
        return switch (size) {
            case 1 -> c[p] & 0xFFL;
            case 2 -> (c[p] & 0xFF) | (c[p + 1] & 0xFF) << 8;
            case 4 -> ((c[p] & 0xFF) | (c[p + 1] & 0xFF) << 8 | (c[p + 2] & 0xFF) << 16 | (c[p + 3] & 0xFF) << 24) & 0xFFFFFFFFL;
            default -> ((c[p] & 0xFF) | (c[p + 1] & 0xFF) << 8 | (c[p + 2] & 0xFF) << 16 | (c[p + 3] & 0xFF) << 24) & 0xFFFFFFFFL
                    | ((long) ((c[p + 4] & 0xFF) | (c[p + 5] & 0xFF) << 8 | (c[p + 6] & 0xFF) << 16 | (c[p + 7] & 0xFF) << 24)) << 32;
        };
    }

    /**
     * Everything about a fast-path decode that the form, the operand size and ModRM.mod == 3 determine, worked
     * out once: operand templates (kind, class, size; register number 0) with the shift that picks the register
     * number out of the packed (reg, rm, opcode-low) numbers, the memory operand size and the immediate sizes.
     */
    static final class Plan {
        int id;

        /** Stores the plan at P[q .. q + STRIDE) in the layout {@link #decode} reads. */
        void flatten(long[] p, int q) {
            if (s2 != 0 || s3 != 0) throw new IllegalStateException("third or fourth operand with a register number: " + form);
            p[q] = w0;
            p[q + 1] = mem;
            p[q + 2] = xsave;
            p[q + 3] = (t0 & 0xFFFFFFFFL) | (long) t1 << 32;
            p[q + 4] = (t2 & 0xFFFFFFFFL) | (long) t3 << 32;
            // The register numbers of operands 0 and 1: a five-bit field of each copy of the numbers word (see decode).
            p[q + 5] = 0x1FL << 5 * (s0 / 8) | 0x1FL << NUMS_COPY + 5 * (s1 / 8);
            // Bit 20 marks a plan (a slot of zeros is none).
            boolean rare = special != 0 || byteRegs != 0 || imm2Size != 0;
            p[q + 6] = (hasMem ? 1 : 0) | (rare ? PF_RARE : 0) | byteRegs << 4 | special << 8 | n << 12 | 1 << 20
                    | (long) immSize << 24 | (long) (immSize == 0 ? 0 : 64 - 8 * immSize) << 32
                    | (long) imm2Size << 40 | (long) imm2Shift << 48 | (long) constImm << PF_CONST_IMM;
            // The first immediate: bits kept after the shift pair (all when it sign-extends, else its own bytes).
            p[q + 7] = immSize == 0 ? 0 : immShift != 0 || immSize == 8 ? -1L : (1L << 8 * immSize) - 1;
        }

        final Form form;
        final int osz, n, memSize, byteRegs;
        final int t0, t1, t2, t3, s0, s1, s2, s3;
        final int immSize, immShift, imm2Size, imm2Shift;
        /** An immediate without bytes (D0/D1's count 1), else 0. */
        int constImm;
        final boolean hasMem, hasImm;
        final long xsave;
        /** The parts of Insn.w0 and Insn.mem that the plan fixes. */
        final long w0, mem;
        /** A segment register operand (ModRM.reg above 5 is invalid) or a control/debug register (no REX2 here). */
        final int special;
        static final int SEG_REG = 1, CTL_REG = 2;

        Plan(Form f, int osz, boolean modReg) {
            form = f;
            this.osz = osz;
            Opnd[] ops = f.ops;
            n = ops.length;
            hasMem = f.rmIndex >= 0 && !modReg;
            hasImm = f.hasImm;
            xsave = f.xsaveStatic >= 0 ? f.xsaveStatic : 0;
            w0 = Insn.w0(0, osz, 8, ops.length, 0, 0, 0, 0, -1, Mode.BITS64, false, f.id);
            int ms = 0;
            if (hasMem) {
                Opnd mo = ops[f.rmIndex];
                ms = mo.kind == Opnd.Kind.GPR && mo.memSize == mo.width ? gprBytes(mo.width, osz)
                        : Opnd.memBytes(mo.memSize, osz, 8, 16);
            }
            memSize = ms;
            mem = hasMem ? Insn.mem(-1, -1, 0, ms, G64, G64, false) : 0;
            int[] t = new int[4], sh = new int[4], isz = new int[2], ish = new int[2];
            int nimm = 0, bytes = 0, sp = 0;
            for (int i = 0; i < ops.length; i++) {
                Opnd op = ops[i];
                switch (op.srcId) {
                    case Opnd.S_RM, Opnd.S_RM_MEM, Opnd.S_RM_REG -> {
                        if (hasMem) t[i] = MEM | Math.min(ms, 255) << 24;
                        else { t[i] = gpr(op, 0, osz, 0x40); sh[i] = 16; }
                    }
                    case Opnd.S_REG -> {
                        switch (op.kind) {
                            case SEG -> { t[i] = REG | SEG << 8 | 2 << 24; sh[i] = 32; sp = SEG_REG; }
                            case CR, DR -> { t[i] = REG | (op.kind == Opnd.Kind.CR ? CR : DR) << 8 | 8 << 24; sh[i] = 8; sp = CTL_REG; }
                            default -> { t[i] = gpr(op, 0, osz, 0x40); sh[i] = 8; }
                        }
                    }
                    case Opnd.S_OPLOW -> { t[i] = gpr(op, 0, osz, 0x40); sh[i] = 24; }
                    case Opnd.S_FIXED -> t[i] = gpr(op, op.fixed, osz, 0x40);
                    case Opnd.S_CONST1 -> {
                        // D0/D1's implicit count: imm() is 1 though no byte holds it.
                        t[i] = IMM | 1 << 24;
                        constImm = 1;
                    }
                    case Opnd.S_IMM -> {
                        int sz = op.width == Opnd.SZ_Z ? (osz == 2 ? 2 : 4) : op.width == Opnd.SZ_OPSIZE ? osz : op.width;
                        isz[nimm] = sz;
                        ish[nimm] = op.signExt ? 64 - 8 * sz : 0;
                        nimm++;
                        t[i] = IMM | Math.min(op.signExt ? gprBytes(f.immExtWidth, osz) : sz, 8) << 24;
                    }
                    case Opnd.S_REL -> {
                        int sz = op.width == 1 ? 1 : (osz == 2 ? 2 : 4);
                        isz[nimm] = sz;
                        ish[nimm] = 64 - 8 * sz;
                        nimm++;
                        t[i] = REL | osz << 24;
                    }
                    default -> throw new IllegalStateException("not a fast-path operand: " + f);
                }
                if (sh[i] != 0 && op.kind == Opnd.Kind.GPR && (op.width > 0 ? op.width : gprBytes(op.width, osz)) == 1) {
                    bytes |= 1 << i;
                }
            }
            t0 = t[0]; t1 = t[1]; t2 = t[2]; t3 = t[3];
            s0 = sh[0]; s1 = sh[1]; s2 = sh[2]; s3 = sh[3];
            byteRegs = bytes;
            special = sp;
            immSize = isz[0]; immShift = ish[0]; imm2Size = isz[1]; imm2Shift = ish[1];
        }
    }

    private static boolean egpr(int packed, boolean present) {
        return present && (packed & 0xFF) == REG && ((packed >>> 16) & 0xFF) >= 16;
    }

    /** A GPR operand's size in bytes under a width rule (Opnd.SZ_*) and the operand size. */
    static int gprBytes(int rule, int osz) {
        return switch (rule) {
            case Opnd.SZ_OPSIZE -> osz;
            case Opnd.SZ_Y -> osz == 8 ? 8 : 4;
            case Opnd.SZ_Z -> osz == 2 ? 2 : 4;
            case Opnd.SZ_ADDR, Opnd.SZ_NATIVE -> 8;
            default -> rule;
        };
    }

    private static int gpr(Opnd op, int num, int osz, int rex) {
        int size = op.width > 0 ? op.width : gprBytes(op.width, osz);
        int cls = size == 8 ? G64 : size == 4 ? G32 : size == 2 ? G16 : G8;
        if (size == 1 && num >= 4 && num < 8 && rex == 0) cls = G8H;
        return REG | cls << 8 | num << 16 | size << 24;
    }
}
