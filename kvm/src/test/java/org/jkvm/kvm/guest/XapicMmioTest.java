package org.jkvm.kvm.guest;

import static org.jkvm.isa.Assembler.dword;
import static org.jkvm.isa.Assembler.imm;
import static org.jkvm.isa.Regs.*;
import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.ValueLayout;
import java.util.Map;

import org.jkvm.api.Hypervisor;
import org.junit.jupiter.api.Test;

/**
 * The xAPIC register page: MMIO at the APIC base is handled inside the backend (no exit to user space) — reads
 * complete the faulting load, writes program the APIC; a self-IPI sent through ICR (MMIO) is delivered, and a
 * one-shot timer programmed through the page fires.
 */
class XapicMmioTest {
    static final long APIC = 0xFEE0_0000L;

    /** MOV EAX, [RBX + reg]: a read of the APIC register at offset {@code reg}. */
    private static Code movEaxRbx(Code c, int reg) { return c.mov(EAX, dword(RBX, reg)); }

    /** MOV dword [RBX + reg], imm32: a write of the APIC register at offset {@code reg}. */
    private static Code movRbxImm(Code c, int reg, int value) { return c.mov(dword(RBX, reg), imm(value)); }

    @Test
    void mmioRegisterPage() throws Exception {
        try (LongModeGuest g = new LongModeGuest(Hypervisor.open("soft", Map.of("cpu", "max", "max-instructions", "5000000")), true, true, true)) {
            g.installIdt();
            // map 3-4 GiB: PDPT[3] -> PD at 0x4000, 2 MiB page at 0xFEE00000 (uncached)
            g.ram.set(ValueLayout.JAVA_LONG, 0x2000 + 8 * 3, 0x4003);
            g.ram.set(ValueLayout.JAVA_LONG, 0x4000 + 8L * ((APIC - 0xC000_0000L) >> 21), APIC | 0x93);
            Code c = new Code(LongModeGuest.CODE);
            c.mov(RBX, APIC);
            movEaxRbx(c, 0x30).mov(R8, RAX); // version
            movEaxRbx(c, 0x20).mov(R9, RAX); // ID
            movRbxImm(c, 0xF0, 0x1FF); // SVR: enabled, spurious 0xFF
            movEaxRbx(c, 0xF0).mov(R10, RAX);
            c.zero(R15).zero(R14);
            movRbxImm(c, 0x310, 0); // ICR high: APIC ID 0
            LapicFastpathTest.waitForInterrupt(c, x -> movRbxImm(x.sti(), 0x300, 0x4051)); // fixed, assert, vector 0x51
            movRbxImm(c, 0xB0, 0).sync(1);
            // one-shot timer, divide by 1, 50,000 bus cycles = 50 us
            c.zero(R15).zero(R14);
            movRbxImm(c, 0x3E0, 0xB);
            movRbxImm(c, 0x320, 0x52);
            LapicFastpathTest.waitForInterrupt(c, x -> movRbxImm(x, 0x380, 50_000));
            movRbxImm(c, 0xB0, 0).sync(2);
            g.load(c);

            g.sync(1);
            var r = g.vcpu.getRegs();
            assertEquals(0x0005_0014, r.r8(), "APIC version register");
            assertEquals(0, r.r9(), "APIC ID 0 in bits 31:24");
            assertEquals(0x1FF, r.r10(), "SVR reads back");
            assertEquals(0x51, r.r14(), "self-IPI through the ICR delivered");
            g.sync(2);
            assertEquals(0x52, g.vcpu.getRegs().r14(), "one-shot timer fired");
            var lapic = g.vcpu.getLapic();
            assertEquals(0x1FF, lapic.reg(0xF0), "KVM_GET_LAPIC sees SVR");
        }
    }
}
