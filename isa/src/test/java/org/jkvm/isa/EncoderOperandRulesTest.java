package org.jkvm.isa;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * The encoder's rules for operands whose encoding is implied or constrained: VSIB memory (a vector index of
 * the form's width; gathers whose destination, index and mask collide are #UD), string operands ([rSI] with
 * any segment, ES:[rDI], one address size) and far pointers. Expected bytes follow the SDM's VEX/EVEX/SIB
 * layouts.
 */
class EncoderOperandRulesTest {
    static Form form(Mnemonic m, int space, int nops) {
        for (Form f : OpcodeTable.FORMS) if (f.mnemonic == m && f.space == space && f.ops.length == nops) return f;
        throw new AssertionError("no form " + m);
    }

    /** The ptr16:16/ptr16:32 form (not the m16:16/m16:32 one). */
    static Form farForm(Mnemonic m) {
        for (Form f : OpcodeTable.FORMS) if (f.mnemonic == m && f.ops.length == 1 && f.ops[0].src == Opnd.Src.FAR) return f;
        throw new AssertionError("no far pointer form of " + m);
    }

    static Operand.Reg xmm(int n) { return Operand.reg(RegClass.XMM, n); }

    static Operand.Reg ymm(int n) { return Operand.reg(RegClass.YMM, n); }

    static Operand.Reg zmm(int n) { return Operand.reg(RegClass.ZMM, n); }

    /** [base + index*scale + disp] with a 64-bit base. */
    static Operand.Mem vsib(int base, Operand.Reg index, int scale, long disp) {
        return Operand.mem(0, Operand.gpr64(base), index, scale, disp);
    }

    static byte[] bytes(int... b) {
        byte[] r = new byte[b.length];
        for (int i = 0; i < b.length; i++) r[i] = (byte) b[i];
        return r;
    }

    static final Encoder.Options K1 = Encoder.Options.NONE.withMask(1, false);

    @Test
    void vexGathers() {
        Form dpd = form(Mnemonic.VGATHERDPD, Form.VEX, 3), qps = form(Mnemonic.VGATHERQPS, Form.VEX, 3);
        Form dd = form(Mnemonic.VPGATHERDD, Form.VEX, 3);
        // VEX.128.66.0F38.W1 92 /r, ModRM 00 010 100, SIB scale 2, index xmm1, base rdi
        assertArrayEquals(bytes(0xC4, 0xE2, 0xF9, 0x92, 0x14, 0x4F),
                Encoder.encode(Mode.BITS64, dpd, xmm(2), vsib(7, xmm(1), 2, 0), xmm(0)));
        // qword indices in a ymm gather dwords into an xmm: VEX.L=1 comes from the index register alone
        assertArrayEquals(bytes(0xC4, 0x02, 0x3D, 0x93, 0x14, 0x4F),
                Encoder.encode(Mode.BITS64, qps, xmm(10), vsib(15, ymm(9), 2, 0), xmm(8)));
        // no base: SIB.base=101 with mod=00 and a disp32
        assertArrayEquals(bytes(0xC4, 0xE2, 0x61, 0x90, 0x0C, 0xAD, 0x00, 0x01, 0x00, 0x00),
                Encoder.encode(Mode.BITS64, dd, xmm(1), new Operand.Mem(0, -1, -1, 5, 4, 0x100, false, 0, RegClass.XMM, false), xmm(3)));
        // destination, index and mask must all differ (#UD otherwise)
        assertThrows(IllegalArgumentException.class, () -> Encoder.encode(Mode.BITS64, dd, xmm(1), vsib(0, xmm(1), 4, 0), xmm(3)));
        assertThrows(IllegalArgumentException.class, () -> Encoder.encode(Mode.BITS64, dd, xmm(1), vsib(0, xmm(3), 4, 0), xmm(3)));
        assertThrows(IllegalArgumentException.class, () -> Encoder.encode(Mode.BITS64, dd, xmm(1), vsib(0, xmm(2), 4, 0), xmm(1)));
        // a GPR index, an index of the wrong width, mixed vector widths, xmm16+ (EVEX only), RIP-relative (no SIB)
        assertThrows(IllegalArgumentException.class, () -> Encoder.encode(Mode.BITS64, dd, xmm(1), Operand.mem(0, Operand.gpr64(0), Operand.gpr64(2), 4, 0), xmm(3)));
        assertThrows(IllegalArgumentException.class, () -> Encoder.encode(Mode.BITS64, dd, ymm(1), vsib(0, xmm(2), 4, 0), ymm(3)));
        assertThrows(IllegalArgumentException.class, () -> Encoder.encode(Mode.BITS64, dd, xmm(1), vsib(0, ymm(2), 4, 0), xmm(3)));
        assertThrows(IllegalArgumentException.class, () -> Encoder.encode(Mode.BITS64, dd, xmm(1), vsib(0, xmm(17), 4, 0), xmm(3)));
        assertThrows(IllegalArgumentException.class, () -> Encoder.encode(Mode.BITS64, dd, xmm(1), Operand.rip(0, 0x40), xmm(3)));
        // xmm8+ need VEX.X, which 32-bit mode does not have
        assertThrows(IllegalArgumentException.class, () -> Encoder.encode(Mode.BITS32, dd, xmm(1),
                new Operand.Mem(0, -1, 0, 9, 4, 0, false, 0, RegClass.XMM, false), xmm(3)));
    }

