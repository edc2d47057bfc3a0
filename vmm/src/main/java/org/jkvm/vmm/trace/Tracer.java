package org.jkvm.vmm.trace;

import java.io.PrintStream;
import java.util.Locale;

/**
 * One line per event for {@code --trace exits|io|all}: VM exits as the backend returned them, and device
 * accesses as the buses dispatched them. Off by default; checking a boolean is all it costs then.
 */
public final class Tracer {
    public enum Mode { NONE, EXITS, IO, ALL }

    public static final Tracer OFF = new Tracer(Mode.NONE, null);

    private final boolean exits, io;
    private final PrintStream out;

    public Tracer(Mode mode, PrintStream out) {
        this.exits = mode == Mode.EXITS || mode == Mode.ALL;
        this.io = mode == Mode.IO || mode == Mode.ALL;
        this.out = out;
    }

    public static Mode parseMode(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "exits" -> Mode.EXITS;
            case "io" -> Mode.IO;
            case "all" -> Mode.ALL;
            case "none" -> Mode.NONE;
            default -> throw new IllegalArgumentException("--trace must be exits, io or all, not '" + s + "'");
        };
    }

    public boolean exits() { return exits; }

    public boolean io() { return io; }

    public void exit(String line) {
        if (exits) out.println("exit " + line);
    }

    public void io(String line) {
        if (io) out.println(line);
    }

    /** Messages that always go somewhere: the unknown-access log and warnings. */
    public void note(String line) {
        if (out != null) out.println(line);
    }

    public void flush() {
        if (out != null) out.flush();
    }
}
