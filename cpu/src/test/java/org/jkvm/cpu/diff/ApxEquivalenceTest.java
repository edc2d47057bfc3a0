package org.jkvm.cpu.diff;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * APX new-data-destination forms against the host through equivalence: isa.md:40 says an ND=1 instruction
 * computes the legacy operation on its two ModRM operands and writes the result to V (isa.md:39: with NF=1
 * the flags are left alone). So {@code op v, rm, reg} on the software CPU, with registers from all 32, must
 * give what the host's {@code op rax, rcx} gives for the same values and flags. 8- and 16-bit results are
 * compared in their low bits only (the spec leaves the upper bits of the destination unconfirmed); 32-bit
 * results zero-extend as every 32-bit register write does.
 */
class ApxEquivalenceTest {
    private static final long BASE = 0x0000_5A5A_0000_0000L, SEQ = BASE + 0x100;
    private static final int CASES = Boolean.getBoolean("jkvm.long") ? 200_000 : 6000;

    /** One operation: its legacy reg-reg encoding and its map-4 twin; {@code unary} ops ignore the reg operand. */
    private record Op(String name, int opcode, int digit, int imm, FlagRule rule, int count) {
        boolean unary() { return digit >= 0; }

        /**
         * Whether an NF form exists: the spec does not list them, and LLVM (the shared corpus) encodes none for
         * ADC, SBB, RCL, RCR (which consume CF) or NOT (which writes no flags), so those are not generated.
         */
        boolean nfEncodable() {
            return rule != FlagRule.ADC && rule != FlagRule.SBB && rule != FlagRule.RCL && rule != FlagRule.RCR
                && rule != FlagRule.NOT;
        }
    }

    private static List<Op> ops() {
        List<Op> l = new ArrayList<>();
        String[] alu = {"add", "or", "adc", "sbb", "and", "sub", "xor"};
        FlagRule[] rules = {FlagRule.ADD, FlagRule.OR, FlagRule.ADC, FlagRule.SBB, FlagRule.AND, FlagRule.SUB, FlagRule.XOR};
        for (int d = 0; d < alu.length; d++) l.add(new Op(alu[d], 8 * d + 1, -1, -1, rules[d], 0));
        l.add(new Op("inc", 0xFF, 0, -1, FlagRule.INC, 0));
        l.add(new Op("dec", 0xFF, 1, -1, FlagRule.DEC, 0));
        l.add(new Op("not", 0xF7, 2, -1, FlagRule.NOT, 0));
        l.add(new Op("neg", 0xF7, 3, -1, FlagRule.NEG, 0));
        String[] sh = {"rol", "ror", "rcl", "rcr", "shl", "shr", null, "sar"};
        FlagRule[] shr = {FlagRule.ROL, FlagRule.ROR, FlagRule.RCL, FlagRule.RCR, FlagRule.SHL, FlagRule.SHR, null, FlagRule.SAR};
        for (int d = 0; d < 8; d++) {
            if (sh[d] == null) continue;
            l.add(new Op(sh[d] + " 1", 0xD1, d, -1, shr[d], 1));
            for (int c : new int[] {2, 7, 15, 31, 63}) l.add(new Op(sh[d] + " " + c, 0xC1, d, c, shr[d], c));
        }
        return l;
    }

