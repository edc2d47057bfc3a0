package org.jkvm.isa;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;

/**
 * Agreement with LLVM's disassembly on the shared APX/AMX vector file (bytes, Intel text, AT&T text). The
 * vectors are read at test time; mismatches are written to target for inspection.
 */
class CorpusTest {
    static Path corpus() {
        String shared = System.getProperty("jkvm.shared");
        assumeTrue(shared != null, "jkvm.shared not set");
        Path p = Path.of(shared, "corpus", "apx-disasm.tsv");
        assumeTrue(Files.isReadable(p), "corpus missing: " + p);
        return p;
    }

    static String norm(String s) {
        return s.trim().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    }

    static byte[] hex(String s) {
        String[] t = s.trim().split("\\s+");
        byte[] b = new byte[t.length];
        for (int i = 0; i < t.length; i++) b[i] = (byte) Integer.parseInt(t[i], 16);
        return b;
    }

    @Test
    void agreesWithLlvm() throws IOException {
        List<String> lines = Files.readAllLines(corpus());
        int total = 0, intel = 0, att = 0, len = 0;
        Decoder d = new Decoder(Mode.BITS64);
        Path out = Path.of(System.getProperty("java.io.tmpdir"), "jkvm-isa-corpus-mismatch.txt");
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out))) {
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split("\t");
                if (f.length < 3) continue;
                byte[] b = hex(f[0]);
                total++;
                Instruction i = d.decode(b, 0, b.length);
                if (i.isValid() && i.length() == b.length) len++;
                String gi = norm(Disassembler.intel(i));
                String ga = norm(Disassembler.att(i));
                boolean okI = gi.equals(norm(f[1]));
                boolean okA = ga.equals(norm(f[2]));
                if (okI) intel++;
                if (okA) att++;
                if (!okI || !okA) {
                    w.println(f[0] + "\t" + (okI ? "OK" : gi + "\t!= " + norm(f[1])) + "\t| " + (okA ? "OK" : ga + "\t!= " + norm(f[2]))
                            + "\t" + (f.length > 3 ? f[3] : "") + (i.isValid() ? "" : "\t" + i.invalidReason()));
                }
            }
        }
        System.out.printf(Locale.ROOT, "corpus: %d vectors, Intel %.2f%% (%d), AT&T %.2f%% (%d), length %.2f%% (%d); mismatches in %s%n",
                total, 100.0 * intel / total, intel, 100.0 * att / total, att, 100.0 * len / total, len, out);
        assertTrue(total > 0);
        assertTrue(len * 100 >= total * 99, "length agreement");
        assertTrue(intel * 100 >= total * 99, "Intel agreement");
    }
}