    @Test
    void evexGathersAndScatters() {
        Form dd = form(Mnemonic.VPGATHERDD, Form.EVEX, 2), sdd = form(Mnemonic.VPSCATTERDD, Form.EVEX, 2);
        Form pf = form(Mnemonic.VGATHERPF0DPD, Form.EVEX, 1);
        // EVEX.512.66.0F38.W0 90: P0 F2, P1 7D, P2 z=0 L'L=10 V'=1 aaa=001 (49); disp8*4
        assertArrayEquals(bytes(0x62, 0xF2, 0x7D, 0x49, 0x90, 0x4C, 0x90, 0x10),
                Encoder.encode(Mode.BITS64, dd, K1, zmm(1), vsib(0, zmm(2), 4, 0x40)));
        // index zmm18: EVEX.X clear inverts to 1 (bit 3 of 18 is 0), EVEX.V' is the index's bit 4
        assertArrayEquals(bytes(0x62, 0xF2, 0x7D, 0x41, 0x90, 0x0C, 0x90),
                Encoder.encode(Mode.BITS64, dd, K1, zmm(1), vsib(0, zmm(18), 4, 0)));
        // a displacement not a multiple of the element size takes a disp32
        assertArrayEquals(bytes(0x62, 0xF2, 0x7D, 0x49, 0x90, 0x8C, 0x90, 0x42, 0x00, 0x00, 0x00),
                Encoder.encode(Mode.BITS64, dd, K1, zmm(1), vsib(0, zmm(2), 4, 0x42)));
        // double-precision prefetch: ymm index, 512-bit, Tuple1 Scalar of 8-byte elements (disp8*8)
        assertArrayEquals(bytes(0x62, 0xF2, 0xFD, 0x49, 0xC6, 0x4C, 0xD0, 0x08),
                Encoder.encode(Mode.BITS64, pf, K1, vsib(0, ymm(2), 8, 0x40)));
        // the mask is required: k0 means no mask, which these instructions do not have
        assertThrows(IllegalArgumentException.class, () -> Encoder.encode(Mode.BITS64, dd, zmm(1), vsib(0, zmm(2), 4, 0)));
        // a gather's destination cannot be its index
        assertThrows(IllegalArgumentException.class, () -> Encoder.encode(Mode.BITS64, dd, K1, zmm(2), vsib(0, zmm(2), 4, 0)));
        // a scatter has no destination register
        Encoder.encode(Mode.BITS64, sdd, K1, vsib(0, zmm(2), 4, 0), zmm(2));
        // a vector index on a form without VSIB
        Form mf = form(Mnemonic.VMOVDQA, Form.VEX, 2);
        assertThrows(IllegalArgumentException.class, () -> Encoder.encode(Mode.BITS64, mf, xmm(1), vsib(0, xmm(2), 4, 0)));
    }

    @Test
    void assemblerPicksTheGatherForm() {
        // VEX (mask in a vector register) and EVEX (mask in {k}) gathers share a mnemonic; the operands choose
        assertArrayEquals(bytes(0xC4, 0xE2, 0x61, 0x90, 0x0C, 0x90),
                new Assembler(Mode.BITS64).emit(Mnemonic.VPGATHERDD, xmm(1), vsib(0, xmm(2), 4, 0), xmm(3)).bytes());
        assertArrayEquals(bytes(0x62, 0xF2, 0x7D, 0x49, 0x90, 0x0C, 0x90),
                new Assembler(Mode.BITS64).emit(K1, Mnemonic.VPGATHERDD, zmm(1), vsib(0, zmm(2), 4, 0)).bytes());
        assertThrows(IllegalArgumentException.class,
                () -> new Assembler(Mode.BITS64).emit(Mnemonic.VPGATHERDD, xmm(1), vsib(0, xmm(1), 4, 0), xmm(3)));
    }

