package org.jkvm.isa;

/**
 * The decoded view of one instruction: everything an interpreter or disassembler needs, without re-parsing
 * bytes. {@link Instruction} is the immutable kind; {@link DecodeBuffer} is a reusable mutable one for
 * allocation-free decoding. Register operands are (class, number 0-31); memory is described once (an
 * instruction has at most one explicit memory operand).
 */
public abstract sealed class Insn permits Instruction, DecodeBuffer {
    /** Prefix flags, see {@link #prefixes()}. */
    public static final int P_LOCK = 1, P_REP = 2, P_REPNE = 4, P_OPSIZE = 8, P_ADDRSIZE = 0x10, P_SEG = 0x20,
            P_REX = 0x40, P_REX2 = 0x80, P_VEX = 0x100, P_EVEX = 0x200, P_NOTRACK = 0x400,
            /** F3 / F2 present but meaningless for this instruction (ignored by the CPU; LLVM prints rep/repne). */
            P_F3_IGNORED = 0x800, P_F2_IGNORED = 0x1000;

    // Packed operand: kind(8) | regclass(8) | number(8) | size(8, bytes; 0 for none)
    static final int NO_OP = 0;
    static final OperandKind[] KINDS = OperandKind.values();
    static final RegClass[] CLASSES = RegClass.values();

    Form form;
    Mode mode;
    String invalid;
    int length;
    int opSize, addrSize;
    int prefixes;
    int segOverride = -1;
    int segment = 3;
    int nops;
    int op0, op1, op2, op3, op4;
    int memBase = -1, memIndex = -1, memScale = 1, memSize, memIndexClass, memBaseClass;
    long memDisp;
    boolean ripRel;
    long imm, imm2;
    int immSize;
    int vl, aaa, rc = -1, disp8n = 1, scc = -1, dfv, rexW;
    boolean zeroing, bcst, sae, nd, nf, evexW;
    long xsave;
    int opcode, modrm = -1, sib = -1;
    /**
     * Field groups written by the last decode (the decoder resets only those): 1 memory, 2 vector, 4 APX, 8 immediates;
     * 16: the fields that the fast paths leave unwritten while they hold their fast-path values (validity, mode,
     * segment override, address size, EVEX.W, the fifth operand) may differ from those.
     */
    int dirty = 31;

    Insn() {}

    void copyFrom(Insn o) {
        form = o.form; mode = o.mode; invalid = o.invalid; length = o.length; opSize = o.opSize;
        addrSize = o.addrSize; prefixes = o.prefixes; segOverride = o.segOverride; segment = o.segment;
        nops = o.nops; op0 = o.op0; op1 = o.op1; op2 = o.op2; op3 = o.op3; op4 = o.op4;
        memBase = o.memBase; memIndex = o.memIndex; memScale = o.memScale; memSize = o.memSize;
        memIndexClass = o.memIndexClass; memBaseClass = o.memBaseClass; memDisp = o.memDisp; ripRel = o.ripRel;
        imm = o.imm; imm2 = o.imm2; immSize = o.immSize; vl = o.vl; aaa = o.aaa; rc = o.rc; disp8n = o.disp8n;
        scc = o.scc; dfv = o.dfv; rexW = o.rexW; zeroing = o.zeroing; bcst = o.bcst; sae = o.sae; nd = o.nd;
        nf = o.nf; evexW = o.evexW; xsave = o.xsave; opcode = o.opcode; modrm = o.modrm;
        sib = o.sib;
        dirty = 31;
    }

    /** Whether the bytes form a valid instruction. */
    public final boolean isValid() { return invalid == null; }

    /** Why the encoding is invalid (e.g. "REX before REX2", "exceeds 15 bytes"), or null when valid. */
    public final String invalidReason() { return invalid; }

    /** The mnemonic; {@link Mnemonic#INVALID} for an invalid encoding. */
    public final Mnemonic mnemonic() { return form == null ? Mnemonic.INVALID : form.mnemonic; }

    /** The table form (identity down to the encoding form), or null when invalid. */
    public final Form form() { return form; }

    /** The mode the instruction was decoded in. */
    public final Mode mode() { return mode; }

    /** Bytes consumed (for an invalid encoding: how far the decoder got, at least 1). */
    public final int length() { return length; }

    /** Operand size in bytes (1, 2, 4, 8; for vector forms the GPR size implied by W). */
    public final int operandSize() { return opSize; }

    /** Address size in bytes (2, 4, 8). */
    public final int addressSize() { return addrSize; }

    /** {@link #P_LOCK} etc. */
    public final int prefixes() { return prefixes; }

    public final boolean hasLock() { return (prefixes & P_LOCK) != 0; }

    /** F3 in its REP/REPE role (string instructions only). */
    public final boolean hasRep() { return (prefixes & P_REP) != 0; }

    /** F2 in its REPNE role (CMPS/SCAS only). */
    public final boolean hasRepne() { return (prefixes & P_REPNE) != 0; }

    /** The segment override prefix as given, or null. */
    public final Segment segmentOverride() { return segOverride < 0 ? null : Segment.of(segOverride); }

    /** The effective segment of the memory operand (override, else SS for rSP/rBP bases, else DS). */
    public final Segment segment() { return Segment.of(segment); }

    /** Number of explicit operands. */
    public final int operandCount() { return nops; }

    final int packed(int i) {
        return switch (i) {
            case 0 -> op0;
            case 1 -> op1;
            case 2 -> op2;
            case 3 -> op3;
            case 4 -> op4;
            default -> throw new IndexOutOfBoundsException(i);
        };
    }

