package org.jkvm.vmm.bus;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reports the first access to each unknown port or MMIO page once: a guest probing hardware it does not
 * find would otherwise flood the log on every poll.
 */
public final class UnknownAccessLog {
    private final Consumer<String> sink;
    private final Set<Long> seen = new HashSet<>();

    public UnknownAccessLog(Consumer<String> sink) {
        this.sink = sink;
    }

    /** Logs {@code what} unless {@code key} was seen before; returns whether it logged. */
    boolean once(long key, String what) {
        if (!seen.add(key)) return false;
        sink.accept(what);
        return true;
    }
}
