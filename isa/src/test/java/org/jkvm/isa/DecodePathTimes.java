package org.jkvm.isa;

import java.util.Arrays;
import java.util.Locale;

import org.jkvm.isa.bench.DecodeBench;

/**
 * Where decode time goes: the benchmark's mixed stream split by the path each instruction takes (legacy fast path,
 * VEX/EVEX fast path, general path), one part timed per run so that each is compiled for its own mix. Prints the
 * part's size and the median nanoseconds per instruction over the second half of the rounds.
 *
 * <p>Run (classpath as for {@link DecodeBench}): {@code java -cp ... org.jkvm.isa.DecodePathTimes all|legacy|vex|general [rounds]}
 */
public final class DecodePathTimes {
    private DecodePathTimes() {}

    public static void main(String[] args) throws Exception {
        String part = args.length > 0 ? args[0] : "all";
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        DecodeBench b = new DecodeBench();
        b.setup();
        byte[] code = b.code();
        int[] off = b.offsets(), len = b.lengths();
        DecodeBuffer probe = new DecodeBuffer();
        int[] pick = new int[off.length];
        int m = 0;
        for (int i = 0; i < off.length; i++) {
            int first = code[off[i]] & 0xFF;
            boolean fast = FastPath.decode(probe, Arrays.copyOfRange(code, off[i], off[i] + FastPath.PAD), 0, len[i]);
            String path = !fast ? "general" : FastPath.VEX[first] ? "vex" : "legacy";
            if (part.equals("all") || part.equals(path)) pick[m++] = i;
        }
        if (m == 0) throw new IllegalArgumentException("no instructions on path " + part);
        int[] o = new int[m], l = new int[m];
        for (int k = 0; k < m; k++) {
            o[k] = off[pick[k]];
            l[k] = len[pick[k]];
        }
        Decoder d = new Decoder(Mode.BITS64);
        DecodeBuffer buf = new DecodeBuffer();
        int reps = 2_000_000 / m + 1;
        double[] ns = new double[rounds];
        long sum = 0;
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            for (int rep = 0; rep < reps; rep++) {
                for (int k = 0; k < m; k++) {
                    d.decodeInto(buf, code, o[k], l[k]);
                    sum += buf.length();
                }
            }
            ns[r] = (System.nanoTime() - t0) / (double) reps / m;
        }
        double[] late = Arrays.copyOfRange(ns, rounds / 2, rounds);
        Arrays.sort(late);
        System.out.printf(Locale.ROOT, "%s: %d of %d instructions, %.2f ns/instruction (median of rounds %d-%d) (%d)%n",
                part, m, off.length, late[late.length / 2], rounds / 2, rounds - 1, sum & 1);
    }
}
