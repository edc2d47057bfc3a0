package org.jkvm.isa;

import java.io.ByteArrayOutputStream;

/**
 * Encodes one instruction of a given table {@link Form} with explicit operands, the inverse of
 * {@link Decoder} (round trip: decode(encode(form, ops)) yields the form and operands back). Throws
 * IllegalArgumentException for operands the form cannot take.
 */
public final class Encoder {
    private Encoder() {}

    /**
     * Encoding options beyond the operands. {@code opsize} forces the operand size (2, 4 or 8 bytes; 0 = from the
     * operands and the mode) for forms whose operands cannot say it, e.g. PUSH imm16 (66 68 iw) or a 32-bit far JMP
     * from 16-bit code (66 EA ptr16:32).
     */
    public record Options(boolean lock, boolean rep, boolean repne, int mask, boolean zeroing, int rounding,
                          boolean sae, boolean nf, int scc, int dfv, int opsize) {
        public static final Options NONE = new Options(false, false, false, 0, false, -1, false, false, -1, 0, 0);

        /** Options with the operand size taken from the operands and the mode. */
        public Options(boolean lock, boolean rep, boolean repne, int mask, boolean zeroing, int rounding,
                       boolean sae, boolean nf, int scc, int dfv) {
            this(lock, rep, repne, mask, zeroing, rounding, sae, nf, scc, dfv, 0);
        }

        public Options withLock() { return new Options(true, rep, repne, mask, zeroing, rounding, sae, nf, scc, dfv, opsize); }

        public Options withRep() { return new Options(lock, true, repne, mask, zeroing, rounding, sae, nf, scc, dfv, opsize); }

        public Options withRepne() { return new Options(lock, rep, true, mask, zeroing, rounding, sae, nf, scc, dfv, opsize); }

        public Options withMask(int k, boolean z) { return new Options(lock, rep, repne, k, z, rounding, sae, nf, scc, dfv, opsize); }

        public Options withRounding(int rc) { return new Options(lock, rep, repne, mask, zeroing, rc, sae, nf, scc, dfv, opsize); }

        public Options withSae() { return new Options(lock, rep, repne, mask, zeroing, rounding, true, nf, scc, dfv, opsize); }

        public Options withNf() { return new Options(lock, rep, repne, mask, zeroing, rounding, sae, true, scc, dfv, opsize); }

        public Options withCondition(int scc, int dfv) { return new Options(lock, rep, repne, mask, zeroing, rounding, sae, nf, scc, dfv, opsize); }

        public Options withOperandSize(int bytes) {
            if (bytes != 2 && bytes != 4 && bytes != 8) throw new IllegalArgumentException("operand size " + bytes);
            return new Options(lock, rep, repne, mask, zeroing, rounding, sae, nf, scc, dfv, bytes);
        }
    }

    public static byte[] encode(Mode mode, Form f, Operand... ops) { return encode(mode, f, Options.NONE, ops); }

