package org.jkvm.kvm.host;

/** One broken invariant of the host/guest state separation, with where it was seen. */
public record InvariantViolation(String where, String what) {
    @Override
    public String toString() { return where + ": " + what; }
}
