package org.jkvm.kvm.lapic;

import static org.jkvm.kvm.lapic.ApicReg.*;

/**
 * The in-backend local APIC of one vCPU (KVM's lapic.c with a split irqchip): the xAPIC register page and
 * the x2APIC MSRs, IRR/ISR/TMR, TPR/PPR, EOI, ICR (fixed, NMI, INIT, SIPI; shorthands; physical and logical
 * destinations), the LVT timer in one-shot, periodic and TSC-deadline mode, and SVR.
 *
 * <p>Interrupt requests may arrive from other threads (IPIs from other vCPUs, MSIs from the VMM's I/O APIC):
 * they are posted under the lock and {@link #eventPending()} is a volatile flag the vCPU thread polls before
 * each entry, like KVM's KVM_REQ_EVENT.
 */
public final class LocalApic {
    /** The APIC bus runs at 1 GHz in KVM: one timer tick per nanosecond before the divider. */
    static final long BUS_NS = 1;

    private final int vcpuId;
    private final ApicBus bus;
    private final ApicClock clock;
    private final int[] regs = new int[64];
    private final int[] irr = new int[8], isr = new int[8], tmr = new int[8];
    private long apicBase;
    private volatile boolean eventPending;
    private boolean nmiPending, initPending;
    private int sipiVector = -1;
    // timer
    private long timerDeadlineNs = Long.MAX_VALUE, timerPeriodNs, timerStartNs, tscDeadline;
    private long timerFired;

    public LocalApic(int vcpuId, boolean bsp, ApicBus bus, ApicClock clock) {
        this.vcpuId = vcpuId;
        this.bus = bus;
        this.clock = clock;
        reset(bsp);
    }

    /** kvm_lapic_reset: INIT state (APIC enabled in the base MSR, software-disabled, LVTs masked; BSP LINT0 ExtINT). */
    public synchronized void reset(boolean bsp) {
        java.util.Arrays.fill(regs, 0);
        java.util.Arrays.fill(irr, 0);
        java.util.Arrays.fill(isr, 0);
        java.util.Arrays.fill(tmr, 0);
        apicBase = DEFAULT_BASE | BASE_ENABLE | (bsp ? BASE_BSP : 0);
        set(ID, vcpuId << 24);
        set(VERSION, VERSION_VALUE);
        set(DFR, 0xFFFF_FFFF);
        set(SVR, 0xFF);
        for (int r : new int[] {LVT_TIMER, LVT_THERMAL, LVT_PMC, LVT_LINT0, LVT_LINT1, LVT_ERROR, LVT_CMCI}) set(r, LVT_MASKED);
        // KVM_X86_QUIRK_LINT0_REENABLED: the BSP's LINT0 passes the PIC's ExtINT through.
        if (bsp) set(LVT_LINT0, DM_EXTINT << 8);
        timerDeadlineNs = Long.MAX_VALUE;
        tscDeadline = 0;
        nmiPending = initPending = false;
        sipiVector = -1;
        eventPending = false;
    }

    private int get(int off) { return regs[off >> 4]; }

    private void set(int off, int v) { regs[off >> 4] = v; }

    public int id() { return isX2apic() ? vcpuId : get(ID) >>> 24; }

    public int vcpuId() { return vcpuId; }

    public synchronized long apicBase() { return apicBase; }

    public boolean hwEnabled() { return (apicBase & BASE_ENABLE) != 0; }

    public boolean swEnabled() { return (get(SVR) & SVR_ENABLED) != 0; }

    public boolean isX2apic() { return (apicBase & BASE_X2APIC) != 0 && hwEnabled(); }

    public boolean enabled() { return hwEnabled() && swEnabled(); }

