package org.jkvm.cpu.vmx;

/**
 * The virtual-machine control structure of one vCPU: guest-state area, execution/entry/exit controls and
 * exit information, read and written by field ({@link #read}/{@link #write}, i.e. VMREAD/VMWRITE), plus the
 * MSR and I/O bitmaps as objects. The physical CPU loads the guest state from here on
 * {@link PhysicalCpu#enter()} and stores it back on the VM exit; between exits nothing here changes
 * behind the hypervisor's back.
 */
public final class Vmcs {
    // PIN_BASED_VM_EXEC_CONTROL
    public static final int PIN_EXT_INTR_EXITING = 1 << 0, PIN_NMI_EXITING = 1 << 3, PIN_VIRTUAL_NMIS = 1 << 5,
        PIN_PREEMPTION_TIMER = 1 << 6;
    // CPU_BASED_VM_EXEC_CONTROL
    public static final int CPU_INTR_WINDOW_EXITING = 1 << 2, CPU_USE_TSC_OFFSETTING = 1 << 3,
        CPU_HLT_EXITING = 1 << 7, CPU_INVLPG_EXITING = 1 << 9, CPU_MWAIT_EXITING = 1 << 10,
        CPU_RDPMC_EXITING = 1 << 11, CPU_RDTSC_EXITING = 1 << 12, CPU_CR3_LOAD_EXITING = 1 << 15,
        CPU_CR3_STORE_EXITING = 1 << 16, CPU_CR8_LOAD_EXITING = 1 << 19, CPU_CR8_STORE_EXITING = 1 << 20,
        CPU_NMI_WINDOW_EXITING = 1 << 22, CPU_MOV_DR_EXITING = 1 << 23, CPU_UNCOND_IO_EXITING = 1 << 24,
        CPU_USE_IO_BITMAPS = 1 << 25, CPU_MONITOR_TRAP_FLAG = 1 << 27, CPU_USE_MSR_BITMAPS = 1 << 28,
        CPU_MONITOR_EXITING = 1 << 29, CPU_PAUSE_EXITING = 1 << 30, CPU_ACTIVATE_SECONDARY_CONTROLS = 1 << 31;
    // SECONDARY_VM_EXEC_CONTROL
    public static final int SEC_DESC_TABLE_EXITING = 1 << 2, SEC_RDTSCP = 1 << 3, SEC_WBINVD_EXITING = 1 << 6,
        SEC_RDRAND_EXITING = 1 << 11, SEC_ENABLE_INVPCID = 1 << 12, SEC_RDSEED_EXITING = 1 << 16,
        SEC_XSAVES = 1 << 20;
    // VM_ENTRY_CONTROLS
    public static final int ENTRY_LOAD_DEBUG_CONTROLS = 1 << 2, ENTRY_IA32E_MODE = 1 << 9,
        ENTRY_LOAD_IA32_PAT = 1 << 14, ENTRY_LOAD_IA32_EFER = 1 << 15;
    // VM_EXIT_CONTROLS
    public static final int EXIT_SAVE_DEBUG_CONTROLS = 1 << 2, EXIT_HOST_ADDR_SPACE_SIZE = 1 << 9,
        EXIT_SAVE_IA32_PAT = 1 << 18, EXIT_SAVE_IA32_EFER = 1 << 20, EXIT_SAVE_PREEMPTION_TIMER = 1 << 22;

    // interruption-information fields (entry injection, exit info, IDT vectoring)
    public static final int INTR_INFO_VALID = 1 << 31, INTR_INFO_DELIVER_CODE = 1 << 11;
    public static final int INTR_TYPE_EXT_INTR = 0, INTR_TYPE_NMI = 2, INTR_TYPE_HARD_EXCEPTION = 3,
        INTR_TYPE_SOFT_INTR = 4, INTR_TYPE_PRIV_SW_EXCEPTION = 5, INTR_TYPE_SOFT_EXCEPTION = 6;

    // GUEST_INTERRUPTIBILITY_INFO
    public static final int BLOCKING_BY_STI = 1, BLOCKING_BY_MOV_SS = 2, BLOCKING_BY_NMI = 8;
    // GUEST_ACTIVITY_STATE
    public static final int ACTIVITY_ACTIVE = 0, ACTIVITY_HLT = 1, ACTIVITY_SHUTDOWN = 2;

    // access-rights bits (VMX format)
    public static final int AR_TYPE_MASK = 0xF, AR_S = 1 << 4, AR_P = 1 << 7, AR_AVL = 1 << 12, AR_L = 1 << 13,
        AR_DB = 1 << 14, AR_G = 1 << 15, AR_UNUSABLE = 1 << 16;

    /** Encodes an interruption-information value (valid bit set). */
    public static int intrInfo(int vector, int type, boolean deliverErrorCode) {
        return INTR_INFO_VALID | (vector & 0xFF) | (type & 7) << 8 | (deliverErrorCode ? INTR_INFO_DELIVER_CODE : 0);
    }

    private final long[] fields = new long[VmcsField.all().length];
    private final MsrBitmap msrBitmap = new MsrBitmap();
    private final IoBitmap ioBitmap = new IoBitmap();

    public Vmcs() {
        write(VmcsField.GUEST_IA32_PAT, 0x0007_0406_0007_0406L);
        write(VmcsField.GUEST_RFLAGS, 2);
        write(VmcsField.GUEST_DR7, 0x400);
        write(VmcsField.EXCEPTION_BITMAP, 1 << 18); // KVM always intercepts #MC
        for (VmcsField f : new VmcsField[] {VmcsField.GUEST_LDTR_AR_BYTES}) write(f, AR_UNUSABLE);
    }

    /** VMREAD. */
    public long read(VmcsField f) {
        return fields[f.ordinal()];
    }

    /** VMWRITE; the value is truncated to the field's width. */
    public void write(VmcsField f, long value) {
        fields[f.ordinal()] = value & f.mask;
    }

    public int read32(VmcsField f) {
        return (int) fields[f.ordinal()];
    }

    public void setBits(VmcsField f, long bits) {
        write(f, read(f) | bits);
    }

    public void clearBits(VmcsField f, long bits) {
        write(f, read(f) & ~bits);
    }

    public boolean test(VmcsField f, long bits) {
        return (read(f) & bits) != 0;
    }

    public MsrBitmap msrBitmap() {
        return msrBitmap;
    }

    public IoBitmap ioBitmap() {
        return ioBitmap;
    }

    // ---- segment fields by register number (ES=0, CS, SS, DS, FS, GS, LDTR=6, TR=7)

    public static VmcsField selectorField(int seg) { return VmcsField.all()[VmcsField.GUEST_ES_SELECTOR.ordinal() + seg]; }

    public static VmcsField limitField(int seg) { return VmcsField.all()[VmcsField.GUEST_ES_LIMIT.ordinal() + seg]; }

    public static VmcsField arField(int seg) { return VmcsField.all()[VmcsField.GUEST_ES_AR_BYTES.ordinal() + seg]; }

    public static VmcsField baseField(int seg) { return VmcsField.all()[VmcsField.GUEST_ES_BASE.ordinal() + seg]; }

    public static VmcsField pdptrField(int i) { return VmcsField.all()[VmcsField.GUEST_PDPTR0.ordinal() + i]; }

    /** Sets all four parts of a guest segment register. */
    public void setSegment(int seg, int selector, long base, int limit, int ar) {
        write(selectorField(seg), selector);
        write(baseField(seg), base);
        write(limitField(seg), limit & 0xFFFF_FFFFL);
        write(arField(seg), ar);
    }

    long[] raw() {
        return fields;
    }
}
