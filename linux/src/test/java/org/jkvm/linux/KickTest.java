package org.jkvm.linux;

import static org.jkvm.linux.VcpuStateTest.assertErrno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.jkvm.api.Errno;
import org.jkvm.api.KvmException;
import org.jkvm.api.exit.VcpuExit;
import org.jkvm.api.uabi.KvmRegs;
import org.junit.jupiter.api.Test;

/** Vcpu.kick: from another thread out of a spinning guest, before a run, after an I/O exit, and by close(). */
class KickTest {
    private static final int[] OUT_THEN_SPIN = {0xE6, 0x10, 0xEB, 0xFE}; // out 0x10, al; jmp $

    private static Guest spinningGuest() throws KvmException {
        Guest g = new Guest();
        g.writeGdt();
        g.writeIdentityPageTables();
        g.load(0x4000, 0xEB, 0xFE); // jmp $
        g.load(0x4100, OUT_THEN_SPIN);
        g.vcpu.setSregs(Guest.longMode(g.vcpu.getSregs()));
        g.vcpu.setRegs(KvmRegs.zero().withRip(0x4000));
        return g;
    }

    /** Runs in a helper thread until the run returns, kicking from here after {@code delayMs}. */
    private static VcpuExit runAndKick(ExecutorService pool, Guest g, long delayMs) throws Exception {
        Future<VcpuExit> f = pool.submit(() -> g.vcpu.run());
        Thread.sleep(delayMs);
        g.vcpu.kick();
        return f.get(10, TimeUnit.SECONDS);
    }

    @Test
    void kickStopsASpinningGuestAgainAndAgain() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Guest g = spinningGuest()) {
            for (int i = 0; i < 3; i++) {
                assertInstanceOf(VcpuExit.Interrupted.class, runAndKick(pool, g, 50));
                assertEquals(0x4000, g.vcpu.getRegs().rip(), "still in the loop");
            }
            // the kicks were consumed: a run from a state that exits by itself is not interrupted
            g.vcpu.setRegs(KvmRegs.zero().withRip(0x4100));
            VcpuExit e = pool.submit(() -> g.vcpu.run()).get(10, TimeUnit.SECONDS);
            assertInstanceOf(VcpuExit.Io.class, e, () -> "exit " + e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** A kick with no run in progress: the next run completes the pending OUT, runs nothing, returns Interrupted. */
    @Test
    void kickBetweenRunsCompletesTheExitAndRunsNoGuestCode() throws Exception {
        try (Guest g = spinningGuest()) {
            g.vcpu.setRegs(KvmRegs.zero().withRip(0x4100));
            assertInstanceOf(VcpuExit.Io.class, g.vcpu.run());
            g.vcpu.kick();
            assertInstanceOf(VcpuExit.Interrupted.class, g.vcpu.run());
            assertEquals(0x4102, g.vcpu.getRegs().rip(), "the OUT is complete, the JMP not yet run");
            g.vcpu.kick();
            g.vcpu.kick(); // kicks coalesce
            assertInstanceOf(VcpuExit.Interrupted.class, g.vcpu.run());
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                assertInstanceOf(VcpuExit.Interrupted.class, runAndKick(pool, g, 50), "the guest spins until kicked");
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** With KVM's local APIC a HLT halts inside KVM_RUN (no HLT exit): a kick still gets the vCPU out. */
    @Test
    void kickWakesAVcpuHaltedInTheKernel() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Guest g = new Guest(4 << 20, true)) {
            g.writeGdt();
            g.writeIdentityPageTables();
            g.load(0x4000, 0xFA, 0xF4, 0xEB, 0xFC); // cli; hlt; jmp back
            g.vcpu.setSregs(Guest.longMode(g.vcpu.getSregs()));
            g.vcpu.setRegs(KvmRegs.zero().withRip(0x4000));
            assertInstanceOf(VcpuExit.Interrupted.class, runAndKick(pool, g, 100));
            long rip = g.vcpu.getRegs().rip();
            assertTrue(rip == 0x4001 || rip == 0x4002, "at or after the HLT: " + Long.toHexString(rip));
        } finally {
            pool.shutdownNow();
        }
    }

    /** close() from another thread kicks the running KVM_RUN and returns only after it has returned. */
    @Test
    void closeStopsARunningVcpu() throws Exception {
        try (Guest g = spinningGuest()) {
            CompletableFuture<Object> f = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    f.complete(g.vcpu.run());
                } catch (Throwable e) {
                    f.complete(e);
                }
            });
            t.start();
            Thread.sleep(50);
            assertTrue(((LinuxVcpu) g.vcpu).inKvmRun(), "the guest spins inside KVM_RUN");
            g.vcpu.close();
            assertFalse(((LinuxVcpu) g.vcpu).inKvmRun(), "close() returned only after KVM_RUN did");
            Object result = f.get(10, TimeUnit.SECONDS);
            assertTrue(result instanceof VcpuExit.Interrupted
                || result instanceof KvmException k && k.errno() == Errno.EBADF, "run ended with " + result);
            assertErrno(Errno.EBADF, g.vcpu::run);
            t.join(1000);
        }
    }

}
