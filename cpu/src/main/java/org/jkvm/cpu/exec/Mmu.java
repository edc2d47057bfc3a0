package org.jkvm.cpu.exec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;

import org.jkvm.cpu.fault.Fault;
import org.jkvm.cpu.mem.PhysicalMemory;
import org.jkvm.cpu.mem.RamRegion;

/**
 * Linear-to-physical translation (32-bit, PAE, 4- and 5-level paging with large pages, NX, WP, SMEP, SMAP,
 * protection keys, A/D bits), the software TLB, guest-RAM access and the tracking of pages that hold
 * translated code.
 *
 * <p>The TLB is direct-mapped on the 4 KiB page number and split by privilege (user/supervisor sets, swapped
 * on CPL change) and by access (read, write). An entry holds the host address of the page, so a hit is one
 * compare plus one native load. Write entries are only filled for pages without translated code, so every
 * store to a code page takes the slow path, which invalidates the blocks it overlaps (self-modifying code).
 */
public abstract class Mmu extends CpuState {
    /** All of the host address space; only ever indexed with addresses taken from native RAM segments. */
    static final MemorySegment HOST = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    static final ValueLayout.OfByte B = ValueLayout.JAVA_BYTE;
    static final ValueLayout.OfShort S = ValueLayout.JAVA_SHORT_UNALIGNED;
    static final ValueLayout.OfInt I = ValueLayout.JAVA_INT_UNALIGNED;
    static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG_UNALIGNED;

    static final int TLB_BITS = 10, TLB_SIZE = 1 << TLB_BITS, TLB_MASK = TLB_SIZE - 1;

    /** One privilege's TLB. */
    static final class Tlb {
        final long[] rtag = new long[TLB_SIZE], wtag = new long[TLB_SIZE];
        final long[] raddr = new long[TLB_SIZE], waddr = new long[TLB_SIZE];
        final long[] wphys = new long[TLB_SIZE];

        void flush() {
            Arrays.fill(rtag, -1L);
            Arrays.fill(wtag, -1L);
        }
    }

    final Tlb supTlb = new Tlb(), userTlb = new Tlb();
    long[] rtag, wtag, raddr, waddr;

    protected final PhysicalMemory pmem;
    private int pmemGeneration = -1;

    /** Incremented whenever a translation of code may have changed (TLB flush, code invalidation). */
    public int codeEpoch;
    /**
     * Incremented at every VM entry: guest RAM may have been written from outside guest mode, so a block's
     * bytes are compared once more; its translation (codeEpoch) stays valid.
     */
    public int ramEpoch;

    protected Mmu(PhysicalMemory pmem) {
        this.pmem = pmem;
        supTlb.flush();
        userTlb.flush();
        selectTlb();
    }

    /** Points the hot-path TLB arrays at the set for the current privilege. */
    final void selectTlb() {
        Tlb t = cpl == 3 ? userTlb : supTlb;
        rtag = t.rtag;
        wtag = t.wtag;
        raddr = t.raddr;
        waddr = t.waddr;
    }

    public final void flushTlb() {
        supTlb.flush();
        userTlb.flush();
        pkruDecided = false;
        codeEpoch++;
    }

    /**
     * Whether the TLB holds a data translation whose permission passed a protection-key check, and the PKRU it
     * was checked against. Hardware checks PKRU on every access; the soft TLB caches the allowed access, so a
     * different PKRU must drop those entries. Translations that no key check applied to stay.
     */
    private boolean pkruDecided;
    private int pkruDecidedValue;

    /** After PKRU may have changed (WRPKRU, XRSTOR, the hypervisor's switch): drops stale key decisions. */
    public final void pkruChanged() {
        if (pkruDecided && pkru() != pkruDecidedValue) flushTlb();
    }

    public final void flushTlbPage(long lin) {
        int i = (int) (lin >>> 12) & TLB_MASK;
        supTlb.rtag[i] = supTlb.wtag[i] = -1;
        userTlb.rtag[i] = userTlb.wtag[i] = -1;
        codeEpoch++;
    }

