package org.jkvm.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

import org.jkvm.api.Vm;
import org.jkvm.api.exit.VcpuExit;
import org.jkvm.api.uabi.KvmDtable;
import org.jkvm.api.uabi.KvmRegs;
import org.jkvm.api.uabi.KvmRun;
import org.junit.jupiter.api.Test;

/** The exits a VMM handles, from a long-mode guest: string I/O, MMIO write and read, a read-only slot, shutdown. */
class ExitsTest {
    private static final int[] PROGRAM = {
        0xBE, 0x00, 0x30, 0x00, 0x00,                               // mov esi, 0x3000
        0xB9, 0x04, 0x00, 0x00, 0x00,                               // mov ecx, 4
        0x66, 0xBA, 0x10, 0x00,                                     // mov dx, 0x10
        0xF3, 0x6E,                                                 // rep outsb
        0xC7, 0x04, 0x25, 0x00, 0x00, 0x30, 0x00, 0x78, 0x56, 0x34, 0x12, // mov dword [0x300000], 0x12345678
        0x8B, 0x04, 0x25, 0x10, 0x00, 0x30, 0x00,                   // mov eax, [0x300010]
        0xE7, 0x10,                                                 // out 0x10, eax
        0xC7, 0x04, 0x25, 0x00, 0x00, 0x20, 0x00, 0x01, 0xEF, 0xCD, 0xAB, // mov dword [0x200000], 0xabcdef01
        0xF4,                                                       // hlt
        0x0F, 0x0B,                                                 // 0x4030: ud2
    };

    private static <T extends VcpuExit> T next(Guest g, Class<T> type) throws Exception {
        VcpuExit e = g.vcpu.run();
        return assertInstanceOf(type, e, () -> "exit " + e);
    }

    @Test
    void stringIoMmioReadOnlySlotAndShutdown() throws Exception {
        try (Guest g = new Guest(2 << 20)) {
            MemorySegment rom = g.arena.allocate(4096, 4096);
            rom.fill((byte) 0x55);
            g.vm.setUserMemoryRegion(1, Vm.MEM_READONLY, 0x200000, rom);
            g.writeGdt();
            g.writeIdentityPageTables();
            g.load(0x4000, PROGRAM);
            g.load(0x3000, 'j', 'k', 'v', 'm');
            g.vcpu.setSregs(Guest.longMode(g.vcpu.getSregs()));
            g.vcpu.setRegs(KvmRegs.zero().withRip(0x4000));

            // REP OUTSB: KVM may batch several iterations into one exit (count > 1) or exit per byte
            StringBuilder sent = new StringBuilder();
            while (sent.length() < 4) {
                VcpuExit.Io outs = next(g, VcpuExit.Io.class);
                assertFalse(outs.in());
                assertEquals(0x10, outs.port());
                assertEquals(1, outs.size());
                assertTrue(outs.count() >= 1 && outs.count() <= 4 - sent.length(), "count " + outs.count());
                assertEquals(outs.count(), outs.data().byteSize());
                sent.append(new String(outs.data().toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII));
                KvmRun run = ((LinuxVcpu) g.vcpu).kvmRun();
                assertEquals(KvmRun.PIO_DATA_OFFSET, outs.data().address() - run.segment().address(),
                    "KVM puts port data one page into kvm_run");
            }
            assertEquals("jkvm", sent.toString());

            VcpuExit.Mmio w = next(g, VcpuExit.Mmio.class);
            assertEquals(0x300000, w.physAddr());
            assertTrue(w.isWrite());
            assertEquals(4, w.len());
            assertEquals(0x12345678, w.data().get(Guest.U32, 0));

            VcpuExit.Mmio r = next(g, VcpuExit.Mmio.class);
            assertEquals(0x300010, r.physAddr());
            assertFalse(r.isWrite());
            assertEquals(4, r.len());
            r.data().set(Guest.U32, 0, 0xCAFEBABE);

            VcpuExit.Io out = next(g, VcpuExit.Io.class);
            assertEquals(4, out.size());
            assertEquals(0xCAFEBABE, out.data().get(Guest.U32, 0), "the MMIO read returned the VMM's data");

            VcpuExit.Mmio ro = next(g, VcpuExit.Mmio.class);
            assertEquals(0x200000, ro.physAddr());
            assertTrue(ro.isWrite());
            assertEquals(0xabcdef01, ro.data().get(Guest.U32, 0));
            assertEquals(0x55555555, rom.get(Guest.U32, 0), "a read-only slot is not written");

            next(g, VcpuExit.Hlt.class);

            // #UD with an empty IDT: #GP, #DF, triple fault
            g.vcpu.setSregs(g.vcpu.getSregs().withIdt(new KvmDtable(0, 0)));
            g.vcpu.setRegs(g.vcpu.getRegs().withRip(0x4030));
            next(g, VcpuExit.Shutdown.class);
        }
    }
}