    /**
     * WRMSR IA32_APIC_BASE: returns false (#GP for the guest) for reserved bits or an illegal mode
     * transition (x2APIC without enable; x2APIC back to xAPIC without disabling first).
     */
    public synchronized boolean setApicBase(long v, boolean hostInitiated) {
        long reserved = ~(0xF_FFFF_FFFF_F000L | BASE_BSP | BASE_X2APIC | BASE_ENABLE) ;
        if ((v & reserved) != 0) return false;
        boolean en = (v & BASE_ENABLE) != 0, x2 = (v & BASE_X2APIC) != 0;
        if (x2 && !en) return false;
        if (!hostInitiated && isX2apic() && en && !x2) return false;
        boolean wasX2 = isX2apic();
        apicBase = v;
        if (x2 && !wasX2) set(ID, vcpuId); // x2APIC ID is the full 32-bit ID
        else if (!x2 && wasX2) set(ID, vcpuId << 24);
        if (x2) set(LDR, ((vcpuId >> 4) << 16) | (1 << (vcpuId & 0xF)));
        if (!en) {
            set(SVR, get(SVR) & ~SVR_ENABLED);
        }
        return true;
    }

    public long mmioBase() { return apicBase & 0xF_FFFF_FFFF_F000L; }

    // ---------------------------------------------------------------- register access

    /** xAPIC MMIO read (aligned 32-bit within the page; other offsets read 0). */
    public synchronized int mmioRead(int offset) {
        if (isX2apic()) return -1; // the MMIO page is gone in x2APIC mode; reads float
        return readReg(offset & 0xFF0);
    }

    /** xAPIC MMIO write. */
    public synchronized void mmioWrite(int offset, int value) {
        if (isX2apic()) return;
        int off = offset & 0xFF0;
        if (off == ICR_LOW) {
            set(ICR_LOW, value & ~(1 << 12));
            sendIpi(value, get(ICR_HIGH) >>> 24, false);
            return;
        }
        writeReg(off, value);
    }

    /** RDMSR of an x2APIC register; {@code null} means #GP. */
    public synchronized Long x2apicRead(int msr) {
        if (!isX2apic()) return null;
        int off = (msr - X2APIC_MSR_BASE) << 4;
        if (off == ICR_LOW) return (get(ICR_LOW) & 0xFFFF_FFFFL) | ((long) get(ICR_HIGH) << 32);
        if (off == DFR || off == ICR_HIGH || off == EOI || off == SELF_IPI || off == RRD || off == APR) return null;
        if (!readable(off)) return null;
        return readReg(off) & 0xFFFF_FFFFL;
    }

    /** WRMSR of an x2APIC register; false means #GP. */
    public synchronized boolean x2apicWrite(int msr, long value) {
        if (!isX2apic()) return false;
        int off = (msr - X2APIC_MSR_BASE) << 4;
        switch (off) {
            case ICR_LOW -> {
                set(ICR_HIGH, (int) (value >>> 32));
                set(ICR_LOW, (int) value & ~(1 << 12));
                sendIpi((int) value, (int) (value >>> 32), true);
                return true;
            }
            case SELF_IPI -> {
                if ((value & ~0xFFL) != 0) return false;
                acceptFixed((int) value, false);
                return true;
            }
            case EOI -> {
                if (value != 0) return false;
                eoi();
                return true;
            }
            case ID, VERSION, LDR, PPR, TMCCT, DFR, ICR_HIGH, APR, RRD -> { return false; }
            default -> {
                if (!writable(off) || (value >>> 32) != 0) return false;
                writeReg(off, (int) value);
                return true;
            }
        }
    }

    private static boolean readable(int off) {
        return switch (off) {
            case ID, VERSION, TPR, PPR, LDR, SVR, ESR, LVT_CMCI, ICR_LOW, LVT_TIMER, LVT_THERMAL, LVT_PMC,
                LVT_LINT0, LVT_LINT1, LVT_ERROR, TMICT, TMCCT, TDCR -> true;
            default -> (off >= ISR && off < ESR);
        };
    }

    private static boolean writable(int off) {
        return switch (off) {
            case TPR, SVR, ESR, LVT_CMCI, LVT_TIMER, LVT_THERMAL, LVT_PMC, LVT_LINT0, LVT_LINT1, LVT_ERROR, TMICT, TDCR -> true;
            default -> false;
        };
    }

    private int readReg(int off) {
        if (off >= ISR && off < TMR) return isr[(off - ISR) >> 4];
        if (off >= TMR && off < IRR) return tmr[(off - TMR) >> 4];
        if (off >= IRR && off < ESR) return irr[(off - IRR) >> 4];
        return switch (off) {
            case PPR -> ppr();
            case TMCCT -> currentCount();
            default -> get(off);
        };
    }

