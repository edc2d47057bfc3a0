package org.jkvm.vmm.bus;

/**
 * A device with timed events (PIT, APIC timer). The machine's timer thread sleeps until the earliest
 * {@link #nextDeadline()} and then calls {@link #advance(long)}; tests call it with a manual clock.
 * Both are called with the machine lock held.
 */
public interface Timed {
    /** Clock time of the next event, or {@link Long#MAX_VALUE} when none is armed. */
    long nextDeadline();

    /** Fires every event due at or before {@code now}. */
    void advance(long now);
}
