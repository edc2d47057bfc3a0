package org.jkvm.vmm.bus;

/**
 * The machine's time base in nanoseconds (monotonic). Devices read time only through it, so tests drive a
 * manual clock and a restored snapshot can continue from the saved time.
 */
@FunctionalInterface
public interface Clock {
    long nanos();

    /** Host monotonic time shifted so that the machine starts at {@code start}. */
    static Clock host(long start) {
        long origin = System.nanoTime();
        return () -> start + (System.nanoTime() - origin);
    }
}
