package org.jkvm.cpu.diff;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Four-level page tables written into guest RAM (a segment that backs guest-physical addresses from 0), so
 * the software CPU sees the test region at the same linear addresses as the host process does. Tables are
 * allocated upward from {@code firstTable}; 4 KiB pages only.
 */
final class PageTables {
    static final long P = 1, RW = 2, US = 4;
    private static final long ADDR = 0x000F_FFFF_FFFF_F000L;

    private final MemorySegment ram;
    private final long root;
    private long next;

    PageTables(MemorySegment ram, long firstTable) {
        this.ram = ram;
        this.root = firstTable;
        this.next = firstTable + 4096;
        ram.asSlice(root, 4096).fill((byte) 0);
    }

    /** The CR3 value (PCID 0, no PWT/PCD). */
    long cr3() { return root; }

    /** Maps the 4 KiB page at {@code linear} to {@code physical}. */
    void map(long linear, long physical, long flags) {
        long table = root;
        for (int level = 3; level > 0; level--) {
            long at = table + 8 * ((linear >>> (12 + 9 * level)) & 511);
            long e = ram.get(ValueLayout.JAVA_LONG, at);
            if ((e & P) == 0) {
                long t = next;
                next += 4096;
                if (next > ram.byteSize()) throw new IllegalStateException("out of page-table room");
                ram.asSlice(t, 4096).fill((byte) 0);
                e = t | P | RW | US;
                ram.set(ValueLayout.JAVA_LONG, at, e);
            }
            table = e & ADDR;
        }
        ram.set(ValueLayout.JAVA_LONG, table + 8 * ((linear >>> 12) & 511), (physical & ADDR) | flags | P);
    }

    /** The end of the tables allocated so far (guest-physical). */
    long end() { return next; }
}
