package org.jkvm.kvm.guest;

import static org.jkvm.isa.Regs.*;
import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.jkvm.api.Hypervisor;
import org.jkvm.api.Vcpu;
import org.jkvm.api.exit.VcpuExit;
import org.jkvm.api.uabi.KvmRegs;
import org.jkvm.isa.Label;
import org.junit.jupiter.api.Test;

/**
 * Two vCPUs on two threads with the in-backend APICs: vCPU 1 halts with interrupts on; vCPU 0 sends it a fixed IPI
 * through the x2APIC ICR (a fastpath WRMSR); vCPU 1 wakes and runs its handler. Also: kick() from another thread
 * stops a vCPU spinning in the guest.
 */
class TwoVcpuIpiTest {
    @Test
    void ipiWakesAHaltedVcpu() throws Exception {
        try (LongModeGuest g = new LongModeGuest(Hypervisor.open("soft", Map.of("cpu", "max")), true, true, true)) {
            g.installIdt();
            Vcpu ap = g.vm.createVcpu(1);
            ap.setCpuid2(g.vcpu.getCpuid2(1000));
            ap.setSregs(g.vcpu.getSregs());
            ap.setMpState(Vcpu.MP_STATE_RUNNABLE);

            Code c1 = new Code(LongModeGuest.CODE + 0x1000);
            c1.mov(ECX, 0x1B).rdmsr().or(RAX, 0xC00).wrmsr().wrmsrImm(0x80F, 0x1FF).zero(R15).zero(R14);
            LapicFastpathTest.waitForInterrupt(c1, Code::sti);
            c1.mov(EAX, 0x21).outAl(0xE0);
            byte[] b1 = c1.bytes();
            MemorySegment.copy(MemorySegment.ofArray(b1), 0, g.ram, c1.base, b1.length);
            ap.setRegs(new KvmRegs(0, 0, 0, 0, 0, 0, LongModeGuest.STACK - 0x1000, 0, 0, 0, 0, 0, 0, 0, 0, 0, c1.base, 2));

            Code c0 = new Code(LongModeGuest.CODE);
            c0.mov(ECX, 0x1B).rdmsr().or(RAX, 0xC00).wrmsr().wrmsrImm(0x80F, 0x1FF).sync(1);
            c0.wrmsrImm(0x830, (1L << 32) | 0x55).sync(2);
            g.load(c0);

            CompletableFuture<VcpuExit> apRun = CompletableFuture.supplyAsync(() -> {
                try {
                    return ap.run();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            g.sync(1);
            Thread.sleep(100); // let the AP reach its HLT
            assertFalse(apRun.isDone(), "the AP is halted in the backend, not returning to user space");
            g.sync(2);
            VcpuExit e = apRun.get(10, TimeUnit.SECONDS);
            VcpuExit.Io io = assertInstanceOf(VcpuExit.Io.class, e);
            assertEquals(0xE0, io.port());
            assertEquals(0x55, ap.getRegs().r14(), "the AP took vector 0x55");
        }
    }

    @Test
    void kickStopsASpinningGuest() throws Exception {
        try (LongModeGuest g = new LongModeGuest(Hypervisor.open("soft", Map.of()), false, true, false)) {
            Code c = new Code(LongModeGuest.CODE);
            Label spin = c.mark();
            c.jmp(spin);
            g.load(c);
            CompletableFuture<VcpuExit> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return g.vcpu.run();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(50);
            g.vcpu.kick();
            assertInstanceOf(VcpuExit.Interrupted.class, run.get(10, TimeUnit.SECONDS));
        }
    }
}
