package org.jkvm.cpu.diff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.jkvm.cpu.fault.Fault;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * APX on the software CPU alone (the host has no APX): each case is encoded from the spec's bit tables
 * ({@link ApxAsm}) and asserts what the spec says; the comment on each assertion names the line of the
 * shared spec (spec/isa.md) it rests on. Statements the spec marks as "believed, not confirmed" are not
 * asserted. Runs at CPL 3 with XCR0.APX and CR4.OSXSAVE set; every exception exits.
 */
class ApxSpecTest {
    private static final long BASE = 0x0000_5A5A_0000_0000L, SEQ = BASE + 0x100;
    private static final long SCRATCH = BASE + Layout.SCRATCH_BASE, UNMAPPED = BASE + Layout.HEADROOM;
    private static final long ALL = Flags.ARITH;

    private SoftCpu cpu;
    private long[] r;
    private byte[] data;
    private long flags;

    @BeforeEach
    void setUp() {
        cpu = new SoftCpu(BASE, SEQ, 3, true);
        r = new long[32];
        for (int i = 0; i < 32; i++) r[i] = 0x0123_4567_89AB_CDEFL * (i + 1) ^ ((long) i << 56);
        r[4] = BASE + Layout.INITIAL_RSP;
        data = new byte[Layout.DATA_SIZE];
    }

    @AfterEach
    void tearDown() { cpu.close(); }

    private SoftCpu.Exit run(ApxAsm code, long rflags) {
        SoftCpu.Exit e = cpu.execute(code.bytes(), r, rflags, data);
        flags = cpu.rflags() & Flags.ARITH;
        return e;
    }

    /** Runs and requires the sequence to reach its end. */
    private void runToEnd(ApxAsm code, long rflags) {
        int len = code.bytes().length;
        SoftCpu.Exit e = run(code, rflags);
        assertTrue(cpu.endedAtTerminator(e, len), () -> "expected to complete, got " + e.describe(SEQ));
    }

    private void assertFault(SoftCpu.Exit e, int vector, int errorCode) {
        assertEquals(Fault.name(vector), e.vector() < 0 ? e.describe(SEQ) : Fault.name(e.vector()), e.describe(SEQ));
        if (errorCode >= 0) assertEquals(errorCode, e.errorCode(), "error code");
        assertEquals(SEQ, e.rip(), "a fault leaves RIP on the instruction");
    }

