package org.jkvm.isa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Architectural decoding facts (SDM / APX spec) as the interpreter sees them through the API. */
class DecoderTest {
    static Instruction d64(int... b) { return dec(Mode.BITS64, b); }

    static Instruction dec(Mode m, int... b) {
        byte[] x = new byte[b.length];
        for (int i = 0; i < b.length; i++) x[i] = (byte) b[i];
        return Decoder.decode(m, x);
    }

    @Test
    void rexBeforeRex2IsInvalid() {
        Instruction i = d64(0x48, 0xD5, 0x10, 0xB8, 1, 0, 0, 0);
        assertFalse(i.isValid());
        assertEquals("REX before REX2", i.invalidReason());
        assertEquals(Mnemonic.INVALID, i.mnemonic());
    }

    @Test
    void fifteenByteLimit() {
        int[] ok = new int[15];
        java.util.Arrays.fill(ok, 0x66);
        ok[14] = 0x90;
        assertTrue(d64(ok).isValid());
        int[] bad = new int[16];
        java.util.Arrays.fill(bad, 0x66);
        bad[15] = 0x90;
        Instruction i = d64(bad);
        assertFalse(i.isValid());
        assertEquals("exceeds 15 bytes", i.invalidReason());
        assertEquals("truncated", d64(0x48, 0x81).invalidReason());
    }

    @Test
    void rex2RulesAndJmpabs() {
        assertFalse(d64(0xD5, 0x00, 0x70, 0x00).isValid(), "Jcc is #UD under REX2");
        assertFalse(d64(0xD5, 0x80, 0x38, 0x00).isValid(), "map 1 30-3F are #UD under REX2");
        Instruction j = d64(0xD5, 0x00, 0xA1, 8, 7, 6, 5, 4, 3, 2, 1);
        assertEquals(Mnemonic.JMPABS, j.mnemonic());
        assertEquals(11, j.length());
        assertEquals(0x0102030405060708L, j.imm());
        Instruction m = d64(0xD5, 0x10, 0xB8, 1, 0, 0, 0);
        assertEquals(RegClass.GPR32, m.regClass(0));
        assertEquals(16, m.reg(0));
        assertTrue(m.rex2());
        assertEquals(1L << 19, m.xsaveComponents() & (1L << 19), "R16-R31 live in XSAVE component 19");
        assertEquals(CpuFeature.APX_F, m.extraFeature());
        Instruction pushp = d64(0xD5, 0x08, 0x53);
        assertEquals(Mnemonic.PUSHP, pushp.mnemonic());
        assertTrue(pushp.pushPopHint());
    }

    @Test
    void apxStructuralUndefinedEncodings() {
        // XSAVE family under REX2 (0F AE /4 with a memory operand)
        Instruction x = d64(0xD5, 0x88, 0xAE, 0x20);
        assertFalse(x.isValid());
        assertTrue(x.invalidReason().startsWith("EGPR not allowed"), x.invalidReason());
        // PUSH2 naming RSP, POP2 with one register twice
        assertFalse(d64(0x62, 0xF4, 0x5C, 0x18, 0xFF, 0xF0).isValid());
        assertEquals("POP2 with the same register twice", d64(0x62, 0xF4, 0x44, 0x18, 0x8F, 0xC7).invalidReason());
        assertEquals("pop2 rdi, rsi", Disassembler.intel(d64(0x62, 0xF4, 0x44, 0x18, 0x8F, 0xC6)));
    }

    @Test
    void lockOnlyWithMemoryDestination() {
        assertFalse(d64(0xF0, 0x01, 0xC0).isValid());
        Instruction i = d64(0xF0, 0x01, 0x00);
        assertTrue(i.hasLock());
        assertEquals(OperandKind.MEM, i.kind(0));
    }

