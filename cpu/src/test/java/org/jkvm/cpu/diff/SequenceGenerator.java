package org.jkvm.cpu.diff;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jkvm.isa.CpuFeature;

/**
 * Random instruction sequences (1-20 units; a unit is an instruction or a short fixed group, such as the
 * operand conditioning before a DIV) over the integer instruction set, at 8/16/32/64-bit operand sizes, with
 * register and memory operands. Every sequence is safe to run natively: memory operands stay inside the
 * scratch buffer (relative to a reserved base register) or the private stack window, divides cannot #DE,
 * and no instruction the host lacks is generated. Undefined flags are tracked through {@link FlagRule}: an
 * instruction that would read one is not generated, and the undefined set at the end is not compared.
 */
final class SequenceGenerator {
    private static final Gpr[] BASES = {Gpr.RBX, Gpr.RBP, Gpr.RSI, Gpr.RDI, Gpr.R12, Gpr.R13, Gpr.R14, Gpr.R15};
    private static final Gpr[] INDEXES = {Gpr.RBX, Gpr.RBP, Gpr.RSI, Gpr.RDI, Gpr.R8, Gpr.R9, Gpr.R10, Gpr.R11,
        Gpr.R12, Gpr.R13, Gpr.R14, Gpr.R15};
    private static final long[] EDGES = {0, 1, 2, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000,
        0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL, 0x1_0000_0000L, Long.MAX_VALUE, Long.MIN_VALUE, -1, -2};

    private static final int[] SEGMENT_PREFIXES = {0x26, 0x2E, 0x36, 0x3E, 0x65};
    private static final String[] SEGMENT_NAMES = {"es", "cs", "ss", "ds", "gs"};

    private final long regionBase;
    private final long address;
    private final Predicate<CpuFeature> hostHas;
    private final int maxUnits;
    /** The region is below 2 GiB, so 32-bit address-size forms can reach it. */
    private final boolean low32;

    /**
     * @param regionBase the region's address (the data area and the stack are at fixed offsets from it)
     * @param address where the sequence's first byte will run
     * @param hostHas which CPUID features may be used
     */
    SequenceGenerator(long regionBase, long address, Predicate<CpuFeature> hostHas, int maxUnits) {
        this.regionBase = regionBase;
        this.address = address;
        this.hostHas = hostHas;
        this.maxUnits = maxUnits;
        this.low32 = regionBase + Layout.TOTAL <= 0x8000_0000L;
    }

    SequenceGenerator(long regionBase, long address, Predicate<CpuFeature> hostHas) {
        this(regionBase, address, hostHas, 20);
    }

    Sequence generate(long caseSeed) {
        return new Builder(caseSeed).build();
    }

    /** Mixes a run seed and a case number into an independent case seed (SplitMix64's finaliser). */
    static long caseSeed(long runSeed, int n) {
        long z = runSeed + 0x9E37_79B9_7F4A_7C15L * (n + 1);
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }

    private final class Builder {
        private final long caseSeed;
        private final Random rnd;
        private byte[] code = new byte[256];
        private int len;
        private final List<String> listing = new ArrayList<>();
        private int poison;
        private int depth;
        private final Gpr base;
        private final Gpr index;
        private final long indexValue;
        private final boolean[] writable = new boolean[16];
        private final long[] gpr = new long[16];
        /**
         * Forward jumps not yet resolved: {displacement position, units left to skip, undefined flags at the jump,
         * listing line, displacement size, instruction start}.
         */
        private final List<int[]> jumps = new ArrayList<>();

        Builder(long caseSeed) {
            this.caseSeed = caseSeed;
            this.rnd = new Random(caseSeed);
            base = BASES[rnd.nextInt(BASES.length)];
            Gpr idx = INDEXES[rnd.nextInt(INDEXES.length)];
            index = rnd.nextBoolean() && idx != base ? idx : null;
            indexValue = rnd.nextInt(64);
            Arrays.fill(writable, true);
            writable[Gpr.RSP.num()] = false;
            writable[base.num()] = false;
            if (index != null) writable[index.num()] = false;
        }

        Sequence build() {
            for (int i = 0; i < 16; i++) gpr[i] = value();
            gpr[Gpr.RSP.num()] = regionBase + Layout.INITIAL_RSP;
            gpr[base.num()] = regionBase + Layout.SCRATCH_BASE;
            if (index != null) gpr[index.num()] = indexValue;
            long flags = rnd.nextLong() & Flags.ARITH;
            byte[] data = new byte[Layout.DATA_SIZE];
            rnd.nextBytes(data);
            for (int z = rnd.nextInt(4); z > 0; z--) {
                int at = rnd.nextInt(data.length - 64);
                Arrays.fill(data, at, at + 1 + rnd.nextInt(63), rnd.nextBoolean() ? (byte) 0 : (byte) -1);
            }
            int units = 1 + rnd.nextInt(maxUnits);
            List<int[]> cuts = new ArrayList<>();
            for (int u = 0; u < units; u++) {
                unit();
                unitDone();
                if (jumps.isEmpty()) cuts.add(new int[] {len, poison});
            }
            for (int[] j : jumps) patch(j);
            jumps.clear();
            if (cuts.isEmpty() || cuts.get(cuts.size() - 1)[0] != len) cuts.add(new int[] {len, poison});
            return new Sequence("random case, seed " + caseSeed + " (rerun alone: -Djkvm.diff.case=" + caseSeed + ")", address, Arrays.copyOf(code, len), List.copyOf(listing),
                new ArchState(gpr.clone(), flags, data), poison, cuts.stream().mapToInt(c -> c[0]).toArray(),
                cuts.stream().mapToInt(c -> c[1]).toArray());
        }

        private void unitDone() {
            for (var it = jumps.iterator(); it.hasNext(); ) {
                int[] j = it.next();
                if (--j[1] == 0) {
                    patch(j);
                    it.remove();
                }
            }
        }

        private void patch(int[] j) {
            int relPos = j[0], relSize = j[4], start = j[5];
            int rel = len - (relPos + relSize);
            if (relSize == 1 && rel > 127) throw new IllegalStateException("jump too far");
            for (int b = 0; b < relSize; b++) code[relPos + b] = (byte) (rel >>> (8 * b));
            poison |= j[2];
            String text = listing.get(j[3]).substring(44).replaceFirst(" \\+\\d units$", " +0x" + Integer.toHexString(rel));
            listing.set(j[3], String.format("  %04x  %-36s %s", start,
                Asm.hex(Arrays.copyOfRange(code, start, relPos + relSize)), text));
        }

