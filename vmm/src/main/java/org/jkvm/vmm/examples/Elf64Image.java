package org.jkvm.vmm.examples;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A minimal static ELF64 x86-64 executable: one PT_LOAD segment (RWX) at a physical = virtual address. */
final class Elf64Image {
    private Elf64Image() {}

    static final int EHDR = 64, PHDR = 56, FILE_OFFSET = 0x1000;

    /**
     * @param base    load address of {@code content}
     * @param content the bytes of the segment
     * @param memSize the segment's size in memory (zero-filled past {@code content})
     * @param entry   the entry point
     */
    static byte[] build(long base, byte[] content, long memSize, long entry) {
        ByteBuffer b = ByteBuffer.allocate(FILE_OFFSET + content.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7F, 'E', 'L', 'F', 2, 1, 1, 0});
        b.putShort(16, (short) 2);      // ET_EXEC
        b.putShort(18, (short) 62);     // EM_X86_64
        b.putInt(20, 1);                // EV_CURRENT
        b.putLong(24, entry);
        b.putLong(32, EHDR);            // e_phoff
        b.putLong(40, 0);               // e_shoff: no sections
        b.putInt(48, 0);
        b.putShort(52, (short) EHDR);
        b.putShort(54, (short) PHDR);
        b.putShort(56, (short) 1);
        b.putShort(58, (short) 64);     // e_shentsize
        b.putShort(60, (short) 0);
        b.putShort(62, (short) 0);
        int p = EHDR;
        b.putInt(p, 1);                 // PT_LOAD
        b.putInt(p + 4, 7);             // R W X
        b.putLong(p + 8, FILE_OFFSET);
        b.putLong(p + 16, base);
        b.putLong(p + 24, base);
        b.putLong(p + 32, content.length);
        b.putLong(p + 40, memSize);
        b.putLong(p + 48, 0x1000);
        b.position(FILE_OFFSET);
        b.put(content);
        return b.array();
    }
}