    @Test
    void highByteRegistersOnlyWithoutRex() {
        Instruction i = d64(0x88, 0xE0);
        assertEquals(RegClass.GPR8, i.regClass(0));
        assertEquals(RegClass.GPR8H, i.regClass(1));
        assertEquals(4, i.reg(1));
        Instruction r = d64(0x40, 0x88, 0xE0);
        assertEquals(RegClass.GPR8, r.regClass(1));
        assertEquals("mov al, spl", Disassembler.intel(r));
    }

    @Test
    void immediatesAreExtendedAsDefined() {
        assertEquals(-1, d64(0x48, 0x83, 0xC0, 0xFF).imm());
        assertEquals(-256, d64(0x48, 0x81, 0xC0, 0x00, 0xFF, 0xFF, 0xFF).imm());
        assertEquals(8, d64(0x48, 0x81, 0xC0, 0x00, 0xFF, 0xFF, 0xFF).operandSize());
        assertEquals(0xFFFF_FFFFL, d64(0xB8, 0xFF, 0xFF, 0xFF, 0xFF).imm() & 0xFFFF_FFFFL);
        assertEquals(0x80, d64(0xC0, 0xE0, 0x80).imm(), "shift counts are unsigned");
        Instruction j = d64(0xEB, 0xFE);
        assertEquals(0x1000, j.branchTarget(0x1000));
        assertEquals(OperandKind.REL, j.kind(0));
    }

    @Test
    void memoryOperands() {
        Instruction rip = d64(0x8B, 0x05, 0x10, 0, 0, 0);
        assertTrue(rip.isRipRelative());
        assertEquals(16, rip.memDisp());
        assertEquals(Segment.DS, rip.segment());
        Instruction ss = d64(0x8B, 0x45, 0xF8);
        assertEquals(5, ss.memBase());
        assertEquals(-8, ss.memDisp());
        assertEquals(Segment.SS, ss.segment());
        Instruction sib = d64(0x64, 0x8B, 0x84, 0x88, 0x00, 0x01, 0, 0);
        assertEquals(Segment.FS, sib.segment());
        assertEquals(Segment.FS, sib.segmentOverride());
        assertEquals(0, sib.memBase());
        assertEquals(1, sib.memIndex());
        assertEquals(4, sib.memScale());
        assertEquals(256, sib.memDisp());
        assertEquals(4, sib.memSize());
        Instruction m16 = dec(Mode.BITS16, 0x8B, 0x00);
        assertEquals("mov ax, word ptr [bx + si]", Disassembler.intel(m16));
        assertEquals(2, m16.addressSize());
    }

    @Test
    void evexCompressedDisplacementAndBroadcast() {
        Instruction full = d64(0x62, 0xF1, 0x7C, 0x48, 0x58, 0x40, 0x01);
        assertEquals(64, full.memDisp());
        assertEquals(64, full.disp8Scale());
        assertEquals(64, full.vectorLength());
        assertEquals(CpuFeature.AVX512F, full.feature());
        assertNull(full.extraFeature());
        Instruction b = d64(0x62, 0xF1, 0x7C, 0x58, 0x58, 0x40, 0x01);
        assertTrue(b.broadcast());
        assertEquals(4, b.memDisp());
        assertEquals("vaddps zmm0, zmm0, dword ptr [rax + 4]{1to16}", Disassembler.intel(b));
        Instruction k = d64(0x62, 0xF1, 0x7C, 0xAA, 0x58, 0xC1);
        assertEquals(2, k.maskReg());
        assertTrue(k.zeroing());
        assertEquals(AVX512VL(), k.extraFeature());
        assertEquals(0x66L, k.xsaveComponents(), "EVEX touches SSE, AVX, opmask, ZMM_Hi256");
        Instruction rc = d64(0x62, 0xF1, 0x7C, 0x38, 0x58, 0xC1);
        assertEquals(1, rc.roundingControl());
        assertEquals("vaddps zmm0, zmm0, zmm1, {rd-sae}", Disassembler.intel(rc));
    }