    public final OperandKind kind(int i) { return KINDS[packed(i) & 0xFF]; }

    /** Register class of register operand i. */
    public final RegClass regClass(int i) { return CLASSES[(packed(i) >>> 8) & 0xFF]; }

    /** Register number (0-31) of register operand i; GPR8H uses 4-7 for AH, CH, DH, BH. */
    public final int reg(int i) { return (packed(i) >>> 16) & 0xFF; }

    /** Width in bytes of operand i (register width, memory access size, immediate operand size). */
    public final int size(int i) { return packed(i) >>> 24; }

    /** Memory base register number (in address-size GPR class) or -1 (none, or RIP-relative). */
    public final int memBase() { return memBase; }

    /** Memory index register number or -1; a vector register for VSIB (see {@link #memIndexClass()}). */
    public final int memIndex() { return memIndex; }

    /** The register class of the index: a GPR class, or XMM/YMM/ZMM for VSIB. */
    public final RegClass memIndexClass() { return CLASSES[memIndexClass]; }

    public final int memScale() { return memScale; }

    /** Displacement, sign-extended (already scaled for EVEX disp8*N). */
    public final long memDisp() { return memDisp; }

    public final boolean isRipRelative() { return ripRel; }

    /** Bytes accessed by the memory operand (0 when the form leaves it unsized, e.g. LEA, FXSAVE). */
    public final int memSize() { return memSize; }

    /** First immediate, extended as the architecture defines (sign-extended where it is). For REL: displacement. */
    public final long imm() { return imm; }

    /** Second immediate (ENTER's Ib, a far pointer's selector). */
    public final long imm2() { return imm2; }

    /** Branch target for a relative branch at {@code rip}, wrapped to the operand size. */
    public final long branchTarget(long rip) {
        long t = rip + length + imm;
        return opSize == 2 ? t & 0xFFFF : opSize == 4 || mode != Mode.BITS64 ? t & 0xFFFF_FFFFL : t;
    }

    /** Vector length in bytes (16, 32, 64) for VEX/EVEX forms, else 0. */
    public final int vectorLength() { return vl; }

    /** EVEX opmask register 0-7 (0 = no masking). */
    public final int maskReg() { return aaa; }

    public final boolean zeroing() { return zeroing; }

    /** EVEX embedded broadcast of the memory element. */
    public final boolean broadcast() { return bcst; }

    /** EVEX static rounding 0-3 (RN, RD, RU, RZ) with SAE implied, or -1. */
    public final int roundingControl() { return rc; }

    /** Suppress-all-exceptions without rounding override. */
    public final boolean sae() { return sae; }

    /** The EVEX compressed displacement scale N (1 when not compressed). */
    public final int disp8Scale() { return disp8n; }

    /** APX: ND (new data destination; for SETZUcc/IMULZU the ZU behaviour). */
    public final boolean nd() { return nd; }

    /** APX: NF, status flags are not written. */
    public final boolean nf() { return nf; }

    /** APX: zero-upper form (SETZUcc, IMULZU). */
    public final boolean zu() { return form != null && form.zu; }

    /** APX CCMP/CTEST source condition 0-15 (10 = true, 11 = false), or -1. */
    public final int scc() { return scc; }

    /** APX CCMP/CTEST default flag values: bit 3 OF, 2 SF, 1 ZF, 0 CF. */
    public final int dfv() { return dfv; }

    /** APX PUSH2/POP2 with the W=1 hint (PUSH2P/POP2P), PUSHP/POPP. */
    public final boolean pushPopHint() {
        Mnemonic m = mnemonic();
        return m == Mnemonic.PUSHP || m == Mnemonic.POPP || m == Mnemonic.PUSH2P || m == Mnemonic.POP2P;
    }

    /** REX2 prefix present. */
    public final boolean rex2() { return (prefixes & P_REX2) != 0; }

    /** VEX/EVEX/REX W bit. */
    public final boolean w() { return rexW != 0; }

    /** The CPUID feature the instruction needs (null: base architecture). */
    public final CpuFeature feature() { return form == null ? null : form.feature; }

    /**
     * A second feature this encoding needs on top of {@link #feature()}, or null: APX_F for REX2, EVEX map 4
     * and any use of R16-R31; AVX512VL for an EVEX vector instruction shorter than 512 bits.
     */
    public final CpuFeature extraFeature() {
        if (form == null) return null;
        if ((xsave & (1L << 19)) != 0 || rex2() || form.space == Form.EVEX && form.map == 4) {
            return form.feature == CpuFeature.APX_F ? null : CpuFeature.APX_F;
        }
        if (form.space == Form.EVEX && form.vector && vl != 0 && vl < 64 && rc < 0 && form.feature != null
                && form.feature.name().startsWith("AVX512") && form.lmask != 15) {
            return CpuFeature.AVX512VL;
        }
        return null;
    }

    /** XSAVE state components touched, as an XCR0-layout bitmask (for #UD and XFD checks). */
    public final long xsaveComponents() { return xsave; }

    /** The opcode byte (within its map). */
    public final int opcode() { return opcode; }

    /** The ModRM byte, or -1. */
    public final int modrm() { return modrm; }

    /** Condition code for Jcc/SETcc/CMOVcc/CFCMOVcc/CMPccXADD forms, else -1. */
    public final int conditionCode() { return form == null ? -1 : form.cc; }

    @Override
    public String toString() { return isValid() ? Disassembler.intel(this) : "(bad: " + invalid + ")"; }
}
