package org.jkvm.kvm.guest;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Map;

import org.jkvm.api.exit.VcpuExit;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void outInvdHlt() throws Exception {
        try (LongModeGuest g = new LongModeGuest("soft", Map.of(), false, true)) {
            Code c = new Code(LongModeGuest.CODE);
            c.movImm(0, 0x42).outAl(0x10);
            c.movImm(1, 100);
            long loop = c.here();
            c.invd().dec(1).jnz(loop);
            c.movImm(0, 0x43).outAl(0x11).hlt();
            g.load(c);
            VcpuExit e = g.vcpu.run();
            VcpuExit.Io io = assertInstanceOf(VcpuExit.Io.class, e);
            assertFalse(io.in());
            assertEquals(0x10, io.port());
            assertEquals(0x42, io.data().get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
            e = g.vcpu.run();
            io = assertInstanceOf(VcpuExit.Io.class, e);
            assertEquals(0x11, io.port());
            assertEquals(0, g.vcpu.getRegs().rcx());
            assertInstanceOf(VcpuExit.Hlt.class, g.vcpu.run());
            var stats = (org.jkvm.api.stats.ExitStatistics) g.vcpu;
            var invd = stats.exitTable().stream().filter(r -> r.reason().equals("INVD")).findFirst().orElseThrow();
            assertEquals(100, invd.count());
            assertEquals(100, invd.fastpath());
        }
    }
}
