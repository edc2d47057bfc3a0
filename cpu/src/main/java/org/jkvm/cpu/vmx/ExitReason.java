package org.jkvm.cpu.vmx;

/**
 * VMX basic exit reasons (Intel SDM vol. 3C, appendix C), the numbers {@link PhysicalCpu#enter()} returns
 * and {@link VmcsField#VM_EXIT_REASON} holds (bits 15:0; bit 31 is set for a failed VM entry).
 */
public final class ExitReason {
    private ExitReason() {}

    public static final int EXCEPTION_NMI = 0, EXTERNAL_INTERRUPT = 1, TRIPLE_FAULT = 2, INIT_SIGNAL = 3,
        INTERRUPT_WINDOW = 7, NMI_WINDOW = 8, TASK_SWITCH = 9, CPUID = 10, GETSEC = 11, HLT = 12, INVD = 13,
        INVLPG = 14, RDPMC = 15, RDTSC = 16, VMCALL = 18, CR_ACCESS = 28, DR_ACCESS = 29, IO_INSTRUCTION = 30,
        MSR_READ = 31, MSR_WRITE = 32, ENTRY_FAIL_GUEST_STATE = 33, ENTRY_FAIL_MSR_LOAD = 34, MWAIT = 36,
        MONITOR_TRAP_FLAG = 37, MONITOR = 39, PAUSE = 40, MACHINE_CHECK = 41, TPR_BELOW_THRESHOLD = 43,
        GDTR_IDTR = 46, LDTR_TR = 47, EPT_VIOLATION = 48, EPT_MISCONFIG = 49, RDTSCP = 51, PREEMPTION_TIMER = 52,
        WBINVD = 54, XSETBV = 55, RDRAND = 57, INVPCID = 58, RDSEED = 61, XSAVES = 63, XRSTORS = 64,
        UMWAIT = 67, TPAUSE = 68;

    /** Bit 31 of the exit-reason field: the VM entry failed (reasons 33, 34, 41). */
    public static final int FAILED_VMENTRY = 0x8000_0000;

    public static final int NUMBER = 80;

    public static String name(int reason) {
        return switch (reason & 0xFFFF) {
            case EXCEPTION_NMI -> "EXCEPTION_NMI"; case EXTERNAL_INTERRUPT -> "EXTERNAL_INTERRUPT";
            case TRIPLE_FAULT -> "TRIPLE_FAULT"; case INIT_SIGNAL -> "INIT_SIGNAL";
            case INTERRUPT_WINDOW -> "INTERRUPT_WINDOW"; case NMI_WINDOW -> "NMI_WINDOW";
            case TASK_SWITCH -> "TASK_SWITCH"; case CPUID -> "CPUID"; case GETSEC -> "GETSEC"; case HLT -> "HLT";
            case INVD -> "INVD"; case INVLPG -> "INVLPG"; case RDPMC -> "RDPMC"; case RDTSC -> "RDTSC";
            case VMCALL -> "VMCALL"; case CR_ACCESS -> "CR_ACCESS"; case DR_ACCESS -> "DR_ACCESS";
            case IO_INSTRUCTION -> "IO_INSTRUCTION"; case MSR_READ -> "MSR_READ"; case MSR_WRITE -> "MSR_WRITE";
            case ENTRY_FAIL_GUEST_STATE -> "ENTRY_FAIL_GUEST_STATE"; case ENTRY_FAIL_MSR_LOAD -> "ENTRY_FAIL_MSR_LOAD";
            case MWAIT -> "MWAIT"; case MONITOR_TRAP_FLAG -> "MONITOR_TRAP_FLAG"; case MONITOR -> "MONITOR";
            case PAUSE -> "PAUSE"; case MACHINE_CHECK -> "MACHINE_CHECK"; case TPR_BELOW_THRESHOLD -> "TPR_BELOW_THRESHOLD";
            case GDTR_IDTR -> "GDTR_IDTR"; case LDTR_TR -> "LDTR_TR"; case EPT_VIOLATION -> "EPT_VIOLATION";
            case EPT_MISCONFIG -> "EPT_MISCONFIG"; case RDTSCP -> "RDTSCP"; case PREEMPTION_TIMER -> "PREEMPTION_TIMER";
            case WBINVD -> "WBINVD"; case XSETBV -> "XSETBV"; case RDRAND -> "RDRAND"; case INVPCID -> "INVPCID";
            case RDSEED -> "RDSEED"; case XSAVES -> "XSAVES"; case XRSTORS -> "XRSTORS";
            default -> "EXIT_" + (reason & 0xFFFF);
        };
    }
}
