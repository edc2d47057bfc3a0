package org.jkvm.isa;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

/**
 * Operand facts from the SDM and the APX spec (isa.md) read through the public accessors: the implicit count of
 * D0/D1 shifts, the size of sign-extended byte immediates, legacy prefixes before JMPABS. Every case is checked
 * through the public decoder (fast paths included) and through the general path alone, in a buffer that previous
 * decodes have left dirty.
 */
class OperandFactsTest {
    private static byte[] bytes(int... b) {
        byte[] x = new byte[b.length];
        for (int i = 0; i < b.length; i++) x[i] = (byte) b[i];
        return x;
    }

    /** Runs {@code check} on the decode of {@code b} by the public decoder, from a long and a short array, and by the general path. */
    private static void each(Mode m, int[] b, Consumer<Insn> check) {
        byte[] x = bytes(b);
        check.accept(Decoder.decode(m, x));
        Decoder d = new Decoder(m);
        DecodeBuffer buf = new DecodeBuffer();
        // Dirty the buffer first with instructions that have immediates and memory operands.
        byte[] noise = bytes(0x48, 0x81, 0x84, 0x88, 0x78, 0x56, 0x34, 0x12, 0xEF, 0xBE, 0xAD, 0xDE);
        byte[] wide = java.util.Arrays.copyOf(x, x.length + 64);
        d.decodeInto(buf, noise, 0, noise.length);
        d.decodeInto(buf, wide, 0, x.length);
        check.accept(new Instruction(buf));
        d.decodeInto(buf, noise, 0, noise.length);
        d.decodeGeneral(buf, x, 0, x.length);
        check.accept(new Instruction(buf));
    }

    /** The operands as the public accessors report them, for the encoder: an IMM operand's value is imm(), then imm2(). */
    private static Operand[] operands(Insn i) {
        List<Operand> ops = new ArrayList<>();
        boolean first = true;
        for (int k = 0; k < i.operandCount(); k++) {
            switch (i.kind(k)) {
                case REG -> ops.add(new Operand.Reg(i.regClass(k), i.reg(k)));
                case MEM -> ops.add(new Operand.Mem(i.size(k), -1, i.memBase(), i.memIndex(), i.memScale(), i.memDisp(),
                        i.isRipRelative(), i.addressSize(), i.memIndex() >= 0 ? i.memIndexClass() : null, false));
                case IMM -> {
                    ops.add(Operand.imm(first ? i.imm() : i.imm2()));
                    first = false;
                }
                default -> throw new AssertionError("unexpected operand kind " + i.kind(k));
            }
        }
        return ops.toArray(new Operand[0]);
    }

    // ---- D0/D1: the shift or rotate count is the constant 1 (SDM: "D1 /4  SHL r/m32, 1")

    @Test
    void oneBitShiftsReportTheCountOne() {
        for (Mode m : Mode.values()) {
            for (int op : new int[] {0xD0, 0xD1}) {
                for (int reg = 0; reg < 8; reg++) {
                    for (int modrm : new int[] {0xC0 | reg << 3 | 3, reg << 3 | 6 | (m == Mode.BITS16 ? 0 : 0x40), 0x40 | reg << 3 | 1}) {
                        int[] b = m == Mode.BITS16 || modrm < 0xC0 ? new int[] {op, modrm, 0x10, 0x20} : new int[] {op, modrm};
                        int width = op == 0xD0 ? 1 : m == Mode.BITS16 ? 2 : 4;
                        String what = m + " " + RoundTripTest.hex(bytes(b));
                        String name = TableGp.SHIFT[reg];
                        each(m, b, i -> {
                            assertTrue(i.isValid(), what);
                            assertEquals(name, i.mnemonic().name().toLowerCase(java.util.Locale.ROOT), what);
                            assertEquals(2, i.operandCount(), what);
                            assertEquals(width, i.size(0), what);
                            assertEquals(OperandKind.IMM, i.kind(1), what);
                            assertEquals(1, i.imm(), what + ": the count");
                        });
                    }
                }
            }
        }
    }