    private void writeReg(int off, int v) {
        switch (off) {
            case ID -> { if (!isX2apic()) set(ID, v & 0xFF00_0000); }
            case TPR -> {
                set(TPR, v & 0xFF);
                eventPending = true;
            }
            case EOI -> eoi();
            case LDR -> { if (!isX2apic()) set(LDR, v & 0xFF00_0000); }
            case DFR -> { if (!isX2apic()) set(DFR, v | 0x0FFF_FFFF); }
            case SVR -> {
                set(SVR, v & 0x13FF);
                if ((v & SVR_ENABLED) == 0) {
                    for (int r : new int[] {LVT_TIMER, LVT_THERMAL, LVT_PMC, LVT_LINT0, LVT_LINT1, LVT_ERROR, LVT_CMCI}) {
                        set(r, get(r) | LVT_MASKED);
                    }
                }
            }
            case ESR -> set(ESR, 0);
            case ICR_HIGH -> set(ICR_HIGH, v & 0xFF00_0000);
            case LVT_TIMER -> {
                int oldMode = (get(LVT_TIMER) >>> 17) & 3;
                int nv = v & (swEnabled() ? 0x7_10FF : 0x7_10FF | LVT_MASKED);
                if (!swEnabled()) nv |= LVT_MASKED;
                set(LVT_TIMER, nv);
                if (oldMode != ((nv >>> 17) & 3)) {
                    timerDeadlineNs = Long.MAX_VALUE;
                    tscDeadline = 0;
                    set(TMICT, 0);
                }
            }
            case LVT_THERMAL, LVT_PMC, LVT_LINT0, LVT_LINT1, LVT_ERROR, LVT_CMCI -> {
                int mask = off == LVT_LINT0 || off == LVT_LINT1 ? 0x1_A7FF : off == LVT_ERROR ? 0x1_00FF : 0x1_07FF;
                int nv = v & mask;
                if (!swEnabled()) nv |= LVT_MASKED;
                set(off, nv);
            }
            case TMICT -> {
                if (timerMode() == TIMER_TSC_DEADLINE) return;
                set(TMICT, v);
                startCountdown();
            }
            case TDCR -> set(TDCR, v & 0xB);
            default -> { }
        }
    }

    // ---------------------------------------------------------------- priorities, IRR/ISR

    private static int highest(int[] bits) {
        for (int i = 7; i >= 0; i--) if (bits[i] != 0) return i * 32 + 31 - Integer.numberOfLeadingZeros(bits[i]);
        return -1;
    }

    private int ppr() {
        int tpr = get(TPR) & 0xFF;
        int isrv = highest(isr);
        int isrClass = isrv < 0 ? 0 : isrv & 0xF0;
        return (tpr & 0xF0) >= isrClass ? tpr : isrClass;
    }

    /** The vector the APIC would present to the CPU now, or -1 (kvm_apic_has_interrupt). */
    public synchronized int hasInterrupt() {
        if (!enabled()) return -1;
        int v = highest(irr);
        if (v < 0 || (v & 0xF0) <= (ppr() & 0xF0)) return -1;
        return v;
    }

    /** The CPU took vector {@code v}: IRR to ISR (kvm_apic_ack_interrupt). */
    public synchronized void ackInterrupt(int v) {
        irr[v >> 5] &= ~(1 << (v & 31));
        isr[v >> 5] |= 1 << (v & 31);
    }

    public synchronized void eoi() {
        int v = highest(isr);
        if (v < 0) return;
        isr[v >> 5] &= ~(1 << (v & 31));
        tmr[v >> 5] &= ~(1 << (v & 31));
        eventPending = true;
    }

    /** CR8 writes and reads go through TPR[7:4]. */
    public synchronized void setCr8(long cr8) {
        set(TPR, (int) (cr8 & 0xF) << 4);
        eventPending = true;
    }

    public synchronized long cr8() { return (get(TPR) >> 4) & 0xF; }

