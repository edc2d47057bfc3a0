package org.jkvm.cpu.xstate;

/**
 * R16-R31 as the XSAVE family sees them. The registers live in the CPU's GPR file; XSAVE reads them
 * into component 19 and XRSTOR writes them (or zeroes them when XSTATE_BV[19]=0).
 */
public interface ApxRegisters {
    /** The value of R{@code n}, 16 &le; n &le; 31. */
    long get(int n);

    /** Sets R{@code n}, 16 &le; n &le; 31. */
    void set(int n, long value);
}
