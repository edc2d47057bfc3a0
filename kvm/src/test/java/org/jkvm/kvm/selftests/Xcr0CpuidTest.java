package org.jkvm.kvm.selftests;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;

import org.jkvm.api.Hypervisor;
import org.jkvm.api.uabi.KvmCpuidEntry2;
import org.jkvm.api.uabi.KvmXcr;
import org.jkvm.api.uabi.KvmXcrs;
import org.jkvm.kvm.guest.Code;
import org.jkvm.kvm.guest.LongModeGuest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Port of Linux's x86/xcr0_cpuid_test: the supported XCR0 obeys the architectural dependencies; the guest's
 * initial XCR0 is the supported one once OSXSAVE is set; XSETBV(x87) and XSETBV(supported) succeed; XSETBV of
 * the supported set plus any unsupported bit, or breaking a dependency, is #GP.
 */
class Xcr0CpuidTest {
    static long supportedXcr0(List<KvmCpuidEntry2> cpuid) {
        for (KvmCpuidEntry2 e : cpuid) if (e.function() == 0xD && e.index() == 0) return (e.eax() & 0xFFFF_FFFFL) | (long) e.edx() << 32;
        throw new AssertionError("no CPUID 0xD.0");
    }

    static void assertDependencies(long x) {
        assertNotEquals(0, x & 1, "x87 always");
        if ((x & 4) != 0) assertNotEquals(0, x & 2, "AVX needs SSE");
        if ((x & 0xE0) != 0) {
            assertEquals(0xE0, x & 0xE0, "AVX-512 all three");
            assertNotEquals(0, x & 4, "AVX-512 needs AVX");
        }
        assertEquals((x >> 3) & 1, (x >> 4) & 1, "MPX both");
        assertEquals((x >> 17) & 1, (x >> 18) & 1, "AMX both");
        assertFalse((x & 0x18) != 0 && (x & (1L << 19)) != 0, "no MPX with APX");
    }

    @ParameterizedTest
    @ValueSource(strings = {"max", "sapphirerapids", "icelake-server"})
    void xcr0Cpuid(String model) throws Exception {
        try (LongModeGuest g = new LongModeGuest(Hypervisor.open("soft", Map.of("cpu", model)), true, true, false)) {
            long supported = supportedXcr0(g.hv.supportedCpuid());
            assertDependencies(supported);
            // Like the selftest library: XCR0 = supported once the vCPU has OSXSAVE.
            g.vcpu.setXcrs(new KvmXcrs(0, List.of(new KvmXcr(0, supported))));
            g.installIdt();
            Code c = new Code(LongModeGuest.CODE);
            c.zero(15).movImm32(1, 0).xgetbv().mov(8, 0).mov(9, 2).sync(1);
            c.xsetbvGuarded(1).sync(2);
            c.xsetbvGuarded(supported).sync(3);
            int n = 4;
            for (int bit = 0; bit < 64; bit++) {
                if ((supported & (1L << bit)) != 0) continue;
                c.zero(15).xsetbvGuarded(supported | (1L << bit)).sync(n++);
            }
            c.zero(15).xsetbvGuarded(1 | 4).sync(n++); // AVX without SSE
            if ((supported & 0xE0) == 0xE0) c.zero(15).xsetbvGuarded(supported & ~0x40L).sync(n++);
            if ((supported & 0x60000) == 0x60000) c.zero(15).xsetbvGuarded(supported & ~0x20000L).sync(n++);
            c.zero(15).xsetbvGuarded(0).sync(n++); // x87 clear
            g.load(c);

            g.sync(1);
            var r = g.vcpu.getRegs();
            assertEquals(supported, (r.r8() & 0xFFFF_FFFFL) | r.r9() << 32, "initial XCR0 is the supported XCR0");
            g.sync(2);
            assertEquals(0, g.vcpu.getRegs().r15(), "XSETBV(FP) succeeds");
            assertEquals(1, g.vcpu.getXcrs().xcrs().get(0).value());
            g.sync(3);
            assertEquals(0, g.vcpu.getRegs().r15(), "XSETBV(supported) succeeds");
            assertEquals(supported, g.vcpu.getXcrs().xcrs().get(0).value());
            for (int i = 4; i < n; i++) {
                g.sync(i);
                r = g.vcpu.getRegs();
                assertEquals(1, r.r15(), "sync " + i + ": #GP expected");
                assertEquals(13, r.r14());
                assertEquals(supported, g.vcpu.getXcrs().xcrs().get(0).value(), "XCR0 unchanged by a failed XSETBV");
            }
        }
    }
}