    private void acceptFixed(int vector, boolean level) {
        if (vector < 16) {
            set(ESR, get(ESR) | 0x40); // received illegal vector
            return;
        }
        irr[vector >> 5] |= 1 << (vector & 31);
        if (level) tmr[vector >> 5] |= 1 << (vector & 31);
        eventPending = true;
    }

    /** An interrupt message for this APIC (__apic_accept_irq). Returns whether it was accepted. */
    public synchronized boolean accept(int mode, int vector, boolean level, boolean trigLevel) {
        switch (mode) {
            case DM_FIXED, DM_LOWEST -> {
                if (!enabled()) return false;
                acceptFixed(vector & 0xFF, trigLevel);
            }
            case DM_NMI -> nmiPending = true;
            case DM_INIT -> {
                if (!level && trigLevel) return false; // INIT level de-assert: ignored
                initPending = true;
            }
            case DM_SIPI -> sipiVector = vector & 0xFF;
            default -> { return false; }
        }
        eventPending = true;
        return true;
    }

    public synchronized boolean takeNmi() {
        boolean n = nmiPending;
        nmiPending = false;
        return n;
    }

    public synchronized boolean takeInit() {
        boolean i = initPending;
        initPending = false;
        return i;
    }

    /** The last SIPI vector received, consumed, or -1. */
    public synchronized int takeSipi() {
        int s = sipiVector;
        sipiVector = -1;
        return s;
    }

    public boolean eventPending() { return eventPending; }

    public void clearEventPending() { eventPending = false; }

    public void setEventPending() { eventPending = true; }

    /** kvm_apic_accept_pic_intr: the PIC's ExtINT reaches the CPU when LINT0 is in ExtINT mode or the APIC is off. */
    public synchronized boolean acceptsPicInterrupt() {
        int lvt0 = get(LVT_LINT0);
        return !hwEnabled() || ((lvt0 & LVT_MASKED) == 0 && ((lvt0 >> 8) & 7) == DM_EXTINT);
    }

    // ---------------------------------------------------------------- IPIs

    private void sendIpi(int low, int destField, boolean x2) {
        int vector = low & 0xFF, mode = (low >> 8) & 7, shorthand = (low >> 18) & 3;
        boolean logical = (low & (1 << 11)) != 0, level = (low & (1 << 14)) != 0, trig = (low & (1 << 15)) != 0;
        if (mode == DM_INIT && !level && trig) return; // INIT de-assert
        int dest = x2 ? destField : destField & 0xFF;
        // deliver outside our lock: the destination may be us
        pendingIpi = new int[] {shorthand, logical ? 1 : 0, dest, mode, vector, level ? 1 : 0};
    }

    private int[] pendingIpi;

    /** Sends the IPI a register write just queued (called by the vCPU after the write, without the APIC lock). */
    public int flushIpi() {
        int[] p;
        synchronized (this) {
            p = pendingIpi;
            pendingIpi = null;
        }
        if (p == null) return -1;
        return bus.deliver(this, p[0], p[1] != 0, p[2], p[3], p[4], p[5] != 0);
    }

    /** Whether this APIC matches a destination (kvm_apic_match_dest). */
    public synchronized boolean matchDest(boolean logical, int dest) {
        if (!logical) {
            if (isX2apic()) return dest == 0xFFFF_FFFF || dest == vcpuId;
            return dest == 0xFF || dest == (get(ID) >>> 24);
        }
        if (isX2apic()) {
            if (dest == 0xFFFF_FFFF) return true;
            int ldr = get(LDR);
            return (dest >>> 16) == (ldr >>> 16) && (dest & ldr & 0xFFFF) != 0;
        }
        int ldr = get(LDR) >>> 24;
        if (dest == 0xFF) return true;
        if ((get(DFR) >>> 28) == 0xF) return (ldr & dest) != 0; // flat
        return (ldr >> 4) == (dest >> 4) && (ldr & dest & 0xF) != 0; // cluster
    }

    // ---------------------------------------------------------------- timer

    public int timerMode() { return (get(LVT_TIMER) >>> 17) & 3; }

