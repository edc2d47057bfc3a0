package org.jkvm.vmm.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.jkvm.vmm.machine.GuestMemory;
import org.jkvm.vmm.machine.MemoryMap;
import org.jkvm.vmm.testing.Backends;
import org.jkvm.vmm.testing.Guest32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Multiboot v1 loading (Multiboot 0.6.96 spec: header, a.out kludge, ELF, info structure) and --entry64. */
class ImageLoaderTest {
    final GuestMemory mem = new GuestMemory(new MemoryMap(64L << 20));

    @AfterEach
    void close() {
        mem.close();
    }

    String cstring(long at) {
        StringBuilder b = new StringBuilder();
        for (long p = at; mem.read8(p) != 0; p++) b.append((char) mem.read8(p));
        return b.toString();
    }

    @Test
    void aoutKludgeLoadsAtTheHeaderAddressesWithEntryState() throws Exception {
        byte[] img = new Guest32().print("x").hlt().image();
        BootState b = ImageLoader.load(img, false, "quiet console=ttyS0", List.of(), mem);
        assertFalse(b.longMode());
        assertEquals(Guest32.CODE, b.rip());
        assertEquals(0x2BADB002L, b.rax());
        assertEquals(img[0x20], mem.read8(Guest32.CODE), "code copied to load_addr + offset");
        long info = b.rbx();
        int flags = mem.read32(info);
        assertEquals(0b1001001101, flags & 0b1111111111, "mem, cmdline, mods, mmap, boot_loader_name");
        assertEquals(639, mem.read32(info + 4), "mem_lower KiB");
        assertEquals(63 * 1024, mem.read32(info + 8), "mem_upper KiB from 1 MiB");
        assertEquals("quiet console=ttyS0", cstring(mem.read32(info + 16) & 0xFFFFFFFFL));
        assertEquals("jkvm", cstring(mem.read32(info + 64) & 0xFFFFFFFFL));
        assertEquals(0, mem.read32(info + 20), "no modules");
    }

    @Test
    void memoryMapCoversRamAndHoles() throws Exception {
        BootState b = ImageLoader.load(new Guest32().hlt().image(), false, "", List.of(), mem);
        long info = b.rbx();
        int len = mem.read32(info + 44);
        long addr = mem.read32(info + 48) & 0xFFFFFFFFL;
        long usable = 0;
        List<long[]> entries = new ArrayList<>();
        for (long p = addr; p < addr + len; ) {
            int size = mem.read32(p);
            long base = mem.read64(p + 4), length = mem.read64(p + 12);
            int type = mem.read32(p + 20);
            entries.add(new long[] {base, length, type});
            if (type == 1) usable += length;
            p += size + 4;
        }
        assertEquals(0x9FC00 + (64L << 20) - 0x100000, usable, "all RAM but the EBDA and the legacy hole");
        assertTrue(entries.stream().anyMatch(e -> e[0] == 0x100000 && e[2] == 1));
        assertTrue(entries.stream().noneMatch(e -> e[2] == 1 && e[0] < 0x100000 && e[0] + e[1] > 0xA0000), "hole is not RAM");
    }