    /** Called at VM entry: RAM regions may have changed while the vCPU was outside. */
    final void checkMemoryGeneration() {
        int g = pmem.generation();
        if (g != pmemGeneration) {
            pmemGeneration = g;
            flushTlb();
            codePages.clear();
            codeBits = new long[(int) ((pmem.top() >>> 12) + 64 >>> 6)];
        }
    }

    // ---------------------------------------------------------------- exit information (filled before ExitSignal)

    public int exitReason;
    public long exitQualification, exitGpa, exitGla, exitAccessData;
    public int exitAccessSize, exitInstrLen, exitIntrInfo, exitIntrError, idtVectoringInfo, idtVectoringError;

    /** Completed MMIO reads of the instruction being restarted: gpa, size, value. */
    final long[] mmioDoneGpa = new long[4], mmioDoneVal = new long[4];
    final int[] mmioDoneSize = new int[4];
    int mmioDoneCount;
    /** An MMIO write performed by the current instruction, reported once it retires. */
    boolean mmioWritePending;
    long mmioWriteGpa, mmioWriteData, mmioWriteGla;
    int mmioWriteSize;
    /** Set by slow paths that need the current block to stop after the instruction in progress. */
    public boolean stopBlock;
    /**
     * A VM exit decided by an instruction that returned normally instead of throwing {@link ExitSignal} (HotSpot
     * unwinds a thrown exception through every compiled frame up to the run loop, which costs more than the
     * rest of a fastpath exit). The block stops; the run loop then puts RIP back on the instruction
     * ({@link #exitRip}) and takes the instruction out of the retired count, exactly as the throwing path does.
     */
    boolean exitPending;
    long exitRip;

    final ExitSignal mmioReadExit(long gpa, long gla, int size) {
        exitReason = 48;
        exitQualification = 1 | 0x80 | 0x100; // read, linear valid, translated access
        exitGpa = gpa;
        exitGla = gla;
        exitAccessSize = size;
        exitAccessData = 0;
        return ExitSignal.INSTANCE;
    }

    // ---------------------------------------------------------------- protection keys (PKRU is the xstate's)

    /** The current PKRU value; the physical CPU routes this to the extended-state unit. */
    protected abstract int pkru();

    // ---------------------------------------------------------------- translation

    static final int ACC_READ = 0, ACC_WRITE = 1, ACC_FETCH = 2;
    static final long PTE_P = 1, PTE_RW = 2, PTE_US = 4, PTE_A = 0x20, PTE_D = 0x40, PTE_PS = 0x80, PTE_XD = 1L << 63;
    static final long ADDR_MASK = 0x000F_FFFF_FFFF_F000L;

    /** Result of the last successful walk: the page is user-accessible / writable at the requested privilege. */
    boolean walkWritable;

