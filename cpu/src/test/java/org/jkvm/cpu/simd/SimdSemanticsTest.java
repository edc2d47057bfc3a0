package org.jkvm.cpu.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.jkvm.cpu.fault.Fault;
import org.jkvm.cpu.model.CpuModelParser;
import org.jkvm.cpu.xstate.SegmentMemory;
import org.jkvm.cpu.xstate.XContext;
import org.jkvm.cpu.xstate.XFeature;
import org.jkvm.cpu.xstate.XState;
import org.jkvm.isa.Assembler;
import org.jkvm.isa.Decoder;
import org.jkvm.isa.Encoder;
import org.jkvm.isa.Instruction;
import org.jkvm.isa.Mnemonic;
import org.jkvm.isa.Mode;
import org.jkvm.isa.Operand;
import org.jkvm.isa.RegClass;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SIMD rules the host differential test cannot reach (a fault would be a signal in the test JVM):
 * unmasked MXCSR exceptions (#XM, or #UD without CR4.OSXMMEXCPT) leave the destination alone,
 * enabling checks (#UD/#NM), legacy alignment, masked EVEX stores that skip faulting elements.
 */
class SimdSemanticsTest {
    Arena arena;
    MemorySegment buf;
    XState s;
    SimdUnit u;
    TestSimdHost h;

    @BeforeEach
    void setUp() {
        arena = Arena.ofConfined();
        buf = arena.allocate(8192, 4096);
        s = new XState(CpuModelParser.parse("sapphirerapids"));
        s.loadXcr0(0x602E7);
        u = new SimdUnit(s);
        h = new TestSimdHost();
        h.mem = SegmentMemory.over(buf);
        h.ea = buf.address();
    }

    @AfterEach
    void tearDown() {
        arena.close();
    }

    static Instruction insn(Encoder.Options opt, Mnemonic m, Operand... ops) {
        return Decoder.decode(Mode.BITS64, new Assembler(Mode.BITS64).emit(opt, m, ops).bytes());
    }

    static Instruction insn(Mnemonic m, Operand... ops) {
        return insn(Encoder.Options.NONE, m, ops);
    }

    static Operand x(int n) { return new Operand.Reg(RegClass.XMM, n); }

    static Operand z(int n) { return new Operand.Reg(RegClass.ZMM, n); }

    static final Operand MEM = new Operand.Mem(0, -1, 3, -1, 1, 0, false, 8, null, false);

    int vector(Instruction in) {
        try {
            u.execute(in, h);
        } catch (Fault f) {
            return f.vector;
        }
        return -1;
    }

    @Test
    void unmaskedInvalidIsXmAndLeavesTheDestination() {
        s.zmm[0] = Float.floatToRawIntBits(1f);
        s.zmm[8] = 0x7F80_0001L; // SNaN in xmm1
        s.mxcsr = 0x1F80 & ~Mxcsr.IM;
        Instruction add = insn(Mnemonic.ADDSS, x(0), x(1));
        assertEquals(Fault.XM, vector(add));
        assertEquals(Float.floatToRawIntBits(1f), s.zmm[0], "destination unchanged");
        assertTrue((s.mxcsr & Mxcsr.IE) != 0, "flag set");
        h.cr4 &= ~XContext.CR4_OSXMMEXCPT;
        assertEquals(Fault.UD, vector(add), "#UD without CR4.OSXMMEXCPT");
        s.mxcsr = 0x1F80;
        assertEquals(-1, vector(add));
        assertEquals(0x7FC0_0001L, s.zmm[0] & 0xFFFF_FFFFL, "masked: the quieted NaN");
    }

    @Test
    void unmaskedDivideByZeroAndPrecision() {
        s.zmm[0] = Double.doubleToRawLongBits(1.0);
        s.zmm[8] = Double.doubleToRawLongBits(0.0);
        s.mxcsr = 0x1F80 & ~Mxcsr.ZM;
        assertEquals(Fault.XM, vector(insn(Mnemonic.DIVSD, x(0), x(1))));
        s.zmm[8] = Double.doubleToRawLongBits(3.0);
        s.mxcsr = 0x1F80 & ~Mxcsr.PM;
        assertEquals(Fault.XM, vector(insn(Mnemonic.DIVSD, x(0), x(1))), "1/3 is inexact");
        assertEquals(Double.doubleToRawLongBits(1.0), s.zmm[0]);
    }

    @Test
    void enablingChecks() {
        Instruction padd = insn(Mnemonic.PADDD, x(0), x(1));
        h.cr4 &= ~XContext.CR4_OSFXSR;
        assertEquals(Fault.UD, vector(padd), "legacy SSE needs CR4.OSFXSR");
        h.cr4 |= XContext.CR4_OSFXSR;
        h.cr0 |= XContext.CR0_EM;
        assertEquals(Fault.UD, vector(padd), "CR0.EM");
        h.cr0 &= ~XContext.CR0_EM;
        h.cr0 |= XContext.CR0_TS;
        assertEquals(Fault.NM, vector(padd), "CR0.TS");
        h.cr0 &= ~XContext.CR0_TS;
        Instruction vpadd = insn(Mnemonic.VPADDD, new Operand.Reg(RegClass.YMM, 0), new Operand.Reg(RegClass.YMM, 1),
            new Operand.Reg(RegClass.YMM, 2));
        s.loadXcr0(0x3);
        assertEquals(Fault.UD, vector(vpadd), "VEX needs XCR0.AVX");
        s.loadXcr0(0x7);
        assertEquals(-1, vector(vpadd));
        Instruction evex = insn(Mnemonic.VPADDD, z(0), z(1), z(2));
        assertEquals(Fault.UD, vector(evex), "EVEX needs the AVX-512 state in XCR0");
        XState icx = new XState(CpuModelParser.parse("icelake-server,-avx512f"));
        icx.loadXcr0(0x7);
        assertEquals(Fault.UD, vectorOn(icx, evex), "and the CPUID feature");
    }

    int vectorOn(XState st, Instruction in) {
        try {
            new SimdUnit(st).execute(in, h);
        } catch (Fault f) {
            return f.vector;
        }
        return -1;
    }

    @Test
    void legacyAlignment() {
        h.ea = buf.address() + 8;
        assertEquals(Fault.GP, vector(insn(Mnemonic.PADDD, x(0), MEM)), "16-byte operand misaligned");
        assertEquals(Fault.GP, vector(insn(Mnemonic.MOVAPS, x(0), MEM)));
        assertEquals(-1, vector(insn(Mnemonic.MOVUPS, x(0), MEM)));
        assertEquals(-1, vector(insn(Mnemonic.VPADDD, x(0), x(1), MEM)), "VEX arithmetic does not care");
        assertEquals(Fault.GP, vector(insn(Mnemonic.VMOVAPS, x(0), MEM)), "VEX aligned move does");
    }

    @Test
    void maskedStoreTouchesOnlySelectedElements() {
        SegmentMemory m = SegmentMemory.over(buf);
        h.mem = m;
        h.ea = buf.address() + 4096 - 32; // the upper half of the zmm store would cross into a faulting page
        m.faultBetween(buf.address() + 4096, buf.address() + 8192);
        for (int i = 0; i < 8; i++) s.zmm[i] = 0x1111_1111_1111_1111L * (i + 1);
        s.k[1] = 0x00FF; // dwords 0-7: the first 32 bytes only
        Instruction st = insn(new Encoder.Options(false, false, false, 1, false, -1, false, false, -1, 0),
            Mnemonic.VMOVDQU32, MEM, z(0));
        assertEquals(-1, vector(st), "masked-off elements do not fault");
        assertEquals(0x1111_1111_1111_1111L, buf.get(ValueLayout.JAVA_LONG_UNALIGNED, 4096 - 32));
        s.k[1] = 0x0100;
        assertEquals(Fault.PF, vector(st), "a selected element on the bad page does");
    }

    @Test
    void vzeroupperPutsTheUpperStateBackToInitial() {
        Instruction v = insn(Mnemonic.VPADDD, new Operand.Reg(RegClass.YMM, 3), new Operand.Reg(RegClass.YMM, 1),
            new Operand.Reg(RegClass.YMM, 2));
        s.zmm[8 + 2] = 5;
        u.execute(v, h);
        assertTrue((s.xinuse() & XFeature.AVX.mask) != 0);
        u.execute(insn(Mnemonic.VZEROUPPER), h);
        assertEquals(0, s.xinuse() & (XFeature.AVX.mask | XFeature.ZMM_HI256.mask));
        assertEquals(0, s.zmm[3 * 8 + 2]);
    }
}
