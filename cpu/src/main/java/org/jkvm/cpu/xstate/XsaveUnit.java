package org.jkvm.cpu.xstate;

import org.jkvm.cpu.fault.Fault;
import org.jkvm.cpu.mem.LinearMemory;

/**
 * The XSAVE feature set on one {@link XState} (Intel SDM vol. 1, ch. 13; vol. 2 XSAVE*, XRSTOR*,
 * XGETBV, XSETBV, FXSAVE, FXRSTOR). Memory goes through {@link LinearMemory} so paging faults are
 * exact; every instruction checks and probes everything it will touch before it changes memory or
 * registers, so a fault leaves both unchanged.
 *
 * <p>Decisions where the SDM allows a choice (all observable on this host's CPU and matched there by
 * the differential tests): XSAVE writes every requested component even when in its initial
 * configuration; XSAVEOPT and XSAVES use the init optimization but never the modified one; XINUSE is
 * tracked per component and set by any write (sticky until the component is initialised), except
 * APX, whose registers the integer core writes, where XINUSE[19] also reads 1 while any of R16-R31
 * is non-zero.
 */
public final class XsaveUnit {
    /** The forms, for the shared save path. */
    private static final int XSAVE = 0, XSAVEOPT = 1, XSAVEC = 2, XSAVES = 3;

    private final XState s;
    private final int[] offsets = new int[64];
    private final byte[] cfg = new byte[64];

    public XsaveUnit(XState state) {
        this.s = state;
    }

    public XState state() {
        return s;
    }

    // ---------------------------------------------------------------- XCR0

    /** XGETBV: ECX=0 XCR0; ECX=1 XCR0 &amp; XINUSE (armed XFD components read as not in use). */
    public long xgetbv(XContext c, long ecx) {
        if ((c.cr4() & XContext.CR4_OSXSAVE) == 0) throw Fault.ud();
        return switch ((int) ecx) {
            case 0 -> s.xcr0;
            case 1 -> {
                if ((s.xsaveExtensions & XsaveCpuid.D1_XGETBV1) == 0) throw Fault.gp0();
                yield s.xcr0 & inUseWithMxcsr(c) & ~s.xfd;
            }
            default -> throw Fault.gp0();
        };
    }

    /**
     * XSETBV as the CPU executes it outside a guest (in a guest it is an unconditional VM-exit after
     * the #UD check, which the caller makes first): #UD without CR4.OSXSAVE; #GP(0) for CPL &gt; 0,
     * ECX &ne; 0, or an invalid XCR0 ({@link #xcr0Valid}).
     */
    public void xsetbv(XContext c, long ecx, long value) {
        if ((c.cr4() & XContext.CR4_OSXSAVE) == 0) throw Fault.ud();
        if (c.cpl() != 0 || (int) ecx != 0) throw Fault.gp0();
        if (!xcr0Valid(value, s.supportedXcr0)) throw Fault.gp0();
        s.xcr0 = value;
    }

    /**
     * The architectural XCR0 rules: only supported bits; x87 set; AVX needs SSE; any AVX-512 bit
     * needs all three and AVX; MPX bits together; AMX bits together; APX never with MPX (they share
     * the offset-960 area).
     */
    public static boolean xcr0Valid(long v, long supported) {
        if ((v & ~supported) != 0) return false;
        if ((v & 1) == 0) return false;
        if ((v & 0b110) == 0b100) return false;
        long avx512 = XFeature.OPMASK.mask | XFeature.ZMM_HI256.mask | XFeature.HI16_ZMM.mask;
        if ((v & avx512) != 0 && ((v & avx512) != avx512 || (v & XFeature.AVX.mask) == 0)) return false;
        long mpx = XFeature.BNDREGS.mask | XFeature.BNDCSR.mask;
        if ((v & mpx) != 0 && (v & mpx) != mpx) return false;
        long amx = XFeature.TILECFG.mask | XFeature.TILEDATA.mask;
        if ((v & amx) != 0 && (v & amx) != amx) return false;
        if ((v & mpx) != 0 && (v & XFeature.APX.mask) != 0) return false;
        return true;
    }