        /** One unit: picks generators until one applies; a generator that cannot apply returns false. */
        private void unit() {
            BooleanSupplier[] gens = {
                this::alu, this::alu, this::alu, this::alu, this::test, this::unary, this::unary, this::shift,
                this::shift, this::shift, this::doubleShift, this::mulDiv, this::mulDiv, this::imul, this::mov,
                this::mov, this::movx, this::lea, this::lea, this::xchg, this::cmpxchg, this::xadd, this::bswap,
                this::bitTest, this::bitTest, this::bitScan, this::bitScan, this::bmi, this::bmi, this::bmi,
                this::adx, this::movbe, this::setcc, this::cmovcc, this::cmovcc, this::convert, this::carryFlag,
                this::ahFlags, this::pushPop, this::pushPop, this::jcc, this::stringOp, this::stringOp,
                this::cmpxchgWide, this::flagsStack, this::misc, this::misc,
            };
            for (int attempt = 0; attempt < 1000; attempt++) {
                int savedLen = len, savedListing = listing.size(), savedPoison = poison, savedDepth = depth;
                try {
                    if (gens[rnd.nextInt(gens.length)].getAsBoolean()) {
                        returnLent();
                        return;
                    }
                } catch (IllegalArgumentException unencodable) {
                    // e.g. AH with a REX prefix: discard and pick again
                }
                returnLent();
                len = savedLen;
                pendingSegment = 0;
                listing.subList(savedListing, listing.size()).clear();
                poison = savedPoison;
                depth = savedDepth;
            }
            throw new IllegalStateException("no generator applies");
        }

        // ---- emission ----

        private void ins(String text, Consumer<Asm> enc) {
            Asm a = new Asm(address + len);
            if (pendingSegment != 0) {
                // first, so that a RIP-relative displacement is computed past it
                a.db(pendingSegment);
                text = SEGMENT_NAMES[Arrays.binarySearch(SEGMENT_PREFIXES, pendingSegment)] + ": " + text;
                pendingSegment = 0;
            }
            enc.accept(a);
            byte[] b = a.bytes();
            // prefixes pile up (segment, LOCK, 66, 67, REX): beyond 15 bytes the host raises #GP, fatal here
            if (b.length > 15) throw new IllegalArgumentException("longer than 15 bytes: " + text);
            if (len + b.length > code.length) code = Arrays.copyOf(code, Math.max(code.length * 2, len + b.length));
            System.arraycopy(b, 0, code, len, b.length);
            listing.add(String.format("  %04x  %-36s %s", len, Asm.hex(b), text));
            len += b.length;
        }

        /**
         * {@link #ins} with optional redundant prefixes: LOCK on a memory read-modify-write ({@code lockable}),
         * and a 66 that REX.W overrides on a 64-bit operation.
         */
        private void insx(String text, Operand dst, boolean lockable, int size, Consumer<Asm> enc) {
            boolean lock = lockable && dst instanceof Operand.Mem && rnd.nextInt(3) == 0;
            boolean os = size == 8 && rnd.nextInt(12) == 0;
            ins((lock ? "lock " : "") + (os ? "data16 " : "") + text, a -> {
                if (lock) a.db(0xF0);
                if (os) a.db(0x66);
                enc.accept(a);
            });
        }

        // ---- choices ----

        private int size() {
            int r = rnd.nextInt(20);
            return r < 4 ? 1 : r < 7 ? 2 : r < 13 ? 4 : 8;
        }

        private int wideSize() {
            int r = rnd.nextInt(10);
            return r < 2 ? 2 : r < 6 ? 4 : 8;
        }

        private long value() {
            return switch (rnd.nextInt(10)) {
                case 0 -> rnd.nextInt(17);
                case 1 -> -rnd.nextInt(17);
                case 2, 3 -> EDGES[rnd.nextInt(EDGES.length)] + rnd.nextInt(3) - 1;
                case 4 -> rnd.nextInt() & 0xFFFF_FFFFL;
                case 5 -> (long) rnd.nextInt(256) << (8 * rnd.nextInt(8));
                default -> rnd.nextLong();
            };
        }

        /** An immediate of {@code bytes} bytes, biased to the boundaries. */
        private long imm(int bytes) {
            long v = value();
            return switch (bytes) {
                case 1 -> (byte) v;
                case 2 -> (short) v;
                default -> (int) v;
            };
        }

        private Operand.Reg reg(int size, boolean write) {
            while (true) {
                Gpr g = Gpr.of(rnd.nextInt(16));
                if (write && !writable[g.num()]) continue;
                boolean high = size == 1 && g.num() < 4 && rnd.nextInt(4) == 0;
                return new Operand.Reg(g, size, high);
            }
        }

        private Operand.Reg writableWide(int size) {
            Operand.Reg r;
            do {
                r = reg(size, true);
            } while (r.high());
            return r;
        }

        /** A memory operand of {@code size} bytes that leaves {@code margin} bytes of room on both sides. */
        /**
         * A segment override for the next instruction, chosen with its memory operand: ES/CS/SS/DS have base 0
         * in 64-bit mode, and GS is used only when the host's GS base is 0 too (the software CPU's is).
         */
        private int pendingSegment;
        private boolean inAddr32;

        private Operand.Mem mem(int size, int margin) {
            Operand.Mem m = memOperand(size, margin); // may emit a base-register load first
            if (rnd.nextInt(10) == 0) {
                int p = SEGMENT_PREFIXES[rnd.nextInt(SEGMENT_PREFIXES.length)];
                if (p != 0x65 || HostSupport.gsBaseIsZero()) pendingSegment = p;
            }
            return m;
        }

        /** Registers lent to an address for the rest of the current unit (not to be written before its use). */
        private final List<Gpr> lent = new ArrayList<>();

        /**
         * A 32-bit address (67 prefix), possible when the region lies below 2 GiB: either an ordinary operand
         * computed in 32 bits, or a base register loaded just before with garbage in its upper half and a low
         * half that, with the displacement, wraps around 2^32 half the time: the address must be truncated.
         */
        private Operand.Mem addr32(int size, int margin) {
            if (rnd.nextBoolean()) return memOperand(size, margin).withAddr32();
            List<Gpr> free = new ArrayList<>();
            for (Gpr g : Gpr.values()) {
                if (writable[g.num()] && g.num() > Gpr.RBX.num() && g != Gpr.RSI && g != Gpr.RDI) free.add(g);
            }
            if (free.isEmpty()) return memOperand(size, margin).withAddr32();
            Gpr t = free.get(rnd.nextInt(free.size()));
            long lo = regionBase + Layout.SCRATCH + margin;
            long hi = regionBase + Layout.SCRATCH + Layout.SCRATCH_SIZE - size - margin;
            long target = lo + (long) (rnd.nextDouble() * (hi - lo));
            int disp = rnd.nextBoolean() ? rnd.nextInt(256) - 128 : (int) (target + 1 + rnd.nextInt(4096));
            long value = (rnd.nextLong() & 0xFFFF_FFFF_0000_0000L) | ((target - disp) & 0xFFFF_FFFFL);
            Operand.Reg r = Operand.Reg.of(t, 8);
            ins("mov " + r + ", " + hex(value), a -> a.plusReg(8, false, op(0xB8), r, value, 8));
            writable[t.num()] = false;
            lent.add(t);
            return new Operand.Mem(t, null, 1, disp, false, 0, true);
        }

        private void returnLent() {
            for (Gpr g : lent) writable[g.num()] = true;
            lent.clear();
        }

