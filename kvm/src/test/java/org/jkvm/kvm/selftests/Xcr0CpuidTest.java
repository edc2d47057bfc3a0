package org.jkvm.kvm.selftests;

import static org.jkvm.isa.Regs.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;

import org.jkvm.api.Hypervisor;
import org.jkvm.api.uabi.KvmCpuidEntry2;
import org.jkvm.api.uabi.KvmXcr;
import org.jkvm.api.uabi.KvmXcrs;
import org.jkvm.kvm.guest.Backends;
import org.jkvm.kvm.guest.Code;
import org.jkvm.kvm.guest.LongModeGuest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Port of Linux's x86/xcr0_cpuid_test: the supported XCR0 obeys the architectural dependencies; the guest's
 * initial XCR0 is the supported one once OSXSAVE is set; XSETBV(x87) and XSETBV(supported) succeed; XSETBV of
 * the supported set plus any unsupported bit, or breaking a dependency, is #GP. On soft CPU models and on /dev/kvm.
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
    @ValueSource(strings = {"soft:max", "soft:sapphirerapids", "soft:icelake-server", "kvm"})
    void xcr0Cpuid(String backend) throws Exception {
        Backends.assumeExecutes(Backends.name(backend), Backends.options(backend), "XGETBV", c -> c.zero(RCX).xgetbv());
        try (LongModeGuest g = new LongModeGuest(Backends.open(backend), true, true, false)) {
            long supported = supportedXcr0(g.hv.supportedCpuid());
            assertDependencies(supported);
            // Like the selftest library: XCR0 = supported once the vCPU has OSXSAVE.
            g.vcpu.setXcrs(new KvmXcrs(0, List.of(new KvmXcr(0, supported))));
            g.installIdt();
            Code c = new Code(LongModeGuest.CODE);
            c.zero(R15).mov(ECX, 0).xgetbv().mov(R8, RAX).mov(R9, RDX).sync(1);
            c.xsetbvGuarded(1).sync(2);
            c.xsetbvGuarded(supported).sync(3);
            int n = 4;
            for (int bit = 0; bit < 64; bit++) {
                if ((supported & (1L << bit)) != 0) continue;
                c.zero(R15).xsetbvGuarded(supported | (1L << bit)).sync(n++);
            }
            c.zero(R15).xsetbvGuarded(1 | 4).sync(n++); // AVX without SSE
            if ((supported & 0xE0) == 0xE0) c.zero(R15).xsetbvGuarded(supported & ~0x40L).sync(n++);
            if ((supported & 0x60000) == 0x60000) c.zero(R15).xsetbvGuarded(supported & ~0x20000L).sync(n++);
            c.zero(R15).xsetbvGuarded(0).sync(n++); // x87 clear
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

    /** XSETBV at CPL 3 exits like at CPL 0, and KVM injects #GP (handle_xsetbv checks the CPL itself). */
    @org.junit.jupiter.api.Test
    void xsetbvAtCpl3IsGp() throws Exception {
        try (LongModeGuest g = new LongModeGuest(Hypervisor.open("soft", Map.of("cpu", "max", "max-instructions", "100000")), true, true, false)) {
            g.installIdt();
            // user-accessible pages; user code/data segments; a TSS is not needed as nothing faults to CPL 0 ... except
            // the #GP itself, which needs RSP0: give the TSS a stack.
            for (int i = 0; i < LongModeGuest.RAM >> 21; i++) g.ram.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0x3000 + 8L * i, ((long) i << 21) | 0x87);
            g.ram.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0x2000, 0x3007);
            g.ram.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0x1000, 0x2007);
            long tss = 0x9000;
            g.ram.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, tss + 4, LongModeGuest.STACK - 0x8000); // RSP0
            var s = g.vcpu.getSregs();
            var cs3 = new org.jkvm.api.uabi.KvmSegment(0, 0xFFFF_FFFF, 0x1B, 11, true, 3, false, true, true, true, false, false);
            var ds3 = new org.jkvm.api.uabi.KvmSegment(0, 0xFFFF_FFFF, 0x23, 3, true, 3, true, true, false, true, false, false);
            var tr = new org.jkvm.api.uabi.KvmSegment(tss, 0x67, 0x28, 11, true, 0, false, false, false, false, false, false);
            g.vcpu.setSregs(new org.jkvm.api.uabi.KvmSregs(cs3, ds3, ds3, ds3, ds3, ds3, tr, s.ldt(), s.gdt(), s.idt(),
                s.cr0(), 0, s.cr3(), s.cr4(), 0, s.efer(), s.apicBase(), new long[4]));
            Code c = new Code(LongModeGuest.CODE);
            c.zero(R15).xsetbvGuarded(1).sync(1);
            g.load(c);
            var e = g.vcpu.run();
            // the #GP is delivered to the CPL-0 handler, which resumes at RBP (still CPL 3 after IRETQ); the OUT that
            // follows is #GP too at CPL 3 with IOPL 0, so the guest goes round until the instruction budget ends.
            var r = g.vcpu.getRegs();
            assertTrue(r.r15() >= 1, "XSETBV at CPL 3 raised an exception (" + e + ")");
            assertEquals(13, r.r14(), "#GP");
            assertEquals(1, g.vcpu.getXcrs().xcrs().get(0).value(), "XCR0 unchanged");
        }
    }
}
