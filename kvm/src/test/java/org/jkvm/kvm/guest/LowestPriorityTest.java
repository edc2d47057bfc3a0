package org.jkvm.kvm.guest;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jkvm.api.Hypervisor;
import org.jkvm.api.Vcpu;
import org.jkvm.api.Vm;
import org.jkvm.api.uabi.KvmLapicState;
import org.junit.jupiter.api.Test;

/**
 * Lowest-priority MSIs to a logical destination naming three vCPUs: each lands on exactly one of them, the one
 * KVM's default vector hashing picks (the vector mod 3-th in vCPU order), and a destination naming one vCPU
 * always gets it. Observed through KVM_GET_LAPIC's IRR, as a VMM would.
 */
class LowestPriorityTest {
    static final int SVR = 0xF0, LDR = 0xD0, DFR = 0xE0, IRR = 0x200;

    private static int reg(KvmLapicState s, int off) {
        return ByteBuffer.wrap(s.regs()).order(ByteOrder.LITTLE_ENDIAN).getInt(off);
    }

    private static boolean irr(Vcpu v, int vector) throws Exception {
        return (reg(v.getLapic(), IRR + 0x10 * (vector >> 5)) >>> (vector & 31) & 1) != 0;
    }

    @Test
    void vectorHashingPicksOneVcpu() throws Exception {
        try (Hypervisor hv = Hypervisor.open("soft", Map.of()); Vm vm = hv.createVm()) {
            vm.createSplitIrqchip();
            List<Vcpu> cpus = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Vcpu v = vm.createVcpu(i);
                KvmLapicState s = v.getLapic();
                ByteBuffer b = ByteBuffer.wrap(s.regs().clone()).order(ByteOrder.LITTLE_ENDIAN);
                b.putInt(SVR, 0x1FF);            // software-enabled
                b.putInt(DFR, 0xFFFF_FFFF);      // flat model
                b.putInt(LDR, 1 << (24 + i));    // logical ID bit i
                v.setLapic(new KvmLapicState(b.array()));
                cpus.add(v);
            }
            for (int vector = 0x40; vector < 0x50; vector++) {
                vm.signalMsi(0xFEE0_0000L | 0x7L << 12 | 4, 1 << 8 | vector); // logical, dest 0b111, lowest priority
                int expect = vector % 3;
                for (int i = 0; i < 3; i++) assertEquals(i == expect, irr(cpus.get(i), vector), "vector 0x" + Integer.toHexString(vector) + " on vCPU " + i);
            }
            vm.signalMsi(0xFEE0_0000L | 0x4L << 12 | 4, 1 << 8 | 0x60); // only vCPU 2 named
            assertTrue(irr(cpus.get(2), 0x60));
            assertFalse(irr(cpus.get(0), 0x60));
            assertFalse(irr(cpus.get(1), 0x60));
            for (Vcpu v : cpus) v.close();
        }
    }
}