    // ---------------------------------------------------------------- saves

    public void xsave(XContext c, LinearMemory m, long addr, long edxEax, boolean rexW) {
        save(XSAVE, c, m, addr, edxEax, rexW);
    }

    public void xsaveopt(XContext c, LinearMemory m, long addr, long edxEax, boolean rexW) {
        if ((s.xsaveExtensions & XsaveCpuid.D1_XSAVEOPT) == 0) throw Fault.ud();
        save(XSAVEOPT, c, m, addr, edxEax, rexW);
    }

    public void xsavec(XContext c, LinearMemory m, long addr, long edxEax, boolean rexW) {
        if ((s.xsaveExtensions & XsaveCpuid.D1_XSAVEC) == 0) throw Fault.ud();
        save(XSAVEC, c, m, addr, edxEax, rexW);
    }

    public void xsaves(XContext c, LinearMemory m, long addr, long edxEax, boolean rexW) {
        if ((s.xsaveExtensions & XsaveCpuid.D1_XSAVES) == 0) throw Fault.ud();
        save(XSAVES, c, m, addr, edxEax, rexW);
    }

    private void save(int form, XContext c, LinearMemory m, long base, long edxEax, boolean rexW) {
        if ((c.cr4() & XContext.CR4_OSXSAVE) == 0) throw Fault.ud();
        if ((c.cr0() & XContext.CR0_TS) != 0) throw Fault.nm();
        if (form == XSAVES && c.cpl() != 0) throw Fault.gp0();
        if ((base & 63) != 0) throw Fault.gp0();
        boolean l64 = c.long64();
        long rfbm = edxEax & (form == XSAVES ? s.xcr0 | s.xss : s.xcr0);
        // XFD-armed components are reported and saved as if in their initial configuration.
        boolean compacted = form == XSAVEC || form == XSAVES;
        long inuse = (compacted ? inUseWithMxcsr(c) : inUse(c)) & ~s.xfd;
        long saveMask;
        boolean writeMxcsr;
        long xstateBv;
        if (compacted) {
            xstateBv = rfbm & inuse;
            saveMask = xstateBv;
            writeMxcsr = (xstateBv & 2) != 0;
            XsaveLayout.compactedOffsets(rfbm, offsets);
        } else {
            saveMask = form == XSAVE ? rfbm & ~(s.xfd & s.xcr0) : rfbm & inuse;
            writeMxcsr = (rfbm & 6) != 0;
            xstateBv = 0; // merged below with what memory holds
            for (XFeature f : XFeature.all()) offsets[f.index] = f.supervisor ? -1 : f.standardOffset;
        }

        // Probe everything first: the header, MXCSR, each component.
        m.probe(base + XFeature.HEADER_OFFSET, compacted ? 16 : 8, true);
        if (writeMxcsr) m.probe(base + 24, 8, true);
        for (XFeature f : XFeature.all()) {
            if ((saveMask & f.mask) == 0) continue;
            if (f.index == 0) {
                m.probe(base, 24, true);
                m.probe(base + 32, 128, true);
            } else if (f.index == 1) {
                m.probe(base + 160, (l64 ? 16 : 8) * 16, true);
            } else {
                m.probe(base + offsets[f.index], f.size, true);
            }
        }
        long oldBv = compacted ? 0 : m.read64(base + XFeature.HEADER_OFFSET);

        for (XFeature f : XFeature.all()) {
            if ((saveMask & f.mask) != 0) saveComponent(f.index, c, m, base, offsets[f.index], l64, rexW);
        }
        if (writeMxcsr) {
            m.write32(base + 24, s.mxcsr);
            m.write32(base + 28, XState.MXCSR_MASK);
        }
        if (compacted) {
            m.write64(base + XFeature.HEADER_OFFSET, xstateBv);
            m.write64(base + XFeature.HEADER_OFFSET + 8, rfbm | XFeature.XCOMP_BV_COMPACTED);
        } else {
            m.write64(base + XFeature.HEADER_OFFSET, oldBv & ~rfbm | inuse & rfbm);
        }
    }

