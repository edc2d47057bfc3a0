package org.jkvm.isa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Decoding and printing rules met while checking the decoder against LLVM's APX disassembler tests, each
 * written as this project's own vectors (other registers, displacements and prefixes than LLVM's files use).
 */
class ApxPrintingRulesTest {
    static Instruction d64(int... b) {
        byte[] x = new byte[b.length];
        for (int i = 0; i < b.length; i++) x[i] = (byte) b[i];
        return Decoder.decode(Mode.BITS64, x);
    }

    static void text(String intel, String att, int... b) {
        Instruction i = d64(b);
        assertTrue(i.isValid(), intel + ": " + i.invalidReason());
        assertEquals(b.length, i.length(), intel);
        assertEquals(intel, Disassembler.intel(i));
        assertEquals(att, Disassembler.att(i));
    }

    /** 90+r names rAX and r; a B bit (REX.B, REX2.B3, REX2.B4) makes r nonzero, so F3 90 is PAUSE only without one. */
    @Test
    void f3Opcode90WithABBitIsXchgNotPause() {
        Instruction legacy = d64(0xF3, 0x41, 0x90);
        assertEquals(Mnemonic.XCHG, legacy.mnemonic());
        assertEquals(0, legacy.reg(0));
        assertEquals(8, legacy.reg(1));
        text("xchg eax, r8d", "xchgl %r8d, %eax", 0xF3, 0x41, 0x90);
        text("xchg eax, r16d", "xchgl %r16d, %eax", 0xF3, 0xD5, 0x10, 0x90);
        text("xchg eax, r24d", "xchgl %r24d, %eax", 0xF3, 0xD5, 0x11, 0x90);
        text("xchg rax, r16", "xchgq %r16, %rax", 0xF3, 0xD5, 0x18, 0x90);
        // F2 is not part of PAUSE's opcode: it stays a (printed, ignored) prefix
        text("repne xchg eax, r9d", "repne xchgl %r9d, %eax", 0xF2, 0x41, 0x91);
        // without a B bit the register is rAX: PAUSE, whatever REX.W/REX2.W says
        assertEquals(Mnemonic.PAUSE, d64(0xF3, 0x90).mnemonic());
        assertEquals(Mnemonic.PAUSE, d64(0xF3, 0x48, 0x90).mnemonic());
        assertEquals(Mnemonic.PAUSE, d64(0xF3, 0xD5, 0x08, 0x90).mnemonic());
        assertEquals(Mnemonic.NOP, d64(0xD5, 0x08, 0x90).mnemonic());
    }

    /** Shift/rotate by one: the count is implicit in both syntaxes, also for the NDD and NF forms. */
    @Test
    void shiftByOneHasNoCountOperand() {
        // EVEX.NF.ND map 4 D1 /4: vvvv=0100 (esp) is the destination, rm=eax the source
        text("{nf} shl esp, eax", "{nf} shll %eax, %esp", 0x62, 0xF4, 0x5C, 0x1C, 0xD1, 0xE0);
        // D0 /7 with B3=0 (inverted bit 5 clear): rm=r9b; vvvv=0000, V4 clear -> r15b
        text("{nf} sar r15b, r9b", "{nf} sarb %r9b, %r15b", 0x62, 0xD4, 0x04, 0x1C, 0xD0, 0xF9);
        text("{evex} ror r9b", "{evex} rorb %r9b", 0x62, 0xD4, 0x7C, 0x08, 0xD0, 0xC9);
    }

    /** mod=00 rm=101 is RIP-relative whatever B3/B4 say; only X4:X3:index = 00100 means "no index". */
    @Test
    void ripRelativeAndIndexRules() {
        text("{evex} add dword ptr [rip + 16], eax", "{evex} addl %eax, 16(%rip)",
            0x62, 0xFC, 0x7C, 0x08, 0x01, 0x05, 0x10, 0, 0, 0);
        text("mov r17d, dword ptr [rip - 8]", "movl -8(%rip), %r17d", 0xD5, 0x50, 0x8B, 0x0D, 0xF8, 0xFF, 0xFF, 0xFF);
        text("lea eax, [r20 + r20]", "leal (%r20,%r20), %eax", 0xD5, 0x30, 0x8D, 0x04, 0x24);
        // a SIB without index prints riz unless the base (rsp/r12) needs the SIB anyway; r28 (B4=1) does not
        text("lea ecx, [r12 + 8]", "leal 8(%r12), %ecx", 0xD5, 0x01, 0x8D, 0x4C, 0x24, 0x08);
        text("lea ecx, [r28 + riz + 8]", "leal 8(%r28,%riz), %ecx", 0xD5, 0x11, 0x8D, 0x4C, 0x24, 0x08);
    }

    /** The AVX512PF prefetch gathers/scatters print the element size (as LLVM now does), mask first in Intel. */
    @Test
    void prefetchGatherPrintsElementSize() {
        text("vgatherpf0dpd {k1}, qword ptr [rax + 8*ymm1]", "vgatherpf0dpd (%rax,%ymm1,8) {%k1}",
            0x62, 0xF2, 0xFD, 0x49, 0xC6, 0x0C, 0xC8);
        text("vscatterpf1dps {k2}, dword ptr [rbx + 4*zmm3 + 64]", "vscatterpf1dps 64(%rbx,%zmm3,4) {%k2}",
            0x62, 0xF2, 0x7D, 0x4A, 0xC6, 0x74, 0x9B, 0x10);
    }
}
