package org.jkvm.vmm.cli;

import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.jkvm.api.Errno;
import org.jkvm.api.Hypervisor;
import org.jkvm.api.KvmException;
import org.jkvm.vmm.machine.Machine;
import org.jkvm.vmm.machine.Outcome;
import org.jkvm.vmm.trace.Tracer;

/**
 * What `run` and `restore` share: opening the backend, the console and trace streams, running the machine,
 * printing --stats, and turning the outcome into an exit status. Closes everything it opened.
 */
final class Session implements AutoCloseable {
    final MachineOptions opts;
    final PrintWriter out, err;
    final PrintStream log;
    private final List<AutoCloseable> toClose = new ArrayList<>();
    OutputStream serialOut;
    InputStream serialIn;
    Tracer tracer = Tracer.OFF;
    /** Where the trace and the VMM's warnings (unknown-access log) go: stderr, or --trace-file. */
    PrintStream traceOut;
    Hypervisor hv;

    private final InputStream consoleIn;

    Session(MachineOptions opts, InputStream consoleIn, PrintWriter out, PrintWriter err) {
        this.opts = opts;
        this.consoleIn = consoleIn;
        this.out = out;
        this.err = err;
        this.log = new PrintStream(new WriterOutputStream(err), true, StandardCharsets.UTF_8);
    }

    /** Sets up streams; call after validation, before opening the backend. */
    void openStreams() {
        if (opts.serial.equals("stdio")) {
            serialOut = new WriterOutputStream(out);
            serialIn = consoleIn;
        } else if (opts.serial.startsWith("file:")) {
            String path = opts.serial.substring(5);
            try {
                FileOutputStream f = new FileOutputStream(path);
                serialOut = new BufferedOutputStream(f);
                toClose.add(serialOut);
            } catch (FileNotFoundException e) {
                throw new UserError(ExitCodes.CANTCREAT, "cannot write serial output to " + path + ": " + e.getMessage());
            }
        }
        traceOut = log;
        if (opts.traceFile != null) {
            try {
                traceOut = new PrintStream(new BufferedOutputStream(new FileOutputStream(opts.traceFile)), false, StandardCharsets.UTF_8);
                toClose.add(traceOut);
            } catch (FileNotFoundException e) {
                throw new UserError(ExitCodes.CANTCREAT, "cannot write trace to " + opts.traceFile + ": " + e.getMessage());
            }
        }
        if (opts.trace != null) tracer = new Tracer(Tracer.parseMode(opts.trace), traceOut);
    }

    PrintStream machineLog() {
        return traceOut;
    }

    Hypervisor openBackend() {
        try {
            hv = Hypervisor.open(opts.accel, opts.backendOptions());
        } catch (KvmException e) {
            Errno n = e.errno();
            if (n == Errno.ENXIO) throw new UserError(ExitCodes.UNAVAILABLE, e.getMessage().replaceFirst("^ENXIO: ", ""));
            if (n == Errno.ENODEV) {
                throw new UserError(ExitCodes.UNAVAILABLE, "backend '" + opts.accel + "' is not part of this build");
            }
            // EINVAL and friends: an option the backend rejected (unknown CPU model or feature, ...).
            throw new UserError(ExitCodes.USAGE, "--accel " + opts.accel + ": " + e.getMessage().replaceFirst("^[A-Z0-9]+: ", ""));
        } catch (RuntimeException e) {
            throw new UserError(ExitCodes.UNAVAILABLE, "backend '" + opts.accel + "' failed to open: " + e);
        }
        toClose.add(hv);
        return hv;
    }

    long timeoutNanos() {
        return opts.timeoutSeconds == null ? 0 : (long) (opts.timeoutSeconds * 1e9);
    }

    /** Runs to the end; prints the outcome line and --stats; returns the exit status. */
    int run(Machine m) {
        long t0 = System.nanoTime();
        Outcome o = m.run();
        long wall = System.nanoTime() - t0;
        if (serialOut != null) {
            try {
                serialOut.flush();
            } catch (IOException e) {
                err.println("jkvm: serial output: " + e.getMessage());
            }
        }
        out.flush();
        if (opts.stats) new StatsReport(m, wall).print(err);
        if (o.message() != null) err.println("jkvm: " + Main.oneLine(o.message()));
        err.flush();
        return o.status();
    }

    @Override
    public void close() {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            try {
                toClose.get(i).close();
            } catch (Exception e) {
                err.println("jkvm: closing: " + e.getMessage());
            }
        }
        log.flush();
    }

}
