package org.jkvm.vmm.machine;

import java.util.ArrayList;
import java.util.List;

/**
 * The guest-physical layout of a pc machine with {@code ramSize} bytes of RAM: conventional memory below
 * 640 KiB (the top 1 KiB is the EBDA, reserved), the legacy hole 640 KiB-1 MiB (VGA and BIOS; the BIOS area is
 * reported reserved), RAM from 1 MiB up to the PCI hole, and the rest above 4 GiB. Like QEMU's pc machine,
 * RAM of 3.5 GiB or more is split at 3 GiB; less stays entirely below 4 GiB.
 */
public final class MemoryMap {
    public static final long KIB = 1024, MIB = KIB * 1024, GIB = MIB * 1024;
    public static final long EBDA = 0x9FC00, LOW_END = 0xA0000, BIOS = 0xF0000, HIGH_START = 0x100000;
    public static final long FOUR_GIB = 4 * GIB;
    static final long SPLIT_THRESHOLD = 0xE0000000L, SPLIT_AT = 0xC0000000L;
    /** The smallest machine: conventional memory plus 1 MiB above the hole for an image. */
    public static final long MIN_RAM = 2 * MIB;

    public static final int E820_RAM = 1, E820_RESERVED = 2;

    public record Region(long base, long length, int type) {
        public long end() { return base + length; }
    }

    private final long ramSize;
    private final long lowRam;
    private final long highRam;

    public MemoryMap(long ramSize) {
        if (ramSize < MIN_RAM || (ramSize & 0xFFF) != 0) throw new IllegalArgumentException("RAM size " + ramSize);
        this.ramSize = ramSize;
        this.lowRam = ramSize >= SPLIT_THRESHOLD ? SPLIT_AT : ramSize;
        this.highRam = ramSize - lowRam;
    }

    public long ramSize() { return ramSize; }

    /** RAM bytes mapped at guest-physical 0. */
    public long lowRam() { return lowRam; }

    /** RAM bytes mapped at 4 GiB. */
    public long highRam() { return highRam; }

    /** Multiboot mem_lower: KiB of conventional memory (below the EBDA). */
    public long memLowerKib() { return EBDA / KIB; }

    /** Multiboot mem_upper: KiB of contiguous RAM from 1 MiB. */
    public long memUpperKib() { return (lowRam - HIGH_START) / KIB; }

    /** The e820 table: what the firmware would report, in address order. */
    public List<Region> e820() {
        List<Region> r = new ArrayList<>();
        r.add(new Region(0, EBDA, E820_RAM));
        r.add(new Region(EBDA, LOW_END - EBDA, E820_RESERVED));
        r.add(new Region(BIOS, HIGH_START - BIOS, E820_RESERVED));
        r.add(new Region(HIGH_START, lowRam - HIGH_START, E820_RAM));
        // The I/O APIC and local APIC pages.
        r.add(new Region(0xFEC00000L, 0x1000, E820_RESERVED));
        r.add(new Region(0xFEE00000L, 0x1000, E820_RESERVED));
        if (highRam > 0) r.add(new Region(FOUR_GIB, highRam, E820_RAM));
        return r;
    }

    /** True when [gpa, gpa+len) is RAM (not the hole, not beyond the end). */
    public boolean isRam(long gpa, long len) {
        if (len < 0 || gpa < 0) return false;
        long end = gpa + len;
        if (end <= lowRam) return true;
        return gpa >= FOUR_GIB && end <= FOUR_GIB + highRam;
    }
}
