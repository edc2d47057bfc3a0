package org.jkvm.cpu.diff;

import java.util.List;

/**
 * One test case (its {@code origin} says how to reproduce it): the machine code (assembled for {@code address}), its listing, the initial state,
 * and the RFLAGS bits the SDM leaves undefined at the end of it (not compared).
 */
record Sequence(String origin, long address, byte[] code, List<String> listing, ArchState initial,
                int undefinedFlags) {

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
