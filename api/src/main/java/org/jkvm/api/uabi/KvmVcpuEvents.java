package org.jkvm.api.uabi;

/** struct kvm_vcpu_events (64 bytes): pending/injected exception, interrupt, NMI and shadow state. */
public record KvmVcpuEvents(boolean exceptionInjected, int exceptionNr, boolean exceptionHasErrorCode,
                            boolean exceptionPending, int exceptionErrorCode,
                            boolean interruptInjected, int interruptNr, boolean interruptSoft, int interruptShadow,
                            boolean nmiInjected, boolean nmiPending, boolean nmiMasked,
                            int sipiVector, int flags, boolean tripleFaultPending,
                            boolean exceptionHasPayload, long exceptionPayload) {
    public static final int SIZE = 64;
}
