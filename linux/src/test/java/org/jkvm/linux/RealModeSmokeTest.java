package org.jkvm.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.lang.foreign.ValueLayout;

import org.jkvm.api.exit.VcpuExit;
import org.jkvm.api.uabi.KvmRegs;
import org.jkvm.api.uabi.KvmSregs;
import org.junit.jupiter.api.Test;

/** The smoke test: a real-mode guest writes a byte to a port and halts, seen through the API types. */
class RealModeSmokeTest {

    @Test
    void outThenHlt() throws Exception {
        try (Guest g = new Guest(64 << 10)) {
            g.load(0x1000, 0xB0, 0x42, // mov al, 0x42
                0xE6, 0x10,            // out 0x10, al
                0xF4);                 // hlt
            KvmSregs s = g.vcpu.getSregs();
            g.vcpu.setSregs(s.withCs(s.cs().withBase(0).withSelector(0)));
            g.vcpu.setRegs(KvmRegs.zero().withRip(0x1000));

            VcpuExit.Io io = assertInstanceOf(VcpuExit.Io.class, g.vcpu.run());
            assertEquals(VcpuExit.KVM_EXIT_IO, io.reason());
            assertFalse(io.in());
            assertEquals(0x10, io.port());
            assertEquals(1, io.size());
            assertEquals(1, io.count());
            assertEquals(1, io.data().byteSize());
            assertEquals(0x42, io.data().get(ValueLayout.JAVA_BYTE, 0));

            assertInstanceOf(VcpuExit.Hlt.class, g.vcpu.run());
            KvmRegs r = g.vcpu.getRegs();
            assertEquals(0x1005, r.rip());
            assertEquals(0x42, r.rax() & 0xff);
        }
    }

    /** IN: the VMM's answer, written into the exit's data view, lands in AL on the next run. */
    @Test
    void inTakesTheVmmsData() throws Exception {
        try (Guest g = new Guest(64 << 10)) {
            g.load(0x1000, 0xE4, 0x61, // in al, 0x61
                0xF4);                 // hlt
            KvmSregs s = g.vcpu.getSregs();
            g.vcpu.setSregs(s.withCs(s.cs().withBase(0).withSelector(0)));
            g.vcpu.setRegs(KvmRegs.zero().withRip(0x1000));
            VcpuExit.Io io = assertInstanceOf(VcpuExit.Io.class, g.vcpu.run());
            assertEquals(true, io.in());
            assertEquals(0x61, io.port());
            io.data().set(ValueLayout.JAVA_BYTE, 0, (byte) 0x5a);
            assertInstanceOf(VcpuExit.Hlt.class, g.vcpu.run());
            assertEquals(0x5a, g.vcpu.getRegs().rax() & 0xff);
        }
    }
}
