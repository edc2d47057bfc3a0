package org.jkvm.cpu.vmx;

import org.jkvm.cpu.exec.Core;
import org.jkvm.cpu.exec.GuestLinearMemory;
import org.jkvm.cpu.exec.Uop;
import org.jkvm.cpu.fault.Fault;
import org.jkvm.cpu.mem.LinearMemory;
import org.jkvm.cpu.simd.SimdHost;
import org.jkvm.cpu.simd.ExtendedUnit;
import org.jkvm.cpu.xstate.AmxUnit;
import org.jkvm.cpu.xstate.XContext;
import org.jkvm.cpu.xstate.XState;
import org.jkvm.cpu.xstate.XsaveUnit;
import org.jkvm.isa.Insn;

/**
 * Connects the interpreter to the extended-state unit (org.jkvm.cpu.xstate): XCR0/PKRU/XSS/XFD live in
 * {@link XState}, and the XSAVE family runs in {@link XsaveUnit} against the guest's linear memory.
 */
final class ExtendedBridge implements Core.Extended {
    static final int MSR_XFD = 0x1C4, MSR_XFD_ERR = 0x1C5, MSR_XSS = 0xDA0;

    private final XState xs;
    private final XsaveUnit unit;
    private final XContext ctx;
    private final AmxUnit amx;
    private final ExtendedUnit ext;
    private GuestLinearMemory mem;
    private Core core;
    /** The uop being executed by the SIMD unit (its memory operand is the one {@link SimdHost#ea} names). */
    private Uop current;

    /** The CPU as the SIMD unit sees it for the instruction in progress. */
    private final SimdHost host = new SimdHost() {
        @Override public long ea() { return core.effectiveAddress(current); }

        @Override public LinearMemory memory() { return mem; }

        @Override public void setArithFlags(long flags) { core.setArith(0x8D5, flags); }

        @Override public long rflags() { return core.flags(); }

        @Override public long cr0() { return core.cr0; }

        @Override public long cr4() { return core.cr4; }

        @Override public int cpl() { return core.cpl; }

        @Override public boolean long64() { return core.long64; }

        @Override public long get(int n) { return core.r[n]; }

        @Override public void set(int n, long value) { core.r[n] = value; }
    };

    ExtendedBridge(XState xs, XsaveUnit unit, XContext ctx) {
        this.xs = xs;
        this.unit = unit;
        this.ctx = ctx;
        this.amx = new AmxUnit(xs);
        this.ext = new ExtendedUnit(xs);
    }

    /**
     * The x87 control instructions an OS issues even when it never computes with x87 (Linux runs FNINIT while
     * setting up the FPU; FNSTSW/FNSTCW probe for it): #NM with CR0.EM or CR0.TS, WAIT #MF with an unmasked
     * pending exception (CR0.NE) as the SDM orders the checks.
     */
    private void x87Control(Core core, Uop u, Insn in, String m) {
        boolean wait = m.equals("WAIT");
        if (wait) {
            if ((core.cr0 & 0xA) == 0xA) throw Fault.nm(); // WAIT: #NM only with MP and TS
        } else if ((core.cr0 & 0xC) != 0) {
            throw Fault.nm();
        }
        switch (m) {
            case "FNINIT" -> {
                xs.fcw = XState.FCW_INIT;
                xs.fsw = 0;
                xs.ftw = 0xFFFF;
                xs.fop = 0;
                xs.fip = xs.fdp = 0;
                xs.fcs = xs.fds = 0;
                xs.touch(1);
            }
            case "FNCLEX" -> { xs.fsw &= ~0x80FF; xs.touch(1); }
            case "FNSTSW" -> {
                if (in.operandCount() > 0 && in.kind(0) == org.jkvm.isa.OperandKind.REG) core.setReg(2, 0, xs.fsw & 0xFFFF);
                else mem.write16(core.effectiveAddress(u), (short) xs.fsw);
            }
            case "FNSTCW" -> mem.write16(core.effectiveAddress(u), (short) xs.fcw);
            case "FLDCW" -> { xs.fcw = mem.read16(core.effectiveAddress(u)) & 0xFFFF; xs.touch(1); }
            case "WAIT" -> {
                if ((xs.fsw & 0x80) != 0) throw new Fault(Fault.MF, -1, 0);
            }
            default -> { } // FNOP
        }
    }

    /** TILELOADD/TILESTORED addressing: base + displacement is the start, the scaled index register the stride. */
    private static long sibBase(Core core, Uop u) {
        long a = u.disp + (u.base >= 0 ? core.r[u.base] : 0);
        if (u.seg >= 0) a += core.segBase[u.seg];
        return a;
    }

