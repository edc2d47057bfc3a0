package org.jkvm.cpu.vmx;

import static org.jkvm.isa.Assembler.qword;
import static org.jkvm.isa.Regs.*;
import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.MemorySegment;

import org.jkvm.cpu.rig.GuestRig;
import org.jkvm.isa.Assembler;
import org.jkvm.isa.Label;
import org.jkvm.isa.Mnemonic;
import org.jkvm.isa.Mode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The guest state stays in the CPU between a VM exit and the next entry (as on hardware until VMCLEAR): VMREAD
 * must still return what the exit would have stored, a VMWRITE of any guest-state field must take effect at
 * the next entry, and two VMCSs entered in turn on one CPU must not see each other's state.
 */
class LiveGuestStateTest {
    GuestRig g;

    @BeforeEach
    void setUp() {
        g = new GuestRig().long64();
    }

    @AfterEach
    void tearDown() {
        g.close();
    }

    private void code(long at, Assembler a) {
        byte[] b = a.bytes();
        MemorySegment.copy(MemorySegment.ofArray(b), 0, g.ram, at, b.length);
    }

    private static Assembler asm(long origin) { return new Assembler(Mode.BITS64, origin); }

    private static Assembler loop(long origin, Assembler a, int step) {
        Label top = a.newLabel("top");
        return a.bind(top).add(RSP, step).emit(Mnemonic.HLT).jmp(top);
    }

    @Test
    void vmreadAfterExitSeesWhatTheGuestDid() {
        // mov $0x23, %eax; mov %eax, %ds; mov $0x7777000, %rsp; xor %ecx, %ecx (ZF=1, CF=0); stc; hlt
        Assembler a = asm(GuestRig.CODE).mov(EAX, GuestRig.DSU).mov(DS, AX).mov(RSP, 0x777_7000L).xor(ECX, ECX)
            .emit(Mnemonic.STC);
        long hlt = GuestRig.CODE + a.offset();
        code(GuestRig.CODE, a.emit(Mnemonic.HLT));
        assertEquals(ExitReason.HLT, g.enter());
        assertEquals(hlt, g.v.read(VmcsField.GUEST_RIP), "a HLT exit reports the HLT's own address");
        assertEquals(0x777_7000L, g.v.read(VmcsField.GUEST_RSP));
        assertEquals(GuestRig.DSU, g.v.read(VmcsField.GUEST_DS_SELECTOR));
        assertEquals(0xF3, g.v.read(VmcsField.GUEST_DS_AR_BYTES) & 0xFF, "DPL-3 writable data, accessed");
        long fl = g.v.read(VmcsField.GUEST_RFLAGS);
        assertEquals(0x40 | 0x4 | 0x1, fl & 0xC5, "ZF and PF from xor of zero, CF from stc, SF clear");
        assertEquals(2, fl & 2, "bit 1 reads as 1");
        // VMCLEAR-style write-back gives the same values
        long[] before = new long[64];
        for (VmcsField f : VmcsField.values()) if (f.isGuestState()) before[f.ordinal()] = g.v.read(f);
        g.v.release();
        assertNull(g.v.liveIn());
        for (VmcsField f : VmcsField.values()) if (f.isGuestState()) assertEquals(before[f.ordinal()], g.v.read(f), f.name());
    }

    @Test
    void quickFieldsWrittenAfterExitTakeEffect() {
        code(GuestRig.CODE, asm(GuestRig.CODE).emit(Mnemonic.HLT));
        assertEquals(ExitReason.HLT, g.enter());
        // setc %al; mov %rsp, %rbx; hlt, somewhere else, entered with CF set and another stack
        long at = GuestRig.CODE + 0x100;
        code(at, asm(at).emit(Mnemonic.SETB, AL).mov(RBX, RSP).emit(Mnemonic.HLT));
        g.v.write(VmcsField.GUEST_RIP, at);
        g.v.write(VmcsField.GUEST_RSP, 0x5_5000);
        g.v.write(VmcsField.GUEST_RFLAGS, 0x3);
        assertEquals(ExitReason.HLT, g.enter());
        assertEquals(1, g.gpr(org.jkvm.cpu.Gpr.RAX) & 0xFF);
        assertEquals(0x5_5000, g.gpr(org.jkvm.cpu.Gpr.RBX));
    }