        private Operand.Mem memOperand(int size, int margin) {
            if (low32 && rnd.nextInt(6) == 0 && !inAddr32) {
                inAddr32 = true;
                try {
                    return addr32(size, margin);
                } finally {
                    inAddr32 = false;
                }
            }
            long lo = regionBase + Layout.SCRATCH + margin;
            long hi = regionBase + Layout.SCRATCH + Layout.SCRATCH_SIZE - size - margin;
            long baseVal = regionBase + Layout.SCRATCH_BASE;
            int form = rnd.nextInt(10);
            boolean wide = rnd.nextInt(8) == 0;
            if (form == 0) {
                // the stack window, through RSP
                long rsp = regionBase + Layout.INITIAL_RSP - depth;
                int disp = rnd.nextInt(256) - 64;
                long a = rsp + disp;
                if (a - margin < regionBase + Layout.DATA || a + size + margin > regionBase + Layout.SCRATCH) {
                    disp = 0;
                }
                return new Operand.Mem(Gpr.RSP, null, 1, disp, wide, 0);
            }
            long target = form < 5 ? baseVal + rnd.nextInt(256) - 128 : lo + (long) (rnd.nextDouble() * (hi - lo));
            target = Math.max(lo, Math.min(hi, target));
            if (form == 1) target = baseVal;
            if (form == 2 && rnd.nextBoolean()) return Operand.Mem.rip(target); // code and data share the region
            if (index != null && form >= 7) {
                int scale = 1 << rnd.nextInt(4);
                long disp = target - baseVal - indexValue * scale;
                return new Operand.Mem(base, index, scale, (int) disp, wide, 0);
            }
            return new Operand.Mem(base, null, 1, (int) (target - baseVal), wide, 0);
        }

        private Operand rm(int size, boolean write) {
            return rnd.nextInt(5) < 2 ? mem(size, 0) : reg(size, write);
        }

        private static String txt(Operand o, int size) {
            return o instanceof Operand.Mem m ? m.text(size) : o.toString();
        }

        private Cond cleanCond() {
            for (int i = 0; i < 40; i++) {
                Cond c = Cond.values()[rnd.nextInt(16)];
                if ((c.reads & poison) == 0) return c;
            }
            return null;
        }

        private int[] op(int... bytes) { return bytes; }

        // ---- generators ----

        private static final String[] ALU = {"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"};
        private static final FlagRule[] ALU_RULE = {FlagRule.ADD, FlagRule.OR, FlagRule.ADC, FlagRule.SBB,
            FlagRule.AND, FlagRule.SUB, FlagRule.XOR, FlagRule.CMP};

        private boolean alu() {
            int d = rnd.nextInt(8);
            FlagRule rule = ALU_RULE[d];
            if ((rule.reads & poison) != 0) return false;
            aluOp(d, size(), rnd.nextInt(5));
            return true;
        }

        private void aluOp(int d, int size, int form) {
            boolean w = d != 7;
            String name = ALU[d];
            int s1 = size == 1 ? 0 : 1;
            switch (form) {
                case 0 -> {
                    Operand dst = rm(size, w);
                    Operand.Reg src = reg(size, false);
                    insx(name + " " + txt(dst, size) + ", " + src, dst, w, size,
                        a -> a.legacy(size, 0, false, op(8 * d + s1), src, dst, 0, 0));
                }
                case 1 -> {
                    Operand.Reg dst = reg(size, w);
                    Operand src = rm(size, false);
                    insx(name + " " + dst + ", " + txt(src, size), dst, false, size,
                        a -> a.legacy(size, 0, false, op(8 * d + 2 + s1), dst, src, 0, 0));
                }
                case 2 -> {
                    int ib = Math.min(size, 4);
                    long v = imm(ib);
                    insx(name + " " + Gpr.RAX.name(size) + ", " + hex(v), null, false, size,
                        a -> a.plainImm(size, 8 * d + 4 + s1, v, ib));
                }
                case 3 -> {
                    Operand dst = rm(size, w);
                    int ib = Math.min(size, 4);
                    long v = imm(ib);
                    insx(name + " " + txt(dst, size) + ", " + hex(v), dst, w, size,
                        a -> a.legacy(size, 0, false, op(size == 1 ? 0x80 : 0x81), d, dst, v, ib));
                }
                default -> {
                    int sz = size == 1 ? 4 : size;
                    Operand dst = rm(sz, w);
                    long v = imm(1);
                    insx(name + " " + txt(dst, sz) + ", " + hex(v), dst, w, sz,
                        a -> a.legacy(sz, 0, false, op(0x83), d, dst, v, 1));
                }
            }
            poison = ALU_RULE[d].after(poison);
        }

        private boolean test() {
            int size = size();
            int s1 = size == 1 ? 0 : 1;
            switch (rnd.nextInt(3)) {
                case 0 -> {
                    Operand dst = rm(size, false);
                    Operand.Reg src = reg(size, false);
                    ins("test " + txt(dst, size) + ", " + src, a -> a.legacy(size, 0, false, op(0x84 + s1), src, dst, 0, 0));
                }
                case 1 -> {
                    int ib = Math.min(size, 4);
                    long v = imm(ib);
                    ins("test " + Gpr.RAX.name(size) + ", " + hex(v), a -> a.plainImm(size, 0xA8 + s1, v, ib));
                }
                default -> {
                    Operand dst = rm(size, false);
                    int ib = Math.min(size, 4);
                    long v = imm(ib);
                    ins("test " + txt(dst, size) + ", " + hex(v), a -> a.legacy(size, 0, false, op(0xF6 + s1), 0, dst, v, ib));
                }
            }
            poison = FlagRule.TEST.after(poison);
            return true;
        }

        private boolean unary() {
            int size = size();
            int s1 = size == 1 ? 0 : 1;
            Operand dst = rm(size, true);
            switch (rnd.nextInt(4)) {
                case 0 -> {
                    insx("inc " + txt(dst, size), dst, true, size, a -> a.legacy(size, 0, false, op(0xFE + s1), 0, dst, 0, 0));
                    poison = FlagRule.INC.after(poison);
                }
                case 1 -> {
                    insx("dec " + txt(dst, size), dst, true, size, a -> a.legacy(size, 0, false, op(0xFE + s1), 1, dst, 0, 0));
                    poison = FlagRule.DEC.after(poison);
                }
                case 2 -> insx("not " + txt(dst, size), dst, true, size, a -> a.legacy(size, 0, false, op(0xF6 + s1), 2, dst, 0, 0));
                default -> {
                    insx("neg " + txt(dst, size), dst, true, size, a -> a.legacy(size, 0, false, op(0xF6 + s1), 3, dst, 0, 0));
                    poison = FlagRule.NEG.after(poison);
                }
            }
            return true;
        }

        private static final String[] SHIFT = {"rol", "ror", "rcl", "rcr", "shl", "shr", null, "sar"};
        private static final FlagRule[] SHIFT_RULE = {FlagRule.ROL, FlagRule.ROR, FlagRule.RCL, FlagRule.RCR,
            FlagRule.SHL, FlagRule.SHR, null, FlagRule.SAR};

