package org.jkvm.kvm.hw;

import java.lang.foreign.MemorySegment;

import org.jkvm.cpu.fault.Fault;
import org.jkvm.cpu.model.CpuModel;
import org.jkvm.cpu.vmx.ExitReason;
import org.jkvm.cpu.vmx.PhysicalCpu;
import org.jkvm.cpu.vmx.Vmcs;
import org.jkvm.cpu.vmx.VmcsField;
import org.jkvm.cpu.xstate.XContext;
import org.jkvm.isa.CpuFeature;

/** {@link Silicon} on the cpu module's {@link PhysicalCpu}: every operation is the CPU's own instruction path. */
public final class PhysicalCpuSilicon implements Silicon {
    private static final int MSR_XSS = 0xDA0, MSR_XFD = 0x1C4, MSR_XFD_ERR = 0x1C5;

    private final PhysicalCpu cpu;
    private final boolean hasXsaves, hasXfd, hasPku;
    private long lastRetired;

    public PhysicalCpuSilicon(PhysicalCpu cpu) {
        this.cpu = cpu;
        CpuModel m = cpu.model();
        this.hasXsaves = m.has(CpuFeature.XSAVES);
        this.hasXfd = m.has(CpuFeature.XFD);
        this.hasPku = m.has(CpuFeature.PKU);
        // The host kernel runs with OSXSAVE, and with PKE where the CPU has protection keys (Linux does).
        long cr4 = XContext.CR4_OSFXSR | XContext.CR4_OSXMMEXCPT | (m.has(CpuFeature.XSAVE) ? XContext.CR4_OSXSAVE : 0)
            | (hasPku ? XContext.CR4_PKE : 0);
        cpu.setHostCr4(cr4);
    }

    public PhysicalCpu physical() { return cpu; }

    @Override public long gpr(int n) { return cpu.gpr(n); }

    @Override public void setGpr(int n, long v) { cpu.setGpr(n, v); }

    @Override public long xcr0() { return cpu.xgetbv(0); }

    @Override public void xsetbv(long v) { cpu.xsetbv(0, v); }

    @Override public long xss() { return hasXsaves ? cpu.rdmsr(MSR_XSS) : 0; }

    @Override
    public void writeXss(long v) {
        if (!hasXsaves) {
            if (v != 0) throw Fault.gp0();
            return;
        }
        cpu.wrmsr(MSR_XSS, v);
    }

    @Override public int rdpkru() { return cpu.rdpkru(); }

    @Override public void wrpkru(int v) { cpu.wrpkru(v); }

    @Override public long xfd() { return hasXfd ? cpu.rdmsr(MSR_XFD) : 0; }

    @Override
    public void writeXfd(long v) {
        if (!hasXfd) {
            if (v != 0) throw Fault.gp0();
            return;
        }
        cpu.wrmsr(MSR_XFD, v);
    }

    @Override public long xfdErr() { return hasXfd ? cpu.rdmsr(MSR_XFD_ERR) : 0; }

    @Override
    public void writeXfdErr(long v) {
        if (!hasXfd) {
            if (v != 0) throw Fault.gp0();
            return;
        }
        cpu.wrmsr(MSR_XFD_ERR, v);
    }

    @Override public void xsaves(byte[] area, long rfbm) { cpu.xsaves(MemorySegment.ofArray(area), rfbm); }

    @Override public void xrstors(byte[] area, long rfbm) { cpu.xrstors(MemorySegment.ofArray(area), rfbm); }

    @Override
    public int enter(Vmcs vmcs, long budget) {
        if (cpu.vmcs() != vmcs) cpu.load(vmcs);
        long before = cpu.retiredInstructions();
        int r;
        if (budget > 0) {
            r = cpu.enter(budget);
        } else {
            if (vmcs.test(VmcsField.PIN_BASED_VM_EXEC_CONTROL, Vmcs.PIN_PREEMPTION_TIMER)) {
                vmcs.clearBits(VmcsField.PIN_BASED_VM_EXEC_CONTROL, Vmcs.PIN_PREEMPTION_TIMER);
            }
            r = cpu.enter();
        }
        lastRetired = cpu.retiredInstructions() - before;
        return r;
    }

    @Override public void kick() { cpu.kick(); }

    @Override public void completeIo(long inValue) { cpu.completeIo(inValue); }

    @Override public int budgetExitReason() { return ExitReason.PREEMPTION_TIMER; }

    @Override public long lastRetired() { return lastRetired; }

    @Override public void completeMmioRead(long gpa, int size, long value) { cpu.completeMmioRead(value); }

    @Override public void injectMachineCheck(long afterInstructions) { cpu.injectMachineCheck(afterInstructions); }

    @Override public void machineCheckOnEntry() { cpu.machineCheckOnEntry(); }

    @Override public long readMsr(int index) { return cpu.rdmsr(index); }

    @Override public void writeMsr(int index, long v) { cpu.wrmsr(index, v); }

    @Override public long cr2() { return cpu.cr2(); }

    @Override public void setCr2(long v) { cpu.setCr2(v); }

    @Override
    public long tsc() {
        Vmcs v = cpu.vmcs();
        return cpu.core().physicalTsc() + v.read(VmcsField.TSC_OFFSET);
    }

    @Override public long tscHz() { return 1_000_000_000L; }

    @Override
    public byte[] snapshotState() {
        // Everything through the CPU's own XSAVE with every component enabled, plus the control registers.
        var xs = cpu.xstate();
        long savedXcr0 = xs.xcr0(), savedXss = xs.xss(), savedXfd = xs.xfd();
        byte[] img = new byte[16384];
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(img).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        try {
            xs.loadXcr0(xs.supportedXcr0);
            xs.loadXss(xs.supportedXss);
            if (savedXfd != 0) xs.writeXfd(0);
            cpu.xsaves(MemorySegment.ofArray(img).asSlice(0, 12288), -1L);
        } finally {
            xs.loadXcr0(savedXcr0);
            xs.loadXss(savedXss);
            if (savedXfd != 0) xs.writeXfd(savedXfd);
        }
        int o = 12288;
        for (int i = 0; i < 16; i++) if (i != 4) b.putLong(o + 8 * i, cpu.core().r[i]);
        b.putLong(o + 256, savedXcr0);
        b.putLong(o + 264, savedXss);
        b.putLong(o + 272, savedXfd);
        b.putLong(o + 280, xs.xfdErr());
        b.putLong(o + 288, xs.pkru);
        return img;
    }
}