    private long divideNs() {
        int d = get(TDCR);
        int code = ((d & 8) >> 1) | (d & 3);
        return code == 7 ? 1 : 2L << code;
    }

    private void startCountdown() {
        long count = get(TMICT) & 0xFFFF_FFFFL;
        if (count == 0) {
            timerDeadlineNs = Long.MAX_VALUE;
            return;
        }
        long period = count * divideNs() * BUS_NS;
        timerStartNs = clock.nowNs();
        timerPeriodNs = timerMode() == TIMER_PERIODIC ? period : 0;
        timerDeadlineNs = timerStartNs + period;
    }

    private int currentCount() {
        if (timerMode() == TIMER_TSC_DEADLINE || timerDeadlineNs == Long.MAX_VALUE) return 0;
        long left = timerDeadlineNs - clock.nowNs();
        if (left <= 0) return 0;
        return (int) (left / (divideNs() * BUS_NS));
    }

    /** WRMSR IA32_TSC_DEADLINE (the fastpath handler): arms or disarms; ignored unless in TSC-deadline mode. */
    public synchronized void writeTscDeadline(long deadline) {
        if (timerMode() != TIMER_TSC_DEADLINE) return;
        tscDeadline = deadline;
        timerDeadlineNs = deadline == 0 ? Long.MAX_VALUE : clock.tscToNs(deadline);
    }

    public synchronized long tscDeadline() { return timerMode() == TIMER_TSC_DEADLINE ? tscDeadline : 0; }

    /** The host-time deadline of the armed timer, or Long.MAX_VALUE. */
    public synchronized long timerDeadlineNs() { return timerDeadlineNs; }

    /** Fires the timer if its deadline has passed (apic_timer_expired): sets IRR unless masked. */
    public synchronized boolean checkTimer() {
        if (timerDeadlineNs == Long.MAX_VALUE) return false;
        long now = clock.nowNs();
        if (timerMode() == TIMER_TSC_DEADLINE) {
            if (clock.guestTsc() < tscDeadline) return false;
        } else if (now < timerDeadlineNs) {
            return false;
        }
        int lvt = get(LVT_TIMER);
        if ((lvt & LVT_MASKED) == 0) acceptFixed(lvt & 0xFF, false);
        timerFired++;
        if (timerMode() == TIMER_PERIODIC && timerPeriodNs > 0) {
            long next = timerDeadlineNs + timerPeriodNs;
            if (next <= now) next = now + timerPeriodNs; // skip missed periods rather than storm
            timerDeadlineNs = next;
        } else {
            timerDeadlineNs = Long.MAX_VALUE;
            if (timerMode() == TIMER_TSC_DEADLINE) tscDeadline = 0;
        }
        return true;
    }

    public synchronized long timerFired() { return timerFired; }

    // ---------------------------------------------------------------- KVM_GET/SET_LAPIC

    /** The 1024-byte register page (struct kvm_lapic_state): every register at its xAPIC offset. */
    public synchronized byte[] getState() {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1024).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int off = 0; off < 0x400; off += 0x10) b.putInt(off, readReg(off));
        return b.array();
    }

    /**
     * Loads a register page; a running one-shot or periodic countdown restarts from TMICT (as KVM does: the
     * remaining time is not part of the page). IRR/ISR/TMR come from the page; nothing is sent.
     */
    public synchronized void setState(byte[] page) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(page).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int off = 0; off < 0x400; off += 0x10) {
            int v = b.getInt(off);
            if (off >= ISR && off < TMR) isr[(off - ISR) >> 4] = v;
            else if (off >= TMR && off < IRR) tmr[(off - TMR) >> 4] = v;
            else if (off >= IRR && off < ESR) irr[(off - IRR) >> 4] = v;
            else if (off != PPR && off != TMCCT && off != EOI && off != SELF_IPI) set(off, v);
        }
        if (isX2apic()) set(ID, vcpuId);
        timerDeadlineNs = Long.MAX_VALUE;
        if (timerMode() != TIMER_TSC_DEADLINE) startCountdown();
        else if (tscDeadline != 0) timerDeadlineNs = clock.tscToNs(tscDeadline);
        eventPending = true;
    }
}