    @Test
    void oneBitShiftsKeepTheirOtherFacts() {
        // REX.W: shl rax, 1; the count is still 1 and LLVM's text has no count operand.
        each(Mode.BITS64, new int[] {0x48, 0xD1, 0xE0}, i -> {
            assertEquals(8, i.size(0));
            assertEquals(1, i.imm());
            assertEquals("shl rax", Disassembler.intel(i));
            assertEquals("shlq %rax", Disassembler.att(i));
        });
        each(Mode.BITS64, new int[] {0xD0, 0x3C, 0x24}, i -> {
            assertEquals(Mnemonic.SAR, i.mnemonic());
            assertEquals(OperandKind.MEM, i.kind(0));
            assertEquals(1, i.memSize());
            assertEquals(1, i.imm());
            assertEquals(3, i.length());
        });
        // A shift by CL or by an imm8 is unchanged.
        each(Mode.BITS64, new int[] {0xD3, 0xE0}, i -> {
            assertEquals(OperandKind.REG, i.kind(1));
            assertEquals(RegClass.GPR8, i.regClass(1));
            assertEquals(1, i.reg(1));
        });
        each(Mode.BITS64, new int[] {0xC1, 0xE0, 0x05}, i -> assertEquals(5, i.imm()));
        // An instruction without an immediate after a one-bit shift in the same buffer: no stale count.
        Decoder d = new Decoder(Mode.BITS16);
        DecodeBuffer buf = new DecodeBuffer();
        d.decodeInto(buf, bytes(0xD1, 0xE0), 0, 2);
        assertEquals(1, buf.imm());
        d.decodeInto(buf, bytes(0x01, 0xC0), 0, 2);
        assertEquals(0, buf.imm());
    }

    @Test
    void apxOneBitShiftsReportTheCountOne() {
        // EVEX map 4 D1 /4 with ND=1: shl eax, ecx, 1 (NDD: vvvv = eax, rm = ecx); with NF; and ND=0, D0 /5 (byte).
        each(Mode.BITS64, new int[] {0x62, 0xF4, 0x7C, 0x18, 0xD1, 0xE1}, i -> {
            assertEquals(Mnemonic.SHL, i.mnemonic());
            assertTrue(i.nd());
            assertEquals(3, i.operandCount());
            assertEquals(0, i.reg(0));
            assertEquals(1, i.reg(1));
            assertEquals(OperandKind.IMM, i.kind(2));
            assertEquals(1, i.imm());
        });
        each(Mode.BITS64, new int[] {0x62, 0xF4, 0x7C, 0x1C, 0xD1, 0xE1}, i -> {
            assertTrue(i.nf());
            assertEquals(1, i.imm());
        });
        each(Mode.BITS64, new int[] {0x62, 0xF4, 0x7C, 0x08, 0xD0, 0xE9}, i -> {
            assertEquals(Mnemonic.SHR, i.mnemonic());
            assertEquals(2, i.operandCount());
            assertEquals(1, i.size(0));
            assertEquals(OperandKind.IMM, i.kind(1));
            assertEquals(1, i.imm());
        });
    }

    @Test
    void oneBitShiftsReencodeFromTheirReportedOperands() {
        // A consumer that rebuilds the operands from the accessors gets the same bytes back (the encoder takes
        // only the count 1 for these forms).
        int[][] cases = {{0xD1, 0xE0}, {0xD0, 0xC9}, {0x48, 0xD1, 0xFB}, {0xD1, 0x64, 0x24, 0x08},
            {0x62, 0xF4, 0x7C, 0x18, 0xD1, 0xE1}};
        for (int[] c : cases) {
            Instruction i = Decoder.decode(Mode.BITS64, bytes(c));
            byte[] back = Encoder.encode(Mode.BITS64, i.form(), operands(i));
            assertArrayEquals(bytes(c), back, RoundTripTest.hex(bytes(c)));
        }
    }

    // ---- sign-extended imm8 on byte operations: the immediate has the operation's size

