package org.jkvm.cpu.xstate;

import java.util.Arrays;

import org.jkvm.cpu.fault.Fault;
import org.jkvm.cpu.model.CpuModel;

/**
 * The extended register state of one physical CPU: x87, MXCSR, XMM/YMM/ZMM 0-31, opmasks, PKRU,
 * AMX tiles, opaque supervisor components, and the registers that govern them (XCR0, IA32_XSS,
 * IA32_XFD, IA32_XFD_ERR) plus the processor's XINUSE tracking.
 *
 * <p>Register files are public arrays so that the SIMD and x87 executors reach them without
 * indirection; executors call {@link #touch(long)} when they change a component so that XINUSE
 * stays truthful (a clear XINUSE bit must always mean the component is in its initial
 * configuration). The XSAVE family is in {@link XsaveUnit}.
 */
public final class XState {
    /** MXCSR reset value and the MXCSR_MASK this CPU reports (every MXCSR bit 0-15 writable, DAZ included). */
    public static final int MXCSR_INIT = 0x1F80, MXCSR_MASK = 0xFFFF;
    /** x87 control word after FNINIT/reset. */
    public static final int FCW_INIT = 0x037F;

    // ---- what the model supports
    public final long supportedXcr0;
    public final long supportedXss;
    public final long xfdSupported;
    /** CPUID.(0xD,1):EAX of the model. */
    public final int xsaveExtensions;
    /** CPUID.(7,0):EBX[13]: FCS and FDS are saved as zero. */
    public final boolean zeroFcsFds;
    /** The model's CPUID features: instructions whose feature is absent are #UD. */
    public final java.util.Set<org.jkvm.isa.CpuFeature> features;
    /** Linear-address width (57 with LA57, else 48): the x87 instruction pointer is kept canonical to it. */
    public final int linearBits;

    // ---- governing registers
    long xcr0 = 1;
    long xss;
    long xfd;
    long xfdErr;
    /** Components not in their initial configuration (may be conservatively set). */
    long xinuse;

    // ---- x87: physical registers R0-R7 (64-bit significand + 16-bit sign/exponent), tags per physical register
    public final long[] fpMant = new long[8];
    public final short[] fpExp = new short[8];
    public int fcw = FCW_INIT, fsw;
    /** The full tag word, 2 bits per physical register (11b = empty). */
    public int ftw = 0xFFFF;
    public int fop;
    public long fip, fdp;
    public int fcs, fds;

    // ---- SSE/AVX/AVX-512
    public int mxcsr = MXCSR_INIT;
    /** ZMM0-31, 8 little-endian quadwords each: zmm[r * 8 + q]; XMM is q 0-1, YMM q 0-3. */
    public final long[] zmm = new long[32 * 8];
    /** k0-k7. */
    public final long[] k = new long[8];

    // ---- PKRU
    public int pkru;

    // ---- AMX
    public final TileState tiles = new TileState();

    // ---- components jkvm stores but does not interpret (MPX, supervisor state), indexed by component number
    final byte[][] opaque = new byte[64][];

    public XState(CpuModel model) {
        this.supportedXcr0 = model.supportedXcr0() == 0 ? XFeature.X87.mask | XFeature.SSE.mask : model.supportedXcr0();
        this.supportedXss = model.supportedXss();
        this.xfdSupported = model.xfdSupported();
        this.xsaveExtensions = model.xsaveExtensions();
        this.zeroFcsFds = model.has(org.jkvm.isa.CpuFeature.ZERO_FCS_FDS);
        this.linearBits = model.has(org.jkvm.isa.CpuFeature.LA57) ? 57 : 48;
        this.features = model.features();
        for (XFeature f : XFeature.all()) {
            if (isOpaque(f)) opaque[f.index] = new byte[f.size];
        }
    }

    /** Components kept as plain bytes: jkvm implements the state container, not the feature. */
    static boolean isOpaque(XFeature f) {
        return f.supervisor || f == XFeature.BNDREGS || f == XFeature.BNDCSR;
    }

    // ---------------------------------------------------------------- governing registers

    public long xcr0() { return xcr0; }

    public long xss() { return xss; }

    public long xfd() { return xfd; }

    public long xfdErr() { return xfdErr; }

    /** XINUSE as XGETBV(1) would report it for every component (before masking with XCR0). */
    public long xinuse() { return xinuse; }

    /** Marks components as possibly not in their initial configuration; executors call this on every write. */
    public void touch(long mask) {
        xinuse |= mask;
    }

    /**
     * Marks components as back in their initial configuration, for instructions that put them there
     * (VZEROUPPER, VZEROALL, TILERELEASE). Only call when the whole component really is initial.
     */
    public void clearInUse(long mask) {
        xinuse &= ~mask;
    }

    /** WRMSR IA32_XSS (0xDA0): #GP for bits the model does not support. */
    public void writeXss(long v) {
        if ((v & ~supportedXss) != 0) throw Fault.gp0();
        xss = v;
    }

    /** WRMSR IA32_XFD (0x1C4): #GP for bits that are not XFD-capable here. */
    public void writeXfd(long v) {
        if ((v & ~xfdSupported) != 0) throw Fault.gp0();
        xfd = v;
    }

    /** WRMSR IA32_XFD_ERR (0x1C5): #GP for bits that are not XFD-capable here. */
    public void writeXfdErr(long v) {
        if ((v & ~xfdSupported) != 0) throw Fault.gp0();
        xfdErr = v;
    }

