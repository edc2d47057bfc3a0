package org.jkvm.linux;

import static org.jkvm.linux.VcpuStateTest.assertErrno;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.jkvm.api.Errno;
import org.jkvm.api.Vcpu;
import org.jkvm.api.uabi.KvmLapicState;
import org.junit.jupiter.api.Test;

/** KVM_GET/SET_MP_STATE and KVM_GET/SET_LAPIC. */
class VcpuExtrasTest {

    @Test
    void mpStateWithoutInKernelApicIsRunnableOnly() throws Exception {
        try (Guest g = new Guest(64 << 10)) {
            assertEquals(Vcpu.MP_STATE_RUNNABLE, g.vcpu.getMpState());
            g.vcpu.setMpState(Vcpu.MP_STATE_RUNNABLE);
            assertErrno(Errno.EINVAL, () -> g.vcpu.setMpState(Vcpu.MP_STATE_HALTED));
            assertEquals(Vcpu.MP_STATE_RUNNABLE, g.vcpu.getMpState());
        }
    }

    @Test
    void mpStateWithInKernelApic() throws Exception {
        try (Guest g = new Guest(64 << 10, true)) {
            assertEquals(Vcpu.MP_STATE_RUNNABLE, g.vcpu.getMpState(), "the BSP");
            org.jkvm.api.Vcpu ap = g.vm.createVcpu(1);
            assertEquals(Vcpu.MP_STATE_UNINITIALIZED, ap.getMpState(), "an AP waits for INIT/SIPI");
            g.vcpu.setMpState(Vcpu.MP_STATE_HALTED);
            assertEquals(Vcpu.MP_STATE_HALTED, g.vcpu.getMpState());
            assertErrno(Errno.EINVAL, () -> g.vcpu.setMpState(77));
            assertEquals(Vcpu.MP_STATE_HALTED, g.vcpu.getMpState());
        }
    }

    @Test
    void lapicNeedsTheInKernelApic() throws Exception {
        try (Guest g = new Guest(64 << 10)) {
            assertErrno(Errno.EINVAL, g.vcpu::getLapic);
        }
    }

    @Test
    void lapicRoundTrip() throws Exception {
        try (Guest g = new Guest(64 << 10, true)) {
            KvmLapicState l = g.vcpu.getLapic();
            assertEquals(0, l.reg(0x20) >>> 24, "xAPIC ID of vCPU 0");
            assertEquals(0x14, l.reg(0x30) & 0xff, "APIC version register: integrated APIC");
            assertEquals(0xff, l.reg(0xF0) & 0x1ff, "SVR after reset: spurious 0xff, software-disabled");
            KvmLapicState enabled = l.withReg(0xF0, 0x1ff).withReg(0x80, 0x20); // SVR on, TPR 0x20
            g.vcpu.setLapic(enabled);
            KvmLapicState got = g.vcpu.getLapic();
            assertEquals(0x1ff, got.reg(0xF0) & 0x1ff);
            assertEquals(0x20, got.reg(0x80));
            assertEquals(0x2, g.vcpu.getSregs().cr8(), "CR8 is TPR[7:4]");
        }
    }
}
