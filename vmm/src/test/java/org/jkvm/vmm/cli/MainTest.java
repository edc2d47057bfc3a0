package org.jkvm.vmm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;

/** The CLI's contract: help and version work; user mistakes are one line and a 64+ status. */
class MainTest {
    record Result(int status, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int status = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(status, out.toString(), err.toString());
    }

    @Test
    void helpListsCommands() {
        Result r = run("--help");
        assertEquals(0, r.status());
        assertTrue(r.out().contains("version"), r.out());
    }

    @Test
    void everyCommandHasHelp() {
        for (String cmd : new String[] {"run", "restore", "disasm", "cpuid", "version"}) {
            Result r = run(cmd, "--help");
            assertEquals(0, r.status(), cmd + ": " + r.err());
            assertTrue(r.out().contains("Usage: jkvm " + cmd), cmd + ": " + r.out());
        }
    }

    @Test
    void versionCommandNamesBackends() {
        Result r = run("version");
        assertEquals(0, r.status());
        assertTrue(r.out().startsWith("jkvm "), r.out());
    }

    @Test
    void unknownOptionIsOneLineUsageError() {
        Result r = run("--no-such-option");
        assertEquals(ExitCodes.USAGE, r.status());
        assertOneLine(r.err());
        assertTrue(r.err().startsWith("jkvm: "), r.err());
    }

    @Test
    void unknownCommandIsOneLineUsageError() {
        Result r = run("no-such-command");
        assertTrue(r.status() >= 64, "status " + r.status());
        assertOneLine(r.err());
    }

    @Test
    void noCommandIsUsageError() {
        Result r = run();
        assertEquals(ExitCodes.USAGE, r.status());
        assertOneLine(r.err());
    }

    static void assertOneLine(String err) {
        String s = err.strip();
        assertFalse(s.isEmpty(), "expected an error line");
        assertFalse(s.contains("\n"), "more than one line: " + err);
        assertFalse(s.contains("\tat "), "stack trace: " + err);
    }
}
