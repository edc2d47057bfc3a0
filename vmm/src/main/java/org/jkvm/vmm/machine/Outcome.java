package org.jkvm.vmm.machine;

/**
 * How a run ended: the process exit status and, when there is something to say, one line for stderr.
 * Guest-decided statuses (debug-exit, halt, triple fault) are below 64 in practice; host-side ones 64+.
 */
public record Outcome(int status, String message) {
    /** --timeout or --max-instructions reached (as timeout(1) reports it). */
    public static final int LIMIT_STATUS = 124;
    public static final int TRIPLE_FAULT_STATUS = 2;
}