    @Test
    void nddFormsComputeWhatTheHostComputesForTheLegacyForm() {
        assumeTrue(HostSupport.reason() == null, HostSupport::reason);
        List<Op> ops = ops();
        List<String> failures = new ArrayList<>();
        int mismatches = 0;
        Random rnd = new Random(0xA9_0001L);
        try (NativeCpu host = new NativeCpu(); SoftCpu soft = new SoftCpu(BASE, SEQ, 3, true)) {
            for (int i = 0; i < CASES; i++) {
                Op op = ops.get(rnd.nextInt(ops.size()));
                int size = 1 << rnd.nextInt(4);
                boolean nf = op.nfEncodable() && rnd.nextBoolean();
                long a = value(rnd), b = value(rnd), flags = rnd.nextLong() & Flags.ARITH;
                if ((op.rule().reads & Flags.CF) != 0 && rnd.nextBoolean()) flags ^= Flags.CF;
                int v = reg(rnd, -1, -1), rm = reg(rnd, v, -1), rg = reg(rnd, v, rm);

                // host: op rax, rcx (or op rax / op rax, imm)
                int s1 = size == 1 ? 0 : 1;
                int legacyOpcode = size == 1 ? op.opcode() - 1 : op.opcode();
                Asm h = new Asm(host.sequenceAddress());
                if (op.unary()) {
                    h.legacy(size, 0, false, new int[] {legacyOpcode}, op.digit(), Operand.Reg.of(Gpr.RAX, size),
                        Math.max(op.imm(), 0), op.imm() >= 0 ? 1 : 0);
                } else {
                    h.legacy(size, 0, false, new int[] {op.opcode() - 1 + s1}, Operand.Reg.of(Gpr.RCX, size),
                        Operand.Reg.of(Gpr.RAX, size), 0, 0);
                }
                long[] g = new long[16];
                g[Gpr.RAX.num()] = a;
                g[Gpr.RCX.num()] = b;
                g[Gpr.RSP.num()] = host.base() + Layout.INITIAL_RSP;
                ArchState out = host.run(h.bytes(), new ArchState(g, flags, new byte[Layout.DATA_SIZE]));

                // software CPU: {nf} op v, rm, reg with ND=1
                ApxAsm x = new ApxAsm().evexRR(size == 8, size == 2 ? 1 : 0, true, nf, v, legacyOpcode,
                    op.unary() ? op.digit() : rg, rm);
                if (op.imm() >= 0) x.db(op.imm());
                long[] r = new long[32];
                for (int k = 0; k < 32; k++) r[k] = rnd.nextLong();
                r[4] = BASE + Layout.INITIAL_RSP;
                r[rm] = a;
                r[rg] = b;
                long[] before = r.clone();
                SoftCpu.Exit e = soft.execute(x.bytes(), r, flags, new byte[Layout.DATA_SIZE]);
                String what = String.format("{%s} %s size %d v=r%d rm=r%d reg=r%d a=%x b=%x flags=%s [%s]",
                    nf ? "nf" : "-", op.name(), size, v, rm, rg, a, b, Flags.describe(flags), Asm.hex(x.bytes()));
                String problem = null;
                if (!soft.endedAtTerminator(e, x.bytes().length)) {
                    problem = "stopped: " + e.describe(SEQ);
                } else {
                    long mask = size == 8 ? -1L : (1L << (8 * size)) - 1;
                    long keep = size == 4 ? 0xFFFF_FFFFL : size == 8 ? -1L : mask;
                    int count = op.count() & (size == 8 ? 63 : 31);
                    int undefined = op.count() > 0 ? FlagRule.shift(op.rule(), count, 8 * size, 0) : op.rule().undefined;
                    long expectFlags = nf ? flags : out.rflags();
                    long cmp = Flags.ARITH & ~undefined;
                    if (((r[v] ^ out.get(Gpr.RAX)) & keep) != 0) {
                        problem = String.format("result %x, host %x", r[v], out.get(Gpr.RAX) & keep);
                    } else if (((cpuFlags(soft) ^ expectFlags) & cmp) != 0) {
                        problem = "flags " + Flags.describe(cpuFlags(soft) & cmp) + ", expected "
                            + Flags.describe(expectFlags & cmp);
                    } else {
                        for (int k = 0; k < 32; k++) {
                            if (k != v && r[k] != before[k]) problem = "r" + k + " changed";
                        }
                    }
                }
                if (problem != null) {
                    mismatches++;
                    if (failures.size() < 20) failures.add(what + ": " + problem);
                }
            }
        }
        if (mismatches > 0) {
            fail(mismatches + " of " + CASES + " NDD cases differ from the host's legacy result:\n"
                + String.join("\n", failures));
        }
    }

    private static long cpuFlags(SoftCpu soft) { return soft.rflags() & Flags.ARITH; }

    private static int reg(Random rnd, int not1, int not2) {
        while (true) {
            int r = rnd.nextInt(32);
            if (r != 4 && r != not1 && r != not2) return r;
        }
    }

    private static long value(Random rnd) {
        long[] edges = {0, 1, -1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFF_FFFFL, 0x8000_0000L,
            0xFFFF_FFFFL, Long.MAX_VALUE, Long.MIN_VALUE};
        return rnd.nextInt(3) == 0 ? edges[rnd.nextInt(edges.length)] : rnd.nextLong();
    }
}
