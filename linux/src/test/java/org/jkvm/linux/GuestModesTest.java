package org.jkvm.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jkvm.api.exit.VcpuExit;
import org.jkvm.api.uabi.KvmDtable;
import org.jkvm.api.uabi.KvmRegs;
import org.jkvm.api.uabi.KvmSregs;
import org.junit.jupiter.api.Test;

/**
 * Guests that switch modes themselves with descriptor tables and page tables built here as raw bytes, and the
 * VMM-side entries (protected mode as Multiboot's, long mode as --entry64) set through KVM_SET_SREGS.
 */
class GuestModesTest {
    /** 32-bit code at 0x2000: load DS/SS from the GDT, read 0x3000, add, store 0x3004, OUT EAX to 0x10, HLT. */
    private static final int[] PM32 = {
        0x66, 0xB8, 0x10, 0x00,             // mov ax, 0x10
        0x8E, 0xD8,                         // mov ds, ax
        0x8E, 0xD0,                         // mov ss, ax
        0xBC, 0x00, 0x80, 0x00, 0x00,       // mov esp, 0x8000
        0xA1, 0x00, 0x30, 0x00, 0x00,       // mov eax, [0x3000]
        0x05, 0x11, 0x11, 0x11, 0x11,       // add eax, 0x11111111
        0xA3, 0x04, 0x30, 0x00, 0x00,       // mov [0x3004], eax
        0x50,                               // push eax
        0x5B,                               // pop ebx
        0xE7, 0x10,                         // out 0x10, eax
        0xF4,                               // hlt
    };

    /** 32-bit code at 0x1000 that enters long mode: CR3, CR4.PAE, EFER.LME (WRMSR), CR0.PG, far jump to 0x18:0x4000. */
    private static final int[] TO_LONG = {
        0xB8, 0x00, 0x00, 0x01, 0x00,       // mov eax, 0x10000
        0x0F, 0x22, 0xD8,                   // mov cr3, eax
        0x0F, 0x20, 0xE0,                   // mov eax, cr4
        0x83, 0xC8, 0x20,                   // or eax, 0x20
        0x0F, 0x22, 0xE0,                   // mov cr4, eax
        0xB9, 0x80, 0x00, 0x00, 0xC0,       // mov ecx, 0xc0000080 (EFER)
        0x0F, 0x32,                         // rdmsr
        0x0D, 0x00, 0x01, 0x00, 0x00,       // or eax, 0x100 (LME)
        0x0F, 0x30,                         // wrmsr
        0x0F, 0x20, 0xC0,                   // mov eax, cr0
        0x0D, 0x00, 0x00, 0x00, 0x80,       // or eax, 0x80000000 (PG)
        0x0F, 0x22, 0xC0,                   // mov cr0, eax
        0xEA, 0x00, 0x40, 0x00, 0x00, 0x18, 0x00, // jmp far 0x18:0x4000
    };

    /** 64-bit code at 0x4000: a 64-bit immediate, shift, store/load through absolute addresses, OUT, HLT. */
    private static final int[] LM64 = {
        0x48, 0xB8, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, // mov rax, 0x1122334455667788
        0x48, 0x89, 0xC3,                                           // mov rbx, rax
        0x48, 0xC1, 0xE3, 0x04,                                     // shl rbx, 4
        0x48, 0x89, 0x1C, 0x25, 0x00, 0x50, 0x00, 0x00,             // mov [0x5000], rbx
        0x48, 0x8B, 0x0C, 0x25, 0x00, 0x50, 0x00, 0x00,             // mov rcx, [0x5000]
        0x48, 0x01, 0xC9,                                           // add rcx, rcx
        0xE7, 0x10,                                                 // out 0x10, eax
        0xF4,                                                       // hlt
    };