        private boolean shift() {
            int d = rnd.nextInt(8);
            if (d == 6) return false;
            FlagRule rule = SHIFT_RULE[d];
            if ((rule.reads & poison) != 0) return false;
            int size = size();
            int s1 = size == 1 ? 0 : 1;
            int mask = size == 8 ? 63 : 31;
            Operand dst = rm(size, true);
            int count;
            switch (rnd.nextInt(3)) {
                case 0 -> {
                    ins(SHIFT[d] + " " + txt(dst, size) + ", 1", a -> a.legacy(size, 0, false, op(0xD0 + s1), d, dst, 0, 0));
                    count = 1;
                }
                case 1 -> {
                    int c = rnd.nextInt(4) == 0 ? rnd.nextInt(256) : rnd.nextInt(8 * size + 2);
                    ins(SHIFT[d] + " " + txt(dst, size) + ", " + c, a -> a.legacy(size, 0, false, op(0xC0 + s1), d, dst, c, 1));
                    count = c & mask;
                }
                default -> {
                    ins(SHIFT[d] + " " + txt(dst, size) + ", cl", a -> a.legacy(size, 0, false, op(0xD2 + s1), d, dst, 0, 0));
                    count = -1;
                }
            }
            poison = FlagRule.shift(rule, count, 8 * size, poison);
            return true;
        }

        private boolean doubleShift() {
            int size = wideSize();
            boolean left = rnd.nextBoolean();
            FlagRule rule = left ? FlagRule.SHLD : FlagRule.SHRD;
            Operand dst = rm(size, true);
            Operand.Reg src = reg(size, false);
            int opc = left ? 0xA4 : 0xAC;
            String name = left ? "shld " : "shrd ";
            int count;
            if (rnd.nextBoolean()) {
                // a count above the width of a 16-bit operand gives an undefined result; keep below it
                int c = size == 2 ? rnd.nextInt(17) : rnd.nextInt(256);
                ins(name + txt(dst, size) + ", " + src + ", " + c,
                    a -> a.legacy(size, 0, false, op(0x0F, opc), src, dst, c, 1));
                count = c & (size == 8 ? 63 : 31);
            } else {
                if (size == 2) {
                    Operand.Reg cl = Operand.Reg.of(Gpr.RCX, 1);
                    ins("and cl, 0xf", a -> a.legacy(1, 0, false, op(0x80), 4, cl, 0x0F, 1));
                    poison = FlagRule.AND.after(poison);
                }
                ins(name + txt(dst, size) + ", " + src + ", cl",
                    a -> a.legacy(size, 0, false, op(0x0F, opc + 1), src, dst, 0, 0));
                count = -1;
            }
            poison = FlagRule.shift(rule, count, 8 * size, poison);
            return true;
        }

        private boolean mulDiv() {
            int size = size();
            int s1 = size == 1 ? 0 : 1;
            int d = 4 + rnd.nextInt(4);
            String[] names = {"mul", "imul", "div", "idiv"};
            Operand src;
            if (d < 6) {
                src = rm(size, false);
            } else {
                // a divisor the conditioning below may modify, and not part of the dividend
                if (rnd.nextInt(3) == 0) {
                    src = mem(size, 0);
                } else {
                    Operand.Reg r = reg(size, true);
                    if (r.gpr() == Gpr.RAX || r.gpr() == Gpr.RDX) return false;
                    src = r;
                }
                if (d == 6) divGuard(size, src);
                else idivGuard(size, src);
            }
            ins(names[d - 4] + " " + txt(src, size), a -> a.legacy(size, 0, false, op(0xF6 + s1), d, src, 0, 0));
            poison = (d < 6 ? FlagRule.MUL : FlagRule.DIV).after(poison);
            return true;
        }

        /** Unsigned: the high half of the dividend is shifted below 2^(n-k) and the divisor made at least 2^(n-k). */
        private void divGuard(int size, Operand divisor) {
            int bits = 8 * size;
            int k = 1 + rnd.nextInt(bits - 1);
            Operand.Reg high = size == 1 ? new Operand.Reg(Gpr.RAX, 1, true) : Operand.Reg.of(Gpr.RDX, size);
            ins("shr " + high + ", " + k, a -> a.legacy(size, 0, false, op(size == 1 ? 0xC0 : 0xC1), 5, high, k, 1));
            setBit(size, divisor, bits - k);
            poison = FlagRule.DIV.after(poison);
        }

        /**
         * Signed: either the dividend is the sign extension of the low half and the divisor is even and non-zero
         * (|quotient| at most half the range), or the low half is made non-negative first and the divisor odd.
         */
        private void idivGuard(int size, Operand divisor) {
            Operand.Reg low = Operand.Reg.of(Gpr.RAX, size);
            boolean positive = rnd.nextBoolean();
            if (positive) {
                ins("shr " + low + ", 1", a -> a.legacy(size, 0, false, op(size == 1 ? 0xD0 : 0xD1), 5, low, 0, 0));
            }
            switch (size) {
                case 1 -> ins("cbw", a -> a.plain(2, 0x98));
                case 2 -> ins("cwd", a -> a.plain(2, 0x99));
                case 4 -> ins("cdq", a -> a.plain(4, 0x99));
                default -> ins("cqo", a -> a.plain(8, 0x99));
            }
            if (positive) {
                setBit(size, divisor, 0);
            } else {
                setBit(size, divisor, 1);
                if (size == 1) {
                    ins("and " + txt(divisor, 1) + ", 0xfe", a -> a.legacy(1, 0, false, op(0x80), 4, divisor, 0xFE, 1));
                } else {
                    ins("btr " + txt(divisor, size) + ", 0", a -> a.legacy(size, 0, false, op(0x0F, 0xBA), 6, divisor, 0, 1));
                }
            }
            poison = FlagRule.DIV.after(poison);
        }

        private void setBit(int size, Operand o, int bit) {
            if (size == 1) {
                ins("or " + txt(o, 1) + ", " + hex(1 << bit), a -> a.legacy(1, 0, false, op(0x80), 1, o, 1 << bit, 1));
            } else {
                ins("bts " + txt(o, size) + ", " + bit, a -> a.legacy(size, 0, false, op(0x0F, 0xBA), 5, o, bit, 1));
            }
        }

        private boolean imul() {
            int size = wideSize();
            Operand.Reg dst = reg(size, true);
            Operand src = rm(size, false);
            switch (rnd.nextInt(3)) {
                case 0 -> ins("imul " + dst + ", " + txt(src, size), a -> a.legacy(size, 0, false, op(0x0F, 0xAF), dst, src, 0, 0));
                case 1 -> {
                    long v = imm(1);
                    ins("imul " + dst + ", " + txt(src, size) + ", " + hex(v), a -> a.legacy(size, 0, false, op(0x6B), dst, src, v, 1));
                }
                default -> {
                    int ib = Math.min(size, 4);
                    long v = imm(ib);
                    ins("imul " + dst + ", " + txt(src, size) + ", " + hex(v), a -> a.legacy(size, 0, false, op(0x69), dst, src, v, ib));
                }
            }
            poison = FlagRule.IMUL.after(poison);
            return true;
        }

