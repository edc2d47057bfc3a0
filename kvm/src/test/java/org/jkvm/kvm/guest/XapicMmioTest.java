package org.jkvm.kvm.guest;

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

    private static Code movEaxRbx(Code c, int disp) { return c.raw(0x8B, 0x83).raw(disp & 0xFF, (disp >> 8) & 0xFF, 0, 0); }

    private static Code movRbxImm(Code c, int disp, int imm) {
        return c.raw(0xC7, 0x83, disp & 0xFF, (disp >> 8) & 0xFF, 0, 0, imm & 0xFF, (imm >> 8) & 0xFF, (imm >> 16) & 0xFF, (imm >>> 24) & 0xFF);
    }

    @Test
    void mmioRegisterPage() throws Exception {
        try (LongModeGuest g = new LongModeGuest(Hypervisor.open("soft", Map.of("cpu", "max", "max-instructions", "5000000")), true, true, true)) {
            g.installIdt();
            // map 3-4 GiB: PDPT[3] -> PD at 0x4000, 2 MiB page at 0xFEE00000 (uncached)
            g.ram.set(ValueLayout.JAVA_LONG, 0x2000 + 8 * 3, 0x4003);
            g.ram.set(ValueLayout.JAVA_LONG, 0x4000 + 8L * ((APIC - 0xC000_0000L) >> 21), APIC | 0x93);
            Code c = new Code(LongModeGuest.CODE);
            c.movImm(3, APIC);
            movEaxRbx(c, 0x30).mov(8, 0); // version
            movEaxRbx(c, 0x20).mov(9, 0); // ID
            movRbxImm(c, 0xF0, 0x1FF); // SVR: enabled, spurious 0xFF
            movEaxRbx(c, 0xF0).mov(10, 0);
            c.zero(15).zero(14);
            movRbxImm(c, 0x310, 0); // ICR high: APIC ID 0
            LapicFastpathTest.waitForInterrupt(c, x -> movRbxImm(x.sti(), 0x300, 0x4051)); // fixed, assert, vector 0x51
            movRbxImm(c, 0xB0, 0).sync(1);
            // one-shot timer, divide by 1, 50,000 bus cycles = 50 us
            c.zero(15).zero(14);
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
