package org.jkvm.vmm.machine;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;

import org.jkvm.vmm.loader.Module;
import org.jkvm.vmm.trace.Tracer;

/**
 * Everything that shapes one machine. {@code serialOut} null discards console output; {@code serialIn} null
 * means no input. {@code log} receives warnings and the unknown-access log (stderr, or the trace file).
 * {@code maxInstructions} and {@code snapshotAtInstructions} (0 = none) count guest instructions from the
 * machine's start; they need a backend whose vCPU is an {@link org.jkvm.api.InstructionBudget}.
 */
public record MachineConfig(long ramSize, String cmdline, List<Module> modules, boolean entry64,
                            OutputStream serialOut, InputStream serialIn, Tracer tracer, PrintStream log,
                            long timeoutNanos, boolean dumpOnTripleFault, long maxInstructions,
                            long snapshotAtInstructions) {
    public MachineConfig {
        modules = List.copyOf(modules);
        if (tracer == null) tracer = Tracer.OFF;
    }

    /** A minimal configuration for tests. */
    public static MachineConfig of(long ramSize, OutputStream serialOut, PrintStream log) {
        return new MachineConfig(ramSize, "", List.of(), false, serialOut, null, Tracer.OFF, log, 0, false, 0, 0);
    }
}
