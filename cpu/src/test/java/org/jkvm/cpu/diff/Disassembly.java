package org.jkvm.cpu.diff;

import org.jkvm.isa.Decoder;
import org.jkvm.isa.Disassembler;
import org.jkvm.isa.Instruction;
import org.jkvm.isa.Mode;

/**
 * The isa module's disassembly of a sequence, printed beside the generator's own listing: two independent
 * renderings of the same bytes, so an encoder slip in the test is told apart from a CPU bug.
 */
final class Disassembly {
    private Disassembly() {}

    static String of(byte[] code, long address) {
        StringBuilder sb = new StringBuilder();
        Decoder dec = new Decoder(Mode.BITS64);
        int off = 0;
        while (off < code.length) {
            Instruction i;
            try {
                i = dec.decode(code, off, code.length - off);
            } catch (RuntimeException e) {
                sb.append(String.format("  %04x  (decoder threw %s)%n", off, e));
                break;
            }
            if (!i.isValid() || i.length() <= 0) {
                sb.append(String.format("  %04x  (invalid: %s)%n", off, i.invalidReason()));
                break;
            }
            String text;
            try {
                text = Disassembler.intel(i);
            } catch (RuntimeException e) {
                text = "(disassembler threw " + e + ")";
            }
            sb.append(String.format("  %04x  %s%n", off, text));
            off += i.length();
        }
        return sb.toString();
    }
}
