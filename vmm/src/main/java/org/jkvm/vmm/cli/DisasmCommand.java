package org.jkvm.vmm.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

import org.jkvm.isa.DecodeBuffer;
import org.jkvm.isa.Decoder;
import org.jkvm.isa.Disassembler;
import org.jkvm.isa.Mode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * `jkvm disasm`: hex bytes in ("d5 10 b8 01 00 00 00", "d510b801000000" or "0xd5,0x10"), one line of
 * disassembly out per input line; several instructions on one line are joined with "; ".
 */
@Command(name = "disasm", description = "Disassemble hex bytes (stdin lines or --hex) in Intel or AT&T syntax.")
public final class DisasmCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--att", description = "AT&T syntax (default Intel).")
    boolean att;

    @Option(names = "--mode", paramLabel = "16|32|64", description = "Code size (default 64).")
    String mode = "64";

    @Option(names = "--hex", paramLabel = "BYTES", description = "Disassemble these bytes instead of reading stdin.")
    String hex;

    @Option(names = "--length", description = "Print the number of bytes consumed before the text.")
    boolean length;

    /** For tests: stdin replacement. */
    Reader input;

    @Override
    public Integer call() throws IOException {
        Mode m = switch (mode) {
            case "16" -> Mode.BITS16;
            case "32" -> Mode.BITS32;
            case "64" -> Mode.BITS64;
            default -> throw new UserError(ExitCodes.USAGE, "--mode must be 16, 32 or 64, not '" + mode + "'");
        };
        PrintWriter out = spec.commandLine().getOut();
        Decoder dec = new Decoder(m);
        DecodeBuffer buf = new DecodeBuffer();
        if (hex != null) {
            out.println(line(dec, buf, parse(hex, 0)));
            out.flush();
            return 0;
        }
        Reader r = input != null ? input : new InputStreamReader(System.in, StandardCharsets.UTF_8);
        BufferedReader br = new BufferedReader(r);
        String s;
        int n = 0;
        while ((s = br.readLine()) != null) {
            n++;
            String t = s.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                out.println();
                continue;
            }
            out.println(line(dec, buf, parse(t, n)));
        }
        out.flush();
        return 0;
    }

    private String line(Decoder dec, DecodeBuffer buf, byte[] b) {
        StringBuilder sb = new StringBuilder();
        int off = 0;
        while (off < b.length) {
            boolean ok = dec.decodeInto(buf, b, off, b.length - off);
            if (sb.length() > 0) sb.append("; ");
            if (!ok) {
                sb.append("(bad)");
                off += Math.max(1, Math.min(buf.length(), b.length - off));
                break;
            }
            sb.append(att ? Disassembler.att(buf) : Disassembler.intel(buf));
            off += buf.length();
        }
        return length ? off + "\t" + sb : sb.toString();
    }

    /** Parses hex bytes: spaces/commas optional, "0x" prefixes allowed. */
    static byte[] parse(String text, int lineNo) {
        String where = lineNo > 0 ? "line " + lineNo + ": " : "";
        String t = text.replace(",", " ").replaceAll("0[xX]", "");
        String[] parts = t.trim().split("\\s+");
        StringBuilder digits = new StringBuilder();
        for (String p : parts) {
            if (p.isEmpty()) continue;
            if (p.length() % 2 != 0) {
                if (p.length() == 1) p = "0" + p;
                else throw new UserError(ExitCodes.DATAERR, where + "odd number of hex digits in '" + p + "'");
            }
            digits.append(p);
        }
        if (digits.length() == 0) throw new UserError(ExitCodes.DATAERR, where + "no hex bytes");
        byte[] b = new byte[digits.length() / 2];
        for (int i = 0; i < b.length; i++) {
            int hi = Character.digit(digits.charAt(2 * i), 16), lo = Character.digit(digits.charAt(2 * i + 1), 16);
            if (hi < 0 || lo < 0) {
                throw new UserError(ExitCodes.DATAERR, where + "not hex: '" + digits.substring(2 * i, 2 * i + 2) + "'");
            }
            b[i] = (byte) (hi << 4 | lo);
        }
        return b;
    }
}