    /**
     * Translates a linear address for an access at {@code user} privilege, setting A/D bits, or throws #PF.
     * {@code implicitSup}: a supervisor access by the CPU itself (descriptor tables), which SMAP always checks.
     */
    public final long translate(long lin, int acc, boolean user, boolean implicitSup) {
        if (!paging()) {
            walkWritable = true;
            return lma() ? lin : lin & 0xFFFF_FFFFL;
        }
        boolean write = acc == ACC_WRITE, fetch = acc == ACC_FETCH;
        boolean nxe = (efer & 0x800) != 0;
        long rw = PTE_RW, us = PTE_US, xd = 0;
        long pa;
        long leaf, leafAddr;
        long pageMask;
        if (lma()) {
            boolean la57 = (cr4 & 0x1000) != 0;
            int levels = la57 ? 5 : 4;
            long table = cr3 & ADDR_MASK;
            long e = 0, ea = 0;
            int shift = la57 ? 48 : 39;
            int level = levels;
            while (true) {
                ea = table + (((lin >>> shift) & 0x1FF) << 3);
                e = ptRead(ea);
                if ((e & PTE_P) == 0) throw pf(lin, acc, user, false, false);
                if (!nxe && (e & PTE_XD) != 0) throw pf(lin, acc, user, true, false);
                if ((e & PTE_PS) != 0 && (level >= 4 || level == 1 && false)) throw pf(lin, acc, user, true, false);
                rw &= e;
                us &= e;
                xd |= e & PTE_XD;
                boolean large = (e & PTE_PS) != 0 && (level == 3 || level == 2);
                if (level == 1 || large) break;
                if ((e & PTE_A) == 0) ptWrite(ea, e | PTE_A);
                table = e & ADDR_MASK;
                shift -= 9;
                level--;
            }
            leaf = e;
            leafAddr = ea;
            pageMask = (1L << shift) - 1;
            if (level == 3 && (e & 0x3FFFE000L) != 0 || level == 2 && (e & 0x1FE000L) != 0)
                throw pf(lin, acc, user, true, false);
            pa = (e & ADDR_MASK & ~pageMask) | (lin & pageMask);
        } else if ((cr4 & 0x20) != 0) { // PAE
            long pdpe = pdpte[(int) (lin >>> 30) & 3];
            if ((pdpe & PTE_P) == 0) throw pf(lin, acc, user, false, false);
            long ea = (pdpe & ADDR_MASK) + (((lin >>> 21) & 0x1FF) << 3);
            long e = ptRead(ea);
            if ((e & PTE_P) == 0) throw pf(lin, acc, user, false, false);
            if (!nxe && (e & PTE_XD) != 0) throw pf(lin, acc, user, true, false);
            rw &= e;
            us &= e;
            xd |= e & PTE_XD;
            if ((e & PTE_PS) != 0) {
                pageMask = 0x1F_FFFFL;
            } else {
                if ((e & PTE_A) == 0) ptWrite(ea, e | PTE_A);
                ea = (e & ADDR_MASK) + (((lin >>> 12) & 0x1FF) << 3);
                e = ptRead(ea);
                if ((e & PTE_P) == 0) throw pf(lin, acc, user, false, false);
                if (!nxe && (e & PTE_XD) != 0) throw pf(lin, acc, user, true, false);
                rw &= e;
                us &= e;
                xd |= e & PTE_XD;
                pageMask = 0xFFF;
            }
            leaf = e;
            leafAddr = ea;
            pa = (e & ADDR_MASK & ~pageMask) | (lin & pageMask);
        } else { // 32-bit paging
            long ea = (cr3 & 0xFFFF_F000L) + (((lin >>> 22) & 0x3FF) << 2);
            long e = ptRead32(ea);
            if ((e & PTE_P) == 0) throw pf(lin, acc, user, false, false);
            rw &= e;
            us &= e;
            if ((e & PTE_PS) != 0 && (cr4 & 0x10) != 0) {
                pageMask = 0x3F_FFFFL;
                pa = (e & 0xFFC0_0000L) | ((e >>> 13) & 0xFF) << 32 | (lin & pageMask);
            } else {
                if ((e & PTE_A) == 0) ptWrite32(ea, e | PTE_A);
                ea = (e & 0xFFFF_F000L) + (((lin >>> 12) & 0x3FF) << 2);
                e = ptRead32(ea);
                if ((e & PTE_P) == 0) throw pf(lin, acc, user, false, false);
                rw &= e;
                us &= e;
                pageMask = 0xFFF;
                pa = (e & 0xFFFF_F000L) | (lin & 0xFFF);
            }
            leaf = e;
            leafAddr = ea;
            nxe = false;
        }
        // permissions
        boolean wp = (cr0 & 0x1_0000) != 0;
        if (user) {
            if (us == 0) throw pf(lin, acc, user, false, false);
            if (write && rw == 0) throw pf(lin, acc, user, false, false);
        } else {
            if (write && rw == 0 && wp) throw pf(lin, acc, user, false, false);
            if (us != 0) {
                if (fetch && (cr4 & 0x10_0000) != 0) throw pf(lin, acc, user, false, false); // SMEP
                if (!fetch && (cr4 & 0x20_0000) != 0 && (implicitSup || (rflags & Flags.AC) == 0))
                    throw pf(lin, acc, user, false, false); // SMAP
            }
        }
        if (fetch && xd != 0 && nxe) throw pf(lin, acc, user, false, false);
        if (!fetch && us != 0 && lma() && (cr4 & 0x40_0000) != 0) { // protection keys
            int key = (int) (leaf >>> 59) & 0xF;
            int cur = pkru();
            int pk = cur >>> (key * 2);
            if ((pk & 1) != 0 || write && (pk & 2) != 0 && (user || wp)) throw pf(lin, acc, user, false, true);
            if (pkruDecided && cur != pkruDecidedValue) flushTlb(); // PKRU changed by a path that did not report it
            pkruDecided = true;
            pkruDecidedValue = cur;
        }
        walkWritable = rw != 0 || (!user && !wp);
        // accessed / dirty on the leaf
        long want = PTE_A | (write ? PTE_D : 0);
        if ((leaf & want) != want) {
            if (leafAddr >= 0) {
                if (lma() || (cr4 & 0x20) != 0) ptWrite(leafAddr, leaf | want);
                else ptWrite32(leafAddr, leaf | want);
            }
        }
        if (!write && (leaf & PTE_D) == 0) walkWritable = false; // a later store must set D first
        return pa;
    }