    private static long sibStride(Core core, Uop u) {
        if (u.index < 0) throw Fault.ud(); // tile loads and stores need a SIB index
        return core.r[u.index] << u.scale;
    }

    void attach(Core core) {
        this.core = core;
        this.mem = new GuestLinearMemory(core);
    }

    @Override public long xcr0() { return xs.xcr0(); }

    @Override public int pkru() { return xs.pkru; }

    @Override public void wrpkru(int v) {
        xs.pkru = v;
        xs.touch(1L << 9);
    }

    @Override public long xgetbv(int index) { return unit.xgetbv(ctx, index & 0xFFFF_FFFFL); }

    @Override public Long rdmsr(int msr) {
        return switch (msr) {
            case MSR_XSS -> xs.xss();
            case MSR_XFD -> xs.xfd();
            case MSR_XFD_ERR -> xs.xfdErr();
            default -> null;
        };
    }

    @Override public boolean wrmsr(int msr, long v) {
        switch (msr) {
            case MSR_XSS -> xs.writeXss(v);
            case MSR_XFD -> xs.writeXfd(v);
            case MSR_XFD_ERR -> xs.writeXfdErr(v);
            default -> { return false; }
        }
        return true;
    }

    @Override public void execute(Core core, Uop u) {
        Insn in = (Insn) u.payload;
        String m = in.mnemonic().name();
        long edxEax = (core.r[2] << 32) | (core.r[0] & 0xFFFF_FFFFL);
        boolean w = in.w();
        switch (m) {
            case "XSAVE", "XSAVE64" -> unit.xsave(ctx, mem, core.effectiveAddress(u), edxEax, w);
            case "XSAVEOPT", "XSAVEOPT64" -> unit.xsaveopt(ctx, mem, core.effectiveAddress(u), edxEax, w);
            case "XSAVEC", "XSAVEC64" -> unit.xsavec(ctx, mem, core.effectiveAddress(u), edxEax, w);
            case "XRSTOR", "XRSTOR64" -> unit.xrstor(ctx, mem, core.effectiveAddress(u), edxEax, w);
            case "XSAVES", "XSAVES64", "XRSTORS", "XRSTORS64" -> {
                boolean save = m.startsWith("XSAVES");
                if (core.guestMode) {
                    if ((core.secControls & Vmcs.SEC_XSAVES) == 0) throw Fault.ud();
                    if ((core.xssExitBitmap & edxEax) != 0) throw core.vmExit(u, save ? ExitReason.XSAVES : ExitReason.XRSTORS, 0);
                }
                if (save) unit.xsaves(ctx, mem, core.effectiveAddress(u), edxEax, w);
                else unit.xrstors(ctx, mem, core.effectiveAddress(u), edxEax, w);
            }
            case "FXSAVE", "FXSAVE64" -> unit.fxsave(ctx, mem, core.effectiveAddress(u), w);
            case "FXRSTOR", "FXRSTOR64" -> unit.fxrstor(ctx, mem, core.effectiveAddress(u), w);
            case "LDTILECFG" -> amx.ldtilecfg(ctx, mem, core.effectiveAddress(u));
            case "STTILECFG" -> amx.sttilecfg(ctx, mem, core.effectiveAddress(u));
            case "TILERELEASE" -> amx.tilerelease(ctx);
            case "TILEZERO" -> amx.tilezero(ctx, in.reg(0));
            case "TILELOADD", "TILELOADDT1" -> amx.tileloadd(ctx, mem, sibBase(core, u), sibStride(core, u), in.reg(0));
            case "TILESTORED" -> amx.tilestored(ctx, mem, sibBase(core, u), sibStride(core, u), in.reg(1));
            case "TDPBSSD" -> amx.tdpbd(ctx, AmxUnit.SS, in.reg(0), in.reg(1), in.reg(2));
            case "TDPBSUD" -> amx.tdpbd(ctx, AmxUnit.SU, in.reg(0), in.reg(1), in.reg(2));
            case "TDPBUSD" -> amx.tdpbd(ctx, AmxUnit.US, in.reg(0), in.reg(1), in.reg(2));
            case "TDPBUUD" -> amx.tdpbd(ctx, AmxUnit.UU, in.reg(0), in.reg(1), in.reg(2));
            case "TDPBF16PS" -> amx.tdpbf16ps(ctx, in.reg(0), in.reg(1), in.reg(2));
            default -> {
                current = u;
                if (ext.execute(in, host)) return; // x87 and SIMD
                switch (m) {
                    case "FNINIT", "FNCLEX", "FNSTSW", "FNSTCW", "FLDCW", "WAIT", "FNOP" -> x87Control(core, u, in, m);
                    default -> core.unimplemented(u);
                }
            }
        }
    }
}