    @Test
    void modulesArePlacedAfterTheImagePageAligned() throws Exception {
        byte[] img = new Guest32().hlt().image();
        ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 0x00010001).putInt(8, -(0x1BADB002 + 0x00010001));
        byte[] initrd = "initrd contents".getBytes(StandardCharsets.US_ASCII);
        BootState b = ImageLoader.load(img, false, "", List.of(new Module("rd.img arg=1", initrd)), mem);
        long info = b.rbx();
        assertEquals(1, mem.read32(info + 20));
        long mods = mem.read32(info + 24) & 0xFFFFFFFFL;
        long start = mem.read32(mods) & 0xFFFFFFFFL, end = mem.read32(mods + 4) & 0xFFFFFFFFL;
        assertEquals(0, start & 0xFFF, "page-aligned (flag 0)");
        assertTrue(start >= Guest32.LOAD + img.length - 0x20);
        assertEquals(initrd.length, end - start);
        assertEquals('i', mem.read8(start));
        assertEquals("rd.img arg=1", cstring(mem.read32(mods + 8) & 0xFFFFFFFFL));
    }

    @Test
    void benchImageFromTheSharedGuests() throws Exception {
        Path bench = Backends.shared().resolve("guests/bench.elf");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(bench), "the shared guests are not at " + bench.getParent());
        byte[] f = Files.readAllBytes(bench);
        BootState b = ImageLoader.load(f, false, "", List.of(), mem);
        ImageLoader.MultibootHeader h = ImageLoader.findHeader(f);
        assertEquals(0x00010000, h.flags());
        assertEquals(h.entryAddr(), b.rip());
        assertEquals(0x100000, h.loadAddr());
        assertEquals(0, mem.read32(h.bssEndAddr() - 4), "bss zeroed");
    }

    @Test
    void elf32ProgramHeadersWhenNoAddressFlag() throws Exception {
        // A Multiboot header without flag 16 inside an ELF32: segments come from the program headers.
        ByteBuffer b = ByteBuffer.allocate(0x200).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7F, 'E', 'L', 'F', 1, 1, 1, 0});
        b.putShort(16, (short) 2).putShort(18, (short) 3).putInt(20, 1).putInt(24, 0x200100);
        b.putInt(28, 52).putShort(40, (short) 52).putShort(42, (short) 32).putShort(44, (short) 1);
        b.putInt(52, 1).putInt(56, 0x100).putInt(60, 0xC0200000).putInt(64, 0x200000).putInt(68, 0x100).putInt(72, 0x3000);
        b.putInt(0x100, 0x1BADB002).putInt(0x104, 0).putInt(0x108, -0x1BADB002);
        b.put(0x180, (byte) 0xF4);
        byte[] img = b.array();
        // The entry is virtual (0x200100 is not inside vaddr 0xC0200000...), used as is.
        BootState s = ImageLoader.load(img, false, "", List.of(), mem);
        assertEquals(0x200100, s.rip());
        assertEquals((byte) 0xF4, mem.read8(0x200080));
        assertEquals(0, mem.read8(0x202000), "memsz beyond filesz is zero");
    }

    @Test
    void entry64BuildsIdentityMapAndLongModeState() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(0x1100).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7F, 'E', 'L', 'F', 2, 1, 1, 0});
        b.putShort(16, (short) 2).putShort(18, (short) 62).putInt(20, 1).putLong(24, 0x400010);
        b.putLong(32, 64).putShort(52, (short) 64).putShort(54, (short) 56).putShort(56, (short) 1);
        b.putInt(64, 1).putLong(72, 0x1000).putLong(80, 0x400000).putLong(88, 0x400000).putLong(96, 0x100).putLong(104, 0x100);
        BootState s = ImageLoader.load(b.array(), true, "", List.of(), mem);
        assertTrue(s.longMode());
        assertEquals(0x400010, s.rip());
        assertEquals(BootArea.PML4, s.cr3());
        long pml4e = mem.read64(s.cr3());
        long pdpte = mem.read64(pml4e & ~0xFFFL);
        long pde = mem.read64((pdpte & ~0xFFFL) + 8 * 2); // 4 MiB lies in the third 2 MiB page
        assertEquals(0x400000L | 0x83, pde);
        long pdpte3 = mem.read64((pml4e & ~0xFFFL) + 24);
        assertEquals(0xFFE00000L | 0x83, mem.read64((pdpte3 & ~0xFFFL) + 8 * 511), "the map reaches 4 GiB");
    }

    @Test
    void rejectsWhatItCannotBoot() {
        assertThrows(ImageFormatException.class, () -> ImageLoader.load(new byte[100], false, "", List.of(), mem));
        byte[] img = new Guest32().hlt().image();
        ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN).putInt(12, 0x4000000).putInt(16, 0x4000000)
            .putInt(28, 0x4000020); // load at 64 MiB: beyond RAM
        ImageFormatException e = assertThrows(ImageFormatException.class, () -> ImageLoader.load(img, false, "", List.of(), mem));
        assertTrue(e.getMessage().contains("not RAM"), e.getMessage());
        byte[] low = new Guest32().hlt().image();
        ByteBuffer.wrap(low).order(ByteOrder.LITTLE_ENDIAN).putInt(12, 0x1000).putInt(16, 0x1000).putInt(28, 0x1020);
        assertThrows(ImageFormatException.class, () -> ImageLoader.load(low, false, "", List.of(), mem), "boot area");
        byte[] flags = new Guest32().hlt().image();
        ByteBuffer.wrap(flags).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 0x00010008).putInt(8, -(0x1BADB002 + 0x00010008));
        assertThrows(ImageFormatException.class, () -> ImageLoader.load(flags, false, "", List.of(), mem), "unknown required flag");
    }

    @Test
    void memoryMapSplitsLargeRamAt3G() {
        MemoryMap m = new MemoryMap(4L << 30);
        assertEquals(3L << 30, m.lowRam());
        assertEquals(1L << 30, m.highRam());
        assertTrue(m.e820().stream().anyMatch(r -> r.base() == 1L << 32 && r.length() == 1L << 30 && r.type() == 1));
        MemoryMap small = new MemoryMap(3L << 30);
        assertEquals(0, small.highRam(), "below 3.5 GiB all RAM stays low");
    }
}
