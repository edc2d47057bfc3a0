package org.jkvm.cpu.vmx;

/**
 * The fields of the guest-state area, the execution/entry/exit controls and the exit-information area,
 * with their VMX encodings (Intel SDM vol. 3C, appendix B; Linux's names from {@code vmx.h}). Values are
 * truncated to the field width on write, as VMWRITE does. Fields marked jkvm are extensions with no VMX
 * encoding: the soft CPU reports the data of an MMIO or I/O access so the hypervisor need not decode it.
 *
 * <p>Registers VMX does not switch (CR2, CR8, DR0-DR3, DR6, STAR/LSTAR/CSTAR/FMASK, KERNEL_GS_BASE,
 * TSC_AUX, XCR0/XSS/PKRU/XFD) are not here: they stay in the physical CPU across entry and exit, and the
 * hypervisor swaps them through {@link PhysicalCpu}'s host-mode methods, as KVM does on hardware.
 */
public enum VmcsField {
    // ---- 16-bit guest state
    GUEST_ES_SELECTOR(0x0800, 16), GUEST_CS_SELECTOR(0x0802, 16), GUEST_SS_SELECTOR(0x0804, 16),
    GUEST_DS_SELECTOR(0x0806, 16), GUEST_FS_SELECTOR(0x0808, 16), GUEST_GS_SELECTOR(0x080A, 16),
    GUEST_LDTR_SELECTOR(0x080C, 16), GUEST_TR_SELECTOR(0x080E, 16),
    // ---- 32-bit guest state
    GUEST_ES_LIMIT(0x4800, 32), GUEST_CS_LIMIT(0x4802, 32), GUEST_SS_LIMIT(0x4804, 32),
    GUEST_DS_LIMIT(0x4806, 32), GUEST_FS_LIMIT(0x4808, 32), GUEST_GS_LIMIT(0x480A, 32),
    GUEST_LDTR_LIMIT(0x480C, 32), GUEST_TR_LIMIT(0x480E, 32),
    GUEST_GDTR_LIMIT(0x4810, 32), GUEST_IDTR_LIMIT(0x4812, 32),
    /** Access rights in VMX format: descriptor bits 47:40 in 7:0, 55:52 in 15:12, bit 16 = unusable. */
    GUEST_ES_AR_BYTES(0x4814, 32), GUEST_CS_AR_BYTES(0x4816, 32), GUEST_SS_AR_BYTES(0x4818, 32),
    GUEST_DS_AR_BYTES(0x481A, 32), GUEST_FS_AR_BYTES(0x481C, 32), GUEST_GS_AR_BYTES(0x481E, 32),
    GUEST_LDTR_AR_BYTES(0x4820, 32), GUEST_TR_AR_BYTES(0x4822, 32),
    /** Bit 0 blocking by STI, bit 1 blocking by MOV SS, bit 3 blocking by NMI. */
    GUEST_INTERRUPTIBILITY_INFO(0x4824, 32),
    /** 0 active, 1 HLT, 2 shutdown, 3 wait-for-SIPI. */
    GUEST_ACTIVITY_STATE(0x4826, 32),
    GUEST_SYSENTER_CS(0x482A, 32),
    /** Counts down once per retired guest instruction (jkvm's timer rate); exit 52 at zero. */
    VMX_PREEMPTION_TIMER_VALUE(0x482E, 32),
    // ---- 64-bit guest state
    GUEST_IA32_DEBUGCTL(0x2802, 64), GUEST_IA32_PAT(0x2804, 64), GUEST_IA32_EFER(0x2806, 64),
    GUEST_PDPTR0(0x280A, 64), GUEST_PDPTR1(0x280C, 64), GUEST_PDPTR2(0x280E, 64), GUEST_PDPTR3(0x2810, 64),
    // ---- natural-width guest state
    GUEST_CR0(0x6800, 64), GUEST_CR3(0x6802, 64), GUEST_CR4(0x6804, 64),
    GUEST_ES_BASE(0x6806, 64), GUEST_CS_BASE(0x6808, 64), GUEST_SS_BASE(0x680A, 64),
    GUEST_DS_BASE(0x680C, 64), GUEST_FS_BASE(0x680E, 64), GUEST_GS_BASE(0x6810, 64),
    GUEST_LDTR_BASE(0x6812, 64), GUEST_TR_BASE(0x6814, 64), GUEST_GDTR_BASE(0x6816, 64), GUEST_IDTR_BASE(0x6818, 64),
    GUEST_DR7(0x681A, 64), GUEST_RSP(0x681C, 64), GUEST_RIP(0x681E, 64), GUEST_RFLAGS(0x6820, 64),
    GUEST_PENDING_DBG_EXCEPTIONS(0x6822, 64), GUEST_SYSENTER_ESP(0x6824, 64), GUEST_SYSENTER_EIP(0x6826, 64),

