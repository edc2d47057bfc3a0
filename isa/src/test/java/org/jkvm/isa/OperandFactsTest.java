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
}