    // ---------------------------------------------------------------- restores

    public void xrstor(XContext c, LinearMemory m, long addr, long edxEax, boolean rexW) {
        restore(false, c, m, addr, edxEax, rexW);
    }

    public void xrstors(XContext c, LinearMemory m, long addr, long edxEax, boolean rexW) {
        if ((s.xsaveExtensions & XsaveCpuid.D1_XSAVES) == 0) throw Fault.ud();
        restore(true, c, m, addr, edxEax, rexW);
    }

    private void restore(boolean supervisor, XContext c, LinearMemory m, long base, long edxEax, boolean rexW) {
        if ((c.cr4() & XContext.CR4_OSXSAVE) == 0) throw Fault.ud();
        if ((c.cr0() & XContext.CR0_TS) != 0) throw Fault.nm();
        if (supervisor && c.cpl() != 0) throw Fault.gp0();
        if ((base & 63) != 0) throw Fault.gp0();
        boolean l64 = c.long64();
        long enabled = supervisor ? s.xcr0 | s.xss : s.xcr0;
        long rfbm = edxEax & enabled;

        long hdr = base + XFeature.HEADER_OFFSET;
        long xstateBv = m.read64(hdr);
        long xcompBv = m.read64(hdr + 8);
        boolean compacted = xcompBv < 0;
        if (m.read64(hdr + 16) != 0) throw Fault.gp0();
        if (compacted) {
            if ((s.xsaveExtensions & (XsaveCpuid.D1_XSAVEC | XsaveCpuid.D1_XSAVES)) == 0) throw Fault.gp0();
            long comp = xcompBv & ~XFeature.XCOMP_BV_COMPACTED;
            if ((comp & ~enabled) != 0) throw Fault.gp0();
            if ((xstateBv & ~comp) != 0) throw Fault.gp0();
            for (int i = 24; i < 64; i += 8) if (m.read64(hdr + i) != 0) throw Fault.gp0();
            XsaveLayout.compactedOffsets(comp, offsets);
        } else {
            if (supervisor) throw Fault.gp0();
            if (xcompBv != 0) throw Fault.gp0();
            if ((xstateBv & ~s.xcr0) != 0) throw Fault.gp0();
            for (XFeature f : XFeature.all()) offsets[f.index] = f.supervisor ? -1 : f.standardOffset;
        }
        long load = rfbm & xstateBv;
        // MXCSR: the standard form loads it whenever SSE or AVX is requested; the compacted form only
        // with the SSE data, and otherwise (SSE requested, not present) resets it.
        boolean loadMxcsr = compacted ? (load & 2) != 0 : (rfbm & 6) != 0;
        int newMxcsr = s.mxcsr;
        if (loadMxcsr) {
            newMxcsr = m.read32(base + 24);
            if ((newMxcsr & ~XState.MXCSR_MASK) != 0) throw Fault.gp0();
        } else if (compacted && (rfbm & 2) != 0) {
            newMxcsr = XState.MXCSR_INIT;
        }
        // Probe every component that will be loaded before anything changes.
        for (XFeature f : XFeature.all()) {
            if ((load & f.mask) == 0) continue;
            if (f.index == 0) {
                m.probe(base, 24, false);
                m.probe(base + 32, 128, false);
            } else if (f.index == 1) {
                m.probe(base + 160, (l64 ? 16 : 8) * 16, false);
            } else {
                m.probe(base + offsets[f.index], f.size, false);
            }
        }
        // Loading an XFD-armed component is #NM (initialising one is fine).
        long armed = load & s.xfd & s.xcr0;
        if (armed != 0) {
            s.xfdErr |= armed;
            throw Fault.nm();
        }

        for (XFeature f : XFeature.all()) {
            if ((rfbm & f.mask) == 0) continue;
            if ((load & f.mask) != 0) {
                loadComponent(f.index, c, m, base, offsets[f.index], l64, rexW);
                s.xinuse |= f.mask;
            } else {
                s.init(f.index, c, l64);
            }
        }
        s.mxcsr = newMxcsr;
    }

