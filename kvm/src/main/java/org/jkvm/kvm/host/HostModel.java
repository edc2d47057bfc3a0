package org.jkvm.kvm.host;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.jkvm.cpu.fault.Fault;
import org.jkvm.kvm.hw.Silicon;
import org.jkvm.kvm.stats.CycleModel;
import org.jkvm.kvm.stats.SwitchOp;
import org.jkvm.kvm.xcr.Xfeatures;

/**
 * The host kernel around one physical CPU, modelled explicitly because the design is about what happens when
 * host and guest values mix: the host XCR0/XSS/PKRU/XFD, the current task (the vCPU thread) whose FPU state
 * is saved and restored with XSAVES/XRSTORS through the physical CPU, TIF_NEED_FPU_LOAD, the "current
 * fpstate" pointer that KVM swaps to the guest's (fpu_swap_kvm_fpstate), interrupts, kernel FPU use,
 * schedule() to another task, and the #MC handler.
 *
 * <p>Mistakes are made visible, never papered over: a host XSAVES/XRSTORS while XCR0/XSS hold guest values is
 * recorded as a violation and then executed anyway with the values loaded (so it saves the wrong set or
 * faults, as silicon would); an IRQs-enabled point reached with guest XCR0/XSS/PKRU or a guest XFD_ERR bit
 * loaded is a violation.
 */
public final class HostModel {
    public final Silicon cpu;
    public final long xcr0, xss, xfd;
    public final int pkru;
    private final boolean hasPku;
    private final CycleModel cycles;
    private final HostTask vcpuTask, otherTask;

    /** current->thread.fpu.fpstate: the host task's own image, or the guest's while the guest FPU is loaded. */
    private byte[] curImage;
    private long curFeatures, curXfd;
    /** TIF_NEED_FPU_LOAD: the physical registers do not hold the current fpstate. */
    private boolean needFpuLoad;
    private boolean irqsEnabled = true;
    private boolean guestXstateLoaded;
    private HostEvents events = HostEvents.NONE;
    private final List<InvariantViolation> violations = new ArrayList<>();
    private final SplittableRandom clobber = new SplittableRandom(0x5eed);
    private long schedules, interrupts, machineChecks;

    /**
     * @param xcr0 the host XCR0 (all user features the CPU supports)
     * @param xss  the host IA32_XSS
     * @param pkru the host task's PKRU (0x55555554 is Linux's default)
     * @param xfd  the host task's XFD (XTILEDATA armed for a task without AMX permission)
     */
    public HostModel(Silicon cpu, long xcr0, long xss, int pkru, long xfd, boolean hasPku, CycleModel cycles) {
        this.cpu = cpu;
        this.xcr0 = xcr0;
        this.xss = xss;
        this.pkru = pkru;
        this.xfd = xfd;
        this.hasPku = hasPku;
        this.cycles = cycles;
        long features = xcr0 | xss;
        this.vcpuTask = new HostTask("vcpu-thread", features, xfd, pkru);
        this.otherTask = new HostTask("other-task", features, xfd, pkru);
        // Boot: the host runs with its own values and the vCPU thread's FPU state live.
        cpu.xsetbv(xcr0);
        if (xss != 0 || cpu.xss() != 0) cpu.writeXss(xss);
        cpu.writeXfd(xfd);
        cpu.writeXfdErr(0);
        if (hasPku) cpu.wrpkru(pkru);
        curImage = vcpuTask.fpstate;
        curFeatures = vcpuTask.features;
        curXfd = xfd;
        xrstorsChecked(vcpuTask.fpstate, vcpuTask.features, "boot");
    }

    public void setEvents(HostEvents e) { this.events = e == null ? HostEvents.NONE : e; }

    public HostEvents events() { return events; }

    public HostTask vcpuTask() { return vcpuTask; }

    public List<InvariantViolation> violations() { return violations; }

    public long schedules() { return schedules; }

    public long interrupts() { return interrupts; }

    public long machineChecks() { return machineChecks; }

    public boolean hasPku() { return hasPku; }

    void violation(String where, String what) {
        if (violations.size() < 1000) violations.add(new InvariantViolation(where, what));
    }

