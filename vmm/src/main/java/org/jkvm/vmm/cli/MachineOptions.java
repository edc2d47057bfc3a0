package org.jkvm.vmm.cli;

import java.util.LinkedHashMap;
import java.util.Map;

import picocli.CommandLine.Option;

/** Options shared by `jkvm run` and `jkvm restore`: the backend, the console, limits, tracing, snapshots. */
final class MachineOptions {
    @Option(names = "--accel", paramLabel = "soft|kvm", defaultValue = "soft",
            description = "Backend: soft (jkvm's software CPU) or kvm (Linux /dev/kvm). Default: ${DEFAULT-VALUE}.")
    String accel;

    @Option(names = "--cpu", paramLabel = "MODEL[,+feat,-feat]", description = "CPU model and feature changes (passed to the backend).")
    String cpu;

    @Option(names = "--serial", paramLabel = "stdio|file:PATH|none", defaultValue = "stdio",
            description = "Where COM1 goes. Default: ${DEFAULT-VALUE}.")
    String serial;

    @Option(names = "--stats", description = "At exit, print instructions retired, MIPS and the exit table to stderr.")
    boolean stats;

    @Option(names = "--trace", paramLabel = "exits|io|all", description = "Trace VM exits and/or device accesses, one line each.")
    String trace;

    @Option(names = "--trace-file", paramLabel = "PATH", description = "Write the trace (and the unknown-access log) here instead of stderr.")
    String traceFile;

    @Option(names = "--max-instructions", paramLabel = "N", description = "Stop after N guest instructions (soft backend).")
    Long maxInstructions;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Stop the guest after this much real time (status 124).")
    Double timeoutSeconds;

    @Option(names = "--xstate-switch", paramLabel = "per-entry|outer-loop",
            description = "Where XCR0/XSS/PKRU are switched (soft backend).")
    String xstateSwitch;

    @Option(names = "--on-triple-fault", paramLabel = "dump", description = "dump: print the registers on stderr at a triple fault.")
    String onTripleFault;

    @Option(names = "--save-snapshot", paramLabel = "PATH",
            description = "Save a snapshot here when the guest writes 1 to port 0x5C5 or at --snapshot-at-instructions.")
    String saveSnapshot;

    @Option(names = "--snapshot-at-instructions", paramLabel = "N",
            description = "Save the snapshot after N guest instructions (soft backend only).")
    Long snapshotAtInstructions;

    void validate() {
        if (!accel.equals("soft") && !accel.equals("kvm")) {
            throw new UserError(ExitCodes.USAGE, "--accel must be soft or kvm, not '" + accel + "'");
        }
        if (onTripleFault != null && !onTripleFault.equals("dump")) {
            throw new UserError(ExitCodes.USAGE, "--on-triple-fault must be dump, not '" + onTripleFault + "'");
        }
        if (xstateSwitch != null && !xstateSwitch.equals("per-entry") && !xstateSwitch.equals("outer-loop")) {
            throw new UserError(ExitCodes.USAGE, "--xstate-switch must be per-entry or outer-loop, not '" + xstateSwitch + "'");
        }
        if (maxInstructions != null && maxInstructions <= 0) {
            throw new UserError(ExitCodes.USAGE, "--max-instructions must be positive");
        }
        if (timeoutSeconds != null && !(timeoutSeconds > 0 && timeoutSeconds < 1e9)) {
            throw new UserError(ExitCodes.USAGE, "--timeout must be a positive number of seconds");
        }
        if (snapshotAtInstructions != null) {
            if (snapshotAtInstructions <= 0) throw new UserError(ExitCodes.USAGE, "--snapshot-at-instructions must be positive");
            if (saveSnapshot == null) throw new UserError(ExitCodes.USAGE, "--snapshot-at-instructions needs --save-snapshot PATH");
            if (accel.equals("kvm")) {
                throw new UserError(ExitCodes.USAGE, "--snapshot-at-instructions needs instruction counts, which --accel kvm "
                    + "does not have; use the guest trigger (write 1 to port 0x5C5) or --accel soft");
            }
        }
        if (!serial.equals("stdio") && !serial.equals("none") && !(serial.startsWith("file:") && serial.length() > 5)) {
            throw new UserError(ExitCodes.USAGE, "--serial must be stdio, file:PATH or none, not '" + serial + "'");
        }
        if (trace != null) {
            try {
                org.jkvm.vmm.trace.Tracer.parseMode(trace);
            } catch (IllegalArgumentException e) {
                throw new UserError(ExitCodes.USAGE, e.getMessage());
            }
        }
    }

    /** The backend options (only those given, so a backend never sees keys the user did not set). */
    Map<String, String> backendOptions() {
        Map<String, String> m = new LinkedHashMap<>();
        if (cpu != null) m.put("cpu", cpu);
        if (xstateSwitch != null) m.put("xstate-switch", xstateSwitch);
        if (maxInstructions != null) m.put("max-instructions", Long.toString(maxInstructions));
        return m;
    }
}
