package org.jkvm.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.jkvm.api.Capability;
import org.jkvm.api.Hypervisor;
import org.jkvm.api.uabi.KvmCpuid2;
import org.jkvm.api.uabi.KvmCpuidEntry2;
import org.junit.jupiter.api.Test;

/**
 * KVM's XSAVE facts against the host CPU's CPUID: struct kvm_xsave follows the host's leaf 0xD layout, KVM
 * offers a subset of the host's XCR0, and KVM_CAP_XSAVE2 is max(4096, the host-CPUID standard size of what
 * KVM offers under the current permission).
 */
class XsaveLayoutTest {

    @Test
    void kvmXsaveLayoutIsTheHosts() throws Exception {
        try (Hypervisor hv = KvmAvailable.openOrSkip()) {
            List<KvmCpuidEntry2> kvm = hv.supportedCpuid();
            int[] host0 = HostCpuid.query(0xD, 0);
            long hostXcr0 = Integer.toUnsignedLong(host0[0]) | Integer.toUnsignedLong(host0[3]) << 32;
            long kvmXcr0 = XstateFacts.xcr0(kvm);
            assertEquals(0, kvmXcr0 & ~hostXcr0, String.format("KVM offers %#x within the host's %#x", kvmXcr0, hostXcr0));
            int hostSize = 576;
            for (int i = 2; i < 63; i++) {
                if ((kvmXcr0 & (1L << i)) == 0) continue;
                int[] h = HostCpuid.query(0xD, i);
                KvmCpuidEntry2 k = KvmCpuid2.find(kvm, 0xD, i);
                assertEquals(h[0], k.eax(), "component " + i + " size");
                assertEquals(h[1], k.ebx(), "component " + i + " offset");
                hostSize = Math.max(hostSize, h[0] + h[1]);
            }
            long permitted = hv.guestPermission();
            assertEquals(0, kvmXcr0 & ~permitted);
            assertEquals(Math.max(4096, hostSize), hv.checkExtension(Capability.XSAVE2));
            assertTrue((hostXcr0 & 3) == 3, "host XCR0 has x87 and SSE");
        }
    }
}
