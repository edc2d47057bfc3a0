package org.jkvm.kvm.diff;

import static org.jkvm.isa.Regs.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jkvm.api.Capability;
import org.jkvm.api.Errno;
import org.jkvm.api.Hypervisor;
import org.jkvm.api.HypervisorProvider;
import org.jkvm.api.KvmException;
import org.jkvm.api.uabi.KvmCpuidEntry2;
import org.jkvm.api.uabi.KvmMsrEntry;
import org.jkvm.api.uabi.KvmXcr;
import org.jkvm.api.uabi.KvmXcrs;
import org.jkvm.api.uabi.KvmXsave;
import org.jkvm.kvm.guest.Code;
import org.jkvm.kvm.guest.LongModeGuest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Differential tests: the same guest and the same api calls on the soft backend and on Linux's /dev/kvm, with the
 * soft CPU model cut down to the host's XSAVE features, must give the same uABI results. Skipped (with the
 * reason) where /dev/kvm is absent or the host lacks what a test needs.
 */
class SoftVsKvmTest {
    static long hostXcr0;
    static String softModel;

    @BeforeAll
    static void kvmAvailable() throws Exception {
        HypervisorProvider kvm = Hypervisor.providers().stream().filter(p -> p.name().equals("kvm")).findFirst().orElse(null);
        assumeTrue(kvm != null, "no kvm backend on the class path");
        String why = kvm.unavailableReason();
        assumeTrue(why == null, "kvm backend unavailable: " + why);
        try (Hypervisor h = Hypervisor.open("kvm", Map.of())) {
            hostXcr0 = supportedXcr0(h.supportedCpuid());
        }
        // The soft model with the host's XSAVE user features: Sapphire Rapids minus what the host lacks.
        StringBuilder m = new StringBuilder("sapphirerapids");
        if ((hostXcr0 & (1L << 9)) == 0) m.append(",-pku");
        if ((hostXcr0 & (3L << 17)) == 0) m.append(",-amx-tile");
        if ((hostXcr0 & 0xE0) == 0) m.append(",-avx512f");
        softModel = m.toString();
    }

    static long supportedXcr0(List<KvmCpuidEntry2> l) {
        for (KvmCpuidEntry2 e : l) if (e.function() == 0xD && e.index() == 0) return (e.eax() & 0xFFFF_FFFFL) | (long) e.edx() << 32;
        return 0;
    }

    /**
     * The backend, the soft one with the same guest permission as this process has for /dev/kvm: Linux's permission
     * is per process and irrevocable, so a kvm test that asked for XTILEDATA changes what kvm reports from then on.
     */
    private static Hypervisor open(String backend) throws Exception {
        if (!backend.equals("soft")) return Hypervisor.open(backend, Map.of());
        Hypervisor s = Hypervisor.open("soft", Map.of("cpu", softModel));
        boolean kvmAmx;
        try (Hypervisor k = Hypervisor.open("kvm", Map.of())) {
            kvmAmx = (k.guestPermission() & (1L << Hypervisor.XFEATURE_XTILEDATA)) != 0;
        }
        if (kvmAmx) s.requestGuestPermission(Hypervisor.XFEATURE_XTILEDATA);
        return s;
    }

    /** A guest with the supported CPUID minus AMX, so that its state fits the legacy 4 KiB KVM_GET_XSAVE. */
    private static LongModeGuest guest(String backend) throws Exception {
        LongModeGuest g = new LongModeGuest(open(backend), true, false, false);
        List<KvmCpuidEntry2> cpuid = new ArrayList<>(g.hv.supportedCpuid());
        cpuid.replaceAll(e -> e.function() == 0xD && e.index() == 0 ? e.withEax(e.eax() & ~(3 << 17)) : e);
        g.vcpu.setCpuid2(cpuid);
        return g;
    }

    @Test
    void sameSupportedXcr0AndXsave2Size() throws Exception {
        try (Hypervisor k = open("kvm"); Hypervisor s = open("soft")) {
            assertEquals(supportedXcr0(k.supportedCpuid()), supportedXcr0(s.supportedCpuid()), "KVM_GET_SUPPORTED_CPUID 0xD.0");
            assertEquals(k.checkExtension(Capability.XSAVE2), s.checkExtension(Capability.XSAVE2));
            assertEquals(k.guestPermission() & hostXcr0, s.guestPermission() & hostXcr0, "ARCH_GET_XCOMP_GUEST_PERM");
        }
    }

    /** The guest tries XSETBV with each candidate; R15 counts #GPs; the final XCR0 and the #GP pattern must agree. */
    @Test
    void xsetbvRulesAgree() throws Exception {
        long[] candidates = {1, 3, 7, 5, 0, 0xE7 & hostXcr0 | 7, (hostXcr0 & ~0x40L), hostXcr0 | (1L << 30), hostXcr0,
            hostXcr0 & ~(1L << 17), hostXcr0 & ~(1L << 18), 0x1F & hostXcr0 | 0x7};
        long[][] results = new long[2][];
        String[] backends = {"kvm", "soft"};
        for (int b = 0; b < 2; b++) {
            try (LongModeGuest g = guest(backends[b])) {
                g.installIdt();
                Code c = new Code(LongModeGuest.CODE);
                for (int i = 0; i < candidates.length; i++) {
                    c.zero(R15).xsetbvGuarded(candidates[i]).sync(i + 1);
                }
                g.load(c);
                long[] r = new long[candidates.length * 2];
                for (int i = 0; i < candidates.length; i++) {
                    g.sync(i + 1);
                    var regs = g.vcpu.getRegs();
                    r[2 * i] = regs.r15();
                    r[2 * i + 1] = g.vcpu.getXcrs().xcrs().get(0).value();
                }
                results[b] = r;
            }
        }
        assertArrayEquals(results[0], results[1], "XSETBV #GP pattern and XCR0 after each attempt");
    }