    // ------------------------------------------------------------------ XSAVES/XRSTORS through the CPU

    private boolean hostXstateLoaded() { return cpu.xcr0() == xcr0 && cpu.xss() == xss; }

    private void xsavesChecked(byte[] image, long features, String where) {
        if (!hostXstateLoaded()) {
            violation(where, "host XSAVES with XCR0=0x" + Long.toHexString(cpu.xcr0()) + " XSS=0x" + Long.toHexString(cpu.xss())
                + " loaded (host 0x" + Long.toHexString(xcr0) + "/0x" + Long.toHexString(xss) + ")");
        }
        cycles.add(SwitchOp.XSAVES);
        try {
            cpu.xsaves(image, features);
        } catch (Fault f) {
            violation(where, "host XSAVES faulted: " + f.getMessage());
        }
    }

    private void xrstorsChecked(byte[] image, long features, String where) {
        if (!hostXstateLoaded()) {
            violation(where, "host XRSTORS with XCR0=0x" + Long.toHexString(cpu.xcr0()) + " XSS=0x" + Long.toHexString(cpu.xss())
                + " loaded (host 0x" + Long.toHexString(xcr0) + "/0x" + Long.toHexString(xss) + ")");
        }
        cycles.add(SwitchOp.XRSTORS);
        try {
            // PKRU is not restored from an fpstate (XFEATURE_MASK_USER_RESTORE): it is written on its own.
            cpu.xrstors(image, features & ~Xfeatures.PKRU);
        } catch (Fault f) {
            violation(where, "host XRSTORS faulted: " + f.getMessage());
        }
    }

    private void writeXfdIfChanged(long v) {
        if (cpu.xfd() != v) {
            cpu.writeXfd(v);
            cycles.add(SwitchOp.WRMSR_XFD);
        }
    }

    /** save_fpregs_to_fpstate of the current fpstate, if the registers hold it. */
    private void saveCurrent(String where) {
        if (needFpuLoad) return;
        xsavesChecked(curImage, curFeatures, where);
        needFpuLoad = true;
    }

    // ------------------------------------------------------------------ what KVM calls

    /**
     * fpu_swap_kvm_fpstate: makes {@code image} (the guest fpstate, or the task's own when {@code image} is
     * null) current and live in the registers, with its XFD loaded.
     */
    public void swapFpstate(byte[] image, long features, long guestXfd, String where) {
        saveCurrent(where);
        if (image == null) {
            curImage = vcpuTask.fpstate;
            curFeatures = vcpuTask.features;
            curXfd = vcpuTask.xfd;
        } else {
            curImage = image;
            curFeatures = features;
            curXfd = guestXfd;
        }
        restoreCurrent(where);
    }

    /** The guest XFD changed while its fpstate is current (fpu_update_guest_xfd / xfd sync after exit). */
    public void updateCurrentXfd(long v, boolean writeMsr) {
        curXfd = v;
        if (writeMsr && !needFpuLoad) writeXfdIfChanged(v);
    }

    /** switch_fpu_return: before entry with IRQs off, reload the current fpstate if a host event saved it. */
    public void switchFpuReturn(String where) {
        if (needFpuLoad) restoreCurrent(where);
    }

    private void restoreCurrent(String where) {
        writeXfdIfChanged(curXfd);
        xrstorsChecked(curImage, curFeatures, where);
        if (hasPku && cpu.rdpkru() != vcpuTask.pkru) cpu.wrpkru(vcpuTask.pkru);
        needFpuLoad = false;
    }

    public boolean needFpuLoad() { return needFpuLoad; }

    /** After a failure in the middle of a run: host XCR0/XSS/PKRU back, IRQs on (the error path's cleanup). */
    public void recover() {
        if (cpu.xcr0() != xcr0) cpu.xsetbv(xcr0);
        if (cpu.xss() != xss) cpu.writeXss(xss);
        if (hasPku && cpu.rdpkru() != vcpuTask.pkru) cpu.wrpkru(vcpuTask.pkru);
        if (cpu.xfdErr() != 0) cpu.writeXfdErr(0);
        guestXstateLoaded = false;
        irqsEnabled = true;
    }

