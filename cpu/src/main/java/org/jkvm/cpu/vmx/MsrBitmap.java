package org.jkvm.cpu.vmx;

/**
 * The VMX MSR bitmap: one read and one write intercept bit for each MSR in 0..0x1FFF and
 * 0xC0000000..0xC0001FFF. MSRs outside both ranges always exit. A new bitmap intercepts everything;
 * the hypervisor passes MSRs through by clearing bits (KVM's {@code vmx_disable_intercept_for_msr}).
 * Only consulted while {@link Vmcs#CPU_USE_MSR_BITMAPS} is set; otherwise every RDMSR/WRMSR exits.
 */
public final class MsrBitmap {
    // VMX layout: read-low, read-high, write-low, write-high, 1 KiB (8192 bits) each
    private final long[] bits = new long[512];

    public MsrBitmap() {
        java.util.Arrays.fill(bits, -1L);
    }

    private static int slot(int msr) {
        if (msr >= 0 && msr <= 0x1FFF) return msr;
        if (msr >= 0xC000_0000 && msr <= 0xC000_1FFF) return 0x2000 + (msr - 0xC000_0000);
        return -1;
    }

    public boolean exitsOnRead(int msr) {
        int s = slot(msr);
        return s < 0 || (bits[s >>> 6] & (1L << s)) != 0;
    }

    public boolean exitsOnWrite(int msr) {
        int s = slot(msr);
        if (s < 0) return true;
        s += 0x4000;
        return (bits[s >>> 6] & (1L << s)) != 0;
    }

    /** Sets the read and write intercepts of {@code msr}; an MSR outside the two ranges cannot be passed through. */
    public void intercept(int msr, boolean read, boolean write) {
        int s = slot(msr);
        if (s < 0) {
            if (!read || !write) throw new IllegalArgumentException("MSR " + Integer.toHexString(msr) + " always exits");
            return;
        }
        set(s, read);
        set(s + 0x4000, write);
    }

    private void set(int s, boolean v) {
        if (v) bits[s >>> 6] |= 1L << s;
        else bits[s >>> 6] &= ~(1L << s);
    }

    public void interceptAll() {
        java.util.Arrays.fill(bits, -1L);
    }
}
