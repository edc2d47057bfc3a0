package org.jkvm.vmm.loader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.jkvm.vmm.machine.GuestMemory;
import org.jkvm.vmm.machine.MemoryMap;

/**
 * Loads a kernel into guest RAM and says how to start it. Multiboot v1 (the header in the first 8 KiB):
 * with flag 16 the header's load/bss/entry addresses decide (the "a.out kludge", any file format);
 * otherwise the ELF32/ELF64 program headers do. The Multiboot information structure goes to
 * {@link BootArea#MB_INFO}. {@code entry64}: a 64-bit ELF started directly in long mode.
 */
public final class ImageLoader {
    public static final int MB_MAGIC = 0x1BADB002, MB_BOOTLOADER_MAGIC = 0x2BADB002;
    static final int MB_SEARCH = 8192;
    static final int MBF_PAGE_ALIGN = 1, MBF_MEMORY_INFO = 1 << 1, MBF_VIDEO = 1 << 2, MBF_AOUT_KLUDGE = 1 << 16;
    /** Info flags jkvm provides: mem_*, cmdline, mods, mmap, boot_loader_name. */
    static final int INFO_MEMORY = 1, INFO_CMDLINE = 1 << 2, INFO_MODS = 1 << 3, INFO_MMAP = 1 << 6,
            INFO_LOADER_NAME = 1 << 9;
    public static final String LOADER_NAME = "jkvm";

    private ImageLoader() {}

    /** The Multiboot header found in an image. {@code offset} is its file offset. */
    record MultibootHeader(int offset, int flags, long headerAddr, long loadAddr, long loadEndAddr,
                           long bssEndAddr, long entryAddr) {}

    static MultibootHeader findHeader(byte[] f) {
        ByteBuffer b = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
        int limit = Math.min(MB_SEARCH, f.length) - 12;
        for (int off = 0; off <= limit; off += 4) {
            if (b.getInt(off) != MB_MAGIC) continue;
            int flags = b.getInt(off + 4);
            if (MB_MAGIC + flags + b.getInt(off + 8) != 0) continue;
            if ((flags & MBF_AOUT_KLUDGE) != 0 && off + 32 <= f.length) {
                return new MultibootHeader(off, flags, u32(b, off + 12), u32(b, off + 16), u32(b, off + 20),
                        u32(b, off + 24), u32(b, off + 28));
            }
            return new MultibootHeader(off, flags, 0, 0, 0, 0, 0);
        }
        return null;
    }

    private static long u32(ByteBuffer b, int at) {
        return b.getInt(at) & 0xFFFFFFFFL;
    }

    /** Checks the format without loading (so a bad image is reported before a backend is opened). */
    public static void check(byte[] image, boolean entry64) throws ImageFormatException {
        if (entry64) {
            if (!ElfImage.isElf(image)) throw new ImageFormatException("not a Multiboot or ELF image (--entry64 needs an ELF64 file)");
            if (!ElfImage.parse(image).is64()) throw new ImageFormatException("--entry64 needs an ELF64 image; this one is ELF32");
            return;
        }
        MultibootHeader h = findHeader(image);
        if (h == null) {
            if (ElfImage.isElf(image)) {
                throw new ImageFormatException("ELF image has no Multiboot header (use --entry64 for a 64-bit ELF program)");
            }
            throw new ImageFormatException("not a Multiboot or ELF image");
        }
        if ((h.flags() & MBF_AOUT_KLUDGE) == 0) ElfImage.parse(image);
        else KludgeLayout.of(h, image.length);
    }

    /** Where the a.out-kludge fields put the file, validated against the file (not yet against RAM). */
    record KludgeLayout(long fileStart, long size, long loadEnd, long bssEnd) {
        static KludgeLayout of(MultibootHeader h, long fileLength) throws ImageFormatException {
            if (h.headerAddr() < h.loadAddr()) throw new ImageFormatException("Multiboot header_addr is below load_addr");
            long fileStart = h.offset() - (h.headerAddr() - h.loadAddr());
            if (fileStart < 0) throw new ImageFormatException("Multiboot load_addr lies before the start of the file");
            long loadEnd = h.loadEndAddr() == 0 ? h.loadAddr() + (fileLength - fileStart) : h.loadEndAddr();
            if (loadEnd < h.loadAddr()) throw new ImageFormatException("Multiboot load_end_addr is below load_addr");
            long size = loadEnd - h.loadAddr();
            if (fileStart + size > fileLength) throw new ImageFormatException("Multiboot load range runs past the end of the file");
            long bssEnd = h.bssEndAddr() == 0 ? loadEnd : h.bssEndAddr();
            if (bssEnd < loadEnd) throw new ImageFormatException("Multiboot bss_end_addr is below load_end_addr");
            if (h.entryAddr() < h.loadAddr() || h.entryAddr() >= loadEnd) {
                throw new ImageFormatException(String.format("Multiboot entry 0x%x lies outside the loaded image", h.entryAddr()));
            }
            return new KludgeLayout(fileStart, size, loadEnd, bssEnd);
        }
    }

