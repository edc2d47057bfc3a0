package org.jkvm.kvm.guest;

import static org.jkvm.isa.Regs.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.Map;

import org.jkvm.api.InstructionBudget;
import org.jkvm.api.exit.VcpuExit;
import org.jkvm.api.stats.ExitStatistics;
import org.jkvm.isa.Label;
import org.junit.jupiter.api.Test;

/**
 * The soft vCPU's instruction budget stops KVM_RUN at exact instruction boundaries, across runs, counting the
 * instructions KVM completes for the guest (INVD, OUT) as retired. Each stop is checked against a step-by-step
 * model of the guest program (RIP and RCX after n instructions).
 */
class InstructionBudgetTest {
    private static final int ITERATIONS = 1000;

    @Test
    void stopsAtExactBoundariesAcrossRuns() throws Exception {
        try (LongModeGuest g = new LongModeGuest("soft", Map.of(), false, true)) {
            Code c = new Code(LongModeGuest.CODE);
            long[] pc = new long[6];
            pc[0] = c.here();
            c.mov(RCX, ITERATIONS);
            Label loop = c.mark();
            pc[1] = c.address(loop);
            c.invd();
            pc[2] = c.here();
            c.dec(RCX);
            pc[3] = c.here();
            c.jnz(loop);
            pc[4] = c.here();
            c.mov(RAX, 0x43);
            pc[5] = c.here();
            c.outAl(0x11).hlt();
            g.load(c);
            InstructionBudget b = assertInstanceOf(InstructionBudget.class, g.vcpu);
            assertEquals(0, b.instructionsRetired());

            long total = 0;
            int[] steps = {1, 1, 2, 7, 3, 100, 1, 997, 5};
            for (int i = 0; ; i++) {
                long n = steps[i % steps.length];
                if (total + n > 3L * ITERATIONS) break; // stay before the OUT
                b.setInstructionBudget(n);
                assertInstanceOf(VcpuExit.Interrupted.class, g.vcpu.run(), "budget of " + n + " after " + total);
                total += n;
                assertEquals(total, b.instructionsRetired());
                long[] m = model(pc, total);
                var r = g.vcpu.getRegs();
                assertEquals(m[0], r.rip(), "RIP after " + total);
                assertEquals(m[1], r.rcx(), "RCX after " + total);
            }
            // 0 removes the limit: the guest runs on to its OUT, which has not retired yet at the exit
            b.setInstructionBudget(0);
            VcpuExit.Io io = assertInstanceOf(VcpuExit.Io.class, g.vcpu.run());
            assertEquals(0x11, io.port());
            long beforeOut = 1 + 3L * ITERATIONS + 1;
            assertEquals(beforeOut, b.instructionsRetired());
            assertEquals(beforeOut, ((ExitStatistics) g.vcpu).instructionsRetired());
            // a budget of 1 ends the next run right after KVM completes the OUT, before the HLT
            b.setInstructionBudget(1);
            assertInstanceOf(VcpuExit.Interrupted.class, g.vcpu.run());
            assertEquals(beforeOut + 1, b.instructionsRetired());
            assertEquals(pc[5] + 2, g.vcpu.getRegs().rip());
            // used up: the limit is gone, the next run reaches the HLT
            assertInstanceOf(VcpuExit.Hlt.class, g.vcpu.run());
        }
    }

    /** {RIP, RCX} after {@code n} instructions of the program, stepped one instruction at a time. */
    private static long[] model(long[] pc, long n) {
        int at = 0;
        long rcx = 0;
        for (long k = 0; k < n; k++) {
            switch (at) {
                case 0 -> { rcx = ITERATIONS; at = 1; }
                case 1 -> at = 2;
                case 2 -> { rcx--; at = 3; }
                case 3 -> at = rcx != 0 ? 1 : 4;
                case 4 -> at = 5;
                default -> throw new IllegalStateException("model ran past the OUT");
            }
        }
        return new long[] {pc[at], rcx};
    }
}