    // ---- controls
    /** {@link Vmcs#PIN_EXT_INTR_EXITING}, {@link Vmcs#PIN_NMI_EXITING}, {@link Vmcs#PIN_PREEMPTION_TIMER}. */
    PIN_BASED_VM_EXEC_CONTROL(0x4000, 32),
    /** {@code Vmcs.CPU_*} bits. */
    CPU_BASED_VM_EXEC_CONTROL(0x4002, 32),
    /** Bit n set: guest exception with vector n exits with reason 0 instead of going through the guest IDT. */
    EXCEPTION_BITMAP(0x4004, 32),
    PAGE_FAULT_ERROR_CODE_MASK(0x4006, 32), PAGE_FAULT_ERROR_CODE_MATCH(0x4008, 32),
    CR3_TARGET_COUNT(0x400A, 32),
    VM_EXIT_CONTROLS(0x400C, 32),
    /** {@link Vmcs#ENTRY_IA32E_MODE} and friends. */
    VM_ENTRY_CONTROLS(0x4012, 32),
    /** Event injection: bits 7:0 vector, 10:8 type, 11 deliver error code, 31 valid. Cleared by every exit. */
    VM_ENTRY_INTR_INFO_FIELD(0x4016, 32),
    VM_ENTRY_EXCEPTION_ERROR_CODE(0x4018, 32),
    /** Length of the software interrupt/exception instruction being injected (return RIP = RIP + length). */
    VM_ENTRY_INSTRUCTION_LEN(0x401A, 32),
    TPR_THRESHOLD(0x401C, 32),
    SECONDARY_VM_EXEC_CONTROL(0x401E, 32),
    TSC_OFFSET(0x2010, 64),
    XSS_EXIT_BITMAP(0x202C, 64),
    CR0_GUEST_HOST_MASK(0x6000, 64), CR4_GUEST_HOST_MASK(0x6002, 64),
    CR0_READ_SHADOW(0x6004, 64), CR4_READ_SHADOW(0x6006, 64),
    CR3_TARGET_VALUE0(0x6008, 64), CR3_TARGET_VALUE1(0x600A, 64), CR3_TARGET_VALUE2(0x600C, 64),
    CR3_TARGET_VALUE3(0x600E, 64),

    // ---- exit information (read-only for the hypervisor)
    VM_INSTRUCTION_ERROR(0x4400, 32),
    VM_EXIT_REASON(0x4402, 32),
    /** The exception or NMI that caused exit reason 0 (same layout as the injection field). */
    VM_EXIT_INTR_INFO(0x4404, 32),
    VM_EXIT_INTR_ERROR_CODE(0x4406, 32),
    /** The event whose delivery through the guest IDT was cut short by this exit (same layout). */
    IDT_VECTORING_INFO_FIELD(0x4408, 32),
    IDT_VECTORING_ERROR_CODE(0x440A, 32),
    VM_EXIT_INSTRUCTION_LEN(0x440C, 32),
    VMX_INSTRUCTION_INFO(0x440E, 32),
    EXIT_QUALIFICATION(0x6400, 64),
    GUEST_LINEAR_ADDRESS(0x640A, 64),
    GUEST_PHYSICAL_ADDRESS(0x2400, 64),
    /** jkvm: bytes moved by the access of an EPT_VIOLATION (MMIO) or I/O exit (1, 2, 4 or 8). */
    EXIT_ACCESS_SIZE(-1, 32),
    /** jkvm: the value written by an MMIO write or OUT/OUTS (zero-extended); 0 for reads. */
    EXIT_ACCESS_DATA(-2, 64);

    /** The VMX encoding, or a negative number for a jkvm extension. */
    public final int encoding;
    /** 16, 32 or 64 (natural width is 64 on a 64-bit CPU). */
    public final int width;
    final long mask;

    VmcsField(int encoding, int width) {
        this.encoding = encoding;
        this.width = width;
        this.mask = width == 64 ? -1L : (1L << width) - 1;
    }

    private static final VmcsField[] VALUES = values();

    static VmcsField[] all() { return VALUES; }

    /** The field with this VMX encoding, or null. */
    public static VmcsField byEncoding(int encoding) {
        for (VmcsField f : VALUES) if (f.encoding == encoding) return f;
        return null;
    }

    /** A field of the guest-state area (all of them come first, so their ordinals are below 64). */
    public boolean isGuestState() {
        return ordinal() < PIN_BASED_VM_EXEC_CONTROL.ordinal();
    }

    static {
        if (PIN_BASED_VM_EXEC_CONTROL.ordinal() > 64) throw new AssertionError("guest-state fields must fit a long bitmap");
    }

    public boolean isExitInformation() {
        return ordinal() >= VM_INSTRUCTION_ERROR.ordinal();
    }
}