    private Fault pf(long lin, int acc, boolean user, boolean rsvd, boolean pk) {
        // P is set for protection faults: a reserved-bit or protection failure means the entry was present
        boolean present = rsvd || pk || lastWalkPresent(lin, acc, user);
        int ec = (present ? 1 : 0) | (acc == ACC_WRITE ? 2 : 0) | (user ? 4 : 0) | (rsvd ? 8 : 0)
            | (acc == ACC_FETCH && ((efer & 0x800) != 0 || (cr4 & 0x10_0000) != 0) ? 16 : 0) | (pk ? 32 : 0);
        return Fault.pf(ec, lin);
    }

    /** Whether the translation of {@code lin} reaches a present leaf (protection fault) or not (not-present). */
    private boolean lastWalkPresent(long lin, int acc, boolean user) {
        try {
            if (lma()) {
                boolean la57 = (cr4 & 0x1000) != 0;
                long table = cr3 & ADDR_MASK;
                int shift = la57 ? 48 : 39;
                while (true) {
                    long e = ptRead(table + (((lin >>> shift) & 0x1FF) << 3));
                    if ((e & PTE_P) == 0) return false;
                    if (shift == 12 || (e & PTE_PS) != 0) return true;
                    table = e & ADDR_MASK;
                    shift -= 9;
                }
            } else if ((cr4 & 0x20) != 0) {
                long p = pdpte[(int) (lin >>> 30) & 3];
                if ((p & 1) == 0) return false;
                long e = ptRead((p & ADDR_MASK) + (((lin >>> 21) & 0x1FF) << 3));
                if ((e & 1) == 0) return false;
                if ((e & PTE_PS) != 0) return true;
                return (ptRead((e & ADDR_MASK) + (((lin >>> 12) & 0x1FF) << 3)) & 1) != 0;
            } else {
                long e = ptRead32((cr3 & 0xFFFF_F000L) + (((lin >>> 22) & 0x3FF) << 2));
                if ((e & 1) == 0) return false;
                if ((e & PTE_PS) != 0 && (cr4 & 0x10) != 0) return true;
                return (ptRead32((e & 0xFFFF_F000L) + (((lin >>> 12) & 0x3FF) << 2)) & 1) != 0;
            }
        } catch (RuntimeException ex) {
            return false;
        }
    }

    private long ptRead(long pa) {
        RamRegion r = pmem.find(pa);
        return r == null ? 0 : r.segment().get(L, pa - r.gpa());
    }