    @Test
    void byteFormsHaveByteImmediates() {
        for (Mode m : Mode.values()) {
            List<int[]> bs = new ArrayList<>();
            for (int reg = 0; reg < 8; reg++) {
                bs.add(new int[] {0x80, 0xC0 | reg << 3 | 2, 0xF0});             // 80 /r ib, register
                bs.add(new int[] {0x80, 0x40 | reg << 3 | 7, 0x10, 0xF0});       // 80 /r ib, [rDI/BX + disp8]
                if (m != Mode.BITS64) bs.add(new int[] {0x82, 0xC0 | reg << 3 | 1, 0xF0}); // 82 is #UD in 64-bit mode
                bs.add(new int[] {reg * 8 + 4, 0xF0});                           // op AL, imm8
                bs.add(new int[] {0xB0 + reg, 0xF0});                            // mov r8, imm8
            }
            bs.add(new int[] {0xC6, 0xC3, 0xF0});                                // mov bl, imm8
            bs.add(new int[] {0xA8, 0xF0});                                      // test al, imm8
            bs.add(new int[] {0xF6, 0xC1, 0xF0});                                // test cl, imm8
            for (int[] b : bs) {
                String what = m + " " + RoundTripTest.hex(bytes(b));
                each(m, b, i -> {
                    assertTrue(i.isValid(), what);
                    int k = i.operandCount() - 1;
                    assertEquals(OperandKind.IMM, i.kind(k), what);
                    assertEquals(1, i.size(0), what + ": the operation is on a byte");
                    assertEquals(1, i.size(k), what + ": so is its immediate");
                    assertEquals((byte) 0xF0, i.imm(), what);
                });
            }
        }
    }

    @Test
    void wordFormsSignExtendTheirImm8ToTheOperandSize() {
        // 83 /0 ib: imm8 sign-extended to 16/32/64 bits; PUSH imm8 (6A) to the stack width; IMUL r, r/m, imm8 (6B).
        Object[][] cases = {
            {Mode.BITS64, new int[] {0x83, 0xC0, 0xF0}, 4}, {Mode.BITS64, new int[] {0x66, 0x83, 0xC0, 0xF0}, 2},
            {Mode.BITS64, new int[] {0x48, 0x83, 0xC0, 0xF0}, 8}, {Mode.BITS64, new int[] {0x83, 0x00, 0xF0}, 4},
            {Mode.BITS32, new int[] {0x83, 0xC0, 0xF0}, 4}, {Mode.BITS16, new int[] {0x83, 0xC0, 0xF0}, 2},
            {Mode.BITS64, new int[] {0x6A, 0xF0}, 8}, {Mode.BITS32, new int[] {0x6A, 0xF0}, 4},
            {Mode.BITS64, new int[] {0x6B, 0xC0, 0xF0}, 4}, {Mode.BITS64, new int[] {0x48, 0x6B, 0xC0, 0xF0}, 8},
        };
        for (Object[] c : cases) {
            Mode m = (Mode) c[0];
            int[] b = (int[]) c[1];
            int size = (int) c[2];
            String what = m + " " + RoundTripTest.hex(bytes(b));
            each(m, b, i -> {
                int k = i.operandCount() - 1;
                assertEquals(OperandKind.IMM, i.kind(k), what);
                assertEquals(size, i.size(k), what);
                assertEquals(-16, i.imm(), what);
            });
        }
    }

    @Test
    void apxByteFormsHaveByteImmediates() {
        // EVEX map 4 80 /0 ib: {evex} add cl, imm8 (ND=0), add al, cl, imm8 (ND=1); CCMP/CTEST r/m8, imm8.
        int[][] cases = {
            {0x62, 0xF4, 0x7C, 0x08, 0x80, 0xC1, 0xF0},
            {0x62, 0xF4, 0x7C, 0x18, 0x80, 0xC1, 0xF0},
            {0x62, 0xF4, 0x7C, 0x0C, 0x80, 0xC1, 0xF0},
            {0x62, 0xF4, 0x04, 0x0A, 0x80, 0xF9, 0xF0},
            {0x62, 0xF4, 0x04, 0x0A, 0xF6, 0xC1, 0xF0},
        };
        for (int[] b : cases) {
            String what = RoundTripTest.hex(bytes(b));
            each(Mode.BITS64, b, i -> {
                assertTrue(i.isValid(), what);
                int k = i.operandCount() - 1;
                assertEquals(OperandKind.IMM, i.kind(k), what);
                for (int j = 0; j < k; j++) assertEquals(1, i.size(j), what);
                assertEquals(1, i.size(k), what);
                assertEquals((byte) 0xF0, i.imm(), what);
            });
        }
        // The word form of the same opcode (83 /0 ib) keeps the operand size.
        each(Mode.BITS64, new int[] {0x62, 0xF4, 0x7C, 0x18, 0x83, 0xC1, 0xF0}, i -> assertEquals(4, i.size(2)));
    }

    // ---- JMPABS: 66/67/F2/F3 before it are #UD (isa.md, REX2 section)

