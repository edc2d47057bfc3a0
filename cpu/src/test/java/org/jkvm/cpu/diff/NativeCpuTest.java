package org.jkvm.cpu.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.jkvm.isa.CpuFeature;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The native side alone: known sequences give the results the SDM defines for them. */
class NativeCpuTest {
    private static NativeCpu cpu;

    @BeforeAll
    static void open() {
        assumeTrue(HostSupport.reason() == null, HostSupport::reason);
        cpu = new NativeCpu();
    }

    @AfterAll
    static void close() {
        if (cpu != null) cpu.close();
    }

    private static ArchState initial() {
        long[] gpr = new long[16];
        for (int i = 0; i < 16; i++) gpr[i] = 0x1111_1111_1111_1111L * i;
        gpr[Gpr.RSP.num()] = cpu.base() + Layout.INITIAL_RSP;
        gpr[Gpr.RBX.num()] = cpu.base() + Layout.SCRATCH_BASE;
        return new ArchState(gpr, 0, new byte[Layout.DATA_SIZE]);
    }

    @Test
    void emptySequenceKeepsEveryRegisterAndFlag() {
        ArchState in = initial();
        long flags = Flags.CF | Flags.ZF | Flags.OF | Flags.AF | Flags.PF | Flags.SF;
        in = new ArchState(in.gpr(), flags, in.data());
        ArchState out = cpu.run(new byte[0], in);
        assertEquals("", in.diff(out, 0, cpu.base() + Layout.DATA));
        assertEquals(flags, out.rflags() & Flags.ARITH);
    }

    @Test
    void addSetsCarryAndZeroAtTheWrap() {
        Asm a = new Asm(cpu.sequenceAddress());
        a.legacy(8, 0, false, new int[] {0x01}, Operand.Reg.of(Gpr.RCX, 8), Operand.Reg.of(Gpr.RAX, 8), 0, 0);
        ArchState in = initial();
        in.gpr()[Gpr.RAX.num()] = -1;
        in.gpr()[Gpr.RCX.num()] = 1;
        ArchState out = cpu.run(a.bytes(), in);
        assertEquals(0, out.get(Gpr.RAX));
        assertEquals(Flags.CF | Flags.ZF | Flags.PF | Flags.AF, out.rflags() & Flags.ARITH);
    }

    @Test
    void storesPushesAndPopsUseTheDataArea() {
        Asm a = new Asm(cpu.sequenceAddress());
        // mov [rbx+8], rax; push rcx; pop rdx; push 0x7f
        a.legacy(8, 0, false, new int[] {0x89}, Operand.Reg.of(Gpr.RAX, 8), Operand.Mem.base(Gpr.RBX, 8), 0, 0);
        a.plusReg(8, true, new int[] {0x50}, Operand.Reg.of(Gpr.RCX, 8), 0, 0);
        a.plusReg(8, true, new int[] {0x58}, Operand.Reg.of(Gpr.RDX, 8), 0, 0);
        a.db(0x6A, 0x7F);
        ArchState in = initial();
        ArchState out = cpu.run(a.bytes(), in);
        long rsp = cpu.base() + Layout.INITIAL_RSP;
        assertEquals(in.get(Gpr.RCX), out.get(Gpr.RDX));
        assertEquals(rsp - 8, out.get(Gpr.RSP));
        int scratch = Layout.SCRATCH_BASE - Layout.DATA + 8;
        assertEquals(in.get(Gpr.RAX), java.nio.ByteBuffer.wrap(out.data(), scratch, 8)
            .order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong());
        int slot = Layout.INITIAL_RSP - Layout.DATA - 8;
        assertEquals(0x7F, out.data()[slot]);
        for (Gpr r : new Gpr[] {Gpr.RBX, Gpr.RBP, Gpr.R12, Gpr.R13, Gpr.R14, Gpr.R15, Gpr.RSI, Gpr.RDI}) {
            assertEquals(in.get(r), out.get(r), r.name(8));
        }
    }

    @Test
    void hostCpuidAgreesWithProcCpuinfo() throws Exception {
        String flags = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo")).stream()
            .filter(l -> l.startsWith("flags")).findFirst().orElse("");
        assumeTrue(!flags.isEmpty(), "no /proc/cpuinfo flags line");
        assertEquals(flags.contains(" bmi2"), HostCpuid.has(CpuFeature.BMI2));
        assertEquals(flags.contains(" popcnt"), HostCpuid.has(CpuFeature.POPCNT));
        assertEquals(flags.contains(" adx"), HostCpuid.has(CpuFeature.ADX));
        assertTrue(HostCpuid.has(CpuFeature.LM));
    }
}