    static Operand.Mem str(int size, int seg, int reg, int asz) {
        return new Operand.Mem(size, seg, reg, -1, 1, 0, false, asz, null, false);
    }

    @Test
    void stringOperands() {
        Form movsb = form(Mnemonic.MOVSB, Form.LEGACY, 2), stosq = form(Mnemonic.STOSQ, Form.LEGACY, 2);
        Form cmpsb = form(Mnemonic.CMPSB, Form.LEGACY, 2), insb = form(Mnemonic.INSB, Form.LEGACY, 2);
        assertArrayEquals(bytes(0xF3, 0xA4), Encoder.encode(Mode.BITS64, movsb, Encoder.Options.NONE.withRep(),
                str(1, -1, 7, 8), str(1, -1, 6, 8)));
        // the override belongs to the source, whichever operand comes first; 67 selects edi/esi
        assertArrayEquals(bytes(0x64, 0x67, 0xA4), Encoder.encode(Mode.BITS64, movsb, str(1, 0, 7, 4), str(1, 4, 6, 4)));
        assertArrayEquals(bytes(0x65, 0xA6), Encoder.encode(Mode.BITS64, cmpsb, str(1, 5, 6, 0), str(1, 0, 7, 0)));
        assertArrayEquals(bytes(0xF3, 0x48, 0xAB), Encoder.encode(Mode.BITS64, stosq, Encoder.Options.NONE.withRep(),
                str(8, -1, 7, 8), Operand.gpr64(0)));
        // ES:[rDI] takes no override; an explicit ES is the same instruction
        assertArrayEquals(bytes(0x6C), Encoder.encode(Mode.BITS64, insb, str(1, 0, 7, 8), Operand.gpr16(2)));
        assertThrows(IllegalArgumentException.class, () -> Encoder.encode(Mode.BITS64, insb, str(1, 4, 7, 8), Operand.gpr16(2)));
        // only [rSI]/[rDI], no displacement or index, the form's width, one address size, a mode's address size
        assertThrows(IllegalArgumentException.class, () -> Encoder.encode(Mode.BITS64, movsb, str(1, -1, 6, 8), str(1, -1, 7, 8)));
        assertThrows(IllegalArgumentException.class, () -> Encoder.encode(Mode.BITS64, movsb, str(1, -1, 7, 8),
                new Operand.Mem(1, -1, 6, -1, 1, 8, false, 8, null, false)));
        assertThrows(IllegalArgumentException.class, () -> Encoder.encode(Mode.BITS64, movsb, str(2, -1, 7, 8), str(2, -1, 6, 8)));
        assertThrows(IllegalArgumentException.class, () -> Encoder.encode(Mode.BITS64, movsb, str(1, -1, 7, 8), str(1, -1, 6, 4)));
        assertThrows(IllegalArgumentException.class, () -> Encoder.encode(Mode.BITS64, movsb, str(1, -1, 7, 2), str(1, -1, 6, 2)));
        assertArrayEquals(bytes(0x67, 0xA4), Encoder.encode(Mode.BITS32, movsb, str(1, -1, 7, 2), str(1, -1, 6, 2)));
    }

    @Test
    void farPointers() {
        Form lcall = farForm(Mnemonic.LCALL), ljmp = farForm(Mnemonic.LJMP);
        assertArrayEquals(bytes(0x9A, 0xEF, 0xCD, 0xAB, 0x89, 0x34, 0x12),
                Encoder.encode(Mode.BITS32, lcall, Assembler.far(0x1234, 0x89AB_CDEFL)));
        assertArrayEquals(bytes(0x66, 0xEA, 0x78, 0x56, 0x34, 0x12),
                Encoder.encode(Mode.BITS32, ljmp, Encoder.Options.NONE.withOperandSize(2), Assembler.far(0x1234, 0x5678)));
        Form j = ljmp;
        // ptr16:16 cannot hold a 32-bit offset; neither exists in 64-bit mode
        assertThrows(IllegalArgumentException.class, () -> Encoder.encode(Mode.BITS32, j, Encoder.Options.NONE.withOperandSize(2),
                Assembler.far(0x1234, 0x12345)));
        assertThrows(IllegalArgumentException.class, () -> Encoder.encode(Mode.BITS64, j, Assembler.far(0x1234, 0x5678)));
    }
}
