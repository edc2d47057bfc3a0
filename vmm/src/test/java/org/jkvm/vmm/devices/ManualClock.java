package org.jkvm.vmm.devices;

import org.jkvm.vmm.bus.Clock;

/** A clock the test moves by hand. */
final class ManualClock implements Clock {
    long now;

    @Override
    public long nanos() {
        return now;
    }

    void advance(long ns) {
        now += ns;
    }
}
