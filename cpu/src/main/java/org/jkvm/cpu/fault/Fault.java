package org.jkvm.cpu.fault;

/**
 * An architectural exception raised while executing an instruction (#UD, #GP, #PF, #NM, ...).
 * Thrown through the interpreter and caught at the instruction boundary, where it is delivered
 * through the IDT or turned into a VM-exit by the exception bitmap. No stack trace: faults are
 * guest events, not Java errors, and the hot path must not pay for one.
 */
public final class Fault extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public static final int DE = 0, DB = 1, NMI = 2, BP = 3, OF = 4, BR = 5, UD = 6, NM = 7, DF = 8,
        TS = 10, NP = 11, SS = 12, GP = 13, PF = 14, MF = 16, AC = 17, MC = 18, XM = 19, VE = 20, CP = 21;

    public final int vector;
    /** The error code, or -1 when the vector pushes none. */
    public final int errorCode;
    /** CR2 for #PF (the faulting linear address); 0 otherwise. */
    public final long cr2;

    public Fault(int vector, int errorCode, long cr2) {
        super(null, null, false, false);
        this.vector = vector;
        this.errorCode = errorCode;
        this.cr2 = cr2;
    }

    public static Fault ud() { return new Fault(UD, -1, 0); }

    public static Fault gp(int errorCode) { return new Fault(GP, errorCode, 0); }

    public static Fault gp0() { return new Fault(GP, 0, 0); }

    public static Fault nm() { return new Fault(NM, -1, 0); }

    public static Fault pf(int errorCode, long linear) { return new Fault(PF, errorCode, linear); }

    @Override
    public String getMessage() {
        return "#" + name(vector) + (errorCode >= 0 ? "(" + Integer.toHexString(errorCode) + ")" : "")
            + (vector == PF ? " at " + Long.toHexString(cr2) : "");
    }

    public static String name(int vector) {
        return switch (vector) {
            case DE -> "DE"; case DB -> "DB"; case NMI -> "NMI"; case BP -> "BP"; case OF -> "OF"; case BR -> "BR";
            case UD -> "UD"; case NM -> "NM"; case DF -> "DF"; case TS -> "TS"; case NP -> "NP"; case SS -> "SS";
            case GP -> "GP"; case PF -> "PF"; case MF -> "MF"; case AC -> "AC"; case MC -> "MC"; case XM -> "XM";
            case VE -> "VE"; case CP -> "CP"; default -> "V" + vector;
        };
    }
}