    static CpuFeature AVX512VL() { return CpuFeature.AVX512VL; }

    @Test
    void apxFlagsAndConditionalForms() {
        Instruction ndd = d64(0x62, 0xF4, 0x74, 0x1C, 0x80, 0xC3, 0x7B);
        assertTrue(ndd.nd());
        assertTrue(ndd.nf());
        assertEquals(RegClass.GPR8, ndd.regClass(0));
        assertEquals(1, ndd.reg(0));
        Instruction ccmp = d64(0x62, 0xD4, 0x44, 0x02, 0x39, 0x4C, 0x80, 0x7B);
        assertEquals(Mnemonic.CCMP, ccmp.mnemonic());
        assertEquals(2, ccmp.scc());
        assertEquals(8, ccmp.dfv());
        Instruction push2 = d64(0x62, 0xF4, 0x44, 0x18, 0xFF, 0xF0);
        assertEquals(Mnemonic.PUSH2, push2.mnemonic());
        assertEquals(7, push2.reg(0));
        assertEquals(0, push2.reg(1));
        Instruction setzu = d64(0x62, 0xF4, 0x7F, 0x18, 0x45, 0xC0);
        assertTrue(setzu.zu());
        assertEquals(5, setzu.conditionCode());
        Instruction cf = d64(0x62, 0x8C, 0x78, 0x0C, 0x42, 0x94, 0xAC, 0x23, 0x01, 0, 0);
        assertEquals(Mnemonic.CFCMOVB, cf.mnemonic());
        assertEquals(OperandKind.MEM, cf.kind(0));
    }

    @Test
    void amxAndXsaveComponents() {
        Instruction ld = d64(0xC4, 0xE2, 0x78, 0x49, 0x00);
        assertEquals(Mnemonic.LDTILECFG, ld.mnemonic());
        assertEquals(1L << 17, ld.xsaveComponents());
        Instruction tl = d64(0xC4, 0xE2, 0x7B, 0x4B, 0x0C, 0x1E);
        assertEquals(Mnemonic.TILELOADD, tl.mnemonic());
        assertEquals(3L << 17, tl.xsaveComponents());
        assertEquals(CpuFeature.AMX_TILE, tl.feature());
        assertEquals("tile memory operand needs a SIB byte", d64(0xC4, 0xE2, 0x7B, 0x4B, 0x08).invalidReason());
        assertEquals(0, d64(0x0F, 0x01, 0xD1).xsaveComponents());
        assertEquals(CpuFeature.XSAVE, d64(0x48, 0x0F, 0xAE, 0x20).feature());
        assertEquals(Mnemonic.XSAVE64, d64(0x48, 0x0F, 0xAE, 0x20).mnemonic());
        assertEquals(2L, d64(0x0F, 0x58, 0xC1).xsaveComponents(), "SSE");
        assertEquals(6L, d64(0xC5, 0xF0, 0x58, 0xC2).xsaveComponents(), "VEX.128 zeroes the upper YMM");
        assertEquals(1L, d64(0xD9, 0xE8).xsaveComponents(), "x87");
    }

    @Test
    void modesDecideVexVersusLesAndIncDec() {
        assertEquals(Mnemonic.LES, dec(Mode.BITS32, 0xC4, 0x00).mnemonic());
        assertEquals(Mnemonic.INC, dec(Mode.BITS32, 0x40).mnemonic());
        assertEquals(Mnemonic.AAD, dec(Mode.BITS16, 0xD5, 0x0A).mnemonic());
        assertEquals(2, dec(Mode.BITS16, 0x40).operandSize());
        assertEquals(4, dec(Mode.BITS16, 0x66, 0x40).operandSize());
        assertEquals(8, d64(0x50).operandSize(), "PUSH defaults to 64-bit");
        assertEquals(2, d64(0x66, 0x50).operandSize());
    }
}
