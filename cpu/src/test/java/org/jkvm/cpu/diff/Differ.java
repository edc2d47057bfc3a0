package org.jkvm.cpu.diff;

/**
 * Runs a sequence on the host and on the software CPU from the same state and compares what the SDM
 * defines: the sixteen GPRs, the arithmetic flags not left undefined, and the data area. A disagreement is
 * confirmed by a second host run, so that host noise (a signal frame landing in the stack window) can
 * never be blamed on the software CPU.
 */
final class Differ {
    private final Machine host;
    private final Machine soft;

    Differ(Machine host, Machine soft) {
        if (host.base() != soft.base() || host.sequenceAddress() != soft.sequenceAddress()) {
            throw new IllegalArgumentException("the two machines must use the same addresses");
        }
        this.host = host;
        this.soft = soft;
    }

    /** Null when the two agree; otherwise the full report of the case. */
    String check(Sequence s) {
        ArchState expected = host.run(s.code(), s.initial());
        ArchState actual;
        try {
            actual = soft.run(s.code(), s.initial());
        } catch (RuntimeException e) {
            return report(s, expected, null, "  the software CPU did not complete the sequence: " + e + "\n");
        }
        String diff = expected.diff(actual, s.undefinedFlags(), host.base() + Layout.DATA);
        if (diff.isEmpty()) return null;
        ArchState again = host.run(s.code(), s.initial());
        String noise = again.diff(expected, s.undefinedFlags(), host.base() + Layout.DATA);
        if (!noise.isEmpty()) {
            diff += "  (the host itself gave two different results; host noise, not a verdict:\n" + noise + "  )\n";
        }
        return report(s, expected, actual, diff);
    }

    private static String report(Sequence s, ArchState expected, ArchState actual, String diff) {
        StringBuilder sb = new StringBuilder("\n").append(s.describe());
        String dis = Disassembly.of(s.code(), s.address());
        if (dis != null) sb.append("isa disassembler:\n").append(dis);
        sb.append("host CPU:\n").append(expected.registers());
        if (actual != null) sb.append("software CPU:\n").append(actual.registers());
        sb.append("differences (host vs software):\n").append(diff);
        return sb.toString();
    }
}