    @Test
    void jmpabsWithALegacyPrefixIsUndefined() {
        int[] jmpabs = {0xD5, 0x00, 0xA1, 8, 7, 6, 5, 4, 3, 2, 1};
        for (int p : new int[] {0x66, 0x67, 0xF2, 0xF3, 0xF0}) {
            int[] b = new int[jmpabs.length + 1];
            b[0] = p;
            System.arraycopy(jmpabs, 0, b, 1, jmpabs.length);
            String what = RoundTripTest.hex(bytes(b));
            each(Mode.BITS64, b, i -> {
                assertFalse(i.isValid(), what);
                assertEquals(Mnemonic.INVALID, i.mnemonic(), what);
                assertEquals("(bad)", Disassembler.intel(i), what);
            });
        }
        // F3 and F2 further out, behind another prefix, too.
        for (int[] b : new int[][] {{0xF3, 0x2E, 0xD5, 0x00, 0xA1, 0, 0, 0, 0, 0, 0, 0, 0},
                                    {0xF2, 0x66, 0xD5, 0x00, 0xA1, 0, 0, 0, 0, 0, 0, 0, 0}}) {
            each(Mode.BITS64, b, i -> assertFalse(i.isValid(), RoundTripTest.hex(bytes(b))));
        }
        // Without them it is the 11-byte absolute jump; a segment override is not among the #UD prefixes.
        each(Mode.BITS64, jmpabs, i -> {
            assertEquals(Mnemonic.JMPABS, i.mnemonic());
            assertEquals(0x0102030405060708L, i.imm());
            assertEquals(Insn.P_REX2, i.prefixes());
        });
        each(Mode.BITS64, new int[] {0x2E, 0xD5, 0x00, 0xA1, 8, 7, 6, 5, 4, 3, 2, 1}, i -> {
            assertEquals(Mnemonic.JMPABS, i.mnemonic());
            assertEquals(Insn.P_REX2 | Insn.P_SEG, i.prefixes());
        });
    }

    // ---- VSIB (SDM: VSIB memory addressing; the AVX2 and AVX-512 gathers)

    @Test
    void gathersNeedASibByteAndDistinctRegisters() {
        // vpgatherdd xmm1, [rax + 4*xmm2], xmm3 and vpgatherdd zmm1 {k1}, [rax + 4*zmm2]: valid.
        each(Mode.BITS64, new int[] {0xC4, 0xE2, 0x61, 0x90, 0x0C, 0x90}, i -> {
            assertEquals(Mnemonic.VPGATHERDD, i.mnemonic());
            assertEquals(1, i.reg(0));
            assertEquals(2, i.memIndex());
            assertEquals(RegClass.XMM, i.memIndexClass());
            assertEquals(3, i.reg(2));
        });
        each(Mode.BITS64, new int[] {0x62, 0xF2, 0x7D, 0x49, 0x90, 0x0C, 0x90}, i -> {
            assertEquals(Mnemonic.VPGATHERDD, i.mnemonic());
            assertEquals(2, i.memIndex());
            assertEquals(RegClass.ZMM, i.memIndexClass());
        });
        int[][] undefined = {
            {0xC4, 0xE2, 0x61, 0x90, 0x0C, 0x88},       // destination xmm1 is the index
            {0xC4, 0xE2, 0x61, 0x90, 0x1C, 0x90},       // mask xmm3 is the destination
            {0xC4, 0xE2, 0x69, 0x90, 0x0C, 0x90},       // mask xmm2 is the index
            {0x62, 0xF2, 0x7D, 0x49, 0x90, 0x0C, 0x88}, // EVEX: destination zmm1 is the index
            {0x62, 0xE2, 0x7D, 0x41, 0x90, 0x0C, 0x88}, // EVEX: zmm17 and index zmm17 (R' and V')
            {0xC4, 0xE2, 0x61, 0x90, 0x08},             // no SIB byte: not a vector index
            {0x62, 0xF2, 0x7D, 0x49, 0x90, 0x08},
        };
        for (int[] b : undefined) {
            String what = RoundTripTest.hex(bytes(b));
            each(Mode.BITS64, b, i -> assertFalse(i.isValid(), what));
        }
        // 16-bit addressing has no SIB byte either.
        each(Mode.BITS32, new int[] {0x67, 0xC4, 0xE2, 0x61, 0x90, 0x08}, i -> assertFalse(i.isValid()));
        each(Mode.BITS32, new int[] {0xC4, 0xE2, 0x61, 0x90, 0x0C, 0x90}, i -> assertTrue(i.isValid()));
    }
}
