package org.jkvm.kvm.lapic;

/** The time base of the local APIC timer: host nanoseconds and the guest's TSC. */
public interface ApicClock {
    long nowNs();

    long guestTsc();

    /** The host time at which the guest TSC reaches {@code tsc}. */
    long tscToNs(long tsc);
}
