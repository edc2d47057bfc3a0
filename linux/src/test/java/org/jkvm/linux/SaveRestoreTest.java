package org.jkvm.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import org.jkvm.api.exit.VcpuExit;
import org.jkvm.api.uabi.KvmCpuid2;
import org.jkvm.api.uabi.KvmCpuidEntry2;
import org.jkvm.api.uabi.KvmMsrEntry;
import org.jkvm.api.uabi.KvmRegs;
import org.jkvm.api.uabi.KvmSregs;
import org.jkvm.api.uabi.KvmVcpuEvents;
import org.jkvm.api.uabi.KvmXcrs;
import org.jkvm.api.uabi.KvmXsave;
import org.junit.jupiter.api.Test;

/**
 * A whole-vCPU save in the middle of a guest loop and a restore into a fresh VM (the state_test pattern): both
 * continue to the same outputs and the same final registers. The save follows KVM's rule that an I/O exit is only
 * complete after the next KVM_RUN: kick, run (completes the OUT, runs nothing), then read the state.
 */
class SaveRestoreTest {
    /**
     * Loads XMM1 before the loop and stores it after, so vector state is live across the save point; sums 1..9 in
     * RBX, OUTs each counter, then the sum. (Only instructions KVM's emulator also handles: on a host where
     * KVM emulates guest code, e.g. the PVM vendor module, PXOR/PADDQ would end in an emulation failure.)
     */
    private static final int[] LOOP = {
        0xF3, 0x0F, 0x6F, 0x0C, 0x25, 0x00, 0x30, 0x00, 0x00, // movdqu xmm1, [0x3000]
        0x48, 0xC7, 0xC0, 0x01, 0x00, 0x00, 0x00, // mov rax, 1
        0x31, 0xDB,                               // xor ebx, ebx
        0x48, 0x01, 0xC3,                         // l: add rbx, rax
        0x48, 0xFF, 0xC0,                         // inc rax
        0xE6, 0x10,                               // out 0x10, al
        0x48, 0x83, 0xF8, 0x0A,                   // cmp rax, 10
        0x75, 0xF2,                               // jne l
        0xF3, 0x0F, 0x7F, 0x0C, 0x25, 0x10, 0x30, 0x00, 0x00, // movdqu [0x3010], xmm1
        0x89, 0xD8,                               // mov eax, ebx
        0xE7, 0x11,                               // out 0x11, eax
        0xF4,                                     // hlt
    };

    record Saved(List<KvmCpuidEntry2> cpuid, KvmSregs sregs, KvmRegs regs, KvmXcrs xcrs, KvmXsave xsave,
                 List<KvmMsrEntry> msrs, KvmVcpuEvents events, int mpState) {}

    private static Saved save(Guest g) throws Exception {
        List<KvmMsrEntry> msrs = new ArrayList<>();
        for (int index : g.hv.msrIndexList()) {
            List<KvmMsrEntry> one = List.of(new KvmMsrEntry(index, 0));
            if (g.vcpu.getMsrs(one) == 1) msrs.add(one.get(0)); // some listed MSRs need CPUID features
        }
        return new Saved(g.vcpu.getCpuid2(KvmCpuid2.MAX_ENTRIES), g.vcpu.getSregs(), g.vcpu.getRegs(),
            g.vcpu.getXcrs(), g.vcpu.getXsave2(), msrs, g.vcpu.getVcpuEvents(), g.vcpu.getMpState());
    }

    private static void restore(Guest g, Saved s) throws Exception {
        g.vcpu.setCpuid2(s.cpuid());
        g.vcpu.setSregs(s.sregs());
        g.vcpu.setRegs(s.regs());
        g.vcpu.setXcrs(s.xcrs());
        g.vcpu.setXsave(s.xsave());
        // KVM lists MSRs a vCPU may refuse to take (e.g. MSR_KVM_ASYNC_PF_INT without an in-kernel LAPIC): each
        // saved MSR either restores or the fresh vCPU already holds the same value, so nothing is lost.
        for (KvmMsrEntry e : s.msrs()) {
            if (g.vcpu.setMsrs(List.of(e)) == 1) continue;
            List<KvmMsrEntry> now = List.of(new KvmMsrEntry(e.index(), ~e.data()));
            assertEquals(1, g.vcpu.getMsrs(now), () -> e + " neither restores nor reads");
            assertEquals(e, now.get(0), () -> e + " does not restore and differs on the new vCPU");
        }
        g.vcpu.setVcpuEvents(s.events());
        g.vcpu.setMpState(s.mpState());
    }

    /** Runs to the end: the values OUT to port 0x10, then the port 0x11 sum. */
    private static List<Long> finish(Guest g) throws Exception {
        List<Long> out = new ArrayList<>();
        while (true) {
            VcpuExit e = g.vcpu.run();
            if (e instanceof VcpuExit.Hlt) return out;
            VcpuExit.Io io = assertInstanceOf(VcpuExit.Io.class, e, () -> "exit " + e);
            out.add(io.size() == 1 ? io.data().get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0) & 0xffL
                : io.data().get(Guest.U32, 0) & 0xffffffffL);
        }
    }

    private static VcpuExit.Io io(VcpuExit e) {
        return assertInstanceOf(VcpuExit.Io.class, e, () -> "exit " + e);
    }

    @Test
    void saveMidLoopRestoreIntoAFreshVm() throws Exception {
        try (Guest a = new Guest(); Guest b = new Guest()) {
            a.writeGdt();
            a.writeIdentityPageTables();
            a.load(0x4000, LOOP);
            a.putU64(0x3000, 0x0123456789abcdefL);
            a.putU64(0x3008, 0xfedcba9876543210L);
            a.vcpu.setSregs(Guest.longMode(a.vcpu.getSregs()));
            a.vcpu.setRegs(KvmRegs.zero().withRip(0x4000));
            for (int i = 1; i <= 3; i++) assertEquals(i + 1, io(a.vcpu.run()).data()
                .get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
            a.vcpu.kick();
            assertInstanceOf(VcpuExit.Interrupted.class, a.vcpu.run());
            Saved s = save(a);
            assertTrue(s.msrs().size() > 10, s.msrs().size() + " MSRs saved");
            assertEquals(0x401A, s.regs().rip(), "after the third OUT");
            a.putU64(0x3000, 0); // XMM1 was loaded before the save: only the register carries the pattern now
            a.putU64(0x3008, 0);

            MemorySegment.copy(a.ram, 0, b.ram, 0, a.ram.byteSize());
            restore(b, s);
            assertEquals(s.regs(), b.vcpu.getRegs());
            assertEquals(s.sregs(), b.vcpu.getSregs());
            assertEquals(s.xsave(), b.vcpu.getXsave2());

            List<Long> outA = finish(a), outB = finish(b);
            assertEquals(List.of(5L, 6L, 7L, 8L, 9L, 10L, 45L), outA);
            assertEquals(outA, outB);
            KvmRegs ra = a.vcpu.getRegs(), rb = b.vcpu.getRegs();
            assertEquals(ra, rb);
            assertEquals(0x0123456789abcdefL, b.u64(0x3010), "XMM1 survived the move");
            assertEquals(0xfedcba9876543210L, b.u64(0x3018));
            assertEquals(a.u64(0x3010), b.u64(0x3010));
            assertEquals(a.vcpu.getXsave2(), b.vcpu.getXsave2());
        }
    }
}
