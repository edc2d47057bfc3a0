package org.jkvm.kvm.host;

import java.util.SplittableRandom;

/** Seeded random host events: interrupts (some using kernel FPU), preemption, machine checks. */
final class ChaosEvents implements HostEvents {
    private final SplittableRandom r;
    private final int pInterrupt, pKernelFpu, pSchedule, pMc, pMcSchedules;
    long points, mcsArmed;

    ChaosEvents(long seed, int pInterrupt, int pKernelFpu, int pSchedule, int pMc) {
        this(seed, pInterrupt, pKernelFpu, pSchedule, pMc, 70);
    }

    ChaosEvents(long seed, int pInterrupt, int pKernelFpu, int pSchedule, int pMc, int pMcSchedules) {
        this.pMcSchedules = pMcSchedules;
        this.r = new SplittableRandom(seed);
        this.pInterrupt = pInterrupt;
        this.pKernelFpu = pKernelFpu;
        this.pSchedule = pSchedule;
        this.pMc = pMc;
    }

    @Override
    public Kind atIrqsEnabled(HostPoint point) {
        points++;
        int x = r.nextInt(100);
        if (x < pInterrupt) return Kind.INTERRUPT;
        if (x < pInterrupt + pKernelFpu) return Kind.INTERRUPT_WITH_KERNEL_FPU;
        if (x < pInterrupt + pKernelFpu + pSchedule) return Kind.SCHEDULE;
        return Kind.NONE;
    }

    @Override
    public long machineCheckAfter() {
        if (r.nextInt(100) >= pMc) return 0;
        mcsArmed++;
        return 1 + r.nextInt(12);
    }

    @Override
    public boolean machineCheckOnEntry() { return pMc > 0 && r.nextInt(100) < 3; }

    @Override
    public boolean machineCheckSchedules() { return r.nextInt(100) < pMcSchedules; }
}
