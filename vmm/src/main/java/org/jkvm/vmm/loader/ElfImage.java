package org.jkvm.vmm.loader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** The parts of an ELF32/ELF64 x86 executable a loader needs: class, entry point, PT_LOAD segments. */
public record ElfImage(boolean is64, int machine, long entry, List<Segment> segments) {
    public static final int EM_386 = 3, EM_X86_64 = 62;
    static final int PT_LOAD = 1;

    /** A PT_LOAD segment: {@code fileSize} bytes from {@code offset} at {@code paddr}, zero-filled to {@code memSize}. */
    public record Segment(long paddr, long vaddr, long offset, long fileSize, long memSize) {}

    public static boolean isElf(byte[] f) {
        return f.length >= 4 && f[0] == 0x7F && f[1] == 'E' && f[2] == 'L' && f[3] == 'F';
    }

    public static ElfImage parse(byte[] f) throws ImageFormatException {
        if (!isElf(f) || f.length < 52) throw new ImageFormatException("not an ELF file");
        int cls = f[4];
        if (cls != 1 && cls != 2) throw new ImageFormatException("ELF class " + cls + " is neither ELF32 nor ELF64");
        if (f[5] != 1) throw new ImageFormatException("ELF image is not little-endian");
        boolean is64 = cls == 2;
        ByteBuffer b = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
        if (is64 && f.length < 64) throw new ImageFormatException("truncated ELF64 header");
        int type = b.getShort(16) & 0xFFFF;
        if (type != 2) throw new ImageFormatException("ELF image is not an executable (e_type " + type + ")");
        int machine = b.getShort(18) & 0xFFFF;
        if (machine != EM_386 && machine != EM_X86_64) {
            throw new ImageFormatException("ELF image is for machine " + machine + ", not x86");
        }
        long entry = is64 ? b.getLong(24) : b.getInt(24) & 0xFFFFFFFFL;
        long phoff = is64 ? b.getLong(32) : b.getInt(28) & 0xFFFFFFFFL;
        int phentsize = b.getShort(is64 ? 54 : 42) & 0xFFFF;
        int phnum = b.getShort(is64 ? 56 : 44) & 0xFFFF;
        int minEnt = is64 ? 56 : 32;
        if (phnum == 0) throw new ImageFormatException("ELF image has no program headers");
        if (phentsize < minEnt || phoff < 0 || phoff + (long) phnum * phentsize > f.length) {
            throw new ImageFormatException("ELF program header table lies outside the file");
        }
        List<Segment> segs = new ArrayList<>();
        for (int i = 0; i < phnum; i++) {
            int p = (int) (phoff + (long) i * phentsize);
            if (b.getInt(p) != PT_LOAD) continue;
            long offset, vaddr, paddr, filesz, memsz;
            if (is64) {
                offset = b.getLong(p + 8); vaddr = b.getLong(p + 16); paddr = b.getLong(p + 24);
                filesz = b.getLong(p + 32); memsz = b.getLong(p + 40);
            } else {
                offset = b.getInt(p + 4) & 0xFFFFFFFFL; vaddr = b.getInt(p + 8) & 0xFFFFFFFFL;
                paddr = b.getInt(p + 12) & 0xFFFFFFFFL; filesz = b.getInt(p + 16) & 0xFFFFFFFFL;
                memsz = b.getInt(p + 20) & 0xFFFFFFFFL;
            }
            if (offset < 0 || filesz < 0 || offset + filesz > f.length || offset + filesz < 0) {
                throw new ImageFormatException("ELF segment " + i + " lies outside the file");
            }
            if (memsz < filesz || memsz < 0) throw new ImageFormatException("ELF segment " + i + " has memsz < filesz");
            if (memsz == 0) continue;
            segs.add(new Segment(paddr, vaddr, offset, filesz, memsz));
        }
        if (segs.isEmpty()) throw new ImageFormatException("ELF image has no loadable segments");
        return new ElfImage(is64, machine, entry, List.copyOf(segs));
    }

    /** The entry point as a physical address: translated through the segment whose virtual range holds it. */
    public long physicalEntry() {
        for (Segment s : segments) {
            if (entry - s.vaddr >= 0 && entry - s.vaddr < s.memSize) return entry - s.vaddr + s.paddr;
        }
        return entry;
    }
}