        private boolean mov() {
            int size = size();
            int s1 = size == 1 ? 0 : 1;
            switch (rnd.nextInt(4)) {
                case 0 -> {
                    Operand dst = rm(size, true);
                    Operand.Reg src = reg(size, false);
                    ins("mov " + txt(dst, size) + ", " + src, a -> a.legacy(size, 0, false, op(0x88 + s1), src, dst, 0, 0));
                }
                case 1 -> {
                    Operand.Reg dst = reg(size, true);
                    Operand src = rm(size, false);
                    ins("mov " + dst + ", " + txt(src, size), a -> a.legacy(size, 0, false, op(0x8A + s1), dst, src, 0, 0));
                }
                case 2 -> {
                    Operand dst = rm(size, true);
                    int ib = Math.min(size, 4);
                    long v = imm(ib);
                    ins("mov " + txt(dst, size) + ", " + hex(v), a -> a.legacy(size, 0, false, op(0xC6 + s1), 0, dst, v, ib));
                }
                default -> {
                    Operand.Reg dst = reg(size, true);
                    long v = size == 8 ? value() : imm(size);
                    ins("mov " + dst + ", " + hex(v), a -> a.plusReg(size, false, op(size == 1 ? 0xB0 : 0xB8), dst, v, size));
                }
            }
            return true;
        }

        private boolean movx() {
            int kind = rnd.nextInt(5);
            if (kind == 4) {
                Operand.Reg dst = reg(8, true);
                Operand src = rm(4, false);
                ins("movsxd " + dst + ", " + txt(src, 4), a -> a.legacy(8, 0, false, op(0x63), dst, src, 0, 0));
                return true;
            }
            boolean signed = kind >= 2;
            int from = (kind & 1) == 0 ? 1 : 2;
            int size = from == 1 ? wideSize() : (rnd.nextBoolean() ? 4 : 8);
            Operand.Reg dst = reg(size, true);
            Operand src = rm(from, false);
            int opc = (signed ? 0xBE : 0xB6) + (from - 1);
            ins((signed ? "movsx " : "movzx ") + dst + ", " + txt(src, from),
                a -> a.legacy(size, 0, false, op(0x0F, opc), dst, src, 0, 0));
            return true;
        }

        private boolean lea() {
            int size = wideSize();
            Operand.Reg dst = reg(size, true);
            Gpr b = Gpr.of(rnd.nextInt(16));
            Gpr i = rnd.nextBoolean() ? null : Gpr.of(rnd.nextInt(16));
            if (i == Gpr.RSP) i = null;
            int disp = switch (rnd.nextInt(3)) {
                case 0 -> 0;
                case 1 -> rnd.nextInt(256) - 128;
                default -> (int) imm(4);
            };
            Operand.Mem m = rnd.nextInt(8) == 0 ? Operand.Mem.rip(address + rnd.nextInt(Layout.TOTAL))
                : new Operand.Mem(b, i, 1 << rnd.nextInt(4), disp, rnd.nextInt(8) == 0, 0);
            boolean addr32 = rnd.nextInt(6) == 0; // the address is computed in 32 bits, then zero-extended
            ins((addr32 ? "addr32 " : "") + "lea " + dst + ", " + m.text(0), a -> {
                if (addr32) a.db(0x67);
                a.legacy(size, 0, false, op(0x8D), dst, m, 0, 0);
            });
            return true;
        }

        private boolean xchg() {
            int size = size();
            if (size > 1 && rnd.nextInt(3) == 0) {
                Operand.Reg r = writableWide(size);
                ins("xchg " + Gpr.RAX.name(size) + ", " + r, a -> a.plusReg(size, false, op(0x90), r, 0, 0));
                return true;
            }
            Operand dst = rm(size, true);
            Operand.Reg src = reg(size, true);
            insx("xchg " + txt(dst, size) + ", " + src, dst, true, size, a -> a.legacy(size, 0, false, op(size == 1 ? 0x86 : 0x87), src, dst, 0, 0));
            return true;
        }

        private boolean cmpxchg() {
            int size = size();
            Operand dst = rm(size, true);
            Operand.Reg src = reg(size, false);
            insx("cmpxchg " + txt(dst, size) + ", " + src, dst, true, size,
                a -> a.legacy(size, 0, false, op(0x0F, size == 1 ? 0xB0 : 0xB1), src, dst, 0, 0));
            poison = FlagRule.CMPXCHG.after(poison);
            return true;
        }

        private boolean xadd() {
            int size = size();
            Operand dst = rm(size, true);
            Operand.Reg src = reg(size, true);
            insx("xadd " + txt(dst, size) + ", " + src, dst, true, size,
                a -> a.legacy(size, 0, false, op(0x0F, size == 1 ? 0xC0 : 0xC1), src, dst, 0, 0));
            poison = FlagRule.XADD.after(poison);
            return true;
        }

        private boolean bswap() {
            int size = rnd.nextBoolean() ? 4 : 8;
            Operand.Reg r = writableWide(size);
            ins("bswap " + r, a -> a.plusReg(size, false, op(0x0F, 0xC8), r, 0, 0));
            return true;
        }

        private boolean bitTest() {
            int size = wideSize();
            int d = rnd.nextInt(4);
            String name = new String[] {"bt", "bts", "btr", "btc"}[d];
            boolean write = d != 0;
            if (rnd.nextBoolean()) {
                Operand dst = rm(size, write);
                int bit = rnd.nextInt(4) == 0 ? rnd.nextInt(256) : rnd.nextInt(8 * size);
                insx(name + " " + txt(dst, size) + ", " + bit, dst, write, size, a -> a.legacy(size, 0, false, op(0x0F, 0xBA), 4 + d, dst, bit, 1));
            } else if (rnd.nextBoolean()) {
                Operand.Reg dst = reg(size, write);
                Operand.Reg src = reg(size, false);
                ins(name + " " + dst + ", " + src, a -> a.legacy(size, 0, false, op(0x0F, 0xA3 + 8 * d), src, dst, 0, 0));
            } else {
                // a register bit offset addresses memory up to 2^63 bits away: bound it to -128..127 first
                Operand.Mem dst = mem(size, 24);
                Operand.Reg off = writableWide(size);
                int ws = Math.max(4, size);
                Operand.Reg wide = Operand.Reg.of(off.gpr(), ws);
                ins("and " + wide + ", 0xff", a -> a.legacy(ws, 0, false, op(0x81), 4, wide, 0xFF, 4));
                ins("sub " + wide + ", 0x80", a -> a.legacy(ws, 0, false, op(0x81), 5, wide, 0x80, 4));
                poison = FlagRule.SUB.after(poison);
                insx(name + " " + dst.text(size) + ", " + off, dst, write, size, a -> a.legacy(size, 0, false, op(0x0F, 0xA3 + 8 * d), off, dst, 0, 0));
            }
            poison = FlagRule.BT.after(poison);
            return true;
        }

