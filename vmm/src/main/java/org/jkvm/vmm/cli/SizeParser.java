package org.jkvm.vmm.cli;

import java.util.Locale;

/** Memory sizes as QEMU's -m takes them: a number with an optional K/M/G/T suffix; no suffix means MiB. */
final class SizeParser {
    private SizeParser() {}

    static long parse(String s) {
        String t = s.strip().toUpperCase(Locale.ROOT);
        if (t.endsWith("B") && t.length() > 1 && Character.isLetter(t.charAt(t.length() - 2))) t = t.substring(0, t.length() - 1);
        long mult = 1L << 20;
        if (!t.isEmpty()) {
            char c = t.charAt(t.length() - 1);
            long m = switch (c) {
                case 'K' -> 1L << 10;
                case 'M' -> 1L << 20;
                case 'G' -> 1L << 30;
                case 'T' -> 1L << 40;
                default -> 0;
            };
            if (m != 0) {
                mult = m;
                t = t.substring(0, t.length() - 1);
            }
        }
        long n;
        try {
            n = Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new UserError(ExitCodes.USAGE, "invalid memory size '" + s + "' (use e.g. 256M or 4G)");
        }
        if (n <= 0 || n > (1L << 50) / mult) throw new UserError(ExitCodes.USAGE, "invalid memory size '" + s + "'");
        return n * mult;
    }
}