    /** A fresh vCPU's KVM_GET_XSAVE: the same bytes except the software-reserved words (464-511). */
    @Test
    void freshXsaveAgrees() throws Exception {
        byte[] k, s;
        try (LongModeGuest g = guest("kvm")) { k = g.vcpu.getXsave().region(); }
        try (LongModeGuest g = guest("soft")) { s = g.vcpu.getXsave().region(); }
        java.util.Arrays.fill(k, 464, 512, (byte) 0);
        java.util.Arrays.fill(s, 464, 512, (byte) 0);
        assertEquals(java.util.HexFormat.of().formatHex(k), java.util.HexFormat.of().formatHex(s));
    }

    /** KVM_SET_XSAVE validation: which malformed buffers are EINVAL, and the round trip of a valid one. */
    @Test
    void setXsaveValidationAgrees() throws Exception {
        List<String> out = new ArrayList<>();
        for (String backend : new String[] {"kvm", "soft"}) {
            StringBuilder sb = new StringBuilder();
            try (LongModeGuest g = guest(backend)) {
                byte[] base = g.vcpu.getXsave().region();
                List<byte[]> cases = new ArrayList<>();
                cases.add(mutate(base, w -> w.putLong(512, w.getLong(512) | (1L << 30)))); // XSTATE_BV unsupported bit
                cases.add(mutate(base, w -> w.putLong(520, 1L << 63 | 3))); // XCOMP_BV set
                cases.add(mutate(base, w -> w.put(512 + 24, (byte) 1))); // header reserved byte
                cases.add(mutate(base, w -> w.putInt(24, 0x1_0000))); // MXCSR reserved bit, no SSE state: ignored
                cases.add(mutate(base, w -> {
                    w.putLong(512, 3);
                    w.putInt(24, 0x1_0000);
                })); // MXCSR reserved bit with SSE state
                cases.add(mutate(base, w -> {
                    w.putLong(512, 3);
                    w.putLong(160, 0x1122334455667788L);
                    w.putInt(24, 0x1F00);
                }));
                for (byte[] c : cases) {
                    try {
                        g.vcpu.setXsave(new KvmXsave(c));
                        ByteBuffer r = ByteBuffer.wrap(g.vcpu.getXsave().region()).order(ByteOrder.LITTLE_ENDIAN);
                        sb.append("ok xmm0=").append(Long.toHexString(r.getLong(160))).append(" mxcsr=").append(Integer.toHexString(r.getInt(24))).append("; ");
                    } catch (KvmException e) {
                        sb.append(e.errno()).append("; ");
                    }
                }
                // XCRS validation
                for (long x : new long[] {1, 4, hostXcr0, hostXcr0 | (1L << 30)}) {
                    try {
                        g.vcpu.setXcrs(new KvmXcrs(0, List.of(new KvmXcr(0, x))));
                        sb.append("xcr ok; ");
                    } catch (KvmException e) {
                        sb.append("xcr ").append(e.errno()).append("; ");
                    }
                }
            }
            out.add(sb.toString());
        }
        assertEquals(out.get(0), out.get(1));
        assertTrue(out.get(1).contains(Errno.EINVAL.name()));
    }

    @Test
    void xssMsrAgrees() throws Exception {
        List<String> out = new ArrayList<>();
        for (String backend : new String[] {"kvm", "soft"}) {
            try (LongModeGuest g = guest(backend)) {
                StringBuilder sb = new StringBuilder();
                KvmMsrEntry e = new KvmMsrEntry(0xDA0, -1);
                sb.append(g.vcpu.getMsrs(List.of(e))).append(':').append(e.data()).append(' ');
                for (int i = 0; i < 64; i++) sb.append(g.vcpu.setMsrs(List.of(new KvmMsrEntry(0xDA0, 1L << i))));
                out.add(sb.toString());
            }
        }
        String[] k = out.get(0).split(" "), s = out.get(1).split(" ");
        assertEquals(k[0], s[0], "XSS reads 0 on both");
        assumeTrue(k[1].equals(s[1]) || !k[1].replace('0', ' ').isBlank(),
            "host KVM supports supervisor states (CET) that the soft backend's host model does not enable");
        if (k[1].replace('0', ' ').isBlank()) assertEquals(k[1], s[1]);
    }

    private static byte[] mutate(byte[] b, java.util.function.Consumer<ByteBuffer> f) {
        byte[] c = b.clone();
        f.accept(ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN));
        return c;
    }
}