    public static byte[] encode(Mode mode, Form f, Options opt, Operand... ops) {
        if (ops.length != f.ops.length) {
            throw new IllegalArgumentException(f.name + " takes " + f.ops.length + " operands, got " + ops.length);
        }
        boolean m64 = mode == Mode.BITS64;
        if (f.i64 && m64 || f.o64 && !m64) throw new IllegalArgumentException(f.name + " not encodable in " + mode);
        int opSize = opt.opsize() != 0 ? opt.opsize() : opSize(mode, f, ops);
        if (m64 && f.space == Form.LEGACY && f.f64 && opSize == 2) {
            throw new IllegalArgumentException(f.name + ": no 16-bit operand size in 64-bit mode");
        }
        if (opt.opsize() != 0 && (f.osz != 0 && f.osz != opSize || opSize == 8 && !m64
                || m64 && f.space == Form.LEGACY && (f.d64 || f.f64) && opSize == 4)) {
            throw new IllegalArgumentException(f.name + ": no " + 8 * opSize + "-bit operand size in " + mode);
        }
        if (m64 && f.space == Form.LEGACY && (f.d64 || f.f64) && f.osz == 4) {
            throw new IllegalArgumentException("shadowed: " + f.name + " has no 32-bit form in 64-bit mode");
        }
        Operand.Mem mem = null, strSi = null, strDi = null;
        int vl = 16;
        for (int i = 0; i < ops.length; i++) {
            Opnd od = f.ops[i];
            Operand o = ops[i];
            check(f, od, o, opSize, mode);
            if (o instanceof Operand.Mem m) {
                if (od.src == Opnd.Src.STR_SI) strSi = m;
                else if (od.src == Opnd.Src.STR_DI) strDi = m;
                else mem = m;
                if (od.vsib != 0 && m.indexClass() != null && m.indexClass().isVector()) {
                    // The index register's width fixes the vector length where the form ties them together.
                    int w = m.indexClass().size();
                    if (od.vsib == Opnd.SZ_VL) vl = w;
                    else if (od.vsib == Opnd.SZ_VLH && w >= 32) vl = Math.max(vl, w * 2);
                }
            }
            if (o instanceof Operand.Reg r && od.kind == Opnd.Kind.VEC && (od.width == Opnd.SZ_VL)) vl = r.cls().size();
            if (o instanceof Operand.Reg r && r.cls().isVector() && r.num() >= 16 && f.space != Form.EVEX) {
                throw new IllegalArgumentException(r + " needs an EVEX encoding");
            }
            if (o instanceof Operand.Reg r && od.kind == Opnd.Kind.VEC && od.width == Opnd.SZ_VLH && r.cls().size() >= 32) {
                vl = Math.max(vl, r.cls().size() * 2);
            }
        }
        if (f.space != Form.LEGACY && (f.lmask & (f.space == Form.VEX ? 3 : 7)) != 0) {
            int lbit = vl == 16 ? 1 : vl == 32 ? 2 : 4;
            if ((f.lmask & lbit) == 0) {
                // Fixed-length forms: use the lowest allowed length.
                lbit = Integer.lowestOneBit(f.lmask);
                vl = lbit == 1 ? 16 : lbit == 2 ? 32 : 64;
            }
        }
        int addrSize = mode.addressSize();
        if (mem != null && mem.addrSize() != 0) addrSize = mem.addrSize();
        if (mem != null && mem.rip()) addrSize = m64 ? (mem.addrSize() == 4 ? 4 : 8) : addrSize;
        if (strSi != null || strDi != null) addrSize = stringAddrSize(f, mode, strSi, strDi);
        // The source of a string instruction takes the segment override; its ES:[rDI] destination never does.
        int segment = mem != null ? mem.segment() : strSi != null ? strSi.segment() : -1;
        if (f.vsib) vsib(f, mode, ops, mem, vl, addrSize);
        else if (mem != null && mem.indexClass() != null && mem.indexClass().isVector()) {
            throw new IllegalArgumentException(f.name + " " + f.opText + ": a vector index register needs a VSIB form");
        }
        // Register fields.
        int reg = f.reg >= 0 ? f.reg : 0, rm = f.rm >= 0 ? f.rm : 0, vvvv = 0, opLow = 0;
        boolean hasReg = false;
        int rmReg = -1;
        boolean rmVec = false;
        int is4 = -1;
        for (int i = 0; i < ops.length; i++) {
            Opnd od = f.ops[i];
            Operand o = ops[i];
            if (!(o instanceof Operand.Reg r)) continue;
            switch (od.src) {
                case REG -> { reg = r.num(); hasReg = true; }
                case RM, RM_REG -> { rmReg = r.num(); rmVec = od.kind == Opnd.Kind.VEC; }
                case VVVV -> vvvv = r.num();
                case OPLOW -> opLow = r.num();
                case IS4 -> is4 = r.num();
                default -> { }
            }
        }
        if (f.scc) vvvv = ~opt.dfv() & 0xF;
        boolean needRex2 = f.rex2Only;
        boolean byteRexReg = false;
        int maxNum = Math.max(Math.max(reg, rmReg), opLow);
        if (mem != null) maxNum = Math.max(maxNum, Math.max(mem.base(), mem.indexClass() != null && mem.indexClass().isGpr() ? mem.index() : -1));
        if (f.space == Form.LEGACY && maxNum >= 16) needRex2 = true;
        for (int i = 0; i < ops.length; i++) {
            if (ops[i] instanceof Operand.Reg r && r.cls() == RegClass.GPR8 && r.num() >= 4 && r.num() < 8) byteRexReg = true;
        }
        int W = f.w >= 0 ? f.w : 0;
        if (f.w < 0) {
            boolean gprV = false;
            for (Opnd od : f.ops) {
                gprV |= (od.kind == Opnd.Kind.GPR || od.src == Opnd.Src.IMM || od.src == Opnd.Src.RM_MEM)
                        && (od.width == Opnd.SZ_OPSIZE || od.width == Opnd.SZ_Y || od.width == Opnd.SZ_Z
                        || od.memSize == Opnd.SZ_OPSIZE);
            }
            if (opSize == 8 && gprV && !(f.space == Form.LEGACY && (f.d64 || f.f64))) W = 1;
            if (f.osz == 8 && !f.d64 && !f.f64) W = 1;
        }
        Out out = new Out();
        // Legacy prefixes.
        if (opt.lock()) out.b(0xF0);
        if (segment >= 0) out.b(new int[] {0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65}[segment]);
        boolean map4 = f.space == Form.EVEX && f.map == 4;
        int pp = f.pp >= 0 ? f.pp : 0;
        if (f.space == Form.LEGACY || map4) {
            boolean o16 = opSize == 2 && needsOpsizePrefix(f);
            if (f.space == Form.LEGACY) {
                int def = mode == Mode.BITS16 ? 2 : 4;
                boolean want66 = f.pp == Form.PP_66 || (o16 && def != 2) || (opSize == 4 && def == 2 && needsOpsizePrefix(f)
                        && (!f.d64 || opt.opsize() == 4));
                if (want66) out.b(0x66);
            } else if (o16 && f.pp <= 0) {
                pp = Form.PP_66;
            }
        }
        if (addrSize != mode.addressSize() && !(mem != null && mem.rip() && addrSize == 8)) out.b(0x67);
        else if (f.asz != 0 && f.asz != mode.addressSize()) out.b(0x67);
        if (f.space == Form.LEGACY) {
            if (opt.rep() || f.pp == Form.PP_F3) out.b(0xF3);
            if (opt.repne() || f.pp == Form.PP_F2) out.b(0xF2);
        }
        // Register extension bits.
        int R = reg >> 3 & 1, R4 = reg >> 4 & 1;
        int X = 0, X4 = 0, B = 0, B4 = 0, V4 = vvvv >> 4 & 1;
        if (rmReg >= 0) {
            B = rmReg >> 3 & 1;
            if (rmVec && f.space == Form.EVEX) X = rmReg >> 4 & 1;
            else B4 = rmReg >> 4 & 1;
        }
        if (f.plusR) { B = opLow >> 3 & 1; B4 = opLow >> 4 & 1; }
        if (mem != null) {
            if (mem.base() >= 0) { B = mem.base() >> 3 & 1; B4 = mem.base() >> 4 & 1; }
            if (mem.index() >= 0) {
                X = mem.index() >> 3 & 1;
                if (mem.indexClass() != null && mem.indexClass().isVector()) V4 = mem.index() >> 4 & 1;
                else X4 = mem.index() >> 4 & 1;
            }
        }
        int opcode = f.opcode + (f.plusR ? opLow & 7 : 0);
        switch (f.space) {
            case Form.LEGACY -> {
                if (needRex2) {
                    if (f.map > 1) throw new IllegalArgumentException(f.name + ": R16-R31 need REX2, which has no map " + f.map);
                    if (!m64) throw new IllegalArgumentException("REX2 needs 64-bit mode");
                    out.b(0xD5);
                    out.b(f.map << 7 | R4 << 6 | X4 << 5 | B4 << 4 | W << 3 | R << 2 | X << 1 | B);
                } else {
                    if (W == 1 || R != 0 || X != 0 || B != 0 || byteRexReg) {
                        if (!m64) throw new IllegalArgumentException("REX needs 64-bit mode");
                        out.b(0x40 | W << 3 | R << 2 | X << 1 | B);
                    }
                    if (f.map == 1) out.b(0x0F);
                    else if (f.map == 2) { out.b(0x0F); out.b(0x38); }
                    else if (f.map == 3) { out.b(0x0F); out.b(0x3A); }
                }
                out.b(opcode);
            }
            case Form.VEX -> {
                int L = vl == 32 ? 1 : 0;
                if (f.map == 1 && W == 0 && X == 0 && B == 0 && f.w != 1) {
                    out.b(0xC5);
                    out.b((R ^ 1) << 7 | (~vvvv & 15) << 3 | L << 2 | pp);
                } else {
                    out.b(0xC4);
                    out.b((R ^ 1) << 7 | (X ^ 1) << 6 | (B ^ 1) << 5 | f.map);
                    out.b(W << 7 | (~vvvv & 15) << 3 | L << 2 | pp);
                }
                out.b(opcode);
            }
            default -> {
                int LL = vl == 64 ? 2 : vl == 32 ? 1 : 0;
                int bbit = 0, aaa = opt.mask() & 7, z = opt.zeroing() ? 1 : 0;
                if (map4 || !f.vector) {
                    bbit = f.nd == 1 ? 1 : 0;
                    aaa = opt.nf() || f.nf == 1 ? 4 : 0;
                    z = 0;
                    LL = 0;
                    if (f.scc) {
                        int s = opt.scc() < 0 ? 10 : opt.scc();
                        aaa = s & 7;
                        V4 = (s >> 3 & 1) ^ 1;
                    }
                } else {
                    if (opt.rounding() >= 0) { bbit = 1; LL = opt.rounding(); }
                    else if (opt.sae()) bbit = 1;
                    if (mem != null && mem.broadcast()) bbit = 1;
                }
                out.b(0x62);
                out.b((R ^ 1) << 7 | (X ^ 1) << 6 | (B ^ 1) << 5 | (R4 ^ 1) << 4 | B4 << 3 | f.map);
                out.b(W << 7 | (~vvvv & 15) << 3 | (X4 ^ 1) << 2 | pp);
                out.b(z << 7 | LL << 5 | bbit << 4 | (V4 ^ 1) << 3 | aaa);
                out.b(opcode);
            }
        }
        // ModRM / SIB / displacement.
        if (f.modrm) {
            if (mem != null) {
                int n = 1;
                if (f.space == Form.EVEX && !map4 && f.vector) {
                    int idx = memIndex(f);
                    n = mem.broadcast() ? (f.bcst > 0 ? f.bcst : W == 1 ? 8 : 4)
                            : f.n8 > 0 ? f.n8 : Math.max(1, Opnd.memBytes(f.ops[idx].memSize, opSize, addrSize, vl));
                }
                memory(out, reg & 7, mem, addrSize, mode, n);
            } else {
                out.b(3 << 6 | (reg & 7) << 3 | ((rmReg >= 0 ? rmReg : rm) & 7));
            }
        }
        // Immediates in operand order.
        for (int i = 0; i < ops.length; i++) {
            Opnd od = f.ops[i];
            switch (od.src) {
                case IMM -> {
                    long v = ((Operand.Imm) ops[i]).value();
                    int sz = od.width == Opnd.SZ_Z ? (opSize == 2 ? 2 : 4) : od.width == Opnd.SZ_OPSIZE ? opSize : od.width;
                    out.le(v, sz);
                }
                case REL -> {
                    long v = ((Operand.Rel) ops[i]).disp();
                    out.le(v, od.width == 1 ? 1 : opSize == 2 ? 2 : 4);
                }
                case MOFFS -> out.le(((Operand.Mem) ops[i]).disp(), addrSize);
                case IS4 -> out.b(is4 << 4);
                case FAR -> {
                    // ptr16:16 / ptr16:32, given as one immediate: selector << 32 | offset
                    long v = ((Operand.Imm) ops[i]).value();
                    int sz = opSize == 2 ? 2 : 4;
                    long off = v & 0xFFFF_FFFFL, sel = v >>> 32;
                    if (sel > 0xFFFF || (sz == 2 && off > 0xFFFF)) {
                        throw new IllegalArgumentException("far pointer " + Long.toHexString(v) + " does not fit ptr16:" + 8 * sz);
                    }
                    out.le(off, sz);
                    out.le(sel, 2);
                }
                default -> { }
            }
        }
        byte[] b = out.bytes();
        if (b.length > 15) throw new IllegalArgumentException("encoding exceeds 15 bytes");
        Instruction back = Decoder.decode(mode, b);
        if (!back.isValid()) throw new IllegalArgumentException("not encodable: " + back.invalidReason());
        if (back.form() != f && back.isValid() && back.mnemonic() != f.mnemonic) {
            // Another form owns these bytes (e.g. MOV moffs is MOVABS in 64-bit mode).
            throw new IllegalArgumentException("shadowed: " + f + " encodes as " + Disassembler.intel(back));
        }
        return b;
    }

