package org.jkvm.isa;

/** Segment registers in their encoding order (ModRM.reg of MOV Sreg). */
public enum Segment {
    ES, CS, SS, DS, FS, GS;

    private static final Segment[] VALUES = values();

    public static Segment of(int n) { return VALUES[n]; }
}
