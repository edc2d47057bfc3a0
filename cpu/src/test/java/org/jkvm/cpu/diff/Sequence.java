package org.jkvm.cpu.diff;

import java.util.List;

/**
 * One test case (its {@code origin} says how to reproduce it): the machine code (assembled for {@code address}), its listing, the initial state,
 * and the RFLAGS bits the SDM leaves undefined at the end of it (not compared).
 */
record Sequence(String origin, long address, byte[] code, List<String> listing, ArchState initial,
                int undefinedFlags, int[] cuts, int[] cutUndefined) {

    /** A sequence that cannot be cut short (a single instruction, say). */
    Sequence(String origin, long address, byte[] code, List<String> listing, ArchState initial, int undefinedFlags) {
        this(origin, address, code, listing, initial, undefinedFlags, new int[] {code.length},
            new int[] {undefinedFlags});
    }

    /**
     * The prefix of the first {@code cuts()[k]} bytes: a valid sequence on its own (no branch crosses a cut),
     * with the flags undefined at that point.
     */
    Sequence prefix(int k) {
        int n = cuts[k];
        return new Sequence(origin + ", first " + n + " bytes", address, java.util.Arrays.copyOf(code, n),
            listing.stream().filter(l -> Integer.parseInt(l.trim().substring(0, 4), 16) < n).toList(), initial,
            cutUndefined[k], java.util.Arrays.copyOf(cuts, k + 1), java.util.Arrays.copyOf(cutUndefined, k + 1));
    }

    /** The listing lines of the bytes in [from, to). */
    List<String> lines(int from, int to) {
        return listing.stream().filter(l -> {
            int off = Integer.parseInt(l.trim().substring(0, 4), 16);
            return off >= from && off < to;
        }).toList();
    }

    String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%s, %d bytes at %x:%n", origin, code.length, address));
        sb.append("  ").append(Asm.hex(code)).append('\n');
        for (String l : listing) sb.append(l).append('\n');
        sb.append("undefined at end: ").append(Flags.describe(undefinedFlags)).append('\n');
        sb.append("initial:\n").append(initial.registers());
        return sb.toString();
    }
}