    /**
     * A string operand is implied by the opcode: [rSI] (any segment) or ES:[rDI], no index, no displacement, of
     * the form's width; both operands of MOVS/CMPS share the one address size (67 picks rSI/eSI/SI).
     */
    private static int stringAddrSize(Form f, Mode mode, Operand.Mem si, Operand.Mem di) {
        int asz = -1;
        for (int i = 0; i < f.ops.length; i++) {
            Opnd od = f.ops[i];
            Operand.Mem m = od.src == Opnd.Src.STR_SI ? si : od.src == Opnd.Src.STR_DI ? di : null;
            if (m == null) continue;
            boolean isSi = od.src == Opnd.Src.STR_SI;
            if (m.rip() || m.index() >= 0 || m.disp() != 0 || m.broadcast() || m.base() != (isSi ? 6 : 7)) {
                throw new IllegalArgumentException(f.name + ": operand " + od.code + " must be [" + (isSi ? "rSI" : "rDI") + "]");
            }
            if (!isSi && m.segment() > 0) {
                throw new IllegalArgumentException(f.name + ": the destination of a string instruction is ES:[rDI]");
            }
            if (m.size() > 0 && m.size() != od.width) {
                throw new IllegalArgumentException(f.name + ": operand " + od.code + " is " + od.width + " bytes, not " + m.size());
            }
            int a = m.addrSize() != 0 ? m.addrSize() : mode.addressSize();
            boolean ok = mode == Mode.BITS64 ? a == 8 || a == 4 : a == 4 || a == 2;
            if (!ok) throw new IllegalArgumentException(f.name + ": no " + 8 * a + "-bit addressing in " + mode);
            if (asz >= 0 && a != asz) throw new IllegalArgumentException(f.name + ": [rSI] and [rDI] of different address sizes");
            asz = a;
        }
        return asz;
    }

