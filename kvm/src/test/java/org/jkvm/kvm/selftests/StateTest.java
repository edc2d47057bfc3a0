package org.jkvm.kvm.selftests;

import static org.jkvm.isa.Assembler.mem;
import static org.jkvm.isa.Assembler.qword;
import static org.jkvm.isa.Regs.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.jkvm.api.Hypervisor;
import org.jkvm.api.Vcpu;
import org.jkvm.api.uabi.KvmSregs;
import org.jkvm.api.uabi.KvmXcr;
import org.jkvm.api.uabi.KvmXcrs;
import org.jkvm.api.uabi.KvmXsave;
import org.jkvm.kvm.guest.Backends;
import org.jkvm.kvm.guest.Code;
import org.jkvm.kvm.guest.LongModeGuest;
import org.jkvm.kvm.guest.Migrate;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Port of Linux's x86/state_test for the XSAVE-managed state: FP, XMM, YMM, ZMM/opmask, R16-R31 and PKRU are dirty;
 * at every sync point the whole vCPU is saved and restored into a fresh VM, the restored registers equal the saved
 * ones, and the guest continues there; KVM_SET_XSAVE on an extra vCPU without CPUID succeeds with the saved
 * XSTATE_BV, with it forced to every supported feature, and with the original again.
 *
 * <p>The host first loads random x87/SSE/AVX/AVX-512/opmask state through KVM_SET_XSAVE; then, like the selftest's
 * guest, guest instructions take some of it out of those values (FLD, MOVDQU, VMOVDQU, VMOVDQU64 on the low and the
 * high sixteen ZMMs, KMOVQ) before the first sync point. Both kinds travel guest FPU load/put and every migration.
 *
 * <p>Runs on the soft backend and on /dev/kvm where the host has it (x87, SSE, AVX and AVX-512 needed; R16-R31 and
 * PKRU only where the backend supports APX and PKU): the same guest and the same expectations on both.
 */
class StateTest {
    static final Map<String, String> SOFT = Map.of("cpu", "max", "max-instructions", "1000000");
    static final long APX = 1L << 19, PKRU = 1L << 9, AVX512 = 0xE7;
    static final long OUT = LongModeGuest.DATA, PATTERN = LongModeGuest.DATA + 0x1000;
    /** The 64 bytes at PATTERN, and their FLD m64fp value as x87 extended precision (SDM: exact widening). */
    static final long CC = 0xCCCC_CCCC_CCCC_CCCCL;
    static final long CC_MANTISSA = Long.MIN_VALUE | (CC & ((1L << 52) - 1)) << 11;
    static final short CC_SIGN_EXP = (short) (0x8000 | (((CC >>> 52) & 0x7FF) - 1023 + 16383));

    private static String state(Vcpu v) throws Exception {
        KvmSregs s = v.getSregs();
        return v.getRegs() + "\n" + s.cr0() + "/" + s.cr3() + "/" + s.cr4() + "/" + s.efer() + "\n" + v.getXcrs() + "\n"
            + java.util.HexFormat.of().formatHex(v.getXsave2().region());
    }

