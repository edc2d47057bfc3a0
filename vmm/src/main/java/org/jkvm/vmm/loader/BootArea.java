package org.jkvm.vmm.loader;

/**
 * Where jkvm puts its boot-time structures in guest RAM: all inside [0x500, 0x20000), which images may not
 * load into (the e820 map still reports it as RAM, as on a PC where the boot loader's data sits there too).
 */
public final class BootArea {
    private BootArea() {}

    public static final long START = 0x500, END = 0x20000;
    public static final long GDT = 0x500;
    /** --entry64 page tables: PML4, PDPT, then four page directories (2 MiB pages for the first 4 GiB). */
    public static final long PML4 = 0x1000, PDPT = 0x2000, PD = 0x3000;
    /** Initial stack for Multiboot entry (the spec leaves ESP undefined; a valid one is friendlier). */
    public static final long MB_STACK_TOP = 0x7000;
    public static final long MB_INFO = 0x8000, MB_MMAP = 0x8100, MB_LOADER_NAME = 0x8400, MB_MODS = 0x8800;
    public static final int MAX_MODULES = 128;
    public static final long STRINGS = 0x9000;
    /** --entry64's stack top: the end of conventional memory below the EBDA. */
    public static final long ENTRY64_STACK_TOP = 0x9F000;
}