        private boolean bitScan() {
            int size = wideSize();
            int kind = rnd.nextInt(5);
            String[] names = {"bsf", "bsr", "tzcnt", "lzcnt", "popcnt"};
            FlagRule[] rules = {FlagRule.BSF, FlagRule.BSR, FlagRule.TZCNT, FlagRule.LZCNT, FlagRule.POPCNT};
            CpuFeature[] needs = {null, null, CpuFeature.BMI1, CpuFeature.LZCNT, CpuFeature.POPCNT};
            int[] opcodes = {0xBC, 0xBD, 0xBC, 0xBD, 0xB8};
            if (needs[kind] != null && !hostHas.test(needs[kind])) return false;
            Operand.Reg dst = reg(size, true);
            Operand src;
            if (kind < 2) {
                // BSF/BSR leave the destination undefined for a zero source: make it non-zero
                src = rnd.nextBoolean() ? mem(size, 0) : writableWide(size);
                setBit(size, src, rnd.nextInt(8 * size));
                poison = FlagRule.BTS.after(poison);
            } else {
                src = rm(size, false);
            }
            int prefix = kind < 2 ? 0 : 0xF3;
            ins(names[kind] + " " + dst + ", " + txt(src, size),
                a -> a.legacy(size, prefix, false, op(0x0F, opcodes[kind]), dst, src, 0, 0));
            poison = rules[kind].after(poison);
            return true;
        }

        private boolean bmi() {
            int size = rnd.nextBoolean() ? 4 : 8;
            boolean w = size == 8;
            int kind = rnd.nextInt(13);
            CpuFeature need = kind < 5 ? CpuFeature.BMI1 : CpuFeature.BMI2;
            if (!hostHas.test(need)) return false;
            Operand.Reg dst = writableWide(size);
            Operand.Reg v = Operand.Reg.of(Gpr.of(rnd.nextInt(16)), size);
            Operand src = rnd.nextInt(3) == 0 ? mem(size, 0) : Operand.Reg.of(Gpr.of(rnd.nextInt(16)), size);
            String s = txt(src, size);
            switch (kind) {
                case 0 -> emitVex("andn", FlagRule.ANDN, dst + ", " + v + ", " + s, 2, 0, w, v, 0xF2, dst.encoding(), src);
                case 1 -> emitVex("bextr", FlagRule.BEXTR, dst + ", " + s + ", " + v, 2, 0, w, v, 0xF7, dst.encoding(), src);
                case 2 -> emitVex("blsi", FlagRule.BLSI, dst + ", " + s, 2, 0, w, dst, 0xF3, 3, src);
                case 3 -> emitVex("blsmsk", FlagRule.BLSMSK, dst + ", " + s, 2, 0, w, dst, 0xF3, 2, src);
                case 4 -> emitVex("blsr", FlagRule.BLSR, dst + ", " + s, 2, 0, w, dst, 0xF3, 1, src);
                case 5 -> emitVex("bzhi", FlagRule.BZHI, dst + ", " + s + ", " + v, 2, 0, w, v, 0xF5, dst.encoding(), src);
                case 6 -> emitVex("pdep", FlagRule.PDEP, dst + ", " + v + ", " + s, 2, 3, w, v, 0xF5, dst.encoding(), src);
                case 7 -> emitVex("pext", FlagRule.PEXT, dst + ", " + v + ", " + s, 2, 2, w, v, 0xF5, dst.encoding(), src);
                case 8 -> {
                    int c = rnd.nextInt(256);
                    ins("rorx " + dst + ", " + s + ", " + c, a -> a.vex(3, 3, w, null, 0xF0, dst.encoding(), src, c, 1));
                }
                case 9 -> emitVex("sarx", FlagRule.SARX, dst + ", " + s + ", " + v, 2, 2, w, v, 0xF7, dst.encoding(), src);
                case 10 -> emitVex("shlx", FlagRule.SHLX, dst + ", " + s + ", " + v, 2, 1, w, v, 0xF7, dst.encoding(), src);
                case 11 -> emitVex("shrx", FlagRule.SHRX, dst + ", " + s + ", " + v, 2, 3, w, v, 0xF7, dst.encoding(), src);
                default -> {
                    // MULX hi, lo, src: both destinations written (hi wins when they are the same register)
                    Operand.Reg lo = writableWide(size);
                    emitVex("mulx", FlagRule.MULX, dst + ", " + lo + ", " + s, 2, 3, w, lo, 0xF6, dst.encoding(), src);
                }
            }
            return true;
        }

        private void emitVex(String name, FlagRule rule, String operands, int map, int pp, boolean w, Operand.Reg v,
                             int opcode, int regField, Operand rm) {
            ins(name + " " + operands, a -> a.vex(map, pp, w, v, opcode, regField, rm, 0, 0));
            poison = rule.after(poison);
        }

        private boolean adx() {
            if (!hostHas.test(CpuFeature.ADX)) return false;
            boolean ox = rnd.nextBoolean();
            FlagRule rule = ox ? FlagRule.ADOX : FlagRule.ADCX;
            if ((rule.reads & poison) != 0) return false;
            int size = rnd.nextBoolean() ? 4 : 8;
            Operand.Reg dst = writableWide(size);
            Operand src = rm(size, false);
            ins((ox ? "adox " : "adcx ") + dst + ", " + txt(src, size),
                a -> a.legacy(size, ox ? 0xF3 : 0x66, false, op(0x0F, 0x38, 0xF6), dst, src, 0, 0));
            poison = rule.after(poison);
            return true;
        }

        private boolean movbe() {
            if (!hostHas.test(CpuFeature.MOVBE)) return false;
            int size = wideSize();
            Operand.Mem m = mem(size, 0);
            if (rnd.nextBoolean()) {
                Operand.Reg dst = writableWide(size);
                ins("movbe " + dst + ", " + m.text(size), a -> a.legacy(size, 0, false, op(0x0F, 0x38, 0xF0), dst, m, 0, 0));
            } else {
                Operand.Reg src = Operand.Reg.of(Gpr.of(rnd.nextInt(16)), size);
                ins("movbe " + m.text(size) + ", " + src, a -> a.legacy(size, 0, false, op(0x0F, 0x38, 0xF1), src, m, 0, 0));
            }
            return true;
        }

        private boolean setcc() {
            Cond c = cleanCond();
            if (c == null) return false;
            Operand dst = rm(1, true);
            ins("set" + c.suffix() + " " + txt(dst, 1), a -> a.legacy(1, 0, false, op(0x0F, 0x90 + c.ordinal()), 0, dst, 0, 0));
            return true;
        }

        private boolean cmovcc() {
            Cond c = cleanCond();
            if (c == null) return false;
            int size = wideSize();
            Operand.Reg dst = reg(size, true);
            Operand src = rm(size, false);
            ins("cmov" + c.suffix() + " " + dst + ", " + txt(src, size),
                a -> a.legacy(size, 0, false, op(0x0F, 0x40 + c.ordinal()), dst, src, 0, 0));
            return true;
        }

        private boolean convert() {
            String[] names = {"cbw", "cwde", "cdqe", "cwd", "cdq", "cqo"};
            int k = rnd.nextInt(6);
            int size = 2 << (k % 3);
            ins(names[k], a -> a.plain(size, k < 3 ? 0x98 : 0x99));
            return true;
        }

        private boolean carryFlag() {
            int k = rnd.nextInt(3);
            if (k == 2 && (poison & Flags.CF) != 0) return false;
            ins(new String[] {"clc", "stc", "cmc"}[k], a -> a.db(new int[] {0xF8, 0xF9, 0xF5}[k]));
            poison &= ~Flags.CF;
            return true;
        }

