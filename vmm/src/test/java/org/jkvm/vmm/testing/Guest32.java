package org.jkvm.vmm.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Tiny Multiboot guests for tests: 32-bit code (encodings from the SDM opcode map) behind an a.out-kludge
 * header, loaded at 1 MiB. Enough to print on COM1, loop, poke ports and end through debug-exit.
 */
public final class Guest32 {
    public static final int LOAD = 0x100000, CODE = LOAD + 0x20;
    private final ByteArrayOutputStream code = new ByteArrayOutputStream();

    public int here() {
        return CODE + code.size();
    }

    public Guest32 bytes(int... b) {
        for (int x : b) code.write(x);
        return this;
    }

    private Guest32 imm32(int v) {
        return bytes(v & 0xFF, (v >> 8) & 0xFF, (v >> 16) & 0xFF, (v >>> 24) & 0xFF);
    }

    public Guest32 movDx(int v) { return bytes(0x66, 0xBA, v & 0xFF, (v >> 8) & 0xFF); }

    public Guest32 movAl(int v) { return bytes(0xB0, v & 0xFF); }

    public Guest32 movEax(int v) { bytes(0xB8); return imm32(v); }

    public Guest32 movEcx(int v) { bytes(0xB9); return imm32(v); }

    public Guest32 outDxAl() { return bytes(0xEE); }

    public Guest32 outDxEax() { return bytes(0xEF); }

    public Guest32 inAlDx() { return bytes(0xEC); }

    public Guest32 hlt() { return bytes(0xF4); }

    public Guest32 cli() { return bytes(0xFA); }

    public Guest32 sti() { return bytes(0xFB); }

    /** Prints {@code s} on COM1 (clobbers AL and DX). */
    public Guest32 print(String s) {
        movDx(0x3F8);
        for (char c : s.toCharArray()) movAl(c).outDxAl();
        return this;
    }

    /** Writes {@code v} to isa-debug-exit: status (v << 1) | 1. */
    public Guest32 debugExit(int v) {
        return movDx(0xF4).movEax(v).outDxEax();
    }

    /** A backward short jump to {@code target} with the given condition opcode (0xEB = always, 0x75 = jne). */
    public Guest32 jcc8(int opcode, int target) {
        int rel = target - (here() + 2);
        if (rel < -128 || rel > 127) throw new IllegalArgumentException("too far");
        return bytes(opcode, rel & 0xFF);
    }

    /** The Multiboot image. */
    public byte[] image() {
        ByteBuffer b = ByteBuffer.allocate(0x20 + code.size()).order(ByteOrder.LITTLE_ENDIAN);
        int magic = 0x1BADB002, flags = 0x00010000;
        b.putInt(magic).putInt(flags).putInt(-(magic + flags));
        b.putInt(LOAD).putInt(LOAD).putInt(0).putInt(0).putInt(CODE);
        b.position(0x20);
        b.put(code.toByteArray());
        return b.array();
    }
}