    public static BootState load(byte[] image, boolean entry64, String cmdline, List<Module> modules, GuestMemory mem)
            throws ImageFormatException {
        return entry64 ? loadEntry64(image, cmdline, modules, mem) : loadMultiboot(image, cmdline, modules, mem);
    }

    static BootState loadMultiboot(byte[] f, String cmdline, List<Module> modules, GuestMemory mem)
            throws ImageFormatException {
        MultibootHeader h = findHeader(f);
        if (h == null) {
            if (ElfImage.isElf(f)) {
                throw new ImageFormatException("ELF image has no Multiboot header (use --entry64 for a 64-bit ELF program)");
            }
            throw new ImageFormatException("not a Multiboot or ELF image");
        }
        int unknownRequired = h.flags & 0xFFF8;
        if (unknownRequired != 0) {
            throw new ImageFormatException(String.format("Multiboot header requires unsupported features (flags 0x%x)",
                    unknownRequired));
        }
        long entry;
        long imageEnd;
        if ((h.flags & MBF_AOUT_KLUDGE) != 0) {
            KludgeLayout k = KludgeLayout.of(h, f.length);
            checkPlace(mem, h.loadAddr, k.bssEnd - h.loadAddr);
            mem.write(h.loadAddr, f, (int) k.fileStart, (int) k.size);
            mem.zero(k.loadEnd, k.bssEnd - k.loadEnd);
            entry = h.entryAddr;
            imageEnd = k.bssEnd;
        } else {
            ElfImage elf = ElfImage.parse(f);
            imageEnd = loadSegments(elf, f, mem);
            entry = elf.physicalEntry();
            if (entry >= MemoryMap.FOUR_GIB) {
                throw new ImageFormatException(String.format("Multiboot entry 0x%x is above 4 GiB", entry));
            }
        }
        long info = writeMultibootInfo(mem, cmdline, modules, imageEnd, (h.flags & MBF_PAGE_ALIGN) != 0);
        writeGdt(mem, false);
        return new BootState(false, entry, BootArea.MB_STACK_TOP, MB_BOOTLOADER_MAGIC, info, 0, 0,
                BootArea.GDT, 3 * 8 - 1, 0);
    }

    static BootState loadEntry64(byte[] f, String cmdline, List<Module> modules, GuestMemory mem)
            throws ImageFormatException {
        if (!ElfImage.isElf(f)) throw new ImageFormatException("not a Multiboot or ELF image (--entry64 needs an ELF64 file)");
        ElfImage elf = ElfImage.parse(f);
        if (!elf.is64()) throw new ImageFormatException("--entry64 needs an ELF64 image; this one is ELF32");
        long end = loadSegments(elf, f, mem);
        long info = writeMultibootInfo(mem, cmdline, modules, end, true);
        writeGdt(mem, true);
        // Identity map of the first 4 GiB with 2 MiB pages: PML4[0] -> PDPT, PDPT[0..3] -> four page directories.
        mem.zero(BootArea.PML4, BootArea.PD + 4 * 4096 - BootArea.PML4);
        mem.write64(BootArea.PML4, BootArea.PDPT | 0x3);
        for (int i = 0; i < 4; i++) {
            long pd = BootArea.PD + i * 4096L;
            mem.write64(BootArea.PDPT + i * 8L, pd | 0x3);
            for (int j = 0; j < 512; j++) {
                long phys = ((long) i << 30) | ((long) j << 21);
                mem.write64(pd + j * 8L, phys | 0x83); // present, writable, 2 MiB page
            }
        }
        // RDI carries the Multiboot-style info (command line, memory map) as a first C argument.
        return new BootState(true, elf.entry(), BootArea.ENTRY64_STACK_TOP, 0, info, info, 0,
                BootArea.GDT, 3 * 8 - 1, BootArea.PML4);
    }

    private static void checkPlace(GuestMemory mem, long gpa, long len) throws ImageFormatException {
        if (len == 0) return;
        MemoryMap map = mem.map();
        if (gpa < BootArea.END && gpa + len > BootArea.START) {
            throw new ImageFormatException(String.format("image loads at 0x%x, into jkvm's boot area 0x%x-0x%x",
                    gpa, BootArea.START, BootArea.END - 1));
        }
        if (!map.isRam(gpa, len) || (gpa < MemoryMap.HIGH_START && gpa + len > MemoryMap.LOW_END)) {
            throw new ImageFormatException(String.format("image needs memory at 0x%x-0x%x, which is not RAM with -m %dM",
                    gpa, gpa + len - 1, map.ramSize() / MemoryMap.MIB));
        }
    }