    private long ptRead32(long pa) {
        RamRegion r = pmem.find(pa);
        return r == null ? 0 : r.segment().get(I, pa - r.gpa()) & 0xFFFF_FFFFL;
    }

    private void ptWrite(long pa, long v) {
        RamRegion r = pmem.find(pa);
        if (r != null && !r.readOnly()) {
            r.segment().set(L, pa - r.gpa(), v);
            noteRamWrite(pa, 8);
        }
    }

    private void ptWrite32(long pa, long v) {
        RamRegion r = pmem.find(pa);
        if (r != null && !r.readOnly()) {
            r.segment().set(I, pa - r.gpa(), (int) v);
            noteRamWrite(pa, 4);
        }
    }

    /** Reloads the PAE PDPTEs from CR3 (MOV to CR3/CR0/CR4 in PAE mode); #GP on reserved bits. */
    /** A present PAE PDPTE with any of the reserved bits 2:1 and 8:5 set (SDM vol. 3A, 4.4.1). */
    public static boolean reservedPdpte(long e) {
        return (e & 1) != 0 && (e & 0x1E6) != 0;
    }

    public final void loadPdptes() {
        long base = cr3 & 0xFFFF_FFE0L;
        for (int i = 0; i < 4; i++) {
            long e = ptRead(base + i * 8L);
            if (reservedPdpte(e)) throw Fault.gp0();
            pdpte[i] = e;
        }
    }

    // ---------------------------------------------------------------- code-page tracking

    /** Physical pages holding translated code: 64-byte chunk mask and the blocks to invalidate. */
    static final class CodePage {
        long chunks;
        final ArrayList<Block> blocks = new ArrayList<>();
    }

    long[] codeBits = new long[0];
    final HashMap<Long, CodePage> codePages = new HashMap<>();

    final boolean isCodePage(long ppn) {
        int w = (int) (ppn >>> 6);
        return w < codeBits.length && (codeBits[w] & (1L << ppn)) != 0;
    }

    /** Records that {@code b} was translated from {@code [pa, pa+len)} (within one page). */
    final void registerCode(Block b, long pa, int len) {
        long ppn = pa >>> 12;
        CodePage cp = codePages.computeIfAbsent(ppn, k -> new CodePage());
        int first = (int) (pa & 0xFFF) >>> 6, last = (int) ((pa + len - 1) & 0xFFF) >>> 6;
        for (int c = first; c <= last; c++) cp.chunks |= 1L << c;
        cp.blocks.add(b);
        int w = (int) (ppn >>> 6);
        if (w >= codeBits.length) codeBits = Arrays.copyOf(codeBits, w + 64);
        if ((codeBits[w] & (1L << ppn)) == 0) {
            codeBits[w] |= 1L << ppn;
            for (Tlb t : new Tlb[] {supTlb, userTlb})
                for (int i = 0; i < TLB_SIZE; i++)
                    if (t.wtag[i] != -1 && t.wphys[i] >>> 12 == ppn) t.wtag[i] = -1;
        }
    }

    /** A store reached guest RAM at {@code pa}: drop translated blocks that it overwrites. */
    final void noteRamWrite(long pa, int len) {
        long ppn = pa >>> 12;
        if (!isCodePage(ppn)) {
            if (((pa + len - 1) >>> 12) != ppn) noteRamWrite((ppn + 1) << 12, (int) (pa + len - ((ppn + 1) << 12)));
            return;
        }
        CodePage cp = codePages.get(ppn);
        if (cp == null) return;
        int first = (int) (pa & 0xFFF) >>> 6, last = (int) Math.min(0xFFF, (pa & 0xFFF) + len - 1) >>> 6;
        long m = 0;
        for (int c = first; c <= last; c++) m |= 1L << c;
        if ((cp.chunks & m) == 0) return;
        for (Block b : cp.blocks) b.valid = false;
        codePages.remove(ppn);
        codeBits[(int) (ppn >>> 6)] &= ~(1L << ppn);
        codeEpoch++;
        stopBlock = true;
    }