    public void irqDisable() { irqsEnabled = false; }

    /** local_irq_enable(): checks what the host must never see, then takes whatever event is due. */
    public void irqEnable(HostPoint point) {
        irqsEnabled = true;
        irqsEnabledPoint(point);
    }

    /** KVM marks when guest XCR0/XSS (or PKRU) are loaded, so the checker can name the culprit. */
    public void setGuestXstateLoaded(boolean loaded) { guestXstateLoaded = loaded; }

    /** A point where IRQs and preemption are enabled: invariants, then maybe an interrupt or schedule(). */
    public void irqsEnabledPoint(HostPoint point) {
        if (!irqsEnabled) throw new IllegalStateException("IRQs-enabled point " + point + " reached with IRQs off");
        String where = point.name();
        if (!hostXstateLoaded() || guestXstateLoaded) {
            violation(where, "IRQs enabled with guest XCR0/XSS loaded (XCR0=0x" + Long.toHexString(cpu.xcr0()) + ")");
        }
        if (hasPku && cpu.rdpkru() != vcpuTask.pkru) violation(where, "IRQs enabled with a non-host PKRU 0x" + Integer.toHexString(cpu.rdpkru()));
        if (cpu.xfdErr() != 0) violation(where, "host can see a guest XFD_ERR 0x" + Long.toHexString(cpu.xfdErr()));
        switch (events.atIrqsEnabled(point)) {
            case NONE -> { }
            case INTERRUPT -> interrupts++;
            case INTERRUPT_WITH_KERNEL_FPU -> {
                interrupts++;
                kernelFpuUse(where);
            }
            case SCHEDULE -> schedule(where);
        }
    }

    /** kernel_fpu_begin/end in an interrupt: the current state is saved and the registers used by the kernel. */
    private void kernelFpuUse(String where) {
        saveCurrent(where + "/kernel_fpu_begin");
        scribble();
    }

    /**
     * schedule() to another task and back: the current task's registers are saved (XSAVES) into its current
     * fpstate, the other task's restored (XRSTORS), used, saved again; coming back leaves TIF_NEED_FPU_LOAD set.
     */
    public void schedule(String where) {
        schedules++;
        saveCurrent(where + "/switch_to");
        writeXfdIfChanged(otherTask.xfd);
        xrstorsChecked(otherTask.fpstate, otherTask.features, where + "/switch_to(other)");
        if (hasPku) cpu.wrpkru(otherTask.pkru);
        scribble();
        xsavesChecked(otherTask.fpstate, otherTask.features, where + "/switch_to(back)");
        if (hasPku) cpu.wrpkru(vcpuTask.pkru);
        writeXfdIfChanged(curXfd);
        needFpuLoad = true;
    }

    /**
     * The other task (or kernel code) uses the registers: random GPRs, XMM and (with APX) R16..R31 are loaded
     * from a scribbled image, every other component to its init state.
     */
    private void scribble() {
        for (int i = 0; i < 16; i++) if (i != 4) cpu.setGpr(i, clobber.nextLong());
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(otherTask.fpstate).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int off = 160; off < 416; off += 8) b.putLong(off, clobber.nextLong());
        long bv = Xfeatures.SSE;
        int apx = org.jkvm.cpu.xstate.XsaveLayout.compactedOffset(otherTask.features, 19);
        if (apx >= 0 && (cpu.xcr0() & Xfeatures.APX) != 0) {
            for (int i = 0; i < 16; i++) b.putLong(apx + 8 * i, clobber.nextLong());
            bv |= Xfeatures.APX;
        }
        b.putLong(512, bv);
        xrstorsChecked(otherTask.fpstate, otherTask.features, "scribble");
    }

    /**
     * The host #MC handler. Since 2016 it may end in schedule() (memory_failure work, signal delivery); it is
     * safe only when called with host XCR0/XSS loaded.
     */
    public void machineCheck(String where) {
        machineChecks++;
        if (events.machineCheckSchedules()) schedule(where + "/#MC");
    }
}
