package org.jkvm.kvm.guest;

import static org.jkvm.isa.Regs.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;

import org.jkvm.api.Hypervisor;
import org.jkvm.api.uabi.KvmXsave;
import org.jkvm.cpu.vmx.PhysicalCpu;
import org.jkvm.kvm.SoftVcpu;
import org.jkvm.kvm.hw.PhysicalCpuSilicon;
import org.jkvm.kvm.regs.CachedReg;
import org.jkvm.kvm.regs.Gpr;
import org.junit.jupiter.api.Test;

/** The register cache against a real guest: lazy loads, dirty write-back, and R16-R31 isolation. */
class RegCacheGuestTest {
    @Test
    void lazyLoadDirtyWriteBackAndEgprIsolation() throws Exception {
        try (LongModeGuest g = new LongModeGuest(Hypervisor.open("soft", Map.of("cpu", "max")), true, true, false)) {
            Code c = new Code(LongModeGuest.CODE);
            c.zero(RCX).mov(EAX, 3).zero(RDX).xsetbv(); // XCR0 = x87|SSE: APX off
            c.sync(1);
            c.mov(RBX, RSP).sync(2); // RBX = RSP as the guest sees it
            c.hlt();
            g.load(c);
            SoftVcpu v = (SoftVcpu) g.vcpu;
            // Give R16..R31 values through the uABI while XCR0.APX=0 in the guest.
            byte[] region = g.vcpu.getXsave().region();
            ByteBuffer w = ByteBuffer.wrap(region).order(ByteOrder.LITTLE_ENDIAN);
            w.putLong(512, w.getLong(512) | (1L << 19));
            for (int n = 16; n < 32; n++) w.putLong(960 + 8 * (n - 16), 0x1600 + n);
            g.vcpu.setXsave(new KvmXsave(region));

            g.sync(1);
            assertFalse(v.regs.isAvailable(CachedReg.RIP), "RIP is lazily loaded after an exit");
            assertFalse(v.regs.isAvailable(Gpr.RSP));
            assertFalse(v.regs.isAvailable(CachedReg.CR0));
            assertTrue(v.regs.isAvailable(Gpr.RAX), "other GPRs were copied at exit");
            long reads = v.regs.vmreads();
            long rip = v.regs.ripRead();
            long rsp = v.regs.gprReadRaw(Gpr.RSP);
            long cr0 = v.regs.cr0Read();
            long cr4 = v.regs.cr4Read();
            assertEquals(reads + 4, v.regs.vmreads(), "one VMREAD each");
            for (int i = 0; i < 3; i++) {
                assertEquals(rip, v.regs.ripRead());
                assertEquals(rsp, v.regs.gprReadRaw(Gpr.RSP));
                assertEquals(cr0, v.regs.cr0Read());
                assertEquals(cr4, v.regs.cr4Read());
            }
            assertEquals(reads + 4, v.regs.vmreads(), "then cache hits");
            assertEquals(LongModeGuest.STACK, rsp);
            assertEquals(LongModeGuest.CR0, cr0);

            // A write marks dirty and reaches the guest before the next entry.
            v.regs.gprWrite(Gpr.RSP, 0x2000);
            assertTrue(v.regs.isDirty(Gpr.RSP) && v.regs.isAvailable(Gpr.RSP));
            g.sync(2);
            assertEquals(0x2000, g.vcpu.getRegs().rbx(), "the guest saw the new RSP");

            // R16..R31: kept in regs[], never loaded into the CPU while the guest's XCR0.APX=0.
            PhysicalCpu pc = ((PhysicalCpuSilicon) v.cpu).physical();
            for (int n = 16; n < 32; n++) {
                assertEquals(0x1600 + n, v.regs.gprReadRaw(Gpr.of(n)));
                assertEquals(0, pc.core().r[n], "physical R" + n + " untouched");
            }
        }
    }
}