    private static long loadSegments(ElfImage elf, byte[] f, GuestMemory mem) throws ImageFormatException {
        long end = 0;
        for (ElfImage.Segment s : elf.segments()) {
            checkPlace(mem, s.paddr(), s.memSize());
            mem.write(s.paddr(), f, (int) s.offset(), (int) s.fileSize());
            mem.zero(s.paddr() + s.fileSize(), s.memSize() - s.fileSize());
            end = Math.max(end, s.paddr() + s.memSize());
        }
        return end;
    }

    private static void writeGdt(GuestMemory mem, boolean longMode) {
        mem.write64(BootArea.GDT, 0);
        // 0x08: code (32-bit flat, or 64-bit), 0x10: flat data; base 0, limit 4 GiB, present, DPL 0, accessed.
        mem.write64(BootArea.GDT + 8, longMode ? 0x00AF9B000000FFFFL : 0x00CF9B000000FFFFL);
        mem.write64(BootArea.GDT + 16, 0x00CF93000000FFFFL);
    }

    /** Writes the Multiboot info, memory map, strings and modules; returns the info address. */
    private static long writeMultibootInfo(GuestMemory mem, String cmdline, List<Module> modules, long imageEnd,
                                           boolean pageAlignModules) throws ImageFormatException {
        MemoryMap map = mem.map();
        long info = BootArea.MB_INFO;
        mem.zero(info, 0x100);
        // The memory map: entries of size(4) base(8) length(8) type(4); "size" excludes itself.
        long p = BootArea.MB_MMAP;
        for (MemoryMap.Region r : map.e820()) {
            mem.write32(p, 20);
            mem.write64(p + 4, r.base());
            mem.write64(p + 12, r.length());
            mem.write32(p + 20, r.type());
            p += 24;
        }
        long mmapLength = p - BootArea.MB_MMAP;
        Strings strings = new Strings(mem);
        long loaderName = BootArea.MB_LOADER_NAME;
        mem.write(loaderName, (LOADER_NAME + "\0").getBytes(StandardCharsets.US_ASCII));
        long cmd = strings.put(cmdline == null ? "" : cmdline);

        if (modules.size() > BootArea.MAX_MODULES) {
            throw new ImageFormatException("too many modules (" + modules.size() + ", at most " + BootArea.MAX_MODULES + ")");
        }
        long next = Math.max(imageEnd, MemoryMap.HIGH_START);
        List<long[]> placed = new ArrayList<>();
        for (Module m : modules) {
            long align = pageAlignModules ? 4096 : 8;
            long start = (next + align - 1) & -align;
            if (!map.isRam(start, m.data().length) || start + m.data().length > map.lowRam()) {
                throw new ImageFormatException(String.format("module %s (%d bytes) does not fit in RAM below 0x%x",
                        m.string(), m.data().length, map.lowRam()));
            }
            mem.write(start, m.data());
            placed.add(new long[] {start, start + m.data().length, strings.put(m.string())});
            next = start + m.data().length;
        }
        for (int i = 0; i < placed.size(); i++) {
            long e = BootArea.MB_MODS + i * 16L;
            long[] m = placed.get(i);
            mem.write32(e, (int) m[0]);
            mem.write32(e + 4, (int) m[1]);
            mem.write32(e + 8, (int) m[2]);
            mem.write32(e + 12, 0);
        }
        int flags = INFO_MEMORY | INFO_CMDLINE | INFO_MODS | INFO_MMAP | INFO_LOADER_NAME;
        mem.write32(info, flags);
        mem.write32(info + 4, (int) map.memLowerKib());
        mem.write32(info + 8, (int) Math.min(map.memUpperKib(), 0xFFFFFFFFL));
        mem.write32(info + 16, (int) cmd);
        mem.write32(info + 20, placed.size());
        mem.write32(info + 24, (int) BootArea.MB_MODS);
        mem.write32(info + 44, (int) mmapLength);
        mem.write32(info + 48, (int) BootArea.MB_MMAP);
        mem.write32(info + 64, (int) loaderName);
        return info;
    }

    /** NUL-terminated strings packed from {@link BootArea#STRINGS} to the end of the boot area. */
    private static final class Strings {
        private final GuestMemory mem;
        private long next = BootArea.STRINGS;

        Strings(GuestMemory mem) {
            this.mem = mem;
        }

        long put(String s) throws ImageFormatException {
            byte[] b = (s + "\0").getBytes(StandardCharsets.UTF_8);
            if (next + b.length > BootArea.END) {
                throw new ImageFormatException("command line and module strings exceed "
                        + (BootArea.END - BootArea.STRINGS) + " bytes");
            }
            long at = next;
            mem.write(at, b);
            next += b.length;
            return at;
        }
    }
}
