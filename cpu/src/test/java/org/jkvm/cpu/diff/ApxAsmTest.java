package org.jkvm.cpu.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The test-side APX encoder, built from the spec's bit tables, reproduces LLVM's bytes for the same
 * instructions (vectors from the shared corpus, quoted here as literals), so the APX tests feed the CPU
 * what the spec means.
 */
class ApxAsmTest {
    private static void same(String expected, ApxAsm a) {
        assertEquals(expected, Asm.hex(a.bytes()));
    }

    @Test
    void matchesLlvmVectors() {
        same("62 54 a4 1c 01 cf", new ApxAsm().evexRR(true, 0, true, true, 11, 0x01, 9, 15)); // {nf} add r11, r15, r9
        same("62 ec 6d 10 03 c1", new ApxAsm().evexRR(false, 1, true, false, 18, 0x03, 16, 17)); // add r18w, r16w, r17w
        same("62 ec 7d 0c 42 cd", new ApxAsm().evexRR(false, 1, false, true, 0, 0x42, 17, 21)); // cfcmovb r21w, r17w
        same("62 ec 35 14 42 e9", new ApxAsm().evexRR(false, 1, true, true, 25, 0x42, 21, 17)); // cfcmovb r25w, r21w, r17w
        same("62 f4 a4 00 39 c3", new ApxAsm().ccmpRR(true, 0, 0, 4, 0x39, 0, 3)); // ccmpo {dfv=sf} rbx, rax
        same("62 54 c4 02 3b f9", new ApxAsm().ccmpRR(true, 0, 2, 8, 0x3B, 15, 9)); // ccmpb {dfv=of} r15, r9
        same("d5 10 b8 78 56 34 12", new ApxAsm().db(0xD5, ApxAsm.rex2(false, false, 0, 0, 16), 0xB8).imm(0x12345678, 4));
        same("d5 90 4c c0", new ApxAsm().rex2RR(true, false, 0x4C, 0, 16)); // cmovl eax, r16d (isa.md example)
    }
}