    @Test
    void realModeGuestEntersProtectedMode() throws Exception {
        try (Guest g = new Guest(64 << 10)) {
            g.writeGdt();
            g.load(0x1000,
                0xFA,                               // cli
                0x66, 0x0F, 0x01, 0x16, 0x00, 0x0F, // lgdt [0x0f00] (32-bit base)
                0x0F, 0x20, 0xC0,                   // mov eax, cr0
                0x0C, 0x01,                         // or al, 1
                0x0F, 0x22, 0xC0,                   // mov cr0, eax
                0xEA, 0x00, 0x20, 0x08, 0x00);      // jmp far 0x08:0x2000
            g.load(0x2000, PM32);
            g.putU32(0x3000, 0x01020304);
            KvmSregs s = g.vcpu.getSregs();
            g.vcpu.setSregs(s.withCs(s.cs().withBase(0).withSelector(0)));
            g.vcpu.setRegs(KvmRegs.zero().withRip(0x1000));

            assertOut32(g, 0x12131415);
            assertEquals(0x12131415, g.u32(0x3004));
            KvmSregs after = g.vcpu.getSregs();
            assertEquals(1, after.cr0() & 1, "CR0.PE");
            assertEquals(0x08, after.cs().selector());
            assertTrue(after.cs().db(), "CS.D from the GDT entry");
            assertEquals(0xffffffff, after.cs().limit(), "limit scaled by G");
            assertEquals(0x10, after.ds().selector());
            assertEquals(Guest.GDT_AT, after.gdt().base());
            KvmRegs r = g.vcpu.getRegs();
            assertEquals(0x12131415, r.rbx());
            assertEquals(0x8000, r.rsp());
            assertEquals(0x2000 + PM32.length, r.rip());
        }
    }

    @Test
    void protectedModeEntryThroughSregs() throws Exception {
        try (Guest g = new Guest(64 << 10)) {
            g.writeGdt();
            g.load(0x2000, PM32);
            g.putU32(0x3000, 0xF0F0F0F0);
            g.vcpu.setSregs(Guest.protectedMode(g.vcpu.getSregs()));
            g.vcpu.setRegs(KvmRegs.zero().withRip(0x2000));
            assertOut32(g, 0x02020201);
            assertEquals(0x02020201, g.u32(0x3004));
        }
    }

    @Test
    void protectedModeGuestEntersLongMode() throws Exception {
        try (Guest g = new Guest()) {
            g.writeGdt();
            g.writeIdentityPageTables();
            g.load(0x1000, TO_LONG);
            g.load(0x4000, LM64);
            g.vcpu.setSregs(Guest.protectedMode(g.vcpu.getSregs()));
            g.vcpu.setRegs(KvmRegs.zero().withRip(0x1000));
            assertLongModeResult(g);
        }
    }

    @Test
    void longModeEntryThroughSregs() throws Exception {
        try (Guest g = new Guest()) {
            g.writeGdt();
            g.writeIdentityPageTables();
            g.load(0x4000, LM64);
            g.vcpu.setSregs(Guest.longMode(g.vcpu.getSregs()));
            g.vcpu.setRegs(KvmRegs.zero().withRip(0x4000).withRsp(0x8000));
            assertLongModeResult(g);
        }
    }

    /** Sums 1..100 in RBX and with PADDQ in XMM1 at CPL 3, then OUTs the sum and spins. */
    private static final int[] USER_SUM = {
        0x48, 0xC7, 0xC0, 0x01, 0x00, 0x00, 0x00, // mov rax, 1
        0x31, 0xDB,                               // xor ebx, ebx
        0x66, 0x0F, 0xEF, 0xC9,                   // pxor xmm1, xmm1
        0x48, 0x01, 0xC3,                         // l: add rbx, rax
        0x66, 0x48, 0x0F, 0x6E, 0xC0,             // movq xmm0, rax
        0x66, 0x0F, 0xD4, 0xC8,                   // paddq xmm1, xmm0
        0x48, 0xFF, 0xC0,                         // inc rax
        0x48, 0x83, 0xF8, 0x65,                   // cmp rax, 101
        0x75, 0xEB,                               // jne l
        0x66, 0x48, 0x0F, 0x7E, 0xC9,             // movq rcx, xmm1
        0x89, 0xD8,                               // mov eax, ebx
        0xE7, 0x10,                               // 0x4029: out 0x10, eax
        0xEB, 0xFE,                               // jmp $
    };