    /**
     * A VSIB operand: a SIB byte whose index is a vector register of the width the form and the vector length
     * give. Gathers (destination first) #UD when the destination is the index register, and VEX gathers also
     * when the mask register (VEX.vvvv) is either of them.
     */
    private static void vsib(Form f, Mode mode, Operand[] ops, Operand.Mem mem, int vl, int addrSize) {
        int mi = memIndex(f);
        RegClass want = RegClass.vec(Opnd.vecBytes(f.ops[mi].vsib, vl));
        if (mem == null || mem.index() < 0 || mem.indexClass() != want) {
            throw new IllegalArgumentException(f.name + " " + f.opText + ": needs a memory operand indexed by a " + want + " register");
        }
        if (mem.rip() || addrSize == 2) {
            throw new IllegalArgumentException(f.name + ": VSIB needs a SIB byte (no RIP-relative or 16-bit addressing)");
        }
        if (mode != Mode.BITS64 && mem.index() >= 8 || f.space != Form.EVEX && mem.index() >= 16) {
            throw new IllegalArgumentException(f.name + ": " + Disassembler.regName(want, mem.index()) + " not encodable in " + mode
                    + (f.space == Form.EVEX ? "" : " with " + (f.space == Form.VEX ? "VEX" : "a legacy encoding")));
        }
        int dest = -1, mask = -1;
        for (int i = 0; i < ops.length; i++) {
            if (!(ops[i] instanceof Operand.Reg r)) continue;
            Opnd od = f.ops[i];
            // The vector registers all follow the one vector length (mixed widths would decode as other registers).
            if (od.kind == Opnd.Kind.VEC && r.cls() != RegClass.vec(Opnd.vecBytes(od.width, vl))) {
                throw new IllegalArgumentException(f.name + " " + f.opText + ": operand " + od.code + " cannot be " + r
                        + " with a " + want + " index");
            }
            if (i == 0 && od.src == Opnd.Src.REG) dest = r.num();
            if (od.src == Opnd.Src.VVVV) mask = r.num();
        }
        int index = mem.index();
        if (dest >= 0 && dest == index || mask >= 0 && (mask == index || mask == dest)) {
            throw new IllegalArgumentException(f.name + ": the destination, index and mask registers must differ");
        }
    }

