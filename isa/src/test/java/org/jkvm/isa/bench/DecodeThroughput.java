package org.jkvm.isa.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

/**
 * A plain-Java companion to {@link DecodeBench} for shared, loaded machines: decodes the same mixed stream and
 * reports instructions per second of wall time and of this thread's CPU time (the latter is what one core
 * delivers when the machine is busy with other work), plus bytes allocated per instruction.
 *
 * <p>Run: {@code java -cp "isa/target-isa/test-classes:isa/target-isa/classes:$(cat isa/target-isa/jmh.cp)"
 * -Djkvm.shared=$PWD/../shared org.jkvm.isa.bench.DecodeThroughput}
 */
public final class DecodeThroughput {
    private DecodeThroughput() {}

    public static void main(String[] args) throws Exception {
        DecodeBench b = new DecodeBench();
        b.setup();
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        ThreadMXBean plain = mx;
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        double bestCpu = 0, bestWall = 0;
        double[] lateCpu = new double[rounds - rounds / 2];
        for (int r = 0; r < rounds; r++) {
            long a0 = mx.getCurrentThreadAllocatedBytes(), c0 = plain.getCurrentThreadCpuTime(), t0 = System.nanoTime();
            long sum = 0;
            for (int k = 0; k < 500; k++) sum += b.decodeIntoReusedBuffer();
            long a1 = mx.getCurrentThreadAllocatedBytes(), c1 = plain.getCurrentThreadCpuTime(), t1 = System.nanoTime();
            double n = 500.0 * DecodeBench.N;
            double cpu = n / ((c1 - c0) / 1e9), wall = n / ((t1 - t0) / 1e9);
            if (r >= rounds / 2) {
                lateCpu[r - rounds / 2] = cpu;
                bestCpu = Math.max(bestCpu, cpu);
                bestWall = Math.max(bestWall, wall);
            }
            System.out.printf(Locale.ROOT, "round %2d: %.1f M insn/s wall, %.1f M insn/s cpu, %.2f B/insn allocated (%d)%n",
                    r, wall / 1e6, cpu / 1e6, (a1 - a0) / n, sum & 1);
        }
        System.out.printf(Locale.ROOT, "best of the second half: %.1f M insn/s wall, %.1f M insn/s cpu%n", bestWall / 1e6, bestCpu / 1e6);
        java.util.Arrays.sort(lateCpu);
        System.out.printf(Locale.ROOT, "median of rounds %d-%d: %.1f M insn/s cpu%n", rounds / 2, rounds - 1,
                lateCpu[lateCpu.length / 2] / 1e6);
    }
}