    // ---------------------------------------------------------------- data access

    public final long read8(long lin) {
        int i = (int) (lin >>> 12) & TLB_MASK;
        if (rtag[i] == lin >>> 12) return HOST.get(B, raddr[i] + (lin & 0xFFF)) & 0xFFL;
        return readSlow(lin, 1);
    }

    public final long read16(long lin) {
        int i = (int) (lin >>> 12) & TLB_MASK;
        if (rtag[i] == lin >>> 12 && (lin & 0xFFF) <= 0xFFE) return HOST.get(S, raddr[i] + (lin & 0xFFF)) & 0xFFFFL;
        return readSlow(lin, 2);
    }

    public final long read32(long lin) {
        int i = (int) (lin >>> 12) & TLB_MASK;
        if (rtag[i] == lin >>> 12 && (lin & 0xFFF) <= 0xFFC)
            return HOST.get(I, raddr[i] + (lin & 0xFFF)) & 0xFFFF_FFFFL;
        return readSlow(lin, 4);
    }

    public final long read64(long lin) {
        int i = (int) (lin >>> 12) & TLB_MASK;
        if (rtag[i] == lin >>> 12 && (lin & 0xFFF) <= 0xFF8) return HOST.get(L, raddr[i] + (lin & 0xFFF));
        return readSlow(lin, 8);
    }

    public final long read(long lin, int size) {
        return switch (size) {
            case 8 -> read64(lin);
            case 4 -> read32(lin);
            case 2 -> read16(lin);
            default -> read8(lin);
        };
    }

    public final void write8(long lin, long v) {
        int i = (int) (lin >>> 12) & TLB_MASK;
        if (wtag[i] == lin >>> 12) HOST.set(B, waddr[i] + (lin & 0xFFF), (byte) v);
        else writeSlow(lin, 1, v);
    }

    public final void write16(long lin, long v) {
        int i = (int) (lin >>> 12) & TLB_MASK;
        if (wtag[i] == lin >>> 12 && (lin & 0xFFF) <= 0xFFE) HOST.set(S, waddr[i] + (lin & 0xFFF), (short) v);
        else writeSlow(lin, 2, v);
    }

    public final void write32(long lin, long v) {
        int i = (int) (lin >>> 12) & TLB_MASK;
        if (wtag[i] == lin >>> 12 && (lin & 0xFFF) <= 0xFFC) HOST.set(I, waddr[i] + (lin & 0xFFF), (int) v);
        else writeSlow(lin, 4, v);
    }

    public final void write64(long lin, long v) {
        int i = (int) (lin >>> 12) & TLB_MASK;
        if (wtag[i] == lin >>> 12 && (lin & 0xFFF) <= 0xFF8) HOST.set(L, waddr[i] + (lin & 0xFFF), v);
        else writeSlow(lin, 8, v);
    }

    public final void write(long lin, int size, long v) {
        switch (size) {
            case 8 -> write64(lin, v);
            case 4 -> write32(lin, v);
            case 2 -> write16(lin, v);
            default -> write8(lin, v);
        }
    }

    final boolean canonical(long lin) {
        if (!lma()) return true;
        int sh = (cr4 & 0x1000) != 0 ? 7 : 16;
        return (lin << sh) >> sh == lin;
    }

    private long readSlow(long lin, int size) {
        if (!canonical(lin) || !canonical(lin + size - 1)) throw Fault.gp0();
        if (((lin & 0xFFF) + size) > 0x1000) { // crosses a page: both translations first, then the bytes
            int n1 = (int) (0x1000 - (lin & 0xFFF));
            translate(lin, ACC_READ, cpl == 3, false);
            translate(lin + n1, ACC_READ, cpl == 3, false);
            long v = 0;
            for (int k = size - 1; k >= 0; k--) v = v << 8 | readSlow(lin + k, 1);
            return v;
        }
        return readPhys(translateFill(lin, ACC_READ), lin, size);
    }

