package org.jkvm.kvm.guest;

import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Map;

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

    public static boolean executes(int... insn) {
        return executesAfter(new int[0], insn);
    }

    /** As {@link #executes}, with {@code setup} run first (unguarded; e.g. LDTILECFG before a tile load). */
    public static boolean executesAfter(int[] setup, int... insn) {
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
                c.movImm(6, LongModeGuest.DATA).movImm(7, CFG).movImm(1, 64).zero(0).zero(2).zero(15).zero(14);
                c.raw(setup).guard(insn.length).raw(insn).sync(1);
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

    public static final int[] LDTILECFG_RDI = {0xC4, 0xE2, 0x78, 0x49, 0x07};
    public static final int[] TILELOADD_TMM0_RSI_RCX = {0xC4, 0xE2, 0x7B, 0x4B, 0x04, 0x0E};
    public static final int[] TILESTORED_RSI_RCX_TMM0 = {0xC4, 0xE2, 0x7A, 0x4B, 0x04, 0x0E};
    public static final int[] TILERELEASE = {0xC4, 0xE2, 0x78, 0x49, 0xC0};
    public static final int[] XSAVEC64_RDI = {0x48, 0x0F, 0xC7, 0x27};
    public static final int[] VMOVDQU64_ZMM17_RSI = {0x62, 0xE1, 0xFE, 0x48, 0x6F, 0x0E};
    public static final int[] KMOVQ_K3_RSI = {0xC4, 0xE1, 0xF8, 0x90, 0x1E};
    public static final int[] MOVDQU_XMM1_RSI = {0xF3, 0x0F, 0x6F, 0x0E};
    public static final int[] VMOVDQU_YMM2_RSI = {0xC5, 0xFE, 0x6F, 0x16};
    public static final int[] FLD_QWORD_RSI = {0xDD, 0x06};

    public static void main(String[] a) {
        int[][] all = {LDTILECFG_RDI, TILELOADD_TMM0_RSI_RCX, TILESTORED_RSI_RCX_TMM0, TILERELEASE, XSAVEC64_RDI,
            VMOVDQU64_ZMM17_RSI, KMOVQ_K3_RSI, MOVDQU_XMM1_RSI, VMOVDQU_YMM2_RSI, FLD_QWORD_RSI};
        String[] n = {"ldtilecfg", "tileloadd", "tilestored", "tilerelease", "xsavec64", "vmovdqu64", "kmovq", "movdqu", "vmovdqu", "fld"};
        for (int i = 0; i < all.length; i++) System.out.println(n[i] + " " + executesAfter(LDTILECFG_RDI, all[i]));
    }
}