    /** CPL 3, IOPL 0: the TSS's I/O permission bitmap allows port 0x10. */
    @Test
    void userModeOutAllowedByTheIoBitmap() throws Exception {
        try (Guest g = new Guest()) {
            g.writeGdt();
            g.writeIdentityPageTables();
            g.load(0x4000, USER_SUM);
            g.vcpu.setSregs(Guest.userMode(g.vcpu.getSregs(), true));
            g.vcpu.setRegs(KvmRegs.zero().withRip(0x4000).withRsp(0x8000).withRflags(0x2));
            VcpuExit e = g.vcpu.run();
            VcpuExit.Io io = assertInstanceOf(VcpuExit.Io.class, e, () -> "exit " + e);
            assertEquals(0x10, io.port());
            assertEquals(5050, io.data().get(Guest.U32, 0));
            assertEquals(5050, g.vcpu.getRegs().rcx(), "the PADDQ sum");
            KvmSregs s = g.vcpu.getSregs();
            assertEquals(3, s.cs().dpl());
            assertEquals(Guest.SEL_USER_CODE64, s.cs().selector());
        }
    }

    /** The same OUT with no I/O bitmap in TR's limit is a #GP, delivered to ring 0 on the TSS's RSP0 stack. */
    @Test
    void userModeOutOutsideTheIoBitmapFaultsIntoRing0() throws Exception {
        try (Guest g = new Guest()) {
            g.writeGdt();
            g.writeIdentityPageTables();
            g.load(0x4000, USER_SUM);
            g.putU64(0x7000 + 13 * 16, 0x4100 | (long) Guest.SEL_CODE64 << 16 | 0x8EL << 40); // IDT[#GP]
            g.load(0x4100, 0xB0, 0x0D, 0xE6, 0x11, 0xF4); // mov al, 13; out 0x11, al; hlt
            g.vcpu.setSregs(Guest.userMode(g.vcpu.getSregs(), false).withIdt(new KvmDtable(0x7000, 0xFFF)));
            g.vcpu.setRegs(KvmRegs.zero().withRip(0x4000).withRsp(0x8000).withRflags(0x2));
            VcpuExit e = g.vcpu.run();
            VcpuExit.Io io = assertInstanceOf(VcpuExit.Io.class, e, () -> "exit " + e);
            assertEquals(0x11, io.port());
            KvmRegs r = g.vcpu.getRegs();
            assertEquals(Guest.RSP0 - 6 * 8, r.rsp(), "error code + SS:RSP, RFLAGS, CS:RIP on the RSP0 stack");
            assertEquals(0, g.u64(r.rsp()), "error code");
            assertEquals(0x4029, g.u64(r.rsp() + 8), "RIP of the faulting OUT");
            assertEquals(Guest.SEL_USER_CODE64, g.u64(r.rsp() + 16));
            assertEquals(0x8000, g.u64(r.rsp() + 32), "the user RSP");
            assertEquals(Guest.SEL_USER_DATA, g.u64(r.rsp() + 40));
            assertEquals(0, g.vcpu.getSregs().cs().dpl(), "the handler runs at CPL 0");
            assertEquals(5050, r.rbx());
        }
    }

    private static void assertOut32(Guest g, int expected) throws Exception {
        VcpuExit exit = g.vcpu.run();
        VcpuExit.Io io = assertInstanceOf(VcpuExit.Io.class, exit, () -> "exit " + exit);
        assertFalse(io.in());
        assertEquals(0x10, io.port());
        assertEquals(4, io.size());
        assertEquals(expected, io.data().get(Guest.U32, 0));
        assertInstanceOf(VcpuExit.Hlt.class, g.vcpu.run());
    }

    private static void assertLongModeResult(Guest g) throws Exception {
        assertOut32(g, 0x55667788);
        KvmRegs r = g.vcpu.getRegs();
        assertEquals(0x1122334455667788L, r.rax());
        assertEquals(0x1223344556677880L, r.rbx());
        assertEquals(0x2446688aaccef100L, r.rcx());
        assertEquals(0x1223344556677880L, g.u64(0x5000));
        assertEquals(0x4000 + LM64.length, r.rip());
        KvmSregs s = g.vcpu.getSregs();
        assertEquals(0x500, s.efer() & 0x500, "EFER.LME|LMA");
        assertTrue(s.cs().l(), "CS.L");
        assertEquals(Guest.SEL_CODE64, s.cs().selector());
        assertEquals(Guest.PML4_AT, s.cr3());
        assertEquals(0x80000001L, s.cr0() & 0x80000001L, "CR0.PG|PE");
    }
}
