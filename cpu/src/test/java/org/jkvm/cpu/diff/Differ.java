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

    /** A disagreement: the full report, and the shape of the first instruction after which the two differ. */
    record Finding(String report, String culprit) {
        /** The narrowed part of the report (the first disagreeing unit, its input state, the differences). */
        String narrowed() {
            int at = report.lastIndexOf("first disagreement after bytes ");
            String origin = report.strip().lines().findFirst().orElse("");
            return at < 0 ? report : origin + "\n" + report.substring(at);
        }
    }

    /** Null when the two agree. */
    Finding find(Sequence s) {
        String r = check(s);
        if (r == null) return null;
        int at = r.lastIndexOf("first disagreement after bytes ");
        String culprit = "(not narrowed)";
        if (at >= 0) {
            String[] lines = r.substring(at).split("\n");
            int last = 1;
            while (last + 1 < lines.length && lines[last + 1].startsWith("  ") && !lines[last + 1].startsWith("host")) last++;
            culprit = shape(lines[last]);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("guest exit (exception \\S+|\\S+) at sequence\\+0x(\\p{XDigit}+)")
                .matcher(r.substring(at));
            if (m.find()) {
                // the software CPU stopped: blame the instruction it stopped at
                int off = Integer.parseInt(m.group(2), 16);
                for (int i = 1; i <= last; i++) {
                    if (lines[i].trim().startsWith(String.format("%04x ", off))) culprit = shape(lines[i]);
                }
                culprit += " [" + m.group(1) + "]";
            }
        }
        return new Finding(r, culprit);
    }

    /** "  001b  49 d1 c8      ror r8, 1" becomes "ror r64, 1": the instruction form without its operands' values. */
    static String shape(String listingLine) {
        // "  offset  hex bytes  text": the hex column can be wider than its padding, so split by pattern
        java.util.regex.Matcher lm = java.util.regex.Pattern.compile("^\\s*\\p{XDigit}{4}\\s+(?:\\p{XDigit}{2} )*\\p{XDigit}{2}\\s+(.*)$")
            .matcher(listingLine);
        String t = lm.matches() ? lm.group(1).trim() : listingLine.trim();
        t = t.replaceAll("byte ptr \\[[^\\]]*\\]", "m8").replaceAll("dword ptr \\[[^\\]]*\\]", "m32")
            .replaceAll("qword ptr \\[[^\\]]*\\]", "m64").replaceAll("word ptr \\[[^\\]]*\\]", "m16")
            .replaceAll("\\[[^\\]]*\\]", "m");
        t = t.replaceAll("\\b(r[a-d]x|r[sd]i|r[sb]p|r(8|9|1[0-5]))\\b", "r64")
            .replaceAll("\\b(e[a-d]x|e[sd]i|e[sb]p|r(8|9|1[0-5])d)\\b", "r32")
            .replaceAll("\\b([a-d]x|[sd]i|[sb]p|r(8|9|1[0-5])w)\\b", "r16")
            .replaceAll("\\b([a-d]l|[a-d]h|[sd]il|[sb]pl|r(8|9|1[0-5])b)\\b", "r8")
            .replaceAll("(?<=, )-?0x[0-9a-f]+|(?<=, )(?!1$)\\d+", "imm")
            .replaceAll("^(push|j\\w+) .*", "$1 ...");
        return t;
    }

    /** Null when the two agree; otherwise the full report of the case. */
    String check(Sequence s) {
        ArchState expected = host.run(s.code(), s.initial());
        ArchState actual;
        try {
            actual = soft.run(s.code(), s.initial());
        } catch (RuntimeException e) {
            return report(s, expected, null, "  the software CPU did not complete the sequence: " + e + "\n")
                + firstDisagreement(s);
        }
        String diff = expected.diff(actual, s.undefinedFlags(), host.base() + Layout.DATA);
        if (diff.isEmpty()) return null;
        ArchState again = host.run(s.code(), s.initial());
        String noise = again.diff(expected, s.undefinedFlags(), host.base() + Layout.DATA);
        if (!noise.isEmpty()) {
            diff += "  (the host itself gave two different results; host noise, not a verdict:\n" + noise + "  )\n";
        }
        return report(s, expected, actual, diff) + firstDisagreement(s);
    }

    /**
     * Narrows a disagreement down to the first unit after which the two differ (the shortest failing prefix),
     * and prints the host state before it: usually one instruction and its inputs.
     */
    private String firstDisagreement(Sequence s) {
        int[] cuts = s.cuts();
        for (int k = 0; k < cuts.length; k++) {
            Sequence p = s.prefix(k);
            ArchState e = host.run(p.code(), p.initial());
            String d;
            try {
                d = e.diff(soft.run(p.code(), p.initial()), p.undefinedFlags(), host.base() + Layout.DATA);
            } catch (RuntimeException ex) {
                d = "  the software CPU did not complete: " + ex + "\n";
            }
            if (!d.isEmpty()) {
                int from = k == 0 ? 0 : cuts[k - 1];
                StringBuilder sb = new StringBuilder("first disagreement after bytes ").append(from).append("..")
                    .append(cuts[k]).append(":\n");
                for (String l : s.lines(from, cuts[k])) sb.append(l).append('\n');
                ArchState before = k == 0 ? s.initial() : host.run(s.prefix(k - 1).code(), s.initial());
                sb.append("host state before it:\n").append(before.registers());
                sb.append("differences there:\n").append(d);
                return sb.toString();
            }
        }
        return "";
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
