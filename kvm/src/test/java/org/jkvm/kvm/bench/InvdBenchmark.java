package org.jkvm.kvm.bench;

import java.util.Map;

import org.jkvm.api.Hypervisor;
import org.jkvm.api.exit.VcpuExit;
import org.jkvm.api.stats.ExitStatistics;
import org.jkvm.kvm.SoftVcpu;
import org.jkvm.kvm.guest.Code;
import org.jkvm.kvm.guest.LongModeGuest;
import org.jkvm.kvm.stats.SwitchOp;

/**
 * A guest that does nothing but INVD in a loop (Sean Christopherson's fastpath measurement), under one XCR0/XSS/
 * PKRU placement. The guest first sets XCR0 = x87|SSE|AVX, so that its XCR0 differs from the host's and the
 * per-entry placement really executes XSETBV on every entry and exit.
 *
 * <pre>
 * java -cp ... org.jkvm.kvm.bench.InvdBenchmark [exits] [cpu-model] [rounds]
 * </pre>
 */
public final class InvdBenchmark {
    /** {@code cpuExitsPerSecond} counts this thread's CPU time only: what one core delivers on a busy machine. */
    public record Result(String placement, long exits, double seconds, double exitsPerSecond, double cpuExitsPerSecond,
                         double cyclesPerExit, long xsetbv, long wrmsrXss, long wrpkru, long rdpkru, long switchCycles,
                         double bytesPerExit) {
        @Override
        public String toString() {
            return String.format("%-10s %,12d INVD exits in %.3f s = %,.0f exits/s (%,.0f per CPU second), modelled "
                + "%.1f cycles/exit (XSETBV %d, WRMSR XSS %d, WRPKRU %d, RDPKRU %d), %.3f bytes allocated/exit", placement,
                exits, seconds, exitsPerSecond, cpuExitsPerSecond, cyclesPerExit, xsetbv, wrmsrXss, wrpkru, rdpkru, bytesPerExit);
        }
    }

    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

    public static Result run(String placement, long iterations, String cpu) throws Exception {
        return run(placement, iterations, cpu, false);
    }

    /** @param pke also set guest CR4.PKE, so that PKRU (guest 0, host 0x55555554) is switched too */
    public static Result run(String placement, long iterations, String cpu, boolean pke) throws Exception {
        try (LongModeGuest g = new LongModeGuest(Hypervisor.open("soft", Map.of("xstate-switch", placement, "cpu", cpu)),
                true, true, false)) {
            if (pke) {
                var s = g.vcpu.getSregs();
                g.vcpu.setSregs(new org.jkvm.api.uabi.KvmSregs(s.cs(), s.ds(), s.es(), s.fs(), s.gs(), s.ss(), s.tr(), s.ldt(),
                    s.gdt(), s.idt(), s.cr0(), 0, s.cr3(), s.cr4() | (1L << 22), 0, s.efer(), s.apicBase(), new long[4]));
            }
            Code c = new Code(LongModeGuest.CODE);
            c.zero(1).movImm32(0, 7).zero(2).xsetbv(); // XCR0 = x87|SSE|AVX
            c.outAl(0x80); // a sync point: statistics restart here
            c.movImm(1, iterations);
            long loop = c.here();
            c.invd().dec(1).jnz(loop);
            c.outAl(0x81);
            g.load(c);
            VcpuExit e = g.vcpu.run();
            if (!(e instanceof VcpuExit.Io io) || io.port() != 0x80) throw new IllegalStateException("setup: " + e);
            SoftVcpu v = (SoftVcpu) g.vcpu;
            ((ExitStatistics) v).resetStatistics();
            long a0 = THREADS.getCurrentThreadAllocatedBytes(), c0 = THREADS.getCurrentThreadCpuTime(), t0 = System.nanoTime();
            e = g.vcpu.run();
            long t1 = System.nanoTime(), c1 = THREADS.getCurrentThreadCpuTime(), a1 = THREADS.getCurrentThreadAllocatedBytes();
            if (!(e instanceof VcpuExit.Io io2) || io2.port() != 0x81) throw new IllegalStateException("loop: " + e);
            long exits = v.counters.count(org.jkvm.cpu.vmx.ExitReason.INVD);
            if (exits != iterations) throw new IllegalStateException("expected " + iterations + " INVD exits, saw " + exits);
            double s = (t1 - t0) / 1e9;
            return new Result(placement, exits, s, exits / s, exits / ((c1 - c0) / 1e9), (double) v.cycles.cycles() / exits,
                v.cycles.count(SwitchOp.XSETBV), v.cycles.count(SwitchOp.WRMSR_XSS), v.cycles.count(SwitchOp.WRPKRU),
                v.cycles.count(SwitchOp.RDPKRU),
                v.cycles.count(SwitchOp.XSETBV) * v.cycles.cost(SwitchOp.XSETBV) + v.cycles.count(SwitchOp.WRMSR_XSS) * v.cycles.cost(SwitchOp.WRMSR_XSS)
                    + v.cycles.count(SwitchOp.WRPKRU) * v.cycles.cost(SwitchOp.WRPKRU) + v.cycles.count(SwitchOp.RDPKRU) * v.cycles.cost(SwitchOp.RDPKRU),
                (double) (a1 - a0) / exits);
        }
    }

    public static void main(String[] args) throws Exception {
        long n = args.length > 0 ? Long.parseLong(args[0]) : 20_000_000L;
        String cpu = args.length > 1 ? args[1] : "max";
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        // warm-up: let the JIT see both placements
        run("outer-loop", Math.min(n, 2_000_000), cpu);
        run("per-entry", Math.min(n, 2_000_000), cpu);
        for (boolean pke : new boolean[] {false, true}) {
            if (pke) System.out.println("with guest CR4.PKE (PKRU switched as well):");
            for (String placement : new String[] {"outer-loop", "per-entry"}) {
                double[] wall = new double[rounds], cpuRate = new double[rounds];
                for (int i = 0; i < rounds; i++) {
                    Result r = run(placement, n, cpu, pke);
                    System.out.println(r);
                    wall[i] = r.exitsPerSecond();
                    cpuRate[i] = r.cpuExitsPerSecond();
                }
                java.util.Arrays.sort(wall);
                java.util.Arrays.sort(cpuRate);
                System.out.printf("%-10s median of %d: %,.0f exits/s, %,.0f per CPU second%n", placement, rounds,
                    wall[rounds / 2], cpuRate[rounds / 2]);
            }
        }
    }
}
