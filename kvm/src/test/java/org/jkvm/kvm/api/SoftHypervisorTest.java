package org.jkvm.kvm.api;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;

import org.jkvm.api.Capability;
import org.jkvm.api.Errno;
import org.jkvm.api.Hypervisor;
import org.jkvm.api.KvmException;
import org.jkvm.api.uabi.KvmCpuidEntry2;
import org.junit.jupiter.api.Test;

/** The system-level calls through the api, as a VMM makes them (Hypervisor.open("soft", ...)). */
class SoftHypervisorTest {
    static KvmCpuidEntry2 find(List<KvmCpuidEntry2> l, int fn, int idx) {
        for (KvmCpuidEntry2 e : l) if (e.matches(fn, idx)) return e;
        return null;
    }

    @Test
    void providerIsFoundAndOptionsAreChecked() throws Exception {
        try (Hypervisor h = Hypervisor.open("soft", Map.of())) {
            assertEquals("soft", h.name());
            assertEquals(12, h.apiVersion());
        }
        KvmException e = assertThrows(KvmException.class, () -> Hypervisor.open("soft", Map.of("bogus", "1")));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().contains("bogus"));
        assertEquals(Errno.EINVAL, assertThrows(KvmException.class,
            () -> Hypervisor.open("soft", Map.of("xstate-switch", "sometimes"))).errno());
        assertEquals(Errno.EINVAL, assertThrows(KvmException.class, () -> Hypervisor.open("soft", Map.of("cpu", "pentium9"))).errno());
        assertEquals(Errno.EINVAL, assertThrows(KvmException.class, () -> Hypervisor.open("soft", Map.of("max-instructions", "-3"))).errno());
        Hypervisor.open("soft", Map.of("cpu", "sapphirerapids,+amx-tile,-avx512f", "xstate-switch", "per-entry", "max-instructions", "1000")).close();
    }

    @Test
    void sapphireRapidsLeaf0xDFollowsThePermission() throws Exception {
        try (Hypervisor h = Hypervisor.open("soft", Map.of("cpu", "sapphirerapids"))) {
            KvmCpuidEntry2 d0 = find(h.supportedCpuid(), 0xD, 0);
            // supported XCR0 0x602E7 minus XTILECFG/XTILEDATA without permission
            assertEquals(0x2E7, d0.eax());
            assertEquals(2696, d0.ebx());
            assertEquals(d0.ebx(), d0.ecx());
            assertEquals(4096, h.checkExtension(Capability.XSAVE2));
            assertNull(find(h.supportedCpuid(), 0xD, 18));
            h.requestGuestPermission(18);
            assertEquals(0x602E7L, h.guestPermission());
            d0 = find(h.supportedCpuid(), 0xD, 0);
            assertEquals(0x602E7, d0.eax());
            assertEquals(0x2B00, d0.ebx());
            assertEquals(11008, h.checkExtension(Capability.XSAVE2));
            KvmCpuidEntry2 d18 = find(h.supportedCpuid(), 0xD, 18);
            assertEquals(8192, d18.eax());
            assertEquals(2816, d18.ebx());
            assertEquals(6, d18.ecx());
            KvmCpuidEntry2 one = find(h.supportedCpuid(), 1, 0);
            assertEquals(0, one.ecx() & (1 << 27), "OSXSAVE is not reported");
            assertNotEquals(0, one.ecx() & (1 << 31), "hypervisor bit");
        }
    }

    @Test
    void apxEnumeratedOnlyWithApx() throws Exception {
        try (Hypervisor h = Hypervisor.open("soft", Map.of("cpu", "max"))) {
            assertNotEquals(0, find(h.supportedCpuid(), 7, 1).edx() & (1 << 21));
            assertEquals(1, find(h.supportedCpuid(), 0x29, 0).ebx() & 1);
            assertEquals(1L << 19, h.guestPermission() & (1L << 19));
        }
        try (Hypervisor h = Hypervisor.open("soft", Map.of("cpu", "sapphirerapids"))) {
            KvmCpuidEntry2 l71 = find(h.supportedCpuid(), 7, 1);
            assertTrue(l71 == null || (l71.edx() & (1 << 21)) == 0);
        }
    }

    @Test
    void permissionErrors() throws Exception {
        try (Hypervisor h = Hypervisor.open("soft", Map.of("cpu", "sapphirerapids"))) {
            assertEquals(Errno.EOPNOTSUPP, assertThrows(KvmException.class, () -> h.requestGuestPermission(17)).errno());
        }
        try (Hypervisor h = Hypervisor.open("soft", Map.of("cpu", "icelake-server"))) {
            assertEquals(Errno.EOPNOTSUPP, assertThrows(KvmException.class, () -> h.requestGuestPermission(18)).errno());
        }
    }

    @Test
    void msrIndexListHasTheXsaveMsrs() throws Exception {
        try (Hypervisor h = Hypervisor.open("soft", Map.of("cpu", "sapphirerapids"))) {
            int[] l = h.msrIndexList();
            assertTrue(java.util.Arrays.stream(l).anyMatch(m -> m == 0xDA0), "XSS");
            assertTrue(java.util.Arrays.stream(l).anyMatch(m -> m == 0x1C4), "XFD");
            assertTrue(java.util.Arrays.stream(l).anyMatch(m -> m == 0x1C5), "XFD_ERR");
            assertTrue(java.util.Arrays.stream(l).anyMatch(m -> m == 0x6E0), "TSC_DEADLINE");
        }
    }
}
