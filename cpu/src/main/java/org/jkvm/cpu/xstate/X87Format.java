package org.jkvm.cpu.xstate;

import org.jkvm.cpu.mem.LinearMemory;

/**
 * The x87 part of the FXSAVE/XSAVE legacy region (bytes 0-23 and 32-159): control, status,
 * abridged tag, opcode, instruction and data pointers (32-bit offset + selector, or 64-bit with
 * REX.W in 64-bit mode), and ST0-ST7 in stack order, 10 bytes each in 16-byte slots. The abridged
 * tag has one bit per physical register (1 = not empty); loading it rebuilds the full tag from the
 * register contents.
 */
final class X87Format {
    private X87Format() {}

    static void save(XState s, LinearMemory m, long base, boolean ptr64) {
        m.write16(base, (short) s.fcw);
        m.write16(base + 2, (short) s.fsw);
        m.write8(base + 4, (byte) abridgedTag(s.ftw));
        m.write8(base + 5, (byte) 0);
        m.write16(base + 6, (short) (s.fop & 0x7FF));
        if (ptr64) {
            m.write64(base + 8, s.fip);
            m.write64(base + 16, s.fdp);
        } else {
            m.write32(base + 8, (int) s.fip);
            m.write32(base + 12, s.zeroFcsFds ? 0 : s.fcs & 0xFFFF);
            m.write32(base + 16, (int) s.fdp);
            m.write32(base + 20, s.zeroFcsFds ? 0 : s.fds & 0xFFFF);
        }
        int top = top(s);
        for (int i = 0; i < 8; i++) {
            int p = (top + i) & 7;
            long a = base + 32 + 16L * i;
            m.write64(a, s.fpMant[p]);
            m.write16(a + 8, s.fpExp[p]);
            m.write16(a + 10, (short) 0);
            m.write32(a + 12, 0);
        }
    }

    static void load(XState s, LinearMemory m, long base, boolean ptr64) {
        s.fcw = fixFcw(m.read16(base));
        s.fsw = fixFsw(m.read16(base + 2), s.fcw);
        int abridged = m.read8(base + 4) & 0xFF;
        s.fop = m.read16(base + 6) & 0x7FF;
        if (ptr64) {
            s.fip = s.canonical(m.read64(base + 8));
            s.fdp = m.read64(base + 16);
            s.fcs = s.fds = 0;
        } else {
            s.fip = m.read32(base + 8) & 0xFFFF_FFFFL;
            s.fcs = m.read16(base + 12) & 0xFFFF;
            s.fdp = m.read32(base + 16) & 0xFFFF_FFFFL;
            s.fds = m.read16(base + 20) & 0xFFFF;
        }
        int top = top(s);
        for (int i = 0; i < 8; i++) {
            int p = (top + i) & 7;
            long a = base + 32 + 16L * i;
            s.fpMant[p] = m.read64(a);
            s.fpExp[p] = m.read16(a + 8);
        }
        int ftw = 0;
        for (int p = 0; p < 8; p++) {
            int tag = (abridged >> p & 1) == 0 ? 3 : classify(s.fpExp[p], s.fpMant[p]);
            ftw |= tag << (2 * p);
        }
        s.ftw = ftw;
    }

    /** Bits 6 (reads as 1), 7 and 13-15 (read as 0) of the control word are not writable. */
    static int fixFcw(int v) {
        return v & 0x1F3F | 0x40;
    }

    /** The error-summary and busy bits are not stored: they follow the unmasked exception flags. */
    static int fixFsw(int v, int fcw) {
        boolean es = (v & 0x3F & ~fcw) != 0;
        return v & 0x7F7F | (es ? 0x8080 : 0);
    }

    static int top(XState s) {
        return (s.fsw >> 11) & 7;
    }

    /** One bit per physical register: 1 unless the 2-bit tag is 11b (empty). */
    static int abridgedTag(int ftw) {
        int a = 0;
        for (int p = 0; p < 8; p++) if ((ftw >> (2 * p) & 3) != 3) a |= 1 << p;
        return a;
    }

    /** The tag a loaded value gets: 00 valid, 01 zero, 10 special (NaN, infinity, denormal, unnormal). */
    static int classify(short exp, long mant) {
        int e = exp & 0x7FFF;
        if (e == 0) return mant == 0 ? 1 : 2;
        if (e == 0x7FFF) return 2;
        return mant < 0 ? 0 : 2; // J bit clear: unnormal
    }
}
