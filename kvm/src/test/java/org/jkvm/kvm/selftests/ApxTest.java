package org.jkvm.kvm.selftests;

import static org.jkvm.isa.Regs.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;

import org.jkvm.api.uabi.KvmCpuidEntry2;
import org.jkvm.api.uabi.KvmXsave;
import org.jkvm.kvm.SoftVcpu;
import org.jkvm.kvm.guest.Backends;
import org.jkvm.kvm.guest.Code;
import org.jkvm.kvm.guest.LongModeGuest;
import org.jkvm.kvm.regs.Gpr;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Port of the APX selftest (apx_test from the posted KVM APX series): R16-R31 live in the register cache, go
 * through the XSAVE uABI at CPUID 0xD.19's offset, and survive an XCR0.APX disable/re-enable.
 */
class ApxTest {
    static final long BUF = LongModeGuest.DATA;

    static int apxOffset(List<KvmCpuidEntry2> cpuid) {
        for (KvmCpuidEntry2 e : cpuid) if (e.function() == 0xD && e.index() == 19) return e.ebx();
        throw new AssertionError("no CPUID 0xD.19");
    }

    /** Stores R16..R31 to BUF (via RAX). */
    static void storeEgprs(Code c) {
        for (int n = 16; n < 32; n++) c.mov(RAX, r64(n)).mov(Code.qwordAt(BUF + 8L * (n - 16)), RAX);
    }

    @ParameterizedTest
    @ValueSource(strings = {"soft:max", "kvm"})
    void apx(String backend) throws Exception {
        if (backend.equals("kvm")) Backends.assumeXfeatures(backend, Map.of(), 1L << 19);
        try (LongModeGuest g = new LongModeGuest(Backends.open(backend), true, true, false)) {
            long supported = Xcr0CpuidTest.supportedXcr0(g.hv.supportedCpuid());
            assertNotEquals(0, supported & (1L << 19), "the max model has APX");
            int off = apxOffset(g.hv.supportedCpuid());
            assertEquals(960, off);
            g.installIdt();
            Code c = new Code(LongModeGuest.CODE);
            c.zero(R15).xsetbvGuarded(supported);
            storeEgprs(c); // first enable: all zero
            c.sync(1);
            for (int n = 16; n < 32; n++) c.mov(r64(n), 0xabcd + n);
            c.sync(2);
            storeEgprs(c); // the host's 0xbcde+n
            c.sync(3);
            for (int n = 16; n < 32; n++) c.mov(r64(n), 0xcdef + n);
            c.xsetbvGuarded(supported & ~(1L << 19));
            c.sync(4);
            c.xsetbvGuarded(supported);
            storeEgprs(c);
            c.sync(5);
            g.load(c);

            g.sync(1);
            assertEquals(0, g.vcpu.getRegs().r15(), "XSETBV with APX succeeds");
            for (int n = 16; n < 32; n++) assertEquals(0, g.read64(BUF + 8L * (n - 16)), "R" + n + " is zero after the first enable");

            g.sync(2);
            if (g.vcpu instanceof SoftVcpu sv) {
                var pc = ((org.jkvm.kvm.hw.PhysicalCpuSilicon) sv.cpu).physical();
                for (int n = 16; n < 32; n++) assertEquals(0, pc.core().r[n], "physical R" + n + " zeroed after the exit");
            }
            KvmXsave xs = g.vcpu.getXsave2();
            ByteBuffer b = ByteBuffer.wrap(xs.region()).order(ByteOrder.LITTLE_ENDIAN);
            assertNotEquals(0, b.getLong(512) & (1L << 19), "XSTATE_BV.APX");
            for (int n = 16; n < 32; n++) assertEquals(0xabcd + n, b.getLong(off + 8 * (n - 16)), "R" + n + " in the XSAVE buffer");
            byte[] region = xs.region();
            ByteBuffer w = ByteBuffer.wrap(region).order(ByteOrder.LITTLE_ENDIAN);
            for (int n = 16; n < 32; n++) w.putLong(off + 8 * (n - 16), 0xbcde + n);
            g.vcpu.setXsave(new KvmXsave(region));

            g.sync(3);
            for (int n = 16; n < 32; n++) assertEquals(0xbcde + n, g.read64(BUF + 8L * (n - 16)), "guest sees the host's R" + n);

            g.sync(4);
            assertEquals(0, g.vcpu.getRegs().r15());
            assertEquals(0, g.vcpu.getXcrs().xcrs().get(0).value() & (1L << 19), "APX disabled");
            b = ByteBuffer.wrap(g.vcpu.getXsave2().region()).order(ByteOrder.LITTLE_ENDIAN);
            for (int n = 16; n < 32; n++) assertEquals(0xcdef + n, b.getLong(off + 8 * (n - 16)), "host still reads R" + n);
            // While XCR0.APX=0 the physical R16..R31 are not the guest's: the entry path left them alone.
            if (g.vcpu instanceof SoftVcpu v) for (int n = 16; n < 32; n++) assertEquals(0xcdef + n, v.regs.gprReadRaw(Gpr.of(n)));

            g.sync(5);
            for (int n = 16; n < 32; n++) assertEquals(0xcdef + n, g.read64(BUF + 8L * (n - 16)), "R" + n + " preserved across disable/enable");
        }
    }
}
