package org.jkvm.kvm.bench;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/**
 * The INVD fastpath benchmark under both placements. The normal run is short and checks the accounting: the
 * per-entry placement executes XSETBV and WRMSR XSS twice per exit (guest XCR0/XSS differ from the host's), the
 * outer-loop placement once per KVM_RUN, and the difference in modelled cycles per exit is exactly what those
 * operations cost. With -Djkvm.long=true it runs 20 million exits per placement and prints exits per second.
 */
class InvdBenchmarkTest {
    @Test
    void bothPlacements() throws Exception {
        boolean lng = Boolean.getBoolean("jkvm.long");
        long n = lng ? 20_000_000L : 200_000L;
        if (lng) {
            InvdBenchmark.run("outer-loop", 2_000_000, "max");
            InvdBenchmark.run("per-entry", 2_000_000, "max");
        }
        InvdBenchmark.Result outer = InvdBenchmark.run("outer-loop", n, "max");
        InvdBenchmark.Result per = InvdBenchmark.run("per-entry", n, "max");
        System.out.println(outer);
        System.out.println(per);
        assertEquals(2 * n + 2, per.xsetbv(), "per-entry: an XSETBV on each entry and each exit");
        assertEquals(2, outer.xsetbv(), "outer-loop: once around the run loop");
        assertEquals(2 * n + 2, per.wrmsrXss());
        assertEquals(2, outer.wrmsrXss());
        double diff = per.cyclesPerExit() - outer.cyclesPerExit();
        assertEquals((per.switchCycles() - outer.switchCycles()) / (double) n, diff, 1e-9,
            "the difference is the cost of the switch operations that ran");
        assertEquals(300.0, diff, 0.01, "about 300 cycles per fastpath exit on Intel (seed 003)");

        InvdBenchmark.Result outerPk = InvdBenchmark.run("outer-loop", n, "max", true);
        InvdBenchmark.Result perPk = InvdBenchmark.run("per-entry", n, "max", true);
        System.out.println(outerPk);
        System.out.println(perPk);
        assertEquals(2 * n + 2, perPk.wrpkru(), "per-entry: guest and host PKRU written around every entry");
        assertEquals(n + 1, perPk.rdpkru());
        assertEquals(2, outerPk.wrpkru());
        assertEquals(340.0, perPk.cyclesPerExit() - outerPk.cyclesPerExit(), 0.01, "300 for XCR0/XSS + 40 for PKRU");
    }
}
