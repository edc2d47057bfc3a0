package org.jkvm.kvm.guest;

import static org.jkvm.isa.Assembler.mem;
import static org.jkvm.isa.Assembler.qword;
import static org.jkvm.isa.Regs.*;

import java.lang.foreign.ValueLayout;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.jkvm.api.Hypervisor;
import org.jkvm.api.uabi.KvmSregs;
import org.jkvm.api.uabi.KvmXcr;
import org.jkvm.api.uabi.KvmXcrs;

/**
 * Whether the software CPU executes an instruction yet (the cpu module grows during development): runs it once in
 * a throwaway guest with every XSAVE feature enabled, CR4.PKE, a valid tile configuration at DATA+0x1000 (RDI),
 * RSI = DATA, RCX = 64, and reports whether it raised #UD. Tests that need one skip with the reason when not.
 */
public final class InsnProbe {
    private InsnProbe() {}

    public static final long CFG = LongModeGuest.DATA + 0x1000;

    public static final Consumer<Code> NOTHING = c -> { };
    public static final Consumer<Code> LDTILECFG_RDI = c -> c.ldtilecfg(mem(RDI, 0));
    public static final Consumer<Code> TILELOADD_TMM0_RSI_RCX = c -> c.tileloadd(tmm(0), mem(RSI, RCX, 1, 0));
    public static final Consumer<Code> TILESTORED_RSI_RCX_TMM0 = c -> c.tilestored(mem(RSI, RCX, 1, 0), tmm(0));
    public static final Consumer<Code> TILERELEASE = Code::tilerelease;
    public static final Consumer<Code> XSAVEC64_RDI = c -> c.xsavec(mem(RDI, 0));
    public static final Consumer<Code> VMOVDQU64_ZMM17_RSI = c -> c.vmovdqu64(zmm(17), mem(RSI, 0));
    public static final Consumer<Code> KMOVQ_K3_RSI = c -> c.kmovq(k(3), mem(RSI, 0));
    public static final Consumer<Code> MOVDQU_XMM1_RSI = c -> c.movdqu(xmm(1), mem(RSI, 0));
    public static final Consumer<Code> VMOVDQU_YMM2_RSI = c -> c.vmovdqu(ymm(2), mem(RSI, 0));
    public static final Consumer<Code> FLD_QWORD_RSI = c -> c.fld(qword(RSI, 0));

    public static boolean executes(Consumer<Code> insn) {
        return executesAfter(NOTHING, insn);
    }

    /** As {@link #executes}, with {@code setup} run first (unguarded; e.g. LDTILECFG before a tile load). */
    public static boolean executesAfter(Consumer<Code> setup, Consumer<Code> insn) {
        try {
            Hypervisor hv = Hypervisor.open("soft", Map.of("cpu", "max"));
            hv.requestGuestPermission(Hypervisor.XFEATURE_XTILEDATA);
            try (LongModeGuest g = new LongModeGuest(hv, true, true, false)) {
                long sup = 0;
                for (var e : hv.supportedCpuid()) if (e.function() == 0xD && e.index() == 0) sup = (e.eax() & 0xFFFF_FFFFL) | (long) e.edx() << 32;
                g.vcpu.setXcrs(new KvmXcrs(0, List.of(new KvmXcr(0, sup))));
                KvmSregs s = g.vcpu.getSregs();
                g.vcpu.setSregs(new KvmSregs(s.cs(), s.ds(), s.es(), s.fs(), s.gs(), s.ss(), s.tr(), s.ldt(), s.gdt(), s.idt(),
                    s.cr0(), 0, s.cr3(), s.cr4() | (1L << 22), 0, s.efer(), s.apicBase(), new long[4]));
                g.installIdt();
                tileConfig(g, CFG);
                Code c = new Code(LongModeGuest.CODE);
                c.mov(RSI, LongModeGuest.DATA).mov(RDI, CFG).mov(RCX, 64).zero(RAX).zero(RDX).zero(R15).zero(R14);
                setup.accept(c);
                c.guarded(insn).sync(1);
                g.load(c);
                g.sync(1);
                var r = g.vcpu.getRegs();
                return !(r.r15() != 0 && r.r14() == 6);
            }
        } catch (Exception | AssertionError e) {
            return false;
        }
    }

    /** A palette-1 configuration: 8 tiles of 16 rows x 64 bytes. */
    public static void tileConfig(LongModeGuest g, long at) {
        for (int i = 0; i < 64; i++) g.ram.set(ValueLayout.JAVA_BYTE, at + i, (byte) 0);
        g.ram.set(ValueLayout.JAVA_BYTE, at, (byte) 1);
        for (int t = 0; t < 8; t++) {
            g.ram.set(ValueLayout.JAVA_SHORT_UNALIGNED, at + 16 + 2 * t, (short) 64);
            g.ram.set(ValueLayout.JAVA_BYTE, at + 48 + t, (byte) 16);
        }
    }

    public static void main(String[] a) {
        Map<String, Consumer<Code>> all = new LinkedHashMap<>();
        all.put("ldtilecfg", LDTILECFG_RDI);
        all.put("tileloadd", TILELOADD_TMM0_RSI_RCX);
        all.put("tilestored", TILESTORED_RSI_RCX_TMM0);
        all.put("tilerelease", TILERELEASE);
        all.put("xsavec64", XSAVEC64_RDI);
        all.put("vmovdqu64", VMOVDQU64_ZMM17_RSI);
        all.put("kmovq", KMOVQ_K3_RSI);
        all.put("movdqu", MOVDQU_XMM1_RSI);
        all.put("vmovdqu", VMOVDQU_YMM2_RSI);
        all.put("fld", FLD_QWORD_RSI);
        all.forEach((n, insn) -> System.out.println(n + " " + executesAfter(LDTILECFG_RDI, insn)));
    }
}