    // ---------------------------------------------------------------- FXSAVE / FXRSTOR

    /** FXSAVE / FXSAVE64: x87, MXCSR and XMM0-7 (0-15 in 64-bit mode) in the 512-byte legacy format. */
    public void fxsave(XContext c, LinearMemory m, long base, boolean rexW) {
        if ((c.cr0() & (XContext.CR0_TS | XContext.CR0_EM)) != 0) throw Fault.nm();
        if ((base & 15) != 0) throw Fault.gp0();
        boolean l64 = c.long64();
        m.probe(base, 160 + (l64 ? 16 : 8) * 16, true);
        saveComponent(0, c, m, base, 0, l64, rexW);
        m.write32(base + 24, s.mxcsr);
        m.write32(base + 28, XState.MXCSR_MASK);
        saveComponent(1, c, m, base, 160, l64, rexW);
    }

    /** FXRSTOR / FXRSTOR64: #GP(0) for MXCSR bits outside MXCSR_MASK, before anything changes. */
    public void fxrstor(XContext c, LinearMemory m, long base, boolean rexW) {
        if ((c.cr0() & (XContext.CR0_TS | XContext.CR0_EM)) != 0) throw Fault.nm();
        if ((base & 15) != 0) throw Fault.gp0();
        boolean l64 = c.long64();
        m.probe(base, 160 + (l64 ? 16 : 8) * 16, false);
        int mx = m.read32(base + 24);
        if ((mx & ~XState.MXCSR_MASK) != 0) throw Fault.gp0();
        loadComponent(0, c, m, base, 0, l64, rexW);
        loadComponent(1, c, m, base, 160, l64, rexW);
        s.mxcsr = mx;
        s.xinuse |= XFeature.X87.mask | XFeature.SSE.mask;
    }

    // ---------------------------------------------------------------- components

    /**
     * XINUSE as XSAVE and XSAVEOPT see it. As on the hardware, bit 1 tracks only the XMM registers,
     * and TILECFG is in use exactly while tiles are configured (loading a palette-0 configuration
     * leaves it initial).
     */
    long inUse(XContext c) {
        long u = s.xinuse & ~XFeature.TILECFG.mask;
        if (s.tiles.configured()) u |= XFeature.TILECFG.mask;
        if ((s.xcr0 & XFeature.APX.mask) != 0 && (u & XFeature.APX.mask) == 0) {
            for (int n = 16; n < 32; n++) {
                if (c.get(n) != 0) {
                    u |= XFeature.APX.mask;
                    break;
                }
            }
        }
        return u;
    }

    /**
     * XINUSE as XGETBV(1) and XSAVEC/XSAVES report it: a non-default MXCSR also counts as SSE in use
     * (the SDM's exception for XSAVEC's XSTATE_BV[1]; XGETBV(1) behaves the same on hardware).
     */
    long inUseWithMxcsr(XContext c) {
        long u = inUse(c);
        if (s.mxcsr != XState.MXCSR_INIT) u |= XFeature.SSE.mask;
        return u;
    }

