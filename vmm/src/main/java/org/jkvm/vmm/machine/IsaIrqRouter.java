package org.jkvm.vmm.machine;

import org.jkvm.vmm.bus.IrqLine;
import org.jkvm.vmm.devices.IoApic;
import org.jkvm.vmm.devices.PicPair;

/**
 * ISA IRQ wiring of the pc machine: every ISA line goes to the 8259 pair and to the I/O APIC; IRQ 0 (the PIT)
 * enters the I/O APIC on pin 2, as QEMU wires it and as its MADT interrupt source override tells guests.
 */
final class IsaIrqRouter {
    private final PicPair pic;
    private final IoApic ioapic;
    private final Runnable onChange;

    IsaIrqRouter(PicPair pic, IoApic ioapic, Runnable onChange) {
        this.pic = pic;
        this.ioapic = ioapic;
        this.onChange = onChange;
    }

    static int gsiOf(int isaIrq) {
        return isaIrq == 0 ? 2 : isaIrq;
    }

    void set(int irq, boolean level) {
        pic.setIrq(irq, level);
        ioapic.setIrq(gsiOf(irq), level);
        if (level) onChange.run();
    }

    IrqLine line(int irq) {
        return level -> set(irq, level);
    }
}