        private boolean ahFlags() {
            if (!hostHas.test(CpuFeature.LAHF_LM)) return false;
            if (rnd.nextBoolean()) {
                if ((FlagRule.LAHF.reads & poison) != 0) return false;
                ins("lahf", a -> a.db(0x9F));
            } else {
                ins("sahf", a -> a.db(0x9E));
                poison = FlagRule.SAHF.after(poison);
            }
            return true;
        }

        private boolean pushPop() {
            if (!jumps.isEmpty()) return false; // the stack depth must not depend on a branch
            boolean push = depth < 64 && (depth <= -64 || rnd.nextBoolean());
            boolean word = rnd.nextInt(6) == 0;
            int size = word ? 2 : 8;
            if (push) {
                switch (rnd.nextInt(4)) {
                    case 0 -> {
                        Operand.Reg r = Operand.Reg.of(Gpr.of(rnd.nextInt(16)), size);
                        ins("push " + r, a -> a.plusReg(size, true, op(0x50), r, 0, 0));
                    }
                    case 1 -> {
                        Operand m = mem(size, 0);
                        ins("push " + txt(m, size), a -> a.legacy(size, 0, true, op(0xFF), 6, m, 0, 0));
                    }
                    case 2 -> {
                        long v = imm(1);
                        ins("push " + hex(v), a -> a.plainImm(size == 2 ? 2 : 4, 0x6A, v, 1));
                    }
                    default -> {
                        int ib = Math.min(size, 4);
                        long v = imm(ib);
                        ins("push " + hex(v), a -> a.plainImm(size == 2 ? 2 : 4, 0x68, v, ib));
                    }
                }
                depth += size;
            } else {
                if (rnd.nextBoolean()) {
                    Operand.Reg r = writableWide(size);
                    ins("pop " + r, a -> a.plusReg(size, true, op(0x58), r, 0, 0));
                } else {
                    // an RSP-based address is computed after the increment (SDM POP)
                    Operand m = mem(size, 16);
                    ins("pop " + txt(m, size), a -> a.legacy(size, 0, true, op(0x8F), 0, m, 0, 0));
                }
                depth -= size;
            }
            return true;
        }

        private static final String[] STRING = {"movs", "stos", "lods", "scas", "cmps"};
        private static final int[] STRING_OP = {0xA4, 0xAA, 0xAC, 0xAE, 0xA6};
        private static final FlagRule[] STRING_RULE = {FlagRule.MOVS, FlagRule.STOS, FlagRule.LODS, FlagRule.SCAS,
            FlagRule.CMPS};

        /**
         * A string instruction, optionally REP/REPE/REPNE and backwards (STD ... CLD), with rSI/rDI pointed into
         * the scratch buffer (overlapping ranges included) and a small count in rCX.
         */
        private boolean stringOp() {
            if (!writable[Gpr.RSI.num()] || !writable[Gpr.RDI.num()]) return false;
            int kind = rnd.nextInt(5);
            int size = size();
            int rep = kind < 3 ? (rnd.nextBoolean() ? 0xF3 : 0) : new int[] {0, 0xF3, 0xF2}[rnd.nextInt(3)];
            int n = rep != 0 ? rnd.nextInt(17) : 1;
            boolean down = rnd.nextInt(4) == 0;
            long baseVal = regionBase + Layout.SCRATCH_BASE;
            long lo = regionBase + Layout.SCRATCH + 64 + 16L * 8, hi = regionBase + Layout.SCRATCH + Layout.SCRATCH_SIZE - 64 - 16L * 8;
            long src = rnd.nextInt(4) == 0 ? baseVal + rnd.nextInt(64) : lo + (long) (rnd.nextDouble() * (hi - lo));
            long dst = rnd.nextInt(3) == 0 ? src + rnd.nextInt(33) - 16 : lo + (long) (rnd.nextDouble() * (hi - lo));
            Operand.Reg rsi = Operand.Reg.of(Gpr.RSI, 8), rdi = Operand.Reg.of(Gpr.RDI, 8);
            Operand.Mem ms = Operand.Mem.base(base, (int) (src - baseVal)), md = Operand.Mem.base(base, (int) (dst - baseVal));
            ins("lea rsi, " + ms.text(0), a -> a.legacy(8, 0, false, op(0x8D), rsi, ms, 0, 0));
            ins("lea rdi, " + md.text(0), a -> a.legacy(8, 0, false, op(0x8D), rdi, md, 0, 0));
            if (rep != 0) {
                Operand.Reg ecx = Operand.Reg.of(Gpr.RCX, 4);
                ins("mov ecx, " + n, a -> a.plusReg(4, false, op(0xB8), ecx, n, 4));
            }
            if (down) ins("std", a -> a.db(0xFD));
            String suffix = switch (size) { case 1 -> "b"; case 2 -> "w"; case 4 -> "d"; default -> "q"; };
            String prefix = rep == 0 ? "" : rep == 0xF2 ? "repne " : kind >= 3 ? "repe " : "rep ";
            int opc = STRING_OP[kind] + (size == 1 ? 0 : 1);
            ins(prefix + STRING[kind] + suffix, a -> {
                if (rep != 0) a.db(rep);
                a.plain(size == 1 ? 4 : size, opc);
            });
            if (down) ins("cld", a -> a.db(0xFC));
            if (n > 0) poison = STRING_RULE[kind].after(poison);
            return true;
        }

        /** CMPXCHG8B / CMPXCHG16B (16-byte aligned), half the time with EDX:EAX preloaded so it succeeds. */
        private boolean cmpxchgWide() {
            boolean wide = rnd.nextBoolean();
            if (wide && !hostHas.test(CpuFeature.CX16)) return false;
            int width = wide ? 16 : 8;
            long baseVal = regionBase + Layout.SCRATCH_BASE;
            long target = (baseVal + rnd.nextInt(2048) - 1024) & ~(long) (width - 1);
            if (!wide) target += 8L * rnd.nextInt(2) + (rnd.nextInt(4) == 0 ? rnd.nextInt(8) : 0);
            Operand.Mem m = Operand.Mem.base(base, (int) (target - baseVal));
            int half = width / 2;
            if (rnd.nextBoolean()) {
                Operand.Mem hiPart = Operand.Mem.base(base, (int) (target - baseVal) + half);
                Operand.Reg a = Operand.Reg.of(Gpr.RAX, half), d = Operand.Reg.of(Gpr.RDX, half);
                ins("mov " + a + ", " + m.text(half), x -> x.legacy(half, 0, false, op(0x8B), a, m, 0, 0));
                ins("mov " + d + ", " + hiPart.text(half), x -> x.legacy(half, 0, false, op(0x8B), d, hiPart, 0, 0));
            }
            boolean lock = rnd.nextBoolean();
            ins((lock ? "lock " : "") + (wide ? "cmpxchg16b " : "cmpxchg8b ") + m.text(width), x -> {
                if (lock) x.db(0xF0);
                x.legacy(wide ? 8 : 4, 0, false, op(0x0F, 0xC7), 1, m, 0, 0);
            });
            poison = (wide ? FlagRule.CMPXCHG16B : FlagRule.CMPXCHG8B).after(poison);
            return true;
        }

