package org.jkvm.vmm.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the CLI in-process with captured streams. */
final class Cli {
    record Result(int status, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int status = Main.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(status, out.toString(), err.toString());
    }

    static void assertOneLine(String err) {
        String s = err.strip();
        assertFalse(s.isEmpty(), "expected an error line");
        assertFalse(s.contains("\n"), "more than one line: " + err);
        assertFalse(s.contains("\tat ") || s.contains("Exception"), "stack trace or exception name: " + err);
    }
}