    private long qword(long linear) {
        return ByteBuffer.wrap(data, (int) (linear - BASE - Layout.DATA), 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private void putQword(long linear, long v) {
        ByteBuffer.wrap(data, (int) (linear - BASE - Layout.DATA), 8).order(ByteOrder.LITTLE_ENDIAN).putLong(v);
    }

    // ---- REX2

    @Test
    void rex2MovAndCmovExamples() {
        // isa.md:27 D5 10 B8 imm32 = mov r16d, imm; D5 90 4C C0 = cmovl eax, r16d
        ApxAsm a = new ApxAsm().db(0xD5, ApxAsm.rex2(false, false, 0, 0, 16), 0xB8).imm(0x8765_4321L, 4)
            .rex2RR(true, false, 0x4C, 0, 16);
        r[16] = -1;
        runToEnd(a, Flags.SF); // SF != OF: "less"
        assertEquals(0x8765_4321L, r[16], "mov r16d writes R16 (a 32-bit write zero-extends)");
        assertEquals(0x8765_4321L, r[0], "cmovl eax, r16d took R16");
    }

    @Test
    void rex2RegisterNumbersHaveFiveBits() {
        // isa.md:17 R4:R3:reg and B4:B3:rm; add r24, r17 (01 /r, W=1)
        ApxAsm a = new ApxAsm().rex2RR(false, true, 0x01, 17, 24);
        r[24] = -1;
        r[17] = 1;
        long r8 = r[8], r1 = r[1];
        runToEnd(a, 0);
        assertEquals(0, r[24]);
        assertEquals(1, r[17]);
        assertEquals(r8, r[8], "R24 is not R8");
        assertEquals(r1, r[1], "R17 is not RCX");
        assertEquals(Flags.CF | Flags.ZF | Flags.PF | Flags.AF, flags, "flags as ADD");
    }

    @Test
    void rex2ExtendsBaseAndIndex() {
        // isa.md:17 X4:X3:index, B4:B3:base: mov rax, [r20 + r29*8]
        ApxAsm a = new ApxAsm().db(0xD5, ApxAsm.rex2(false, true, 0, 29, 20), 0x8B, 0x04, 0xC0 | (29 & 7) << 3 | (20 & 7));
        r[20] = SCRATCH;
        r[29] = 2;
        putQword(SCRATCH + 16, 0x1122_3344_5566_7788L);
        runToEnd(a, 0);
        assertEquals(0x1122_3344_5566_7788L, r[0]);
    }

    @Test
    void rex2ByteRegistersFourToSevenAreSplBplSilDil() {
        // isa.md:18-19: mov sil, al (88 /r, rm=6) under REX2 writes SIL, not DH
        ApxAsm a = new ApxAsm().rex2RR(false, false, 0x88, 0, 6);
        r[0] = 0x5A;
        long rdx = r[2], rsi = r[6];
        runToEnd(a, 0);
        assertEquals((rsi & ~0xFFL) | 0x5A, r[6]);
        assertEquals(rdx, r[2]);
    }

    @Test
    void rex2InvalidOpcodesAreUD() {
        // isa.md:20-22
        int[][] cases = {
            {0xD5, 0x00, 0x70, 0x00},                           // map 0 70-7F (Jcc)
            {0xD5, 0x00, 0x40, 0x90},                           // map 0 40-4F
            {0xD5, 0x00, 0xA0, 0, 0, 0, 0, 0, 0, 0, 0},         // map 0 A0-AF
            {0xD5, 0x08, 0xA1, 0, 0, 0, 0, 0, 0, 0, 0},         // A1 with W=1 (only W=0 is JMPABS)
            {0xD5, 0x00, 0xE8, 0, 0, 0, 0},                     // map 0 E0-EF
            {0xD5, 0x00, 0x0F, 0x90, 0xC0},                     // map 0 0F
            {0xD5, 0x80, 0x31},                                 // map 1 30-3F
            {0xD5, 0x80, 0x84, 0, 0, 0, 0},                     // map 1 80-8F
            {0xD5, 0x80, 0xAE, 0x20},                           // 0F AE /4 (XSAVE)
            {0xD5, 0x80, 0xC7, 0x20},                           // 0F C7 /4 (XSAVEC)
        };
        for (int[] c : cases) {
            ApxAsm a = new ApxAsm().db(c);
            SoftCpu.Exit e = run(a, 0);
            assertEquals("UD", e.vector() < 0 ? e.describe(SEQ) : Fault.name(e.vector()), () -> Asm.hex(a.bytes()));
            assertEquals(SEQ, e.rip(), () -> Asm.hex(a.bytes()));
        }
    }

    @Test
    void rexBeforeRex2IsUD() {
        // isa.md:18 REX2 must be the last prefix; a REX before it is #UD
        SoftCpu.Exit e = run(new ApxAsm().db(0x48, 0xD5, 0x10, 0xB8).imm(1, 4), 0);
        assertFault(e, Fault.UD, -1);
    }

    @Test
    void rex2WithoutXcr0ApxIsUD() {
        // isa.md:23 REX2 is #UD when XCR0[19]=0
        cpu.close();
        cpu = new SoftCpu(BASE, SEQ, 3, false);
        long[] r16 = java.util.Arrays.copyOf(r, 16);
        SoftCpu.Exit e = cpu.execute(new ApxAsm().db(0xD5, 0x10, 0xB8).imm(1, 4).bytes(), r16, 0, data);
        assertFault(e, Fault.UD, -1);
    }

    @Test
    void jmpabsLoadsRip() {
        // isa.md:24 D5 00 A1 imm64 (11 bytes), RIP <- imm64; here it jumps over an INC to the end
        long end = SEQ + 11 + 3;
        ApxAsm a = new ApxAsm().db(0xD5, 0x00, 0xA1).imm(end, 8).db(0x48, 0xFF, 0xC0);
        long rax = r[0];
        runToEnd(a, 0);
        assertEquals(rax, r[0], "the INC was jumped over");
    }

    @Test
    void jmpabsWithLegacyPrefixesIsUD() {
        // isa.md:24 66/67/F2/F3 prefixes #UD
        for (int p : new int[] {0x66, 0x67, 0xF2, 0xF3}) {
            SoftCpu.Exit e = run(new ApxAsm().db(p, 0xD5, 0x00, 0xA1).imm(SEQ + 12, 8), 0);
            assertEquals("UD", e.vector() < 0 ? e.describe(SEQ) : Fault.name(e.vector()), "prefix " + Integer.toHexString(p));
        }
    }

    @Test
    void pushpAndPoppBehaveAsPushAndPop() {
        // isa.md:25-26 50+r/58+r with REX2.W=1 are PUSHP/POPP, same semantics: pushp r16; popp rcx
        ApxAsm a = new ApxAsm().db(0xD5, ApxAsm.rex2(false, true, 0, 0, 16), 0x50)
            .db(0xD5, ApxAsm.rex2(false, true, 0, 0, 1), 0x58 + 1);
        long rsp = r[4];
        runToEnd(a, 0);
        assertEquals(r[16], r[1]);
        assertEquals(rsp, r[4]);
        assertEquals(r[16], qword(rsp - 8));
    }

    // ---- EVEX map 4: NDD and NF

    @Test
    void nfAddWritesNoFlags() {
        // isa.md:39 NF=1: flags not written; isa.md:40 ND=1: result to V, ModRM operands are sources
        for (long in : new long[] {0, ALL}) {
            r[15] = -1;
            r[9] = 1;
            r[11] = 0x77;
            runToEnd(new ApxAsm().evexRR(true, 0, true, true, 11, 0x01, 9, 15), in); // {nf} add r11, r15, r9
            assertEquals(0, r[11]);
            assertEquals(-1, r[15]);
            assertEquals(1, r[9]);
            assertEquals(in, flags, "NF leaves the flags");
        }
    }

    @Test
    void nddAddWritesTheThirdRegisterAndFlags() {
        // isa.md:40: add r18d, r16d, r17d (03 /r, W=0): r18 <- r16d + r17d, flags as ADD
        r[16] = 0xAAAA_AAAA_FFFF_FFFFL;
        r[17] = 0x5555_5555_0000_0001L;
        runToEnd(new ApxAsm().evexRR(false, 0, true, false, 18, 0x03, 16, 17), 0);
        assertEquals(0, r[18], "32-bit result, zero-extended");
        assertEquals(0xAAAA_AAAA_FFFF_FFFFL, r[16]);
        assertEquals(Flags.CF | Flags.ZF | Flags.PF | Flags.AF, flags);
    }

    @Test
    void nddSubWithNfKeepsFlags() {
        // isa.md:39-40: {nf} sub r20, r21, r22 (2B /r is SUB r, r/m, so V <- reg - r/m)
        r[21] = 10;
        r[22] = 3;
        runToEnd(new ApxAsm().evexRR(true, 0, true, true, 20, 0x2B, 21, 22), Flags.ZF);
        assertEquals(7, r[20]);
        assertEquals(Flags.ZF, flags);
    }

    @Test
    void setzuSetsTheWholeRegister() {
        // isa.md:43 SETZUcc: EVEX.F2.MAP4 40+cc, ND=1, whole 64-bit register <- 0/1
        r[20] = -1;
        runToEnd(new ApxAsm().evexRR(false, 3, true, false, 0, 0x44, 0, 20), Flags.ZF); // setzue r20b
        assertEquals(1, r[20]);
        r[20] = -1;
        runToEnd(new ApxAsm().evexRR(false, 3, true, false, 0, 0x44, 0, 20), 0);
        assertEquals(0, r[20]);
    }

    @Test
    void imulzuZeroExtends() {
        // isa.md:44 IMULZU: map 4 6B with ND=1 zero-extends (16-bit: pp=66)
        r[0] = -1;
        r[1] = 0xFFFF_FFFF_FFFF_0003L;
        runToEnd(new ApxAsm().evexRR(false, 1, true, false, 0, 0x6B, 0, 1).db(5), 0); // imulzu ax, cx, 5
        assertEquals(15, r[0]);
    }

    // ---- CCMP / CTEST

    private static final int SCC_TRUE = 0b1010, SCC_FALSE = 0b1011, DFV_OF = 8, DFV_SF = 4, DFV_ZF = 2, DFV_CF = 1;

    @Test
    void ccmpWhenTheConditionHoldsComparesAsCmp() {
        // isa.md:45-47 SCC=1010 always true: flags as CMP; registers unchanged
        r[3] = 1;
        r[0] = 2;
        runToEnd(new ApxAsm().ccmpRR(true, 0, SCC_TRUE, DFV_OF | DFV_ZF, 0x39, 0, 3), 0); // ccmpt rbx, rax
        assertEquals(Flags.CF | Flags.SF | Flags.PF | Flags.AF, flags, "1 - 2 as CMP");
        assertEquals(1, r[3]);
    }

    @Test
    void ccmpWhenTheConditionFailsLoadsTheDefaultFlags() {
        // isa.md:45-48 SCC=1011 always false: OF/SF/ZF/CF <- DFV (AF/PF not asserted: "believed")
        int mask = Flags.OF | Flags.SF | Flags.ZF | Flags.CF;
        for (int dfv : new int[] {0, DFV_OF | DFV_CF, DFV_SF | DFV_ZF, 15}) {
            r[3] = 1;
            r[0] = 1;
            runToEnd(new ApxAsm().ccmpRR(true, 0, SCC_FALSE, dfv, 0x39, 0, 3), ALL & ~Flags.ZF);
            long expect = ((dfv & DFV_OF) != 0 ? Flags.OF : 0) | ((dfv & DFV_SF) != 0 ? Flags.SF : 0)
                | ((dfv & DFV_ZF) != 0 ? Flags.ZF : 0) | ((dfv & DFV_CF) != 0 ? Flags.CF : 0);
            assertEquals(expect, flags & mask, "dfv " + dfv);
        }
    }

    @Test
    void ccmpEvaluatesItsSourceCondition() {
        // isa.md:45-47 SCC is a condition code on the incoming flags: scc=E (0100)
        r[3] = 5;
        r[0] = 5;
        runToEnd(new ApxAsm().ccmpRR(true, 0, 0b0100, DFV_CF, 0x39, 0, 3), Flags.ZF); // ZF=1: compare 5-5
        assertEquals(Flags.ZF | Flags.PF, flags & (Flags.ZF | Flags.PF | Flags.CF | Flags.SF | Flags.OF));
        runToEnd(new ApxAsm().ccmpRR(true, 0, 0b0100, DFV_CF, 0x39, 0, 3), 0); // ZF=0: DFV
        assertEquals(Flags.CF, flags & (Flags.ZF | Flags.CF | Flags.SF | Flags.OF));
    }

    @Test
    void ctestWhenTheConditionHoldsTestsAsTest() {
        // isa.md:45-47 CTEST: TEST opcode (85 /r); true: flags as TEST (OF=CF=0, SZP from the AND)
        r[2] = 0x8000_0000_0000_0000L;
        r[1] = -1;
        runToEnd(new ApxAsm().ccmpRR(true, 0, SCC_TRUE, 15, 0x85, 1, 2), Flags.CF | Flags.OF);
        assertEquals(Flags.SF | Flags.PF, flags & (Flags.OF | Flags.SF | Flags.ZF | Flags.PF | Flags.CF));
    }

    // ---- CFCMOV

    @Test
    void cfcmovLoadFormReadsNothingAndZeroesWhenFalse() {
        // isa.md:53 ND=0 NF=0: reg <- cc ? r/m : 0; no memory read if false (the operand is unmapped)
        r[21] = UNMAPPED;
        r[17] = -1;
        runToEnd(new ApxAsm().evexRM(true, 0, false, false, 0, 0x42, 17, 21, 0), 0); // cfcmovb r17, [r21]; CF=0
        assertEquals(0, r[17]);
        SoftCpu.Exit e = run(new ApxAsm().evexRM(true, 0, false, false, 0, 0x42, 17, 21, 0), Flags.CF);
        assertFault(e, Fault.PF, -1); // the same operand, condition true: it is really unmapped
        r[21] = SCRATCH;
        putQword(SCRATCH, 0x0BAD_F00DL);
        runToEnd(new ApxAsm().evexRM(true, 0, false, false, 0, 0x42, 17, 21, 0), Flags.CF);
        assertEquals(0x0BAD_F00DL, r[17]);
    }

    @Test
    void cfcmovStoreFormDoesNotTouchMemoryWhenFalse() {
        // isa.md:54 ND=0 NF=1: if cc, r/m <- reg; no access and no fault if false
        r[21] = UNMAPPED;
        r[17] = 0x1234;
        runToEnd(new ApxAsm().evexRM(true, 0, false, true, 0, 0x42, 17, 21, 0), 0); // cfcmovb [r21], r17; CF=0
        byte[] before = data.clone();
        r[21] = SCRATCH;
        runToEnd(new ApxAsm().evexRM(true, 0, false, true, 0, 0x42, 17, 21, 0), 0);
        assertArrayEquals(before, data, "no store when false");
        runToEnd(new ApxAsm().evexRM(true, 0, false, true, 0, 0x42, 17, 21, 0), Flags.CF);
        assertEquals(0x1234, qword(SCRATCH));
    }

    @Test
    void cfcmovNddForms() {
        // isa.md:55 ND=1 NF=1: v <- cc ? r/m : reg
        r[17] = 0x1111;
        r[21] = 0x2222;
        runToEnd(new ApxAsm().evexRR(true, 0, true, true, 25, 0x42, 17, 21), Flags.CF);
        assertEquals(0x2222, r[25]);
        runToEnd(new ApxAsm().evexRR(true, 0, true, true, 25, 0x42, 17, 21), 0);
        assertEquals(0x1111, r[25]);
        // isa.md:56 ND=1 NF=0: NDD CMOV, memory always read (so an unmapped operand faults even when false)
        r[21] = UNMAPPED;
        SoftCpu.Exit e = run(new ApxAsm().evexRM(true, 0, true, false, 25, 0x42, 17, 21, 0), 0);
        assertFault(e, Fault.PF, -1);
    }

    // ---- PUSH2 / POP2

    private static ApxAsm push2(int v, int rm) { return new ApxAsm().evexRR(false, 0, true, false, v, 0xFF, 6, rm); }

    private static ApxAsm pop2(int v, int rm) { return new ApxAsm().evexRR(false, 0, true, false, v, 0x8F, 0, rm); }

    @Test
    void push2StoresVAboveR() {
        // isa.md:59 PUSH2 v, r: [RSP-8] <- v, [RSP-16] <- r, RSP -= 16
        long rsp = r[4];
        runToEnd(push2(18, 3), 0);
        assertEquals(rsp - 16, r[4]);
        assertEquals(r[18], qword(rsp - 8));
        assertEquals(r[3], qword(rsp - 16));
    }

    @Test
    void pop2LoadsVFromTheLowerSlot() {
        // isa.md:60 POP2 v, r: v <- [RSP], r <- [RSP+8], RSP += 16
        long rsp = r[4];
        putQword(rsp, 0xAAAA);
        putQword(rsp + 8, 0xBBBB);
        runToEnd(pop2(18, 3), 0);
        assertEquals(0xAAAA, r[18]);
        assertEquals(0xBBBB, r[3]);
        assertEquals(rsp + 16, r[4]);
    }

    @Test
    void pop2ReadsTheSlotsInTheOppositeOrderOfPush2() {
        // isa.md:59-60 PUSH2 v, r puts r at the lower slot; POP2 v', r' takes v' from the lower slot,
        // so push2 r18, rbx; pop2 r24, r25 leaves r24 = rbx and r25 = r18
        long v = r[18], rm = r[3], rsp = r[4];
        runToEnd(push2(18, 3).append(pop2(24, 25).bytes()), 0);
        assertEquals(rm, r[24]);
        assertEquals(v, r[25]);
        assertEquals(rsp, r[4]);
    }

    @Test
    void push2AndPop2NeedA16ByteAlignedStack() {
        // isa.md:60 RSP not 16-aligned: #GP(0)
        r[4] -= 8;
        assertFault(run(push2(18, 3), 0), Fault.GP, 0);
        assertFault(run(pop2(18, 3), 0), Fault.GP, 0);
    }

    @Test
    void push2AndPop2RejectRspAndPop2TheSameRegisterTwice() {
        // isa.md:61 either operand RSP: #UD; POP2 with the same register twice: #UD
        assertFault(run(push2(4, 3), 0), Fault.UD, -1);
        assertFault(run(push2(3, 4), 0), Fault.UD, -1);
        assertFault(run(pop2(4, 3), 0), Fault.UD, -1);
        assertFault(run(pop2(3, 3), 0), Fault.UD, -1);
    }

    @Test
    void apxIsEnumerated() {
        // isa.md:64 CPUID.(7,1):EDX[21]; CPUID.(0x29,0):EBX[0]
        assertEquals(1, cpu.cpu().cpuid(7, 1)[3] >>> 21 & 1);
        assertEquals(1, cpu.cpu().cpuid(0x29, 0)[1] & 1);
    }
}
