package org.jkvm.cpu.diff;

/**
 * The isa module's disassembly of a failing sequence, printed beside the generator's own listing (two
 * independent renderings of the same bytes). Null while the disassembler is not available.
 */
final class Disassembly {
    private Disassembly() {}

    static String of(byte[] code, long address) {
        return null;
    }
}