        /**
         * A forward branch over the next 1-3 units: Jcc (rel8 or rel32), JMP, JRCXZ/JECXZ, or LOOP/LOOPE/LOOPNE
         * (rCX or, with 67, ECX). Afterwards a flag is defined only if it is on both paths.
         */
        private boolean jcc() {
            if (!jumps.isEmpty()) return false;
            int skip = 1 + rnd.nextInt(3);
            int start = len;
            int kind = rnd.nextInt(10);
            String text;
            int[] bytes;
            int relSize;
            if (kind < 5) {
                Cond c = cleanCond();
                if (c == null) return false;
                boolean near = kind == 4;
                text = "j" + c.suffix();
                bytes = near ? new int[] {0x0F, 0x80 + c.ordinal(), 0, 0, 0, 0} : new int[] {0x70 + c.ordinal(), 0};
                relSize = near ? 4 : 1;
            } else if (kind == 5) {
                boolean near = rnd.nextBoolean();
                text = "jmp";
                bytes = near ? new int[] {0xE9, 0, 0, 0, 0} : new int[] {0xEB, 0};
                relSize = near ? 4 : 1;
            } else if (kind == 6) {
                boolean e = rnd.nextBoolean();
                text = e ? "jecxz" : "jrcxz";
                bytes = e ? new int[] {0x67, 0xE3, 0} : new int[] {0xE3, 0};
                relSize = 1;
            } else {
                int which = rnd.nextInt(3); // LOOP, LOOPE, LOOPNE
                if (which > 0 && (poison & Flags.ZF) != 0) return false;
                boolean e = rnd.nextInt(4) == 0;
                text = (e ? "addr32 " : "") + new String[] {"loop", "loope", "loopne"}[which];
                int opc = new int[] {0xE2, 0xE1, 0xE0}[which];
                bytes = e ? new int[] {0x67, opc, 0} : new int[] {opc, 0};
                relSize = 1;
            }
            int[] b = bytes;
            ins(text + " +" + skip + " units", a -> a.db(b));
            jumps.add(new int[] {len - relSize, skip + 1, poison, listing.size() - 1, relSize, start});
            return true;
        }

        /**
         * The rest of the integer set: CRC32, XLAT (when RBX is the data base), multi-byte NOP and PREFETCH with
         * a memory operand, MOV with a 64-bit absolute address (A0-A3), MOVSXD without REX.W, reads of the null
         * data segment selectors (DS/ES/FS/GS are 0 in 64-bit user space on both sides), PUSH FS/GS.
         */
        private boolean misc() {
            switch (rnd.nextInt(8)) {
                case 0 -> {
                    if (!hostHas.test(CpuFeature.SSE4_2)) return false;
                    int from = 1 << rnd.nextInt(4);
                    // CRC32 r32, r/m8/16/32; CRC32 r64, r/m8/64
                    int size = from == 8 ? 8 : from == 1 && rnd.nextBoolean() ? 8 : 4;
                    Operand.Reg dst = writableWide(size);
                    Operand src = rm(from, false);
                    // F2 [REX.W] 0F 38 F0 (byte source) / F1 (16/32/64-bit source, 66 for 16)
                    int osz = from == 1 ? size : from == 8 ? 8 : 4;
                    ins("crc32 " + dst + ", " + txt(src, from), a -> {
                        if (from == 2) a.db(0x66);
                        a.legacy(from == 2 ? 4 : osz, 0xF2, false, op(0x0F, 0x38, from == 1 ? 0xF0 : 0xF1), dst, src, 0, 0);
                    });
                }
                case 1 -> {
                    if (base != Gpr.RBX) return false;
                    ins("xlat", a -> a.db(0xD7));
                }
                case 2 -> {
                    int size = rnd.nextBoolean() ? 2 : 4;
                    Operand m = mem(size, 0);
                    if (rnd.nextBoolean()) {
                        ins("nop " + txt(m, size), a -> a.legacy(size, 0, false, op(0x0F, 0x1F), 0, m, 0, 0));
                    } else {
                        int hint = rnd.nextInt(4);
                        ins(new String[] {"prefetchnta ", "prefetcht0 ", "prefetcht1 ", "prefetcht2 "}[hint] + txt(m, 1),
                            a -> a.legacy(4, 0, false, op(0x0F, 0x18), hint, m, 0, 0));
                    }
                }
                case 3 -> {
                    int size = size();
                    long at = regionBase + Layout.SCRATCH + 64 + rnd.nextInt(Layout.SCRATCH_SIZE - 128);
                    boolean store = rnd.nextBoolean();
                    int opc = (store ? 0xA2 : 0xA0) + (size == 1 ? 0 : 1);
                    String m = new Operand.Mem(Gpr.RAX, null, 1, 0, false, 0).text(size).replace("[rax]", "[0x" + Long.toHexString(at) + "]");
                    ins("mov " + (store ? m + ", " + Gpr.RAX.name(size) : Gpr.RAX.name(size) + ", " + m),
                        a -> a.plainImm(size == 1 ? 4 : size, opc, at, 8));
                }
                case 4 -> {
                    int size = rnd.nextBoolean() ? 2 : 4;
                    Operand.Reg dst = writableWide(size);
                    Operand src = rnd.nextInt(3) == 0 ? mem(size, 4) : reg(size, false); // room if 4 bytes are read
                    ins("movsxd " + dst + ", " + txt(src, size), a -> a.legacy(size, 0, false, op(0x63), dst, src, 0, 0));
                }
                case 5, 6 -> {
                    int sreg = new int[] {0, 3, 4, 5}[rnd.nextInt(4)]; // ES, DS, FS, GS
                    int size = wideSize();
                    Operand dst = size == 2 && rnd.nextBoolean() ? mem(2, 0) : writableWide(size);
                    String name = new String[] {"es", "cs", "ss", "ds", "fs", "gs"}[sreg];
                    int sz = dst instanceof Operand.Mem ? 4 : size;
                    ins("mov " + txt(dst, 2) + ", " + name, a -> a.legacy(sz, 0, false, op(0x8C), sreg, dst, 0, 0));
                }
                default -> {
                    if (!jumps.isEmpty()) return false;
                    boolean gs = rnd.nextBoolean();
                    ins(gs ? "push gs" : "push fs", a -> a.db(0x0F, gs ? 0xA8 : 0xA0));
                    depth += 8;
                }
            }
            return true;
        }

        /** PUSHFQ when every arithmetic flag is defined; or POPFQ of a pushed immediate (arithmetic flags only). */
        private boolean flagsStack() {
            if (!jumps.isEmpty()) return false;
            if (rnd.nextBoolean()) {
                if (poison != 0) return false;
                ins("pushfq", a -> a.db(0x9C));
                depth += 8;
            } else {
                // IF set: POPF keeps IF at CPL 3 (IOPL 0) but loads it at CPL 0, and the host runs at CPL 3
                long v = (rnd.nextLong() & Flags.ARITH) | Flags.IF;
                ins("push " + hex(v), a -> a.plainImm(4, 0x68, v, 4));
                ins("popfq", a -> a.db(0x9D));
                poison = 0;
            }
            return true;
        }

        private static String hex(long v) {
            return v < 0 ? "-0x" + Long.toHexString(-v) : "0x" + Long.toHexString(v);
        }
    }
}
