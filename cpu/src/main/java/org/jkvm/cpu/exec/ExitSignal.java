package org.jkvm.cpu.exec;

/**
 * Unwinds the interpreter to the run loop when an instruction causes a VM exit (I/O, CPUID, MSR, MMIO...).
 * The exit details are already in the core's exit fields; this carries nothing, so one instance serves all.
 */
final class ExitSignal extends RuntimeException {
    private static final long serialVersionUID = 1L;
    static final ExitSignal INSTANCE = new ExitSignal();

    private ExitSignal() {
        super(null, null, false, false);
    }
}
