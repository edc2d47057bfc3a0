package org.jkvm.kvm.selftests;

import static org.jkvm.isa.Regs.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Map;

import org.jkvm.api.Hypervisor;
import org.jkvm.api.uabi.KvmCpuidEntry2;
import org.jkvm.api.uabi.KvmMsrEntry;
import org.jkvm.kvm.guest.Backends;
import org.jkvm.kvm.guest.Code;
import org.jkvm.kvm.guest.LongModeGuest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Port of Linux's x86/xss_msr_test, plus the guest side: with XSAVES, IA32_XSS reads 0 and accepts 0; a write of
 * any single bit succeeds exactly when it is in the supported XSS; XSS is in the MSRs to save. In the guest, an
 * unsupported bit is #GP, and without XSAVES in CPUID any access is #GP.
 */
class XssMsrTest {
    static final int XSS = 0xDA0;

    static long supportedXss(List<KvmCpuidEntry2> cpuid) {
        for (KvmCpuidEntry2 e : cpuid) if (e.function() == 0xD && e.index() == 1) return (e.ecx() & 0xFFFF_FFFFL) | (long) e.edx() << 32;
        return 0;
    }

    @ParameterizedTest
    @ValueSource(strings = {"soft:max", "soft:sapphirerapids", "kvm"})
    void hostSide(String backend) throws Exception {
        try (LongModeGuest g = new LongModeGuest(Backends.open(backend), true, true, false)) {
            // the selftest's TEST_REQUIRE(X86_FEATURE_XSAVES)
            boolean xsaves = g.hv.supportedCpuid().stream().anyMatch(x -> x.matches(0xD, 1) && (x.eax() & 8) != 0);
            assumeTrue(xsaves, backend + ": no XSAVES in KVM_GET_SUPPORTED_CPUID");
            long sup = supportedXss(g.hv.supportedCpuid());
            KvmMsrEntry e = new KvmMsrEntry(XSS, -1);
            assertEquals(1, g.vcpu.getMsrs(List.of(e)));
            assertEquals(0, e.data());
            assertEquals(1, g.vcpu.setMsrs(List.of(new KvmMsrEntry(XSS, 0))));
            for (int i = 0; i < 64; i++) {
                int n = g.vcpu.setMsrs(List.of(new KvmMsrEntry(XSS, 1L << i)));
                assertEquals((sup & (1L << i)) != 0 ? 1 : 0, n, "XSS bit " + i);
            }
            assertTrue(java.util.Arrays.stream(g.hv.msrIndexList()).anyMatch(m -> m == XSS));
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void guestSide(boolean xsavesInCpuid) throws Exception {
        try (LongModeGuest g = new LongModeGuest(Hypervisor.open("soft", Map.of("cpu", "sapphirerapids")), true, false, false)) {
            List<KvmCpuidEntry2> cpuid = new java.util.ArrayList<>(g.hv.supportedCpuid());
            if (!xsavesInCpuid) cpuid.replaceAll(e -> e.function() == 0xD && e.index() == 1 ? e.withEax(e.eax() & ~8) : e);
            g.vcpu.setCpuid2(cpuid);
            g.installIdt();
            Code c = new Code(LongModeGuest.CODE);
            c.zero(R15).mov(ECX, XSS).guarded(Code::rdmsr).mov(R8, RAX).sync(1);
            c.zero(R15).mov(ECX, XSS).zero(RAX).zero(RDX).guarded(Code::wrmsr).sync(2);
            c.zero(R15).mov(ECX, XSS).mov(EAX, 1 << 30).zero(RDX).guarded(Code::wrmsr).sync(3);
            g.load(c);
            g.sync(1);
            assertEquals(xsavesInCpuid ? 0 : 1, g.vcpu.getRegs().r15(), "RDMSR XSS");
            if (xsavesInCpuid) assertEquals(0, g.vcpu.getRegs().r8());
            g.sync(2);
            assertEquals(xsavesInCpuid ? 0 : 1, g.vcpu.getRegs().r15(), "WRMSR XSS 0");
            g.sync(3);
            assertEquals(1, g.vcpu.getRegs().r15(), "WRMSR XSS unsupported bit is #GP");
            assertEquals(13, g.vcpu.getRegs().r14());
        }
    }
}
