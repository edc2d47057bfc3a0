package org.jkvm.cpu.simd;

import org.jkvm.cpu.fault.Fault;
import org.jkvm.cpu.xstate.AmxUnit;
import org.jkvm.cpu.xstate.XState;
import org.jkvm.cpu.xstate.XsaveUnit;
import org.jkvm.isa.Insn;
import org.jkvm.isa.RegClass;

/**
 * One entry point for everything the extended-state side executes: the XSAVE family and FXSAVE,
 * LDMXCSR/STMXCSR, x87, SSE/AVX/AVX-512 and AMX. The interpreter calls {@link #execute} for an
 * instruction it routed to the extended unit; false means known but not implemented (count it and
 * raise #UD). VM-exit decisions (XSETBV, XSAVES/XRSTORS exiting) stay with the caller.
 */
public final class ExtendedUnit {
    private final XState s;
    private final XsaveUnit xsave;
    private final AmxUnit amx;
    private final SimdUnit simd;
    private final X87Unit x87;

    public ExtendedUnit(XState state) {
        this.s = state;
        this.xsave = new XsaveUnit(state);
        this.amx = new AmxUnit(state);
        this.simd = new SimdUnit(state);
        this.x87 = new X87Unit(state);
    }

    public XState state() { return s; }

    public XsaveUnit xsave() { return xsave; }

    public AmxUnit amx() { return amx; }

    public SimdUnit simd() { return simd; }

    public X87Unit x87() { return x87; }

    public boolean execute(Insn in, SimdHost h) {
        String m = in.mnemonic().name();
        long edxEax = h.get(2) << 32 | h.get(0) & 0xFFFF_FFFFL;
        boolean w = in.w();
        switch (m) {
            case "XSAVE", "XSAVE64" -> xsave.xsave(h, h.memory(), h.ea(), edxEax, w);
            case "XSAVEOPT", "XSAVEOPT64" -> xsave.xsaveopt(h, h.memory(), h.ea(), edxEax, w);
            case "XSAVEC", "XSAVEC64" -> xsave.xsavec(h, h.memory(), h.ea(), edxEax, w);
            case "XSAVES", "XSAVES64" -> xsave.xsaves(h, h.memory(), h.ea(), edxEax, w);
            case "XRSTOR", "XRSTOR64" -> xsave.xrstor(h, h.memory(), h.ea(), edxEax, w);
            case "XRSTORS", "XRSTORS64" -> xsave.xrstors(h, h.memory(), h.ea(), edxEax, w);
            case "FXSAVE", "FXSAVE64" -> xsave.fxsave(h, h.memory(), h.ea(), w);
            case "FXRSTOR", "FXRSTOR64" -> xsave.fxrstor(h, h.memory(), h.ea(), w);
            case "LDTILECFG" -> amx.ldtilecfg(h, h.memory(), h.ea());
            case "STTILECFG" -> amx.sttilecfg(h, h.memory(), h.ea());
            case "TILERELEASE" -> amx.tilerelease(h);
            case "TILEZERO" -> amx.tilezero(h, in.reg(0));
            case "TILELOADD", "TILELOADDT1" -> amx.tileloadd(h, h.memory(), base(in, h), stride(in, h), in.reg(0));
            case "TILESTORED" -> amx.tilestored(h, h.memory(), base(in, h), stride(in, h), in.reg(1));
            case "TDPBSSD" -> amx.tdpbd(h, AmxUnit.SS, in.reg(0), in.reg(1), in.reg(2));
            case "TDPBSUD" -> amx.tdpbd(h, AmxUnit.SU, in.reg(0), in.reg(1), in.reg(2));
            case "TDPBUSD" -> amx.tdpbd(h, AmxUnit.US, in.reg(0), in.reg(1), in.reg(2));
            case "TDPBUUD" -> amx.tdpbd(h, AmxUnit.UU, in.reg(0), in.reg(1), in.reg(2));
            case "TDPBF16PS" -> amx.tdpbf16ps(h, in.reg(0), in.reg(1), in.reg(2));
            default -> {
                if (m.startsWith("F") && !m.startsWith("FX") && isX87(in)) return x87.execute(in, h);
                return simd.execute(in, h);
            }
        }
        return true;
    }

    private static boolean isX87(Insn in) {
        // x87 escapes are D8-DF; SIMD mnemonics never start with F (FXSAVE/FXRSTOR handled above)
        for (int i = 0; i < in.operandCount(); i++) if (in.kind(i) == org.jkvm.isa.OperandKind.REG && in.regClass(i) != RegClass.ST && in.regClass(i) != RegClass.GPR16) return false;
        return true;
    }

    /** TILELOADD/TILESTORED address the rows at base + disp + r * (index * scale). */
    private static long stride(Insn in, SimdHost h) {
        return in.memIndex() < 0 ? 0 : h.get(in.memIndex()) * in.memScale();
    }

    private static long base(Insn in, SimdHost h) {
        if (in.memIndex() < 0 && in.memBase() < 0 && !in.isRipRelative()) throw Fault.ud();
        return h.ea() - stride(in, h);
    }
}
