package org.jkvm.kvm.guest;

import static org.jkvm.isa.Regs.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.Map;

import org.jkvm.api.Hypervisor;
import org.jkvm.api.stats.ExitStatistics;
import org.jkvm.api.stats.ExitStatistics.ExitRow;
import org.jkvm.cpu.vmx.ExitReason;
import org.jkvm.isa.Label;
import org.jkvm.kvm.SoftVcpu;
import org.junit.jupiter.api.Test;

/**
 * The in-backend local APIC and the fastpath exits that involve it: WRMSR TSC_DEADLINE arms the timer and the
 * guest takes the timer interrupt from HLT; an x2APIC ICR fixed self-IPI is delivered; HLT with an interrupt
 * already pending is handled in the fastpath.
 */
class LapicFastpathTest {
    static ExitRow row(SoftVcpu v, String reason) {
        return ((ExitStatistics) v).exitTable().stream().filter(r -> r.reason().equals(reason)).findFirst()
            .orElse(new ExitRow(reason, 0, 0, 0, 0));
    }

    /** RBP = resume point; {@code pre}; then HLT in a loop until an interrupt handler returns to RBP. */
    static void waitForInterrupt(Code c, java.util.function.Consumer<Code> pre) {
        Label resume = c.label();
        c.lea(RBP, resume);
        pre.accept(c);
        Label spin = c.mark();
        c.hlt().jmp(spin);
        c.bind(resume);
    }

    @Test
    void tscDeadlineIcrAndHlt() throws Exception {
        try (LongModeGuest g = new LongModeGuest(Hypervisor.open("soft", Map.of("cpu", "max")), true, true, true)) {
            g.installIdt();
            Code c = new Code(LongModeGuest.CODE);
            // x2APIC on, software-enabled, LVT timer in TSC-deadline mode with vector 0x40
            c.mov(ECX, 0x1B).rdmsr().or(RAX, 0xC00).wrmsr();
            c.wrmsrImm(0x80F, 0x1FF).wrmsrImm(0x832, 0x40 | 2 << 17);
            c.zero(R15).zero(R14);
            // 1) TSC deadline 100 us ahead, then STI; HLT until the timer interrupt
            c.rdtsc().shl(RDX, 32).or(RAX, RDX).add(RAX, 100_000).mov(RDX, RAX).shr(RDX, 32).mov(ECX, 0x6E0);
            waitForInterrupt(c, x -> x.wrmsr().sti());
            c.wrmsrImm(0x80B, 0).sync(1);
            // 2) self-IPI through the x2APIC ICR (fixed, physical destination 0)
            c.zero(R15).zero(R14).mov(ECX, 0x830).mov(EAX, 0x41).mov(EDX, 0);
            waitForInterrupt(c, Code::wrmsr);
            c.wrmsrImm(0x80B, 0).sync(2);
            // 3) CLI; self-IPI pending; STI; HLT -> HLT exits with the interrupt already pending
            c.zero(R15).zero(R14).cli().wrmsrImm(0x830, 0x42);
            waitForInterrupt(c, Code::sti);
            c.wrmsrImm(0x80B, 0).sync(3);
            g.load(c);
            SoftVcpu v = (SoftVcpu) g.vcpu;

            g.sync(1);
            var r = g.vcpu.getRegs();
            assertEquals(0x40, r.r14(), "the timer interrupt was taken");
            assertEquals(1, r.r15());
            assertTrue(row(v, "MSR_WRITE").fastpath() >= 1, "WRMSR TSC_DEADLINE in the fastpath");
            long msrFast = row(v, "MSR_WRITE").fastpath();

            g.sync(2);
            r = g.vcpu.getRegs();
            assertEquals(0x41, r.r14(), "the self-IPI was delivered");
            assertEquals(msrFast + 1, row(v, "MSR_WRITE").fastpath(), "ICR write in the fastpath");

            g.sync(3);
            r = g.vcpu.getRegs();
            assertEquals(0x42, r.r14());
            assertTrue(row(v, "HLT").fastpath() >= 1, "HLT with an interrupt pending handled in the fastpath");
            assertEquals(v.counters.count(ExitReason.HLT), row(v, "HLT").count());
        }
    }
}
