package org.jkvm.kvm.guest;

import static org.jkvm.isa.Regs.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.Map;

import org.jkvm.api.exit.VcpuExit;
import org.jkvm.isa.Label;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void outInvdHlt() throws Exception {
        try (LongModeGuest g = new LongModeGuest("soft", Map.of(), false, true)) {
            Code c = new Code(LongModeGuest.CODE);
            c.mov(RAX, 0x42).outAl(0x10);
            c.mov(RCX, 100);
            Label loop = c.mark();
            c.invd().dec(RCX).jnz(loop);
            c.mov(RAX, 0x43).outAl(0x11).hlt();
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

    @Test
    void repOutsbAndInsb() throws Exception {
        try (LongModeGuest g = new LongModeGuest("soft", Map.of(), false, true)) {
            byte[] msg = "jkvm".getBytes();
            for (int i = 0; i < msg.length; i++) g.ram.set(java.lang.foreign.ValueLayout.JAVA_BYTE, LongModeGuest.DATA + i, msg[i]);
            Code c = new Code(LongModeGuest.CODE);
            c.mov(RSI, LongModeGuest.DATA).mov(RCX, msg.length).mov(EDX, 0x3F8).repOutsb();
            c.mov(RDI, LongModeGuest.DATA + 0x100).mov(RCX, 2).repInsb();
            c.hlt();
            g.load(c);
            StringBuilder out = new StringBuilder();
            VcpuExit e;
            int in = 0;
            while (!((e = g.vcpu.run()) instanceof VcpuExit.Hlt)) {
                VcpuExit.Io io = assertInstanceOf(VcpuExit.Io.class, e);
                assertEquals(0x3F8, io.port());
                if (io.in()) io.data().set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) (0x41 + in++));
                else out.append((char) io.data().get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
            }
            assertEquals("jkvm", out.toString());
            assertEquals(0x41, g.ram.get(java.lang.foreign.ValueLayout.JAVA_BYTE, LongModeGuest.DATA + 0x100));
            assertEquals(0x42, g.ram.get(java.lang.foreign.ValueLayout.JAVA_BYTE, LongModeGuest.DATA + 0x101));
            var r = g.vcpu.getRegs();
            assertEquals(0, r.rcx());
            assertEquals(LongModeGuest.DATA + 4, r.rsi());
            assertEquals(LongModeGuest.DATA + 0x102, r.rdi());
        }
    }
}
