package org.jkvm.cpu.diff;

import java.util.List;
import java.util.function.Consumer;

/**
 * Single-instruction cases at the carry and overflow boundaries of every ALU, shift, rotate and multiply
 * operation and operand size: all pairs of the boundary values of the width (0, 1, 2, 0x0F/0x10 for AF,
 * signed max/min and their neighbours, all ones), with all arithmetic flags clear and all set (CF into
 * ADC/SBB/RCL/RCR both ways, and unaffected flags must survive). The bits above a narrow operand hold a pattern, so merging and
 * zero-extension are checked too.
 */
final class EdgeCases {
    private static final long UPPER = 0xA5C3_96E1_7B2D_4F08L;

    private final long base;
    private final long address;
    private static final byte[] ZERO_DATA = new byte[Layout.DATA_SIZE]; // never written: runs copy it
    private final Consumer<Sequence> out;
    private long serial;

    private EdgeCases(long base, long address, Consumer<Sequence> out) {
        this.base = base;
        this.address = address;
        this.out = out;
    }

    /** Hands every boundary case to {@code out}. */
    static void all(long base, long address, Consumer<Sequence> out) {
        EdgeCases e = new EdgeCases(base, address, out);
        for (int size : new int[] {1, 2, 4, 8}) {
            e.alu(size);
            e.unary(size);
            e.shifts(size);
            e.multiply(size);
            if (size > 1) e.doubleShifts(size);
        }
    }

    /**
     * Every 8-bit input pair of every ALU operation, and every 8-bit value with every count of every shift and
     * rotate (a few hundred thousand cases: the long run only).
     */
    static void exhaustive8(long base, long address, Consumer<Sequence> out) {
        EdgeCases e = new EdgeCases(base, address, out);
        Operand.Reg a = Operand.Reg.of(Gpr.RAX, 1), d = Operand.Reg.of(Gpr.RDX, 1);
        for (int op = 0; op < 8; op++) {
            int o = op;
            for (int x = 0; x < 256; x++) {
                for (int y = 0; y < 256; y++) {
                    e.add(ALU[o] + " al, dl", asm -> asm.legacy(1, 0, false, new int[] {8 * o}, d, a, 0, 0), 1, x, y, 0,
                        ALU_RULE[o].undefined);
                }
            }
        }
        for (int dg = 0; dg < 8; dg++) {
            if (dg == 6) continue;
            int digit = dg;
            for (int x = 0; x < 256; x++) {
                for (int c = 0; c < 32; c++) {
                    e.add(SHIFT[dg] + " al, cl", asm -> asm.legacy(1, 0, false, new int[] {0xD2}, digit, a, 0, 0), 1, x, 0, c,
                        FlagRule.shift(SHIFT_RULE[dg], c, 8, 0));
                }
            }
        }
    }

    static long[] edges(int size) {
        int bits = 8 * size;
        long max = CpuMask.of(size);
        long smax = max >>> 1;
        return new long[] {0, 1, 2, 0x0F, 0x10, smax - 1, smax, smax + 1, smax + 2, max - 1, max,
            0x5555_5555_5555_5555L & max, bits == 8 ? 0x80 : 0xAAAA_AAAA_AAAA_AAAAL & max};
    }

