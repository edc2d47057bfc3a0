package org.jkvm.cpu.xstate;

/**
 * What the extended-state instructions need to know about the CPU executing them. The CPU
 * implements this once (no allocation per call); every value is read at the moment of use, so it
 * always reflects the current mode.
 */
public interface XContext extends ApxRegisters {
    long cr0();

    long cr4();

    /** Current privilege level. */
    int cpl();

    /** In 64-bit mode (IA-32e with CS.L=1): XMM8-15/YMM8-15/ZMM16-31 exist and REX.W forms are legal. */
    boolean long64();

    /** CR0 bits. */
    long CR0_MP = 1L << 1, CR0_EM = 1L << 2, CR0_TS = 1L << 3, CR0_NE = 1L << 5;
    /** CR4 bits. */
    long CR4_OSFXSR = 1L << 9, CR4_OSXMMEXCPT = 1L << 10, CR4_OSXSAVE = 1L << 18, CR4_PKE = 1L << 22;
}
