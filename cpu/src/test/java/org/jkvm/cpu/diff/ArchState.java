package org.jkvm.cpu.diff;

import java.util.Arrays;

/** What a sequence computes and the harness compares: the sixteen GPRs, RFLAGS and the data area. */
record ArchState(long[] gpr, long rflags, byte[] data) {

    ArchState {
        if (gpr.length != 16 || data.length != Layout.DATA_SIZE) throw new IllegalArgumentException();
    }

    long get(Gpr r) { return gpr[r.num()]; }

    ArchState copy() { return new ArchState(gpr.clone(), rflags, data.clone()); }

    /**
     * The differences from {@code other} (arithmetic flags only, less {@code ignoredFlags}), one per line,
     * or the empty string when they agree. {@code dataBase} is the address of the data area, for messages.
     */
    String diff(ArchState other, long ignoredFlags, long dataBase) {
        StringBuilder sb = new StringBuilder();
        for (Gpr r : Gpr.values()) {
            if (get(r) != other.get(r)) {
                sb.append(String.format("  %-4s %016x vs %016x%n", r.name(8), get(r), other.get(r)));
            }
        }
        long keep = Flags.ARITH & ~ignoredFlags;
        if (((rflags ^ other.rflags) & keep) != 0) {
            sb.append(String.format("  rflags %08x vs %08x (%s vs %s, ignoring %s)%n", rflags, other.rflags,
                Flags.describe(rflags), Flags.describe(other.rflags), Flags.describe(ignoredFlags)));
        }
        if (!Arrays.equals(data, other.data)) {
            int shown = 0;
            for (int i = 0; i < data.length && shown < 8; i++) {
                if (data[i] != other.data[i]) {
                    sb.append(String.format("  mem[%x] %02x vs %02x%n", dataBase + i, data[i] & 0xff,
                        other.data[i] & 0xff));
                    shown++;
                }
            }
        }
        return sb.toString();
    }

    String registers() {
        StringBuilder sb = new StringBuilder();
        for (Gpr r : Gpr.values()) {
            sb.append(String.format("%-4s=%016x%s", r.name(8), get(r), r.num() % 4 == 3 ? "\n" : " "));
        }
        return sb.append(String.format("rflags=%08x (%s)%n", rflags, Flags.describe(rflags))).toString();
    }
}