    /**
     * Sets XCR0 without the XSETBV checks: for the hypervisor model's host/guest switch after it has
     * validated the value, and for VM-entry/exit loading. Use {@link XsaveUnit#xsetbv} for the
     * instruction.
     */
    public void loadXcr0(long v) {
        if ((v & ~supportedXcr0) != 0 || (v & 1) == 0) throw new IllegalArgumentException("XCR0 0x" + Long.toHexString(v));
        xcr0 = v;
    }

    /** Sets IA32_XSS without the WRMSR check (same use as {@link #loadXcr0}). */
    public void loadXss(long v) {
        if ((v & ~supportedXss) != 0) throw new IllegalArgumentException("XSS 0x" + Long.toHexString(v));
        xss = v;
    }

    // ---------------------------------------------------------------- XFD

    /**
     * The check an instruction makes before touching {@code components}: #NM with XFD_ERR updated when
     * any of them is enabled in XCR0 and armed in XFD. CR0.TS is the caller's (it leaves XFD_ERR alone).
     */
    public void xfdCheck(long components) {
        long armed = components & xcr0 & xfd;
        if (armed != 0) {
            xfdErr |= armed;
            throw Fault.nm();
        }
    }

    // ---------------------------------------------------------------- init configuration

    /** Puts component {@code index} in its initial configuration and clears its XINUSE bit. */
    public void init(int index, ApxRegisters apx, boolean long64) {
        switch (index) {
            case 0 -> {
                fcw = FCW_INIT;
                fsw = 0;
                ftw = 0xFFFF;
                fop = 0;
                fip = fdp = 0;
                fcs = fds = 0;
                Arrays.fill(fpMant, 0);
                Arrays.fill(fpExp, (short) 0);
            }
            case 1 -> {
                int n = long64 ? 16 : 8;
                for (int r = 0; r < n; r++) zmm[r * 8] = zmm[r * 8 + 1] = 0;
            }
            case 2 -> {
                int n = long64 ? 16 : 8;
                for (int r = 0; r < n; r++) zmm[r * 8 + 2] = zmm[r * 8 + 3] = 0;
            }
            case 5 -> Arrays.fill(k, 0);
            case 6 -> {
                int n = long64 ? 16 : 8;
                for (int r = 0; r < n; r++) Arrays.fill(zmm, r * 8 + 4, r * 8 + 8, 0);
            }
            case 7 -> {
                if (long64) Arrays.fill(zmm, 16 * 8, 32 * 8, 0);
            }
            case 9 -> pkru = 0;
            case 17 -> tiles.release();
            case 18 -> tiles.zeroData();
            case 19 -> {
                for (int n = 16; n < 32; n++) apx.set(n, 0);
            }
            default -> {
                if (opaque[index] != null) Arrays.fill(opaque[index], (byte) 0);
            }
        }
        // Outside 64-bit mode XMM8-15 (and their upper parts, and ZMM16-31) are neither initialised
        // nor loaded, so the component is only known to be initial if those are zero too.
        if (long64 || !(index == 1 || index == 2 || index == 6 || index == 7) || isZero(index)) {
            xinuse &= ~(1L << index);
        }
    }

    private boolean isZero(int index) {
        for (int r = 0; r < 32; r++) {
            for (int q = 0; q < 8; q++) {
                boolean in = switch (index) {
                    case 1 -> r < 16 && q < 2;
                    case 2 -> r < 16 && (q == 2 || q == 3);
                    case 6 -> r < 16 && q >= 4;
                    default -> r >= 16;
                };
                if (in && zmm[r * 8 + q] != 0) return false;
            }
        }
        return true;
    }

    /** RESET/INIT#: every component to its initial configuration, XCR0 = 1, XSS = XFD = XFD_ERR = 0. */
    public void reset(ApxRegisters apx) {
        for (XFeature f : XFeature.all()) init(f.index, apx, true);
        mxcsr = MXCSR_INIT;
        xcr0 = 1;
        xss = xfd = xfdErr = 0;
        xinuse = 0;
    }

    /** {@code v} sign-extended from the top implemented linear-address bit. */
    public long canonical(long v) {
        int sh = 64 - linearBits;
        return v << sh >> sh;
    }

    // ---------------------------------------------------------------- PKRU

    /** RDPKRU: #GP unless ECX = 0; #UD when CR4.PKE = 0 is the caller's check (it needs CR4). */
    public int rdpkru(long ecx) {
        if ((int) ecx != 0) throw Fault.gp0();
        return pkru;
    }

    /** WRPKRU: #GP unless ECX = EDX = 0. */
    public void wrpkru(long ecx, long edx, long eax) {
        if ((int) ecx != 0 || (int) edx != 0) throw Fault.gp0();
        pkru = (int) eax;
        if (pkru != 0) xinuse |= XFeature.PKRU.mask;
    }

    /**
     * May a user-mode-page data access with protection key {@code key} proceed under PKRU? (SDM
     * vol. 3, 4.6.2.) Call only when CR4.PKE = 1 and the page is a user page; instruction fetches are
     * never checked. AD forbids every data access; WD forbids writes from user mode, and supervisor
     * writes too when CR0.WP = 1.
     */
    public boolean pkeyAllows(int key, boolean write, boolean user, boolean cr0Wp) {
        int bits = pkru >>> (2 * (key & 15));
        if ((bits & 1) != 0) return false;
        if (write && (bits & 2) != 0 && (user || cr0Wp)) return false;
        return true;
    }
}