    /** Translates at the current privilege and installs a TLB entry when the page is native RAM. */
    final long translateFill(long lin, int acc) {
        boolean user = cpl == 3;
        long pa = translate(lin, acc, user, false);
        RamRegion r = pmem.find(pa);
        if (r != null && r.segment().isNative()) {
            long pageOff = (pa & ~0xFFFL) - r.gpa();
            if (pageOff >= 0 && pageOff + 0x1000 <= r.size()) {
                long host = r.segment().address() + pageOff;
                Tlb t = user ? userTlb : supTlb;
                int i = (int) (lin >>> 12) & TLB_MASK;
                if (acc == ACC_READ || acc == ACC_WRITE) {
                    t.rtag[i] = lin >>> 12;
                    t.raddr[i] = host;
                }
                if (acc == ACC_WRITE && !r.readOnly() && !isCodePage(pa >>> 12)) {
                    t.wtag[i] = lin >>> 12;
                    t.waddr[i] = host;
                    t.wphys[i] = pa & ~0xFFFL;
                } else if (t.wtag[i] != lin >>> 12) {
                    t.wtag[i] = -1;
                }
            }
        }
        return pa;
    }

    /** Reads guest-physical memory for an instruction; MMIO exits unless the hypervisor completed it. */
    final long readPhys(long pa, long lin, int size) {
        RamRegion r = pmem.find(pa);
        if (r != null && r.contains(pa + size - 1)) {
            MemorySegment s = r.segment();
            long o = pa - r.gpa();
            return switch (size) {
                case 8 -> s.get(L, o);
                case 4 -> s.get(I, o) & 0xFFFF_FFFFL;
                case 2 -> s.get(S, o) & 0xFFFFL;
                default -> s.get(B, o) & 0xFFL;
            };
        }
        if (r != null) { // straddles the end of a region
            long v = 0;
            for (int k = size - 1; k >= 0; k--) v = v << 8 | readPhys(pa + k, lin + k, 1);
            return v;
        }
        for (int k = 0; k < mmioDoneCount; k++)
            if (mmioDoneGpa[k] == pa && mmioDoneSize[k] == size) return mmioDoneVal[k];
        throw mmioReadExit(pa, lin, size);
    }

    private void writeSlow(long lin, int size, long v) {
        if (!canonical(lin) || !canonical(lin + size - 1)) throw Fault.gp0();
        if (((lin & 0xFFF) + size) > 0x1000) {
            int n1 = (int) (0x1000 - (lin & 0xFFF));
            translate(lin, ACC_WRITE, cpl == 3, false);
            translate(lin + n1, ACC_WRITE, cpl == 3, false);
            for (int k = 0; k < size; k++) writeSlow(lin + k, 1, v >>> (8 * k));
            return;
        }
        writePhys(translateFill(lin, ACC_WRITE), lin, size, v);
    }

    final void writePhys(long pa, long lin, int size, long v) {
        RamRegion r = pmem.find(pa);
        if (r != null && r.contains(pa + size - 1)) {
            if (r.readOnly()) return; // ROM: writes are dropped
            MemorySegment s = r.segment();
            long o = pa - r.gpa();
            switch (size) {
                case 8 -> s.set(L, o, v);
                case 4 -> s.set(I, o, (int) v);
                case 2 -> s.set(S, o, (short) v);
                default -> s.set(B, o, (byte) v);
            }
            noteRamWrite(pa, size);
            return;
        }
        if (r != null) {
            for (int k = 0; k < size; k++) writePhys(pa + k, lin + k, 1, v >>> (8 * k));
            return;
        }
        if (mmioWritePending) {
            // a second MMIO store in one instruction (a push of an event frame onto MMIO, a split store): report
            // this one as the exit; the instruction is not completed (documented limitation)
            mmioWritePending = false;
            exitReason = 48;
            exitQualification = 2 | 0x80 | 0x100;
            exitGpa = pa;
            exitGla = lin;
            exitAccessSize = size;
            exitAccessData = size == 8 ? v : v & ((1L << (size * 8)) - 1);
            throw ExitSignal.INSTANCE;
        }
        mmioWritePending = true;
        mmioWriteGpa = pa;
        mmioWriteGla = lin;
        mmioWriteSize = size;
        mmioWriteData = size == 8 ? v : v & ((1L << (size * 8)) - 1);
        stopBlock = true;
    }

