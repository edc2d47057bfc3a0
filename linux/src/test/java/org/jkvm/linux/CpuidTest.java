package org.jkvm.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.ByteArrayOutputStream;
import java.util.List;

import org.jkvm.api.exit.VcpuExit;
import org.jkvm.api.uabi.KvmCpuid2;
import org.jkvm.api.uabi.KvmCpuidEntry2;
import org.jkvm.api.uabi.KvmRegs;
import org.junit.jupiter.api.Test;

/** cpuid_test: what the guest's CPUID instruction answers is the vCPU's table, as KVM_GET_CPUID2 reports it. */
class CpuidTest {
    private static final int[][] LEAVES = {{0, 0}, {1, 0}, {7, 0}, {0xD, 0}, {0xD, 1}, {0x80000000, 0}, {0x80000001, 0}};

    private static void emit(ByteArrayOutputStream code, int... bytes) {
        for (int b : bytes) code.write(b);
    }

    private static void imm32(ByteArrayOutputStream code, int v) {
        emit(code, v & 0xff, v >>> 8 & 0xff, v >>> 16 & 0xff, v >>> 24);
    }

    @Test
    void guestSeesTheTable() throws Exception {
        try (Guest g = new Guest()) {
            ByteArrayOutputStream code = new ByteArrayOutputStream();
            for (int i = 0; i < LEAVES.length; i++) {
                emit(code, 0xB8);
                imm32(code, LEAVES[i][0]);                // mov eax, leaf
                emit(code, 0xB9);
                imm32(code, LEAVES[i][1]);                // mov ecx, subleaf
                emit(code, 0x0F, 0xA2);                   // cpuid
                int[] modrm = {0x04, 0x1C, 0x0C, 0x14};   // eax, ebx, ecx, edx
                for (int r = 0; r < 4; r++) {
                    emit(code, 0x89, modrm[r], 0x25);     // mov [disp32], reg
                    imm32(code, 0x3000 + 16 * i + 4 * r);
                }
            }
            emit(code, 0xE6, 0x10);                       // out 0x10, al
            byte[] bytes = code.toByteArray();
            int[] program = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) program[i] = bytes[i] & 0xff;
            g.writeGdt();
            g.writeIdentityPageTables();
            g.load(0x4000, program);
            g.vcpu.setSregs(Guest.longMode(g.vcpu.getSregs()));
            g.vcpu.setRegs(KvmRegs.zero().withRip(0x4000));
            VcpuExit e = g.vcpu.run();
            assertInstanceOf(VcpuExit.Io.class, e, () -> "exit " + e);

            List<KvmCpuidEntry2> table = g.vcpu.getCpuid2(KvmCpuid2.MAX_ENTRIES);
            for (int i = 0; i < LEAVES.length; i++) {
                KvmCpuidEntry2 t = KvmCpuid2.find(table, LEAVES[i][0], LEAVES[i][1]);
                assertNotNull(t, "leaf " + Integer.toHexString(LEAVES[i][0]));
                int at = 0x3000 + 16 * i;
                String leaf = String.format("CPUID %#x.%d ", LEAVES[i][0], LEAVES[i][1]);
                int ebx = g.u32(at + 4);
                if (LEAVES[i][0] == 1) ebx &= 0x00ffffff; // EBX[31:24] is the initial APIC ID, filled per vCPU
                assertEquals(t.eax(), g.u32(at), leaf + "EAX");
                assertEquals(LEAVES[i][0] == 1 ? t.ebx() & 0x00ffffff : t.ebx(), ebx, leaf + "EBX");
                assertEquals(t.ecx(), g.u32(at + 8), leaf + "ECX");
                assertEquals(t.edx(), g.u32(at + 12), leaf + "EDX");
            }
        }
    }
}
