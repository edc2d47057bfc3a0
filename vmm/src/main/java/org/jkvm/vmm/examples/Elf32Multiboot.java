package org.jkvm.vmm.examples;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A static ELF32 i386 executable with one PT_LOAD segment (RWX, physical = virtual) whose first bytes are a
 * Multiboot v1 header without the a.out kludge, so a Multiboot loader (QEMU's {@code -kernel}, jkvm) places it
 * from the program header. The segment starts at file offset 0x1000, well inside the first 8 KiB the loader
 * scans for the header.
 */
final class Elf32Multiboot {
    private Elf32Multiboot() {}

    static final int EHDR = 52, PHDR = 32, FILE_OFFSET = 0x1000, HEADER_SIZE = 12;
    static final int MB_MAGIC = 0x1BADB002;

    /** The 12-byte Multiboot header (flags 0: no module alignment, memory map or video requirements). */
    static byte[] header() {
        ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MB_MAGIC).putInt(0).putInt(-MB_MAGIC);
        return b.array();
    }

    /**
     * @param base    load address of {@code content}, which must begin with {@link #header()}
     * @param content the segment's bytes
     * @param memSize the segment's size in memory (zero-filled past {@code content})
     * @param entry   the 32-bit entry point
     */
    static byte[] build(int base, byte[] content, int memSize, int entry) {
        ByteBuffer b = ByteBuffer.allocate(FILE_OFFSET + content.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7F, 'E', 'L', 'F', 1, 1, 1, 0});
        b.putShort(16, (short) 2);      // ET_EXEC
        b.putShort(18, (short) 3);      // EM_386
        b.putInt(20, 1);                // EV_CURRENT
        b.putInt(24, entry);
        b.putInt(28, EHDR);             // e_phoff
        b.putInt(32, 0);                // e_shoff: no sections
        b.putInt(36, 0);                // e_flags
        b.putShort(40, (short) EHDR);
        b.putShort(42, (short) PHDR);
        b.putShort(44, (short) 1);
        b.putShort(46, (short) 40);     // e_shentsize
        b.putShort(48, (short) 0);
        b.putShort(50, (short) 0);
        int p = EHDR;
        b.putInt(p, 1);                 // PT_LOAD
        b.putInt(p + 4, FILE_OFFSET);
        b.putInt(p + 8, base);
        b.putInt(p + 12, base);
        b.putInt(p + 16, content.length);
        b.putInt(p + 20, memSize);
        b.putInt(p + 24, 7);            // R W X
        b.putInt(p + 28, 0x1000);
        b.position(FILE_OFFSET);
        b.put(content);
        return b.array();
    }
}