    private static int memIndex(Form f) {
        for (int i = 0; i < f.ops.length; i++) {
            if (f.ops[i].src == Opnd.Src.RM || f.ops[i].src == Opnd.Src.RM_MEM) return i;
        }
        return 0;
    }

    private static boolean needsOpsizePrefix(Form f) {
        for (Opnd od : f.ops) {
            if (od.width == Opnd.SZ_OPSIZE || od.width == Opnd.SZ_Z || od.memSize == Opnd.SZ_OPSIZE
                    || od.memSize == Opnd.SZ_FARPTR) return true;
        }
        return f.osz != 0;
    }

    static int opSize(Mode mode, Form f, Operand[] ops) {
        if (f.osz != 0) return f.osz;
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < ops.length; i++) {
                Opnd od = f.ops[i];
                Operand o = ops[i];
                int rule = pass == 0 ? Opnd.SZ_OPSIZE : Opnd.SZ_Y;
                if (o instanceof Operand.Reg r && od.kind == Opnd.Kind.GPR && r.cls().isGpr() && od.width == rule) {
                    return r.cls() == RegClass.GPR8H ? 1 : r.cls().size();
                }
                if (o instanceof Operand.Mem m && m.size() > 0 && od.memSize == rule) return m.size();
            }
        }
        for (int i = 0; i < ops.length; i++) {
            Opnd od = f.ops[i];
            if (ops[i] instanceof Operand.Reg r && od.kind == Opnd.Kind.GPR && od.width == Opnd.SZ_Z) return r.cls().size();
        }
        if (f.space != Form.LEGACY && !(f.space == Form.EVEX && f.map == 4)) return 4;
        if (mode == Mode.BITS64 && (f.d64 || f.f64)) return 8;
        return mode.operandSize();
    }

    private static void check(Form f, Opnd od, Operand o, int opSize, Mode mode) {
        boolean ok = switch (od.src) {
            case IMM, CONST1 -> o instanceof Operand.Imm;
            case REL -> o instanceof Operand.Rel;
            case RM_MEM, STR_SI, STR_DI -> o instanceof Operand.Mem;
            // moffs holds an address only: a base, an index or RIP needs the ModRM form
            case MOFFS -> o instanceof Operand.Mem m && m.base() < 0 && m.index() < 0 && !m.rip();
            case RM -> o instanceof Operand.Mem || o instanceof Operand.Reg;
            case FAR -> o instanceof Operand.Imm;
            default -> o instanceof Operand.Reg;
        };
        if (!ok) throw new IllegalArgumentException(f.name + " " + f.opText + ": operand " + od.code + " cannot be " + o);
        if (o instanceof Operand.Reg r) {
            if (od.src == Opnd.Src.FIXED && r.num() != od.fixed) throw new IllegalArgumentException(od.code + " must be register " + od.fixed);
            RegClass want = expectedClass(od, opSize, mode);
            if (want != null && want != r.cls() && !(want == RegClass.GPR8 && r.cls() == RegClass.GPR8H)
                    && !(want.isVector() && r.cls().isVector())) {
                throw new IllegalArgumentException(f.name + " " + f.opText + ": operand " + od.code + " cannot be " + r);
            }
        }
        if (o instanceof Operand.Imm im && od.src == Opnd.Src.CONST1 && im.value() != 1) {
            throw new IllegalArgumentException("shift count operand must be 1");
        }
    }

    private static RegClass expectedClass(Opnd od, int opSize, Mode mode) {
        return switch (od.kind) {
            case GPR -> {
                int w = switch (od.width) {
                    case Opnd.SZ_OPSIZE -> opSize;
                    case Opnd.SZ_Y -> opSize == 8 ? 8 : 4;
                    case Opnd.SZ_Z -> opSize == 2 ? 2 : 4;
                    case Opnd.SZ_ADDR -> -1;
                    case Opnd.SZ_NATIVE -> mode == Mode.BITS64 ? 8 : 4;
                    default -> od.width;
                };
                yield w < 0 ? null : RegClass.gpr(w);
            }
            case SEG -> RegClass.SEG;
            case CR -> RegClass.CR;
            case DR -> RegClass.DR;
            case K -> RegClass.K;
            case TMM -> RegClass.TMM;
            case MMX -> RegClass.MMX;
            case ST -> RegClass.ST;
            case BND -> RegClass.BND;
            default -> null;
        };
    }

    private static void memory(Out out, int reg, Operand.Mem m, int addrSize, Mode mode, int n) {
        long disp = m.disp();
        if (addrSize == 2) {
            int rm;
            int b = m.base(), x = m.index();
            if (b < 0 && x < 0) { out.b(reg << 3 | 6); out.le(disp, 2); return; }
            if (b == 6 || b == 7) { int t = b; b = x; x = t; }
            if (b == 3 && x == 6) rm = 0;
            else if (b == 3 && x == 7) rm = 1;
            else if (b == 5 && x == 6) rm = 2;
            else if (b == 5 && x == 7) rm = 3;
            else if (b < 0 && x == 6) rm = 4;
            else if (b < 0 && x == 7) rm = 5;
            else if (b == 5 && x < 0) rm = 6;
            else if (b == 3 && x < 0) rm = 7;
            else throw new IllegalArgumentException("not a 16-bit address");
            if (disp == 0 && rm != 6) out.b(reg << 3 | rm);
            else if (disp >= -128 && disp <= 127) { out.b(1 << 6 | reg << 3 | rm); out.b((int) disp); }
            else { out.b(2 << 6 | reg << 3 | rm); out.le(disp, 2); }
            return;
        }
        if (m.rip()) {
            out.b(reg << 3 | 5);
            out.le(disp, 4);
            return;
        }
        int base = m.base(), index = m.index();
        int scaleBits = switch (m.scale()) {
            case 1 -> 0;
            case 2 -> 1;
            case 4 -> 2;
            case 8 -> 3;
            default -> throw new IllegalArgumentException("scale " + m.scale());
        };
        if (index >= 0 && (index & 31) == 4 && (m.indexClass() == null || m.indexClass().isGpr())) {
            throw new IllegalArgumentException("rsp cannot be an index");
        }
        if (base < 0) {
            if (index < 0 && mode != Mode.BITS64) { out.b(reg << 3 | 5); out.le(disp, 4); return; }
            out.b(reg << 3 | 4);
            out.b(scaleBits << 6 | (index < 0 ? 4 : index & 7) << 3 | 5);
            out.le(disp, 4);
            return;
        }
        int mod;
        int d8 = 0;
        if (disp == 0 && (base & 7) != 5) mod = 0;
        else if (disp % n == 0 && disp / n >= -128 && disp / n <= 127) { mod = 1; d8 = (int) (disp / n); }
        else mod = 2;
        boolean sib = index >= 0 || (base & 7) == 4;
        if (sib) {
            out.b(mod << 6 | reg << 3 | 4);
            out.b(scaleBits << 6 | (index < 0 ? 4 : index & 7) << 3 | base & 7);
        } else {
            out.b(mod << 6 | reg << 3 | base & 7);
        }
        if (mod == 1) out.b(d8);
        else if (mod == 2) out.le(disp, 4);
    }

    private static final class Out {
        final ByteArrayOutputStream b = new ByteArrayOutputStream(16);

        void b(int v) { b.write(v & 0xFF); }

        void le(long v, int n) { for (int i = 0; i < n; i++) b((int) (v >>> (8 * i))); }

        byte[] bytes() { return b.toByteArray(); }
    }
}
