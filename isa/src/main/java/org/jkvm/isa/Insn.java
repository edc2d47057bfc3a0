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

    /*
     * The result is packed into a few words so that a decode is a handful of stores (the decoder's fast paths
     * write them whole; the general path fills a DecodeState and packs it). Layouts:
     *   w0: length 0-7, operand size 8-11, address size 12-15, operand count 16-18, prefixes 19-31, opcode 32-39,
     *       REX/VEX/EVEX.W 40, effective segment 41-43, segment override + 1 44-47, mode 48-49, invalid 50,
     *       form id + 1 51-63
     *   w1: ModRM + 1 0-8, SIB + 1 9-17, first immediate's size 18-21, operand 4 32-63
     *   ops01, ops23: operands 0 and 1, 2 and 3 (low, high half)
     *   mem: base + 1 0-5, index + 1 6-11, scale 12-15, size 16-31, index class 32-36, base class 37-41, RIP 42
     *   vec: vector length 0-7, aaa 8-10, rounding + 1 11-13, disp8*N 14-21, SCC + 1 22-26, DFV 27-30, zeroing 31,
     *        broadcast 32, SAE 33, ND 34, NF 35
     */
    long w0, w1, ops01, ops23, mem, memDisp, imm, imm2, vec, xsave;
    /** The reason when w0 says invalid (never read otherwise). */
    String invalid;

    static final int W0_MODE = 48, W0_INVALID = 50, W0_FORM = 51;
    static final long W0_INVALID_BIT = 1L << W0_INVALID;
    /** {@link #mem} of an instruction without a memory operand. */
    static final long MEM_NONE = 1L << 12;
    /** {@link #vec} of a legacy instruction. */
    static final long VEC_NONE = 1L << 14;

    static final Mode[] MODES = Mode.values();
    static final Form[] FORMS = OpcodeTable.FORMS;

    static {
        // w0 holds a form id + 1 in 13 bits and the mode in 2.
        if (FORMS.length >= 1 << 13 || MODES.length > 4) throw new IllegalStateException("Insn.w0 layout too small");
    }

    Insn() {
        w0 = W0_INVALID_BIT | 1;
        w1 = 0;
        mem = MEM_NONE;
        vec = VEC_NONE;
        invalid = "nothing decoded";
    }

    void copyFrom(Insn o) {
        w0 = o.w0; w1 = o.w1; ops01 = o.ops01; ops23 = o.ops23; mem = o.mem; memDisp = o.memDisp; imm = o.imm;
        imm2 = o.imm2; vec = o.vec; xsave = o.xsave; invalid = o.invalid;
    }

    /** Packs w0. */
    static long w0(int length, int opSize, int addrSize, int nops, int prefixes, int opcode, int rexW, int segment,
                   int segOverride, Mode mode, boolean invalid, int formId) {
        return length | opSize << 8 | addrSize << 12 | nops << 16 | (long) prefixes << 19 | (long) opcode << 32
                | (long) rexW << 40 | (long) segment << 41 | (long) (segOverride + 1) << 44 | (long) mode.ordinal() << W0_MODE
                | (invalid ? W0_INVALID_BIT : 0) | (long) (formId + 1) << W0_FORM;
    }

    static long w1(int modrm, int sib, int immSize, int op4) {
        return (modrm + 1) | (sib + 1) << 9 | immSize << 18 | (long) op4 << 32;
    }

    static long mem(int base, int index, int scale, int size, int indexClass, int baseClass, boolean rip) {
        return (base + 1) | (index + 1) << 6 | scale << 12 | (long) size << 16 | (long) indexClass << 32
                | (long) baseClass << 37 | (rip ? 1L << 42 : 0);
    }

    static long vec(int vl, int aaa, int rc, int disp8n, int scc, int dfv, boolean zeroing, boolean bcst, boolean sae,
                    boolean nd, boolean nf) {
        return vl | aaa << 8 | (rc + 1) << 11 | disp8n << 14 | (scc + 1) << 22 | (long) dfv << 27
                | (zeroing ? 1L << 31 : 0) | (bcst ? 1L << 32 : 0) | (sae ? 1L << 33 : 0) | (nd ? 1L << 34 : 0)
                | (nf ? 1L << 35 : 0);
    }

    // Package-private views of the packed fields (disassembler, tests).
    final int opSize() { return (int) w0 >>> 8 & 15; }
    final int addrSize() { return (int) w0 >>> 12 & 15; }
    final int nops() { return (int) w0 >>> 16 & 7; }
    final int segOverride() { return ((int) (w0 >>> 44) & 15) - 1; }
    final int segmentId() { return (int) (w0 >>> 41) & 7; }
    final int rexW() { return (int) (w0 >>> 40) & 1; }
    final int sib() { return ((int) w1 >>> 9 & 0x1FF) - 1; }
    final int immSize() { return (int) w1 >>> 18 & 15; }
    final int memBaseClassId() { return (int) (mem >>> 37) & 31; }
    final int memIndexClassId() { return (int) (mem >>> 32) & 31; }
    final int vl() { return (int) vec & 0xFF; }
    final int aaa() { return (int) vec >>> 8 & 7; }
    final int rc() { return ((int) vec >>> 11 & 7) - 1; }
    final boolean bcst() { return (vec & 1L << 32) != 0; }

    /** Whether the bytes form a valid instruction. */
    public final boolean isValid() { return (w0 & W0_INVALID_BIT) == 0; }

    /** Why the encoding is invalid (e.g. "REX before REX2", "exceeds 15 bytes"), or null when valid. */
    public final String invalidReason() { return isValid() ? null : invalid; }

    /** The mnemonic; {@link Mnemonic#INVALID} for an invalid encoding. */
    public final Mnemonic mnemonic() { Form f = form(); return f == null ? Mnemonic.INVALID : f.mnemonic; }

    /** The table form (identity down to the encoding form), or null when invalid. */
    public final Form form() { int id = (int) (w0 >>> W0_FORM); return id == 0 ? null : FORMS[id - 1]; }

    /** The mode the instruction was decoded in. */
    public final Mode mode() { return MODES[(int) (w0 >>> W0_MODE) & 3]; }

    /** Bytes consumed (for an invalid encoding: how far the decoder got, at least 1). */
    public final int length() { return (int) w0 & 0xFF; }

    /** Operand size in bytes (1, 2, 4, 8; for vector forms the GPR size implied by W). */
    public final int operandSize() { return opSize(); }

    /** Address size in bytes (2, 4, 8). */
    public final int addressSize() { return addrSize(); }

    /** {@link #P_LOCK} etc. */
    public final int prefixes() { return (int) w0 >>> 19; }

    public final boolean hasLock() { return (prefixes() & P_LOCK) != 0; }

    /** F3 in its REP/REPE role (string instructions only). */
    public final boolean hasRep() { return (prefixes() & P_REP) != 0; }

    /** F2 in its REPNE role (CMPS/SCAS only). */
    public final boolean hasRepne() { return (prefixes() & P_REPNE) != 0; }

    /** The segment override prefix as given, or null. */
    public final Segment segmentOverride() { int s = segOverride(); return s < 0 ? null : Segment.of(s); }

    /** The effective segment of the memory operand (override, else SS for rSP/rBP bases, else DS). */
    public final Segment segment() { return Segment.of(segmentId()); }

    /** Number of explicit operands. */
    public final int operandCount() { return nops(); }

    final int packed(int i) {
        return switch (i) {
            case 0 -> (int) ops01;
            case 1 -> (int) (ops01 >>> 32);
            case 2 -> (int) ops23;
            case 3 -> (int) (ops23 >>> 32);
            case 4 -> (int) (w1 >>> 32);
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
    public final int memBase() { return ((int) mem & 63) - 1; }

    /** Memory index register number or -1; a vector register for VSIB (see {@link #memIndexClass()}). */
    public final int memIndex() { return ((int) mem >>> 6 & 63) - 1; }

    /** The register class of the index: a GPR class, or XMM/YMM/ZMM for VSIB. */
    public final RegClass memIndexClass() { return CLASSES[memIndexClassId()]; }

    public final int memScale() { return (int) mem >>> 12 & 15; }

    /** Displacement, sign-extended (already scaled for EVEX disp8*N). */
    public final long memDisp() { return memDisp; }

    public final boolean isRipRelative() { return (mem & 1L << 42) != 0; }

    /** Bytes accessed by the memory operand (0 when the form leaves it unsized, e.g. LEA, FXSAVE). */
    public final int memSize() { return (int) mem >>> 16; }

    /** First immediate, extended as the architecture defines (sign-extended where it is). For REL: displacement. */
    public final long imm() { return imm; }

    /** Second immediate (ENTER's Ib, a far pointer's selector). */
    public final long imm2() { return imm2; }

    /** Branch target for a relative branch at {@code rip}, wrapped to the operand size. */
    public final long branchTarget(long rip) {
        long t = rip + length() + imm;
        int opSize = opSize();
        return opSize == 2 ? t & 0xFFFF : opSize == 4 || mode() != Mode.BITS64 ? t & 0xFFFF_FFFFL : t;
    }

    /** Vector length in bytes (16, 32, 64) for VEX/EVEX forms, else 0. */
    public final int vectorLength() { return vl(); }

    /** EVEX opmask register 0-7 (0 = no masking). */
    public final int maskReg() { return aaa(); }

    public final boolean zeroing() { return (vec & 1L << 31) != 0; }

    /** EVEX embedded broadcast of the memory element. */
    public final boolean broadcast() { return bcst(); }

    /** EVEX static rounding 0-3 (RN, RD, RU, RZ) with SAE implied, or -1. */
    public final int roundingControl() { return rc(); }

    /** Suppress-all-exceptions without rounding override. */
    public final boolean sae() { return (vec & 1L << 33) != 0; }

    /** The EVEX compressed displacement scale N (1 when not compressed). */
    public final int disp8Scale() { return (int) vec >>> 14 & 0xFF; }

    /** APX: ND (new data destination; for SETZUcc/IMULZU the ZU behaviour). */
    public final boolean nd() { return (vec & 1L << 34) != 0; }

    /** APX: NF, status flags are not written. */
    public final boolean nf() { return (vec & 1L << 35) != 0; }

    /** APX: zero-upper form (SETZUcc, IMULZU). */
    public final boolean zu() { Form f = form(); return f != null && f.zu; }

    /** APX CCMP/CTEST source condition 0-15 (10 = true, 11 = false), or -1. */
    public final int scc() { return ((int) vec >>> 22 & 31) - 1; }

    /** APX CCMP/CTEST default flag values: bit 3 OF, 2 SF, 1 ZF, 0 CF. */
    public final int dfv() { return (int) vec >>> 27 & 15; }

    /** APX PUSH2/POP2 with the W=1 hint (PUSH2P/POP2P), PUSHP/POPP. */
    public final boolean pushPopHint() {
        Mnemonic m = mnemonic();
        return m == Mnemonic.PUSHP || m == Mnemonic.POPP || m == Mnemonic.PUSH2P || m == Mnemonic.POP2P;
    }

    /** REX2 prefix present. */
    public final boolean rex2() { return (prefixes() & P_REX2) != 0; }

    /** VEX/EVEX/REX W bit. */
    public final boolean w() { return rexW() != 0; }

    /** The CPUID feature the instruction needs (null: base architecture). */
    public final CpuFeature feature() { Form f = form(); return f == null ? null : f.feature; }

    /**
     * A second feature this encoding needs on top of {@link #feature()}, or null: APX_F for REX2, EVEX map 4
     * and any use of R16-R31; AVX512VL for an EVEX vector instruction shorter than 512 bits.
     */
    public final CpuFeature extraFeature() {
        Form form = form();
        if (form == null) return null;
        if ((xsave & (1L << 19)) != 0 || rex2() || form.space == Form.EVEX && form.map == 4) {
            return form.feature == CpuFeature.APX_F ? null : CpuFeature.APX_F;
        }
        int vl = vl();
        if (form.space == Form.EVEX && form.vector && vl != 0 && vl < 64 && rc() < 0 && form.feature != null
                && form.feature.name().startsWith("AVX512") && form.lmask != 15) {
            return CpuFeature.AVX512VL;
        }
        return null;
    }

    /** XSAVE state components touched, as an XCR0-layout bitmask (for #UD and XFD checks). */
    public final long xsaveComponents() { return xsave; }

    /** The opcode byte (within its map). */
    public final int opcode() { return (int) (w0 >>> 32) & 0xFF; }

    /** The ModRM byte, or -1. */
    public final int modrm() { return ((int) w1 & 0x1FF) - 1; }

    /** Condition code for Jcc/SETcc/CMOVcc/CFCMOVcc/CMPccXADD forms, else -1. */
    public final int conditionCode() { Form f = form(); return f == null ? -1 : f.cc; }

    @Override
    public String toString() { return isValid() ? Disassembler.intel(this) : "(bad: " + invalid + ")"; }
}
