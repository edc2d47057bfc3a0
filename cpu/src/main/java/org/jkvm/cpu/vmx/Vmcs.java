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

    /**
     * The CPU whose registers hold the guest state since the last VM exit, or null. Hardware keeps the current
     * VMCS's guest state in the processor and writes it to memory only when it must (VMCLEAR, VMPTRLD of
     * another VMCS); this does the same for the soft CPU, so that an exit and a re-entry do not copy some sixty
     * fields each way. While live, a VMREAD of a guest-state field asks the CPU, a VMWRITE marks the field
     * {@link #dirtyFields() dirty}, and the next entry loads only the dirty fields.
     */
    private LiveGuestState live;
    private long dirty;

    /** The guest-state fields a live CPU answers for: all but the two the exit stores eagerly. */
    public static final long LIVE_FIELDS;

    static {
        long m = 0;
        for (VmcsField f : VmcsField.all()) {
            if (f.isGuestState() && f != VmcsField.VMX_PREEMPTION_TIMER_VALUE && f != VmcsField.GUEST_PENDING_DBG_EXCEPTIONS)
                m |= 1L << f.ordinal();
        }
        LIVE_FIELDS = m;
    }

    /** A CPU holding a VMCS's guest state in its registers. */
    public interface LiveGuestState {
        /** The current value of guest-state field {@code f} (one of {@link #LIVE_FIELDS}). */
        long guestField(VmcsField f);
    }

    public Vmcs() {
        write(VmcsField.GUEST_IA32_PAT, 0x0007_0406_0007_0406L);
        write(VmcsField.GUEST_RFLAGS, 2);
        write(VmcsField.GUEST_DR7, 0x400);
        write(VmcsField.EXCEPTION_BITMAP, 1 << 18); // KVM always intercepts #MC
        for (VmcsField f : new VmcsField[] {VmcsField.GUEST_LDTR_AR_BYTES}) write(f, AR_UNUSABLE);
    }

    /** VMREAD. */
    public long read(VmcsField f) {
        int i = f.ordinal();
        if (live != null && i < 64 && ((LIVE_FIELDS & ~dirty) >>> i & 1) != 0) return live.guestField(f) & f.mask;
        return fields[i];
    }

    /** VMWRITE; the value is truncated to the field's width. */
    public void write(VmcsField f, long value) {
        int i = f.ordinal();
        fields[i] = value & f.mask;
        if (i < 64) dirty |= 1L << i;
    }

    // ---- for the CPU that runs this VMCS

    /** At VM exit: the guest state now lives in {@code cpu}; no field is dirty. */
    public void makeLive(LiveGuestState cpu) {
        live = cpu;
        dirty = 0;
    }

    /** The CPU holding the guest state, or null when this VMCS's fields hold all of it. */
    public LiveGuestState liveIn() {
        return live;
    }

    /** Guest-state fields written since the last exit (bit = field ordinal); meaningful while live. */
    public long dirtyFields() {
        return dirty & LIVE_FIELDS;
    }

    /** The value stored in the VMCS itself (the hypervisor's write of a dirty field). */
    public long stored(VmcsField f) {
        return fields[f.ordinal()];
    }

    /** Writes the live guest state into the fields (those not overwritten since) and detaches the CPU. */
    public void release() {
        LiveGuestState l = live;
        if (l == null) return;
        long todo = LIVE_FIELDS & ~dirty;
        live = null;
        VmcsField[] all = VmcsField.all();
        while (todo != 0) {
            int i = Long.numberOfTrailingZeros(todo);
            todo &= todo - 1;
            fields[i] = l.guestField(all[i]) & all[i].mask;
        }
        dirty = 0;
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
        release();
        return fields;
    }
}