    private final boolean[] atomicDone = new boolean[1];

    /**
     * A locked read-modify-write of the operand at {@code lin}: translated for writing, done atomically on guest
     * RAM, returning the old value. MMIO, read-only, page-crossing or misaligned operands take the plain path.
     */
    public final long lockedRmw(long lin, int size, int kind, long src, long src2) {
        if (((lin & 0xFFF) + size) <= 0x1000 && canonical(lin)) {
            long pa = translateFill(lin, ACC_WRITE);
            RamRegion r = pmem.find(pa);
            if (r != null && !r.readOnly() && r.contains(pa + size - 1) && r.segment().isNative()) {
                long old = Atomics.rmw(r.segment(), pa - r.gpa(), size, kind, src, src2, atomicDone);
                if (atomicDone[0]) {
                    noteRamWrite(pa, size);
                    return old;
                }
            }
        }
        long old = read(lin, size);
        write(lin, size, Atomics.apply(kind, size, old, src, src2));
        return old;
    }

    /** Probes {@code len} bytes for access without side effects on memory (A/D bits aside). */
    public final void probe(long lin, int len, boolean write) {
        if (len <= 0) return;
        if (!canonical(lin) || !canonical(lin + len - 1)) throw Fault.gp0();
        long end = lin + len - 1;
        for (long p = lin & ~0xFFFL; Long.compareUnsigned(p, end) <= 0; p += 0x1000) {
            translate(Long.compareUnsigned(p, lin) < 0 ? lin : p, write ? ACC_WRITE : ACC_READ, cpl == 3, false);
            if (p == (end & ~0xFFFL)) break;
        }
    }

    // ---------------------------------------------------------------- implicit supervisor accesses (GDT, IDT, TSS)

    public final long readSys(long lin, int size) {
        long v = 0;
        for (int k = 0; k < size; ) {
            long a = lin + k;
            int n = (int) Math.min(size - k, 0x1000 - (a & 0xFFF));
            long pa = translate(a, ACC_READ, false, true);
            long part;
            if (n == 8 || n == 4 || n == 2 || n == 1) part = readPhys(pa, a, n);
            else {
                part = 0;
                for (int j = n - 1; j >= 0; j--) part = part << 8 | readPhys(pa + j, a + j, 1);
            }
            v |= part << (8 * k);
            k += n;
        }
        return v;
    }

    public final void writeSys(long lin, int size, long v) {
        for (int k = 0; k < size; k++) {
            long pa = translate(lin + k, ACC_WRITE, false, true);
            writePhys(pa, lin + k, 1, v >>> (8 * k));
        }
    }

    // ---------------------------------------------------------------- instruction fetch

    /** Translates a code address for fetch at the current privilege. */
    final long translateFetch(long lin) {
        if (!canonical(lin)) throw Fault.gp0();
        return translate(lin, ACC_FETCH, cpl == 3, false);
    }

    /** Reads a code byte from physical memory; fetch from MMIO is an EPT violation with the fetch bit. */
    final int fetchPhysByte(long pa, long lin) {
        RamRegion r = pmem.find(pa);
        if (r == null) {
            exitReason = 48;
            exitQualification = 4 | 0x80 | 0x100;
            exitGpa = pa;
            exitGla = lin;
            exitAccessSize = 1;
            exitAccessData = 0;
            throw ExitSignal.INSTANCE;
        }
        return r.segment().get(B, pa - r.gpa()) & 0xFF;
    }
}
