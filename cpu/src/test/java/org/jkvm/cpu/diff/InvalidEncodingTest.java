package org.jkvm.cpu.diff;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jkvm.cpu.fault.Fault;
import org.junit.jupiter.api.Test;

/**
 * What the host cannot show without a signal: encodings the SDM makes faults. LOCK on an instruction that
 * is not a memory read-modify-write is #UD (SDM vol. 2, LOCK); an instruction longer than 15 bytes is #GP(0)
 * (SDM vol. 2, 2.3.11); UD2 is #UD. Each fault leaves RIP on the instruction and the registers unchanged.
 * The lockable forms next to them complete, so the #UD comes from the rule and not from the opcode.
 */
class InvalidEncodingTest {
    private static final long BASE = 0x0000_5A5A_0000_0000L, SEQ = BASE + 0x100;

    private static String expect(SoftCpu cpu, int vector, String what, int... code) {
        byte[] b = new byte[code.length];
        for (int i = 0; i < code.length; i++) b[i] = (byte) code[i];
        long[] r = new long[16];
        for (int i = 0; i < 16; i++) r[i] = 0x1000 + i;
        r[4] = BASE + Layout.INITIAL_RSP;
        r[3] = BASE + Layout.SCRATCH_BASE; // [rbx] is in the scratch buffer
        long[] before = r.clone();
        SoftCpu.Exit e = cpu.execute(b, r, 0, new byte[Layout.DATA_SIZE]);
        boolean ok = vector < 0 ? cpu.endedAtTerminator(e, b.length)
            : e.vector() == vector && e.rip() == SEQ && java.util.Arrays.equals(before, r);
        if (ok) return null;
        return what + " [" + Asm.hex(b) + "]: expected " + (vector < 0 ? "completion" : "#" + Fault.name(vector))
            + ", got " + e.describe(SEQ) + (java.util.Arrays.equals(before, r) ? "" : " (registers changed)");
    }

    @Test
    void faultingEncodingsFault() {
        List<String> problems = new ArrayList<>();
        try (SoftCpu cpu = new SoftCpu(BASE, SEQ, 3, false)) {
            problems.add(expect(cpu, -1, "lock add [rbx], eax", 0xF0, 0x01, 0x03));
            problems.add(expect(cpu, Fault.UD, "lock add eax, ecx (register destination)", 0xF0, 0x01, 0xC8));
            problems.add(expect(cpu, Fault.UD, "lock add eax, [rbx] (memory source)", 0xF0, 0x03, 0x03));
            problems.add(expect(cpu, Fault.UD, "lock cmp [rbx], eax (not a write)", 0xF0, 0x39, 0x03));
            problems.add(expect(cpu, Fault.UD, "lock mov [rbx], eax", 0xF0, 0x89, 0x03));
            problems.add(expect(cpu, Fault.UD, "lock nop", 0xF0, 0x90));
            problems.add(expect(cpu, -1, "lock xchg [rbx], eax", 0xF0, 0x87, 0x03));
            problems.add(expect(cpu, Fault.UD, "lock xchg eax, ecx", 0xF0, 0x87, 0xC8));
            problems.add(expect(cpu, Fault.UD, "ud2", 0x0F, 0x0B));
            int[] fifteen = new int[15];
            java.util.Arrays.fill(fifteen, 0x2E);
            fifteen[14] = 0x90;
            problems.add(expect(cpu, -1, "14 prefixes + nop (15 bytes)", fifteen));
        }
        problems.removeIf(java.util.Objects::isNull);
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void anInstructionLongerThan15BytesIsGP() {
        int[] sixteen = new int[16];
        java.util.Arrays.fill(sixteen, 0x2E);
        sixteen[15] = 0x90;
        try (SoftCpu cpu = new SoftCpu(BASE, SEQ, 3, false)) {
            String p = expect(cpu, Fault.GP, "15 prefixes + nop (16 bytes)", sixteen);
            assertTrue(p == null, p);
        }
    }
}
