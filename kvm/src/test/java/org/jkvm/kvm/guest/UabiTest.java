package org.jkvm.kvm.guest;

import static org.jkvm.isa.Regs.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jkvm.api.Capability;
import org.jkvm.api.Errno;
import org.jkvm.api.Hypervisor;
import org.jkvm.api.KvmException;
import org.jkvm.api.uabi.KvmCpuidEntry2;
import org.jkvm.api.uabi.KvmMsrEntry;
import org.jkvm.api.uabi.KvmSregs;
import org.jkvm.api.uabi.KvmXcr;
import org.jkvm.api.uabi.KvmXcrs;
import org.jkvm.api.uabi.KvmXsave;
import org.junit.jupiter.api.Test;

/**
 * The uABI rules of spec section 7 at the vCPU level: every failed SET leaves the vCPU exactly as it was; GET_XSAVE
 * is EINVAL once the state exceeds 4096 bytes while GET_XSAVE2 returns the KVM_CAP_XSAVE2 size; SET_CPUID2 with an
 * unpermitted dynamic feature is EPERM and a permitted one grows the state; CPUID 0xD follows XCR0.
 */
class UabiTest {
    private static String snapshot(LongModeGuest g) throws Exception {
        KvmSregs s = g.vcpu.getSregs();
        List<KvmMsrEntry> m = new ArrayList<>();
        for (int i : g.hv.msrIndexList()) if (i != 0x10) m.add(new KvmMsrEntry(i, 0)); // the TSC runs on
        g.vcpu.getMsrs(m);
        StringBuilder sb = new StringBuilder();
        for (KvmMsrEntry e : m) sb.append(Integer.toHexString(e.index())).append('=').append(e.data()).append(' ');
        return g.vcpu.getRegs() + " " + s.cr0() + "/" + s.cr3() + "/" + s.cr4() + "/" + s.efer() + "/" + s.cs() + " "
            + g.vcpu.getXcrs() + " " + g.vcpu.getCpuid2(1000) + " " + sb + java.util.HexFormat.of().formatHex(g.vcpu.getXsave2().region());
    }

    @Test
    void failedSetsChangeNothing() throws Exception {
        try (LongModeGuest g = new LongModeGuest(Hypervisor.open("soft", Map.of("cpu", "sapphirerapids")), true, true, false)) {
            String before = snapshot(g);
            KvmSregs s = g.vcpu.getSregs();
            // long mode without PAE
            assertEquals(Errno.EINVAL, assertThrows(KvmException.class, () -> g.vcpu.setSregs(new KvmSregs(s.cs(), s.ds(), s.es(), s.fs(),
                s.gs(), s.ss(), s.tr(), s.ldt(), s.gdt(), s.idt(), s.cr0(), 5, 0x9000, s.cr4() & ~0x20L, 3, s.efer(), s.apicBase(), new long[4]))).errno());
            // reserved CR4 bit
            assertEquals(Errno.EINVAL, assertThrows(KvmException.class, () -> g.vcpu.setSregs(new KvmSregs(s.cs(), s.ds(), s.es(), s.fs(),
                s.gs(), s.ss(), s.tr(), s.ldt(), s.gdt(), s.idt(), s.cr0(), 5, 0x9000, s.cr4() | (1L << 40), 3, s.efer(), s.apicBase(), new long[4]))).errno());
            byte[] x = g.vcpu.getXsave().region();
            ByteBuffer w = ByteBuffer.wrap(x).order(ByteOrder.LITTLE_ENDIAN);
            w.putLong(160, 0x1234);
            w.putLong(512, 3 | (1L << 40));
            assertEquals(Errno.EINVAL, assertThrows(KvmException.class, () -> g.vcpu.setXsave(new KvmXsave(x))).errno());
            assertEquals(Errno.EINVAL, assertThrows(KvmException.class,
                () -> g.vcpu.setXcrs(new KvmXcrs(0, List.of(new KvmXcr(0, 0x5))))).errno());
            assertEquals(Errno.EINVAL, assertThrows(KvmException.class,
                () -> g.vcpu.setXcrs(new KvmXcrs(1, List.of(new KvmXcr(0, 0x3))))).errno());
            // SET_MSRS stops at the first failure: XSS with an unsupported bit
            assertEquals(1, g.vcpu.setMsrs(List.of(new KvmMsrEntry(0x277, 0x0007_0406_0007_0406L), new KvmMsrEntry(0xDA0, 1L << 30),
                new KvmMsrEntry(0x6E0, 5))));
            // SET_CPUID2 exposing AMX without permission
            assertEquals(Errno.EPERM, assertThrows(KvmException.class, () -> g.vcpu.setCpuid2(withXtile(g.vcpu.getCpuid2(1000)))).errno());
            assertEquals(before, snapshot(g));
        }
    }

    private static List<KvmCpuidEntry2> withXtile(List<KvmCpuidEntry2> l) {
        List<KvmCpuidEntry2> o = new ArrayList<>(l);
        o.replaceAll(e -> e.function() == 0xD && e.index() == 0 ? e.withEax(e.eax() | (3 << 17)) : e);
        return o;
    }

    @Test
    void xsaveSizesFollowThePermittedFeatures() throws Exception {
        Hypervisor hv = Hypervisor.open("soft", Map.of("cpu", "sapphirerapids"));
        hv.requestGuestPermission(Hypervisor.XFEATURE_XTILEDATA);
        try (LongModeGuest g = new LongModeGuest(hv, true, false, false)) {
            assertEquals(4096, g.vcpu.getXsave().region().length, "without AMX in CPUID the state fits 4096 bytes");
            g.vcpu.setCpuid2(hv.supportedCpuid());
            assertEquals(Errno.EINVAL, assertThrows(KvmException.class, () -> g.vcpu.getXsave()).errno());
            assertEquals(hv.checkExtension(Capability.XSAVE2), g.vcpu.getXsave2().region().length);
            assertEquals(11008, hv.checkExtension(Capability.XSAVE2));
        }
    }

    @Test
    void cpuid0xDFollowsXcr0() throws Exception {
        try (LongModeGuest g = new LongModeGuest(Hypervisor.open("soft", Map.of("cpu", "sapphirerapids")), true, true, false)) {
            Code c = new Code(LongModeGuest.CODE);
            c.mov(EAX, 0xD).zero(RCX).cpuid().mov(R8, RBX).mov(EAX, 1).zero(RCX).cpuid().mov(R9, RCX);
            c.zero(RCX).mov(EAX, 0xE7).zero(RDX).xsetbv();
            c.mov(EAX, 0xD).zero(RCX).cpuid().mov(R10, RBX).sync(1);
            g.load(c);
            g.sync(1);
            var r = g.vcpu.getRegs();
            assertEquals(576, r.r8(), "0xD.0 EBX for XCR0 = x87 only");
            assertNotEquals(0, r.r9() & (1 << 27), "OSXSAVE reflects CR4");
            assertEquals(2688, r.r10(), "0xD.0 EBX for XCR0 = x87|SSE|AVX|AVX-512");
        }
    }
}