    /** The guest's part of the dirtying: loads from [RSI] into ST0, XMM1, YMM2, ZMM3, ZMM17 and k3. */
    static void dirtyVectors(Code c) {
        c.fld(qword(RSI, 0)).movdqu(xmm(1), mem(RSI, 0)).vmovdqu(ymm(2), mem(RSI, 0));
        c.vmovdqu64(zmm(3), mem(RSI, 0)).vmovdqu64(zmm(17), mem(RSI, 0)).kmovq(k(3), mem(RSI, 0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"soft", "kvm"})
    void stateSurvivesSaveRestoreAtEverySyncPoint(String backend) throws Exception {
        Map<String, String> opts = backend.equals("soft") ? SOFT : Map.of();
        Backends.assumeXfeatures(backend, opts, AVX512);
        Backends.assumeExecutes(backend, opts, "x87/SSE/AVX/AVX-512 loads", StateTest::dirtyVectors);
        LongModeGuest g = new LongModeGuest(Hypervisor.open(backend, opts), true, true, false);
        try {
            long sup = Xcr0CpuidTest.supportedXcr0(g.hv.supportedCpuid());
            boolean apx = (sup & APX) != 0, pku = (sup & PKRU) != 0;
            g.vcpu.setXcrs(new KvmXcrs(0, List.of(new KvmXcr(0, sup))));
            KvmSregs s = g.vcpu.getSregs();
            g.vcpu.setSregs(new KvmSregs(s.cs(), s.ds(), s.es(), s.fs(), s.gs(), s.ss(), s.tr(), s.ldt(), s.gdt(), s.idt(),
                s.cr0(), 0, s.cr3(), s.cr4() | (pku ? 1L << 22 : 0), 0, s.efer(), s.apicBase(), new long[4]));
            // dirty x87, XMM, YMM, ZMM, opmask
            byte[] x = g.vcpu.getXsave2().region();
            ByteBuffer w = ByteBuffer.wrap(x).order(ByteOrder.LITTLE_ENDIAN);
            SplittableRandom r = new SplittableRandom(42);
            for (int off = 160; off < 416; off += 8) w.putLong(off, r.nextLong());
            for (int off = 576; off < 832; off += 8) w.putLong(off, r.nextLong());
            for (int off = 1088; off < 2688; off += 8) w.putLong(off, r.nextLong());
            w.putLong(32, 0xC90F_DAA2_2168_C235L);
            w.putShort(40, (short) 0x4000); // pi in ST0
            x[4] = 1;
            w.putInt(24, 0x1F80);
            w.putLong(512, w.getLong(512) | 0xE7);
            g.vcpu.setXsave(new KvmXsave(x));

            for (int i = 0; i < 64; i += 8) g.write64(PATTERN + i, CC);
            Code c = new Code(LongModeGuest.CODE);
            c.mov(RSI, PATTERN);
            dirtyVectors(c);
            c.sync(1);
            if (apx) for (int n = 16; n < 32; n++) c.mov(r64(n), 0x1600_0000L + n);
            c.sync(2);
            if (pku) c.mov(EAX, 0x5555_0004L).zero(RCX).zero(RDX).wrpkru();
            c.sync(3);
            if (apx) for (int n = 16; n < 32; n++) c.mov(RAX, r64(n)).mov(Code.qwordAt(OUT + 8L * (n - 16)), RAX);
            if (pku) c.zero(RCX).rdpkru().mov(Code.qwordAt(OUT + 128), RAX);
            c.sync(4);
            g.load(c);

            for (int sync = 1; sync <= 4; sync++) {
                g.sync(sync);
                g.vcpu.kick();
                assertInstanceOf(org.jkvm.api.exit.VcpuExit.Interrupted.class, g.vcpu.run(), "I/O completion");
                String before = state(g.vcpu);
                byte[] saved = g.vcpu.getXsave2().region();
                // an extra vCPU without CPUID: SET_XSAVE with the saved, all-supported and original XSTATE_BV
                Vcpu extra = g.vm.createVcpu(1 + sync);
                ByteBuffer sb = ByteBuffer.wrap(saved).order(ByteOrder.LITTLE_ENDIAN);
                long bv = sb.getLong(512);
                extra.setXsave(new KvmXsave(saved));
                sb.putLong(512, sup);
                extra.setXsave(new KvmXsave(saved));
                sb.putLong(512, bv);
                extra.setXsave(new KvmXsave(saved));
                extra.close();

                LongModeGuest n = Migrate.to(g, backend, opts, false);
                g.close();
                g = n;
                assertEquals(before, state(g.vcpu), "sync " + sync + ": registers after restore");
            }
            if (apx) for (int n = 16; n < 32; n++) assertEquals(0x1600_0000L + n, g.read64(OUT + 8L * (n - 16)), "R" + n);
            if (pku) assertEquals(0x5555_0004L, g.read64(OUT + 128) & 0xFFFF_FFFFL, "PKRU");
            if (backend.equals("soft")) assertTrue(apx && pku, "the max model has APX and PKU");
            ByteBuffer fin = ByteBuffer.wrap(g.vcpu.getXsave2().region()).order(ByteOrder.LITTLE_ENDIAN);
            // host-loaded values the guest did not touch
            assertEquals(w.getLong(160), fin.getLong(160), "XMM0");
            assertEquals(w.getLong(1088), fin.getLong(1088), "k0");
            assertEquals(w.getLong(2680), fin.getLong(2680), "ZMM31 high");
            assertEquals(0xC90F_DAA2_2168_C235L, fin.getLong(48), "ST1: the host's pi, pushed down by the guest's FLD");
            assertEquals(0x4000, fin.getShort(56));
            // guest-written values (standard XSAVE format: XMMi at 160+16i, YMM_Hi128 at 576+16i, k at 1088+8i,
            // ZMM_Hi256 at 1152+32i, Hi16_ZMM at 1664+64(i-16))
            assertEquals(CC_MANTISSA, fin.getLong(32), "ST0 = FLD of the pattern");
            assertEquals(CC_SIGN_EXP, fin.getShort(40));
            for (int i = 0; i < 16; i += 8) {
                assertEquals(CC, fin.getLong(160 + 16 + i), "XMM1 (MOVDQU)");
                assertEquals(CC, fin.getLong(160 + 32 + i), "XMM2 (VMOVDQU ymm2)");
                assertEquals(CC, fin.getLong(576 + 32 + i), "YMM2 high (VMOVDQU ymm2)");
                assertEquals(CC, fin.getLong(160 + 48 + i), "XMM3 (VMOVDQU64 zmm3)");
                assertEquals(CC, fin.getLong(576 + 48 + i), "YMM3 high");
            }
            assertEquals(0, fin.getLong(576 + 16) ^ w.getLong(576 + 16), "YMM1 high: MOVDQU leaves it alone");
            for (int i = 0; i < 32; i += 8) assertEquals(0, fin.getLong(1152 + 64 + i), "VEX.256 zeroes ZMM2 bits 511:256");
            for (int i = 0; i < 32; i += 8) assertEquals(CC, fin.getLong(1152 + 96 + i), "ZMM3 high 256");
            for (int i = 0; i < 64; i += 8) assertEquals(CC, fin.getLong(1664 + 64 + i), "ZMM17 (EVEX R')");
            assertEquals(CC, fin.getLong(1088 + 24), "k3 (KMOVQ)");
        } finally {
            g.close();
        }
    }
}
