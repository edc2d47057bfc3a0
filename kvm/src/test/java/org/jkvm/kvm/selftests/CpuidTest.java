package org.jkvm.kvm.selftests;

import static org.jkvm.isa.Regs.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jkvm.api.Errno;
import org.jkvm.api.Hypervisor;
import org.jkvm.api.KvmException;
import org.jkvm.api.uabi.KvmCpuidEntry2;
import org.jkvm.kvm.guest.Backends;
import org.jkvm.kvm.guest.Code;
import org.jkvm.kvm.guest.LongModeGuest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Port of Linux's x86/cpuid_test: the guest's CPUID matches the table the VMM set (with KVM's runtime bits:
 * OSXSAVE from CR4, 0xD sizes from XCR0); KVM_SET_CPUID2 after KVM_RUN accepts an identical table and rejects a
 * changed one; KVM_GET_CPUID2 with too small a count is E2BIG. On the soft backend and on /dev/kvm where present.
 */
class CpuidTest {
    static final long OUT = LongModeGuest.DATA;

    @ParameterizedTest
    @ValueSource(strings = {"soft", "kvm"})
    void cpuid(String backend) throws Exception {
        Backends.assumeAvailable(backend);
        Map<String, String> opts = backend.equals("soft") ? Map.of("cpu", "sapphirerapids") : Map.of();
        try (LongModeGuest g = new LongModeGuest(Hypervisor.open(backend, opts), true, true, false)) {
            List<KvmCpuidEntry2> table = g.vcpu.getCpuid2(1000);
            Code c = new Code(LongModeGuest.CODE);
            long at = OUT;
            for (KvmCpuidEntry2 e : table) {
                c.mov(EAX, e.function() & 0xFFFF_FFFFL).mov(ECX, e.index()).cpuid();
                c.mov(Code.qwordAt(at), RAX).mov(Code.qwordAt(at + 8), RBX).mov(Code.qwordAt(at + 16), RCX).mov(Code.qwordAt(at + 24), RDX);
                at += 32;
            }
            c.sync(1).hlt();
            g.load(c);
            g.sync(1);
            at = OUT;
            for (KvmCpuidEntry2 e : table) {
                String leaf = String.format("CPUID(0x%x,%d)", e.function(), e.index());
                int[] want = {e.eax(), e.ebx(), e.ecx(), e.edx()};
                for (int i = 0; i < 4; i++) assertEquals(want[i], (int) g.read64(at + 8L * i), leaf + " reg " + i);
                at += 32;
            }
            // after KVM_RUN: identical is accepted, changed is rejected
            g.vcpu.setCpuid2(g.vcpu.getCpuid2(1000));
            List<KvmCpuidEntry2> changed = new ArrayList<>(table);
            changed.replaceAll(e -> e.function() == 1 ? e.withEbx(e.ebx() ^ 0x100) : e);
            assertEquals(Errno.EINVAL, assertThrows(KvmException.class, () -> g.vcpu.setCpuid2(changed)).errno());
            assertEquals(Errno.E2BIG, assertThrows(KvmException.class, () -> g.vcpu.getCpuid2(table.size() - 1)).errno());
        }
    }
}