    @Test
    void otherFieldsWrittenAfterExitTakeEffect() {
        code(GuestRig.CODE, asm(GuestRig.CODE).emit(Mnemonic.HLT));
        assertEquals(ExitReason.HLT, g.enter());
        // a new FS base: mov %fs:8, %rax reads through it
        g.q(0x9_1008, 0x1234_5678_9ABCL);
        long at = GuestRig.CODE + 0x100;
        Assembler a = asm(at).db(0x64).mov(RAX, qword(null, 8)).emit(Mnemonic.HLT);
        code(at, a);
        g.v.write(VmcsField.GUEST_RIP, at);
        g.v.write(VmcsField.GUEST_FS_BASE, 0x9_1000);
        assertEquals(ExitReason.HLT, g.enter());
        assertEquals(0x1234_5678_9ABCL, g.gpr(org.jkvm.cpu.Gpr.RAX));
        assertEquals(0x9_1000, g.v.read(VmcsField.GUEST_FS_BASE));
    }

    @Test
    void badRflagsWrittenAfterExitFailsTheEntryAndKeepsTheWrites() {
        code(GuestRig.CODE, asm(GuestRig.CODE).emit(Mnemonic.HLT));
        assertEquals(ExitReason.HLT, g.enter());
        g.v.write(VmcsField.GUEST_RIP, 0x4242);
        g.v.write(VmcsField.GUEST_RFLAGS, 0); // bit 1 must be set
        assertEquals(ExitReason.ENTRY_FAIL_GUEST_STATE, g.enter());
        assertEquals(0x4242, g.v.read(VmcsField.GUEST_RIP));
        assertEquals(0, g.v.read(VmcsField.GUEST_RFLAGS));
    }

    @Test
    void twoVmcsOnOneCpuKeepTheirOwnState() {
        Vmcs first = g.v;
        Vmcs second = new Vmcs();
        for (VmcsField f : VmcsField.values()) if (!f.isExitInformation()) second.write(f, first.read(f));
        long a1 = GuestRig.CODE, a2 = GuestRig.CODE + 0x200;
        // each guest moves its own RSP and halts, in a loop; the host steps RIP over the HLT and runs them in turn
        code(a1, loop(a1, asm(a1), 8));
        code(a2, loop(a2, asm(a2), -16));
        first.write(VmcsField.GUEST_RIP, a1);
        first.write(VmcsField.GUEST_RSP, 0x1000);
        second.write(VmcsField.GUEST_RIP, a2);
        second.write(VmcsField.GUEST_RSP, 0x9000);
        second.write(VmcsField.GUEST_GS_BASE, 0xABC0);
        for (int i = 1; i <= 3; i++) {
            g.cpu.load(first);
            assertEquals(ExitReason.HLT, g.enter());
            first.write(VmcsField.GUEST_RIP, first.read(VmcsField.GUEST_RIP) + 1);
            g.cpu.load(second);
            assertEquals(ExitReason.HLT, g.enter());
            second.write(VmcsField.GUEST_RIP, second.read(VmcsField.GUEST_RIP) + 1);
            assertEquals(0x1000 + 8L * i, first.read(VmcsField.GUEST_RSP));
            assertEquals(0x9000 - 16L * i, second.read(VmcsField.GUEST_RSP));
            assertEquals(0, first.read(VmcsField.GUEST_GS_BASE));
            assertEquals(0xABC0, second.read(VmcsField.GUEST_GS_BASE));
        }
    }
}
