package org.jkvm.vmm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** `jkvm disasm`: LLVM-style text per input line, (bad) for invalid bytes, one-line errors with 64+ status. */
class DisasmCommandTest {
    record Result(int status, String out, String err) {}

    static Result run(String stdin, String... args) {
        InputStream old = System.in;
        try {
            if (stdin != null) System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            StringWriter out = new StringWriter(), err = new StringWriter();
            int status = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
            return new Result(status, out.toString(), err.toString());
        } finally {
            System.setIn(old);
        }
    }

    @Test
    void hexOptionIntelAndAtt() {
        assertEquals("mov r16d, 1\n", run(null, "disasm", "--hex", "d5 10 b8 01 00 00 00").out());
        assertEquals("movl $1, %r16d\n", run(null, "disasm", "--att", "--hex", "d510b801000000").out());
    }

    @Test
    void stdinLinesWithLengthAndBad() {
        Result r = run("48 01 d8\n62 f4 7c 18 00 c3\n0f 0b 0f\n06\n", "disasm", "--length");
        assertEquals(0, r.status(), r.err());
        String[] lines = r.out().split("\n");
        assertEquals("3\tadd rax, rbx", lines[0]);
        assertEquals("6\tadd al, bl, al", lines[1]);
        assertTrue(lines[2].startsWith("3\tud2; (bad)"), lines[2]);
        assertEquals("1\t(bad)", lines[3]);
    }

    @Test
    void modeSelectsDecoding() {
        assertEquals("push es\n", run(null, "disasm", "--mode", "32", "--hex", "06").out());
        assertEquals("aad 10\n", run(null, "disasm", "--mode", "16", "--hex", "d5 0a").out());
    }

    @Test
    void badInputIsOneLineError() {
        Result r = run(null, "disasm", "--hex", "zz");
        assertEquals(ExitCodes.DATAERR, r.status());
        assertOneLine(r.err());
        Result m = run(null, "disasm", "--mode", "8", "--hex", "90");
        assertEquals(ExitCodes.USAGE, m.status());
        assertOneLine(m.err());
    }

    static void assertOneLine(String err) {
        assertTrue(err.startsWith("jkvm: "), err);
        assertFalse(err.strip().contains("\n"), err);
        assertFalse(err.contains("Exception"), err);
    }
}
