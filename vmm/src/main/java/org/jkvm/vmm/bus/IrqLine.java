package org.jkvm.vmm.bus;

/** An interrupt request line driven by a device: the level is what the device's pin shows. */
@FunctionalInterface
public interface IrqLine {
    IrqLine NONE = level -> {};

    void set(boolean level);

    /** An edge for edge-triggered inputs: raise, then lower. */
    default void pulse() {
        set(true);
        set(false);
    }
}