    private static final String[] ALU = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};
    private static final FlagRule[] ALU_RULE = {FlagRule.ADD, FlagRule.OR, FlagRule.ADC, FlagRule.SBB,
        FlagRule.AND, FlagRule.SUB, FlagRule.XOR, FlagRule.CMP};

    private void alu(int size) {
        Operand.Reg a = Operand.Reg.of(Gpr.RAX, size), d = Operand.Reg.of(Gpr.RDX, size);
        for (int op = 0; op < 8; op++) {
            int o = op;
            for (long x : edges(size)) {
                for (long y : edges(size)) {
                    add(ALU[o] + " " + a + ", " + d, asm -> asm.legacy(size, 0, false, new int[] {8 * o + (size == 1 ? 0 : 1)},
                        d, a, 0, 0), size, x, y, 0, ALU_RULE[o].undefined);
                }
            }
        }
        for (long x : edges(size)) {
            for (long y : edges(size)) {
                add("test " + a + ", " + d, asm -> asm.legacy(size, 0, false, new int[] {size == 1 ? 0x84 : 0x85}, d, a, 0, 0),
                    size, x, y, 0, FlagRule.TEST.undefined);
            }
        }
    }

    private void unary(int size) {
        Operand.Reg a = Operand.Reg.of(Gpr.RAX, size);
        String[] names = {null, null, "not", "neg"};
        FlagRule[] rules = {FlagRule.INC, FlagRule.DEC, FlagRule.NOT, FlagRule.NEG};
        for (int d = 0; d < 4; d++) {
            int digit = d;
            String name = d == 0 ? "inc" : d == 1 ? "dec" : names[d];
            int opc = d < 2 ? (size == 1 ? 0xFE : 0xFF) : (size == 1 ? 0xF6 : 0xF7);
            for (long x : edges(size)) {
                add(name + " " + a, asm -> asm.legacy(size, 0, false, new int[] {opc}, digit, a, 0, 0), size, x, 0, 0,
                    rules[d].undefined);
            }
        }
    }

    private static final String[] SHIFT = {"rol", "ror", "rcl", "rcr", "shl", "shr", null, "sar"};
    private static final FlagRule[] SHIFT_RULE = {FlagRule.ROL, FlagRule.ROR, FlagRule.RCL, FlagRule.RCR,
        FlagRule.SHL, FlagRule.SHR, null, FlagRule.SAR};

    private void shifts(int size) {
        int bits = 8 * size;
        Operand.Reg a = Operand.Reg.of(Gpr.RAX, size);
        int[] counts = {0, 1, 2, bits - 1, bits, bits + 1, 9, 17, 31, 32, 33, 63, 64, 255};
        for (int d = 0; d < 8; d++) {
            if (d == 6) continue;
            int digit = d;
            for (long x : edges(size)) {
                for (int c : counts) {
                    int masked = c & (size == 8 ? 63 : 31);
                    int undef = FlagRule.shift(SHIFT_RULE[d], masked, bits, 0);
                    add(SHIFT[d] + " " + a + ", cl", asm -> asm.legacy(size, 0, false, new int[] {size == 1 ? 0xD2 : 0xD3},
                        digit, a, 0, 0), size, x, 0, c, undef);
                }
            }
        }
    }

    private void doubleShifts(int size) {
        int bits = 8 * size;
        Operand.Reg a = Operand.Reg.of(Gpr.RAX, size), d = Operand.Reg.of(Gpr.RDX, size);
        int[] counts = bits == 16 ? new int[] {0, 1, 2, 8, 15, 16, 32, 48} : new int[] {0, 1, 2, bits - 1, bits, 33, 63, 64};
        long[] vals = edges(size);
        for (int left = 0; left < 2; left++) {
            String name = left == 0 ? "shrd" : "shld";
            FlagRule rule = left == 0 ? FlagRule.SHRD : FlagRule.SHLD;
            int opc = left == 0 ? 0xAD : 0xA5;
            for (int i = 0; i < vals.length; i += 2) {
                for (int j = 1; j < vals.length; j += 2) {
                    for (int c : counts) {
                        int masked = c & (size == 8 ? 63 : 31);
                        add(name + " " + a + ", " + d + ", cl", asm -> asm.legacy(size, 0, false, new int[] {0x0F, opc}, d, a, 0, 0),
                            size, vals[i], vals[j], c, FlagRule.shift(rule, masked, bits, 0));
                    }
                }
            }
        }
    }

    private void multiply(int size) {
        Operand.Reg si = Operand.Reg.of(Gpr.RDX, size);
        Operand.Reg a = Operand.Reg.of(Gpr.RAX, size);
        for (long x : edges(size)) {
            for (long y : edges(size)) {
                add("mul " + si, asm -> asm.legacy(size, 0, false, new int[] {size == 1 ? 0xF6 : 0xF7}, 4, si, 0, 0),
                    size, x, y, 0, FlagRule.MUL.undefined);
                add("imul " + si, asm -> asm.legacy(size, 0, false, new int[] {size == 1 ? 0xF6 : 0xF7}, 5, si, 0, 0),
                    size, x, y, 0, FlagRule.IMUL.undefined);
                if (size > 1) {
                    add("imul " + a + ", " + si, asm -> asm.legacy(size, 0, false, new int[] {0x0F, 0xAF}, a, si, 0, 0),
                        size, x, y, 0, FlagRule.IMUL.undefined);
                }
            }
        }
    }

    /** One case with RAX = x and RDX = y (in the low {@code size} bytes), RCX = count, twice per flag input. */
    private void add(String text, Consumer<Asm> enc, int size, long x, long y, int count, int undefined) {
        Asm asm = new Asm(address);
        enc.accept(asm);
        byte[] code = asm.bytes();
        long mask = CpuMask.of(size);
        for (long flags : new long[] {0, Flags.ARITH}) {
            long[] gpr = new long[16];
            for (int i = 0; i < 16; i++) gpr[i] = UPPER * (i + 1);
            gpr[Gpr.RAX.num()] = (UPPER & ~mask) | (x & mask);
            gpr[Gpr.RDX.num()] = (~UPPER & ~mask) | (y & mask);
            gpr[Gpr.RCX.num()] = (UPPER & ~0xFFL) | count;
            gpr[Gpr.RSP.num()] = base + Layout.INITIAL_RSP;
            gpr[Gpr.RBX.num()] = base + Layout.SCRATCH_BASE;
            ArchState in = new ArchState(gpr, flags, ZERO_DATA);
            String line = String.format("  0000  %-36s %s", Asm.hex(code), text);
            out.accept(new Sequence("edge case #" + serial++, address, code, List.of(line), in, undefined));
        }
    }

    /** All ones in the low {@code size} bytes. */
    static final class CpuMask {
        private CpuMask() {}

        static long of(int size) { return size == 8 ? -1L : (1L << (8 * size)) - 1; }
    }
}
