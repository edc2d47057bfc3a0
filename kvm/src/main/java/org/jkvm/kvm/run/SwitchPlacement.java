package org.jkvm.kvm.run;

/** Where the guest/host XCR0, XSS and PKRU are switched relative to the fastpath loop. */
public enum SwitchPlacement {
    /** Before 2026: on every VM-entry and VM-exit, inside the fastpath loop (the #MC hack-a-fix). */
    PER_ENTRY("per-entry"),
    /** 2026: XCR0/XSS once around the run loop with IRQs off, PKRU once around the fastpath loop. */
    OUTER_LOOP("outer-loop");

    public final String option;

    SwitchPlacement(String option) { this.option = option; }
}
