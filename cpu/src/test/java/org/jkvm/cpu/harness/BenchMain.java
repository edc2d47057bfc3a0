package org.jkvm.cpu.harness;

import java.nio.file.Path;

/**
 * Runs a benchmark guest (default: ../shared/guests/bench-long.elf) on the software CPU through the test
 * harness and prints the guest output, instructions retired, wall time and MIPS.
 */
public final class BenchMain {
    public static void main(String[] args) throws Exception {
        String shared = System.getProperty("jkvm.shared", "../shared");
        Path image = Path.of(args.length > 0 ? args[0] : shared + "/guests/bench-long.elf");
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        for (int i = 0; i < runs; i++) {
            try (MultibootHarness h = new MultibootHarness()) {
                h.load(image);
                var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
                long a0 = mx.getCurrentThreadAllocatedBytes();
                long c0 = mx.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                int reason = h.run(Long.MAX_VALUE);
                long t1 = System.nanoTime();
                long c1 = mx.getCurrentThreadCpuTime();
                long a1 = mx.getCurrentThreadAllocatedBytes();
                long n = h.cpu.retiredInstructions();
                double s = (t1 - t0) / 1e9;
                System.out.print(h.serial);
                double cs = (c1 - c0) / 1e9;
                System.out.printf("exit %s status %d; %d instructions in %.3f s wall = %.1f MIPS"
                        + " (%.3f s CPU of this thread = %.1f MIPS)%n",
                    h.describeExit(reason).split(" ")[0], h.exitStatus, n, s, n / s / 1e6, cs, n / cs / 1e6);
                System.out.printf("allocated %d KiB on the CPU thread (translation, compiled blocks, exits), unimplemented %s%n",
                    (a1 - a0) >> 10, h.cpu.unimplementedInstructions());
            }
        }
    }
}
