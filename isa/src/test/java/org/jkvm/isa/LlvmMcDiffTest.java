package org.jkvm.isa;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Differential test against the installed llvm-mc (an independent decoder/printer): encodings generated
 * from every legacy, VEX and EVEX form of the table (non-APX registers, since LLVM 14 predates APX) plus
 * random byte strings are disassembled by both; the Intel texts must agree. Skips when llvm-mc is absent.
 */
class LlvmMcDiffTest {
    /** Alternating separators (15 x int3, 15 x hlt) keep groups apart even when LLVM decodes nothing. */
    static final String[] SEP = {" 0xcc".repeat(15), " 0xf4".repeat(15)};

    static boolean haveLlvmMc() {
        try {
            Process p = new ProcessBuilder("llvm-mc", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** Runs llvm-mc over the encodings; returns one Intel text per encoding ("" when it found none). */
    static List<String> llvm(List<byte[]> enc, String triple) throws IOException, InterruptedException {
        return llvm(enc, triple, 1);
    }

    static List<String> llvm(List<byte[]> enc, String triple, int variant) throws IOException, InterruptedException {
        StringBuilder in = new StringBuilder();
        for (int k = 0; k < enc.size(); k++) {
            for (byte x : enc.get(k)) in.append(String.format("0x%02x ", x));
            in.append(SEP[k & 1]).append('\n');
        }
        Path tmp = Files.createTempFile("jkvm-llvm", ".txt");
        Files.writeString(tmp, in);
        Process p = new ProcessBuilder("llvm-mc", "--disassemble", "-triple=" + triple, "-output-asm-variant=" + variant,
                tmp.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        Files.deleteIfExists(tmp);
        List<String> groups = new ArrayList<>();
        // A group ends where the separator kind flips; content seen inside a separator run is noise.
        String cur = null;
        String kind = "hlt";
        boolean inRun = false;
        for (String line : out.split("\n")) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith(".text")) continue;
            if (t.equals("int3") || t.equals("hlt")) {
                if (!t.equals(kind)) {
                    groups.add(cur == null ? "" : cur);
                    cur = null;
                    kind = t;
                }
                inRun = true;
                continue;
            }
            if (cur == null && !(inRun && groups.size() > 0 && false)) cur = t;
            inRun = false;
        }
        return groups;
    }

    /** Collapses whitespace and drops LLVM's trailing "# ..." comments (shuffle decodings, imm = 0x...). */
    static String norm(String s) {
        int c = s.indexOf(" #");
        if (c < 0) c = s.indexOf("\t#");
        if (c >= 0) s = s.substring(0, c);
        return s.trim().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
    }

    @Test
    void agreesWithLlvmMc() throws Exception {
        assumeTrue(haveLlvmMc(), "llvm-mc not installed");
        List<byte[]> enc = new ArrayList<>();
        for (Form f : OpcodeTable.FORMS) {
            if (f.space == Form.EVEX && (f.map == 4 || !f.vector) || f.rex2Only || f.map >= 5 && f.space != Form.EVEX) continue;
            for (Operand[] ops : RoundTripTest.samples(f, Mode.BITS64)) {
                boolean egpr = false;
                for (int i = 0; i < ops.length; i++) {
                    if (ops[i] instanceof Operand.Reg r && r.cls().isGpr() && r.num() >= 16) egpr = true;
                    if (ops[i] instanceof Operand.Mem m && (m.base() >= 16 || m.index() >= 16)) egpr = true;
                }
                if (egpr) continue;
                try {
                    enc.add(Encoder.encode(Mode.BITS64, f, ops));
                } catch (IllegalArgumentException e) {
                    // sample not encodable for this form
                }
            }
        }
        int fromTable = enc.size();
        SplittableRandom rnd = new SplittableRandom(7);
        Decoder d = new Decoder(Mode.BITS64);
        int randoms = Boolean.getBoolean("jkvm.long") ? 200_000 : 20_000;
        byte[] buf = new byte[15];
        while (enc.size() < fromTable + randoms) {
            rnd.nextBytes(buf);
            if (rnd.nextInt(3) == 0) buf[0] = (byte) 0x0F;
            Instruction i = d.decode(buf, 0, buf.length);
            if (!i.isValid() || i.rex2() || (i.prefixes() & Insn.P_EVEX) != 0 && (i.form().map == 4 || !i.form().vector)) continue;
            if (i.form().map >= 5) continue;
            enc.add(java.util.Arrays.copyOf(buf, i.length()));
        }
        enc.removeIf(b -> b.length == 1 && (b[0] == (byte) 0xCC || b[0] == (byte) 0xF4));
        List<String> ref = llvm(enc, "x86_64");
        assumeTrue(ref.size() == enc.size(), "llvm-mc output could not be aligned (" + ref.size() + " vs " + enc.size() + ")");
        int agree = 0, known = 0;
        Path out = Path.of(System.getProperty("java.io.tmpdir"), "jkvm-isa-llvmmc-mismatch.txt");
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out))) {
            for (int k = 0; k < enc.size(); k++) {
                String r = norm(ref.get(k));
                if (r.isEmpty()) continue;
                known++;
                String mine = norm(Disassembler.intel(Decoder.decode(Mode.BITS64, enc.get(k))));
                if (mine.equals(r)) agree++;
                else w.println(RoundTripTest.hex(enc.get(k)) + "\t" + mine + "\t!= " + r);
            }
        }
        System.out.printf(Locale.ROOT, "llvm-mc: %d encodings (%d from the table, %d random), LLVM decoded %d, Intel agreement %.2f%% (%d); mismatches in %s%n",
                enc.size(), fromTable, enc.size() - fromTable, known, 100.0 * agree / known, agree, out);
        List<String> refAtt = llvm(enc, "x86_64", 0);
        if (refAtt.size() == enc.size()) {
            int agreeAtt = 0, knownAtt = 0;
            for (int k = 0; k < enc.size(); k++) {
                String r = norm(refAtt.get(k));
                if (r.isEmpty()) continue;
                knownAtt++;
                if (norm(Disassembler.att(Decoder.decode(Mode.BITS64, enc.get(k)))).equals(r)) agreeAtt++;
            }
            System.out.printf(Locale.ROOT, "llvm-mc AT&T: LLVM decoded %d, AT&T agreement %.2f%% (%d)%n", knownAtt,
                    100.0 * agreeAtt / knownAtt, agreeAtt);
        }
        assertTrue(agree * 100L >= known * 90L, "agreement with llvm-mc below 90%");
    }

    /** 32- and 16-bit modes: random byte strings (biased to common opcodes) against llvm-mc's i386 targets. */
    @Test
    void legacyModesAgreeWithLlvmMc() throws Exception {
        assumeTrue(haveLlvmMc(), "llvm-mc not installed");
        for (Mode mode : new Mode[] {Mode.BITS32, Mode.BITS16}) {
            String triple = mode == Mode.BITS32 ? "i386" : "i386-unknown-unknown-code16";
            SplittableRandom rnd = new SplittableRandom(mode.ordinal() * 31L + 5);
            Decoder d = new Decoder(mode);
            List<byte[]> enc = new ArrayList<>();
            byte[] buf = new byte[15];
            int n = Boolean.getBoolean("jkvm.long") ? 100_000 : 10_000;
            while (enc.size() < n) {
                rnd.nextBytes(buf);
                if (rnd.nextInt(3) == 0) buf[0] = (byte) 0x0F;
                Instruction i = d.decode(buf, 0, buf.length);
                if (!i.isValid() || i.form().map >= 5 || i.form().space == Form.EVEX && !i.form().vector) continue;
                if (i.length() == 1 && (buf[0] == (byte) 0xCC || buf[0] == (byte) 0xF4)) continue;
                enc.add(java.util.Arrays.copyOf(buf, i.length()));
            }
            List<String> ref = llvm(enc, triple);
            assumeTrue(ref.size() == enc.size(), "llvm-mc output could not be aligned");
            int agree = 0, known = 0;
            Path out = Path.of(System.getProperty("java.io.tmpdir"), "jkvm-isa-llvmmc-" + mode + "-mismatch.txt");
            try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out))) {
                for (int k = 0; k < enc.size(); k++) {
                    String r = norm(ref.get(k));
                    if (r.isEmpty()) continue;
                    known++;
                    String mine = norm(Disassembler.intel(Decoder.decode(mode, enc.get(k))));
                    if (mine.equals(r)) agree++;
                    else w.println(RoundTripTest.hex(enc.get(k)) + "\t" + mine + "\t!= " + r);
                }
            }
            System.out.printf(Locale.ROOT, "llvm-mc %s: %d random encodings, LLVM decoded %d, Intel agreement %.2f%% (%d); mismatches in %s%n",
                    mode, enc.size(), known, 100.0 * agree / known, agree, out);
            assertTrue(agree * 100L >= known * 90L, mode + ": agreement with llvm-mc below 90%");
        }
    }
}
