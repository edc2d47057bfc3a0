package org.jkvm.cpu.exec;

import static org.jkvm.cpu.Gpr.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.jkvm.cpu.fault.Fault;
import org.jkvm.cpu.rig.GuestRig;
import org.jkvm.cpu.vmx.ExitReason;
import org.jkvm.cpu.vmx.VmcsField;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * APX integer instructions against the facts in shared/spec/isa.md: REX2 #UD without XCR0.APX, R16-R31,
 * PUSH2/POP2 (order, 16-byte alignment #GP, #UD cases), CFCMOV's no-fault rule, CCMP's default flag values,
 * NDD with and without NF, SETZUcc, JMPABS. Encodings are hand-assembled from the spec's REX2/EVEX tables
 * (and agree with the LLVM corpus).
 */
class ApxTest {
    static final long APX_XCR0 = 0x8_0003L; // x87 | SSE | APX
    static final long CF = 1, ZF = 0x40, OF = 0x800, ARITH = 0x8D5;

    GuestRig g;

    @BeforeEach
    void setUp() {
        g = new GuestRig().long64();
        g.v.write(VmcsField.EXCEPTION_BITMAP, 0xFFFF_FFFFL);
    }

    @AfterEach
    void tearDown() {
        g.close();
    }

    private int run(String hex) {
        g.code(GuestRig.CODE, hex);
        return g.enter();
    }

    private int vector() {
        return (int) g.v.read(VmcsField.VM_EXIT_INTR_INFO) & 0xFF;
    }

    @Test void rex2IsUndefinedWithoutXcr0Apx() {
        assertEquals(ExitReason.EXCEPTION_NMI, run("d510b878563412f4")); // mov r16d, 0x12345678
        assertEquals(Fault.UD, vector());
        assertThrows(Fault.class, () -> g.cpu.gpr(16), "R16 does not exist for the host either");
    }

    @Test void rex2ReachesR16WithApx() {
        g.xcr0(APX_XCR0);
        assertEquals(ExitReason.HLT, run("d510b878563412f4"));
        assertEquals(0x1234_5678L, g.cpu.gpr(16));
    }

    @Test void push2ThenPop2() {
        g.xcr0(APX_XCR0);
        g.cpu.setGpr(RDI, 0x11);
        g.cpu.setGpr(RAX, 0x22);
        // push2 rdi, rax ; pop2 rdi, rax ; hlt
        assertEquals(ExitReason.HLT, run("62f44418fff0" + "62f444188fc0" + "f4"));
        assertEquals(GuestRig.STACK, g.rsp());
        assertEquals(0x11, g.q(GuestRig.STACK - 8)); // [RSP-8] <- first operand
        assertEquals(0x22, g.q(GuestRig.STACK - 16)); // [RSP-16] <- second operand
        assertEquals(0x22, g.gpr(RDI)); // POP2 v, r: v <- [RSP]
        assertEquals(0x11, g.gpr(RAX)); //          r <- [RSP+8]
    }

    @Test void push2NeedsSixteenByteAlignedStack() {
        g.xcr0(APX_XCR0);
        g.v.write(VmcsField.GUEST_RSP, GuestRig.STACK - 8);
        assertEquals(ExitReason.EXCEPTION_NMI, run("62f44418fff0f4"));
        assertEquals(Fault.GP, vector());
        assertEquals(0, g.v.read(VmcsField.VM_EXIT_INTR_ERROR_CODE));
        assertEquals(GuestRig.STACK - 8, g.rsp(), "nothing pushed");
    }

    @Test void pop2OfTheSameRegisterTwiceIsUndefined() {
        g.xcr0(APX_XCR0);
        assertEquals(ExitReason.EXCEPTION_NMI, run("62f47c188fc0f4")); // pop2 rax, rax
        assertEquals(Fault.UD, vector());
    }

    @Test void cfcmovStoreDoesNotFaultWhenConditionIsFalse() {
        g.xcr0(APX_XCR0);
        g.pte(0x90000, 0x90000, 0); // not present
        g.cpu.setGpr(28, 0x90000 - 291);
        g.cpu.setGpr(29, 0);
        g.cpu.setGpr(19, 0x77);
        // clc ; cfcmovb qword ptr [r28 + 4*r29 + 291], r19 ; hlt
        assertEquals(ExitReason.HLT, run("f8" + "628cf80c429cac23010000" + "f4"));
        g.v.write(VmcsField.GUEST_RIP, GuestRig.CODE);
        // stc ; the same store now happens and faults (write to a not-present page)
        assertEquals(ExitReason.EXCEPTION_NMI, run("f9" + "628cf80c429cac23010000" + "f4"));
        assertEquals(Fault.PF, vector());
        assertEquals(2, g.v.read(VmcsField.VM_EXIT_INTR_ERROR_CODE));
        assertEquals(0x90000, g.v.read(VmcsField.EXIT_QUALIFICATION));
    }

    @Test void cfcmovLoadFormZeroesWhenFalse() {
        g.xcr0(APX_XCR0);
        g.cpu.setGpr(19, 5);
        g.cpu.setGpr(23, 9);
        assertEquals(ExitReason.HLT, run("f8" + "62ecfc0842df" + "f4")); // clc ; cfcmovb r19, r23
        assertEquals(0, g.cpu.gpr(19));
        g.cpu.setGpr(19, 5);
        g.v.write(VmcsField.GUEST_RIP, GuestRig.CODE);
        assertEquals(ExitReason.HLT, run("f9" + "62ecfc0842df" + "f4")); // stc ; cfcmovb r19, r23
        assertEquals(9, g.cpu.gpr(19));
    }

    @Test void ccmpUsesDefaultFlagsWhenConditionFails() {
        g.xcr0(APX_XCR0);
        g.cpu.setGpr(R15, 4);
        g.cpu.setGpr(R9, 4);
        // clc ; ccmpb {dfv=of} r15, r9 ; pushfq ; pop rbx ; hlt  -> CF=0 so SCC(B) fails: flags = DFV = OF
        assertEquals(ExitReason.HLT, run("f8" + "6254c4023bf9" + "9c5bf4"));
        assertEquals(OF, g.gpr(RBX) & ARITH);
        g.v.write(VmcsField.GUEST_RIP, GuestRig.CODE);
        // stc ; ... -> SCC holds: flags as CMP r15, r9 (equal: ZF, no carry)
        assertEquals(ExitReason.HLT, run("f9" + "6254c4023bf9" + "9c5bf4"));
        assertEquals(ZF | 4, g.gpr(RBX) & ARITH); // ZF and PF
    }

    @Test void nddAddWritesNewDestinationAndNfKeepsFlags() {
        g.xcr0(APX_XCR0);
        g.cpu.setGpr(R9, -123L);
        // add r10, r9, 123 ; pushfq ; pop rbx ; hlt
        assertEquals(ExitReason.HLT, run("62d4ad1883c17b" + "9c5bf4"));
        assertEquals(0, g.gpr(R10));
        assertEquals(-123L, g.gpr(R9), "sources are not written");
        assertEquals(ZF, g.gpr(RBX) & ZF);
        g.v.write(VmcsField.GUEST_RIP, GuestRig.CODE);
        g.cpu.setGpr(R10, 55);
        // or $1, %eax (ZF=0) ; stc ; {nf} add r10, r9, 123 ; pushfq ; pop rbx ; hlt
        assertEquals(ExitReason.HLT, run("83c801" + "f9" + "62d4ad1c83c17b" + "9c5bf4"));
        assertEquals(0, g.gpr(R10));
        assertEquals(CF, g.gpr(RBX) & (CF | ZF), "NF: CF still set, ZF not set");
    }

    @Test void setzuWritesTheWholeRegister() {
        g.xcr0(APX_XCR0);
        g.cpu.setGpr(16, -1L);
        // xor eax, eax (OF=0) ; setzuo r16b ; hlt
        assertEquals(ExitReason.HLT, run("31c0" + "62fc7f1840c0" + "f4"));
        assertEquals(0, g.cpu.gpr(16));
    }

    @Test void jmpabs() {
        g.xcr0(APX_XCR0);
        g.code(0x20000, "b807000000f4"); // mov $7, %eax ; hlt
        assertEquals(ExitReason.HLT, run("d500a10000020000000000"));
        assertEquals(7, g.gpr(RAX));
    }
}
