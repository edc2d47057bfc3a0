package org.jkvm.cpu.exec;

import static org.jkvm.cpu.Gpr.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.jkvm.cpu.rig.GuestRig;
import org.junit.jupiter.api.Test;

/**
 * CRC32 (values from the host CPU's SSE4.2 instruction), the BCD adjustments (SDM examples), and an SSE
 * instruction reaching the SIMD unit through the interpreter.
 */
class LegacyOpsTest {
    // mov $0x12345678,%eax; mov $-1,%ecx; crc32b %al,%ecx; mov $-1,%edx; crc32l %eax,%edx; hlt
    static final String CRC = "b878563412b9fffffffff20f38f0c8bafffffffff20f38f1d0f4";
    // 32-bit: mov $0x79,%eax; add $0x35,%al; daa; mov %eax,%ebx; mov $0x10,%eax; sub $1,%al; das; mov %eax,%ecx;
    //         mov $0x63,%eax; aam; mov %eax,%edx; aad; hlt
    static final String BCD = "b87900000004352789c3b8100000002c012f89c1b863000000d40a89c2d50af4";

    // mov $5,%eax; movd %eax,%xmm0; paddd %xmm0,%xmm0; movd %xmm0,%ebx; movdqu %xmm0,0x90000; hlt
    static final String SSE = "b805000000660f6ec0660ffec0660f7ec3f30f7f042500000900f4";

    @Test void sseRoutedToTheSimdUnit() {
        try (GuestRig g = new GuestRig().long64()) {
            g.code(GuestRig.CODE, SSE);
            g.runToHlt();
            assertEquals(10, g.gpr(RBX));
            assertEquals(10, g.q(0x90000));
            assertEquals(0, g.q(0x90008));
        }
    }

    // fninit; fnstcw 0x90000; movw $0x27f,0x90002; fldcw 0x90002; fnstsw %ax; fnstcw 0x90004; hlt
    static final String X87_CONTROL = "dbe3d93c250000090066c70425020009007f02d92c2502000900dfe0d93c2504000900f4";

    @Test void x87ControlInstructions() {
        try (GuestRig g = new GuestRig().long64()) {
            g.cpu.setGpr(RAX, 0x5555);
            g.code(GuestRig.CODE, X87_CONTROL);
            g.runToHlt();
            assertEquals(0x037F, g.d(0x90000) & 0xFFFF); // FNINIT's control word
            assertEquals(0x027F, g.d(0x90004) & 0xFFFF); // as loaded by FLDCW
            assertEquals(0, g.gpr(RAX) & 0xFFFF);         // FNSTSW AX after FNINIT
        }
    }

    @Test void crc32MatchesTheHost() {
        try (GuestRig g = new GuestRig().long64()) {
            g.code(GuestRig.CODE, CRC);
            g.runToHlt();
            assertEquals(0x56C3_A06CL, g.gpr(RCX));
            assertEquals(0x4DEC_E20CL, g.gpr(RDX));
        }
    }

    @Test void decimalAdjust() {
        try (GuestRig g = new GuestRig().prot32()) {
            g.code(GuestRig.CODE, BCD);
            g.runToHlt();
            assertEquals(0x14, g.gpr(RBX) & 0xFF);  // 79 + 35 = 114 (CF)
            assertEquals(0x09, g.gpr(RCX) & 0xFF);  // 10 - 01 = 09
            assertEquals(0x0909, g.gpr(RDX) & 0xFFFF); // 99 -> AH=9, AL=9
            assertEquals(0x63, g.gpr(RAX) & 0xFFFF);   // and back
        }
    }
}