    private void saveComponent(int i, XContext c, LinearMemory m, long base, int off, boolean l64, boolean rexW) {
        long a = base + off;
        switch (i) {
            case 0 -> X87Format.save(s, m, base, rexW && l64);
            case 1 -> {
                int n = l64 ? 16 : 8;
                for (int r = 0; r < n; r++) {
                    m.write64(a + 16L * r, s.zmm[r * 8]);
                    m.write64(a + 16L * r + 8, s.zmm[r * 8 + 1]);
                }
            }
            case 2 -> {
                int n = l64 ? 16 : 8;
                for (int r = 0; r < n; r++) {
                    m.write64(a + 16L * r, s.zmm[r * 8 + 2]);
                    m.write64(a + 16L * r + 8, s.zmm[r * 8 + 3]);
                }
            }
            case 5 -> {
                for (int r = 0; r < 8; r++) m.write64(a + 8L * r, s.k[r]);
            }
            case 6 -> {
                int n = l64 ? 16 : 8;
                for (int r = 0; r < n; r++) {
                    for (int q = 0; q < 4; q++) m.write64(a + 32L * r + 8 * q, s.zmm[r * 8 + 4 + q]);
                }
            }
            case 7 -> {
                if (!l64) return;
                for (int r = 0; r < 16; r++) {
                    for (int q = 0; q < 8; q++) m.write64(a + 64L * r + 8 * q, s.zmm[(16 + r) * 8 + q]);
                }
            }
            case 9 -> m.write64(a, s.pkru & 0xFFFF_FFFFL);
            case 17 -> {
                s.tiles.encodeConfig(cfg);
                writeBytes(m, a, cfg, 64);
            }
            case 18 -> writeBytes(m, a, s.tiles.data, AmxPalette.TOTAL_TILE_BYTES);
            case 19 -> {
                for (int n = 16; n < 32; n++) m.write64(a + 8L * (n - 16), c.get(n));
            }
            default -> {
                byte[] b = s.opaque[i];
                if (b != null) writeBytes(m, a, b, b.length);
            }
        }
    }

    private void loadComponent(int i, XContext c, LinearMemory m, long base, int off, boolean l64, boolean rexW) {
        long a = base + off;
        switch (i) {
            case 0 -> X87Format.load(s, m, base, rexW && l64);
            case 1 -> {
                int n = l64 ? 16 : 8;
                for (int r = 0; r < n; r++) {
                    s.zmm[r * 8] = m.read64(a + 16L * r);
                    s.zmm[r * 8 + 1] = m.read64(a + 16L * r + 8);
                }
            }
            case 2 -> {
                int n = l64 ? 16 : 8;
                for (int r = 0; r < n; r++) {
                    s.zmm[r * 8 + 2] = m.read64(a + 16L * r);
                    s.zmm[r * 8 + 3] = m.read64(a + 16L * r + 8);
                }
            }
            case 5 -> {
                for (int r = 0; r < 8; r++) s.k[r] = m.read64(a + 8L * r);
            }
            case 6 -> {
                int n = l64 ? 16 : 8;
                for (int r = 0; r < n; r++) {
                    for (int q = 0; q < 4; q++) s.zmm[r * 8 + 4 + q] = m.read64(a + 32L * r + 8 * q);
                }
            }
            case 7 -> {
                if (!l64) return;
                for (int r = 0; r < 16; r++) {
                    for (int q = 0; q < 8; q++) s.zmm[(16 + r) * 8 + q] = m.read64(a + 64L * r + 8 * q);
                }
            }
            case 9 -> s.pkru = m.read32(a);
            case 17 -> {
                // Unlike LDTILECFG, XRSTOR does not fault on a bad configuration: it loads the initial one
                // (observed on hardware).
                readBytes(m, a, cfg, 64);
                if (TileState.validConfig(cfg)) s.tiles.decodeConfig(cfg);
                else s.tiles.release();
            }
            case 18 -> readBytes(m, a, s.tiles.data, AmxPalette.TOTAL_TILE_BYTES);
            case 19 -> {
                for (int n = 16; n < 32; n++) c.set(n, m.read64(a + 8L * (n - 16)));
            }
            default -> {
                byte[] b = s.opaque[i];
                if (b != null) readBytes(m, a, b, b.length);
            }
        }
    }

    static void writeBytes(LinearMemory m, long a, byte[] b, int n) {
        int i = 0;
        for (; i + 8 <= n; i += 8) m.write64(a + i, (long) TileState.I64.get(b, i));
        for (; i < n; i++) m.write8(a + i, b[i]);
    }

    static void readBytes(LinearMemory m, long a, byte[] b, int n) {
        int i = 0;
        for (; i + 8 <= n; i += 8) TileState.I64.set(b, i, m.read64(a + i));
        for (; i < n; i++) b[i] = m.read8(a + i);
    }
}
