package org.jkvm.kvm.stats;

/**
 * The operations whose modelled cost the backend accounts, with Intel and AMD cycle costs. The numbers and
 * where they come from are in docs/CYCLE-MODEL.md; this table is the one place they live in code.
 */
public enum SwitchOp {
    //           intel  amd
    XSETBV(110, 180),
    WRMSR_XSS(40, 70),
    WRPKRU(15, 25),
    RDPKRU(10, 10),
    WRMSR_XFD(40, 40),
    RDMSR_XFD(30, 30),
    WRMSR_XFD_ERR(40, 40),
    RDMSR_XFD_ERR(30, 30),
    /** One MOV between regs[] and a physical GPR (RAX..R15 except RSP, per side). */
    GPR_MOVE(1, 1),
    /** One PUSH2/POP2 of two EGPRs (8 per side for R16..R31). */
    EGPR_PAIR_MOVE(1, 1),
    /** VMREAD of a lazily loaded register. */
    VMREAD(20, 20),
    /** VMWRITE of a dirty register before entry. */
    VMWRITE(20, 20),
    /** The hardware VM-entry + VM-exit round trip and the fastpath dispatch (everything not listed above). */
    VM_ROUNDTRIP(860, 1440),
    /** Host XSAVES of a task's FPU state (context switch, guest FPU load/put). */
    XSAVES(250, 250),
    /** Host XRSTORS of a task's FPU state. */
    XRSTORS(250, 250);

    public final int intel, amd;

    SwitchOp(int intel, int amd) {
        this.intel = intel;
        this.amd = amd;
    }

    private static final SwitchOp[] VALUES = values();

    public static SwitchOp[] all() { return VALUES; }
}
