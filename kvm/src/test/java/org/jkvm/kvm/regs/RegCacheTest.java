package org.jkvm.kvm.regs;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class RegCacheTest {
    /** A guest-state area that counts every access, standing in for the VMCS. */
    static final class CountingArea implements GuestStateArea {
        long rip = 0x1000, rsp = 0x8000, rflags = 2, cr0 = 0x8000_0031L, cr3 = 0x5000, cr4 = 0x20;
        int reads, writes;
        public long readRip() { reads++; return rip; }
        public void writeRip(long v) { writes++; rip = v; }
        public long readRsp() { reads++; return rsp; }
        public void writeRsp(long v) { writes++; rsp = v; }
        public long readRflags() { reads++; return rflags; }
        public void writeRflags(long v) { writes++; rflags = v; }
        public long readCr0() { reads++; return cr0; }
        public void writeCr0(long v) { writes++; cr0 = v; }
        public long readCr3() { reads++; return cr3; }
        public void writeCr3(long v) { writes++; cr3 = v; }
        public long readCr4() { reads++; return cr4; }
        public void writeCr4(long v) { writes++; cr4 = v; }
        public long readExitInfo1() { reads++; return 0x42; }
        public long readExitInfo2() { reads++; return 0x43; }
    }

    @Test
    void startsAvailableAndDirty() {
        RegCache c = new RegCache(new CountingArea(), () -> true);
        for (Gpr g : Gpr.values()) assertTrue(c.isAvailable(g) && c.isDirty(g));
        for (CachedReg r : CachedReg.values()) assertTrue(c.isAvailable(r) && c.isDirty(r));
        assertEquals(41, CachedReg.NR_TOTAL);
        assertEquals(32, CachedReg.RIP.index());
    }

    @Test
    void lazyLoadOnceThenHit() {
        CountingArea a = new CountingArea();
        RegCache c = new RegCache(a, () -> true);
        c.afterExit(); // as after the first VM-exit
        assertFalse(c.isAvailable(CachedReg.RIP));
        assertFalse(c.isAvailable(Gpr.RSP));
        assertTrue(c.isAvailable(Gpr.RAX));
        int before = a.reads;
        assertEquals(0x1000, c.ripRead());
        assertEquals(0x8000, c.gprReadRaw(Gpr.RSP));
        assertEquals(0x8000_0031L, c.cr0Read());
        assertEquals(0x20, c.cr4Read());
        assertEquals(before + 4, a.reads);
        for (int i = 0; i < 5; i++) {
            c.ripRead();
            c.gprRead(Gpr.RSP);
            c.cr0Read();
            c.cr4Read();
        }
        assertEquals(before + 4, a.reads, "second reads hit the cache");
        assertEquals(4, c.vmreads());
    }

    @Test
    void writeMarksDirtyAndReachesGuestStateBeforeEntry() {
        CountingArea a = new CountingArea();
        RegCache c = new RegCache(a, () -> true);
        c.afterExit(); // as after the first VM-exit
        c.ripWrite(0x2000);
        c.gprWrite(Gpr.RSP, 0x9000);
        assertTrue(c.isDirty(CachedReg.RIP) && c.isAvailable(CachedReg.RIP));
        assertTrue(c.isDirty(Gpr.RSP));
        assertEquals(0x1000, a.rip, "not written before entry");
        c.flushDirty();
        assertEquals(0x2000, a.rip);
        assertEquals(0x9000, a.rsp);
        assertEquals(0, c.dirtyBitmap());
    }

    @Test
    void cr0ReadOnlyFetchesForGuestOwnedBits() {
        CountingArea a = new CountingArea();
        RegCache c = new RegCache(a, () -> true);
        c.setGuestOwnedBits(1L << 3 /* TS */, 0);
        c.cr0Write(0x8000_0031L);
        c.flushDirty();
        c.afterExit();
        a.cr0 = 0x8000_0039L; // the guest set TS
        int before = a.reads;
        assertEquals(1, c.cr0ReadBits(1)); // PE is host-owned: the cached copy is valid
        assertEquals(before, a.reads);
        assertEquals(8, c.cr0ReadBits(8));
        assertEquals(before + 1, a.reads);
    }

    @Test
    void maskedAccessorsTruncateOutside64BitMode() {
        boolean[] longMode = {false};
        RegCache c = new RegCache(new CountingArea(), () -> longMode[0]);
        c.gprWriteRaw(Gpr.RAX, 0x1234_5678_9ABC_DEF0L);
        assertEquals(0x9ABC_DEF0L, c.gprRead(Gpr.RAX));
        assertEquals(0x1234_5678_9ABC_DEF0L, c.gprReadRaw(Gpr.RAX));
        c.gprWrite(Gpr.RBX, -1L);
        assertEquals(0xFFFF_FFFFL, c.gprReadRaw(Gpr.RBX));
        longMode[0] = true;
        c.gprWrite(Gpr.RBX, -1L);
        assertEquals(-1L, c.gprRead(Gpr.RBX));
    }

    @Test
    void gprIndexSpaceIsHardwareOrder() {
        assertEquals(4, Gpr.RSP.number());
        assertEquals(16, Gpr.R16.number());
        assertTrue(Gpr.R31.isEgpr());
        assertFalse(Gpr.R15.isEgpr());
        assertEquals(Gpr.R17, Gpr.of(17));
    }
}
