package org.jkvm.kvm.lapic;

/** How a local APIC reaches the others: the VM routes IPIs by destination (kvm_irq_delivery_to_apic). */
public interface ApicBus {
    /**
     * Delivers an interrupt message.
     *
     * @param source    the sending APIC (for shorthands), or null for an MSI
     * @param shorthand 0 none, 1 self, 2 all including self, 3 all excluding self
     * @param logical   logical destination mode
     * @param dest      destination (8-bit xAPIC, 32-bit x2APIC)
     * @param mode      delivery mode ({@code ApicReg.DM_*})
     * @param vector    the vector
     * @param level     level assert (INIT de-assert is ignored)
     * @return how many APICs accepted it
     */
    int deliver(LocalApic source, int shorthand, boolean logical, int dest, int mode, int vector, boolean level);
}
