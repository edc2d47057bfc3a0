package org.jkvm.cpu.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.jkvm.cpu.fault.Fault;
import org.junit.jupiter.api.Test;

/**
 * DIV and IDIV at the quotient limits. The cases that fit are compared with the host; the cases that fault
 * cannot run natively (a #DE is a signal the JVM would die of), so the software CPU is held to the SDM
 * instead: #DE when the divisor is zero or the quotient does not fit, with RIP on the instruction and no
 * register or flag changed.
 */
class DivideTest {
    private static final long BASE = 0x0000_5A5A_0000_0000L, SEQ = BASE + 0x100;

    private static byte[] divide(boolean signed, int size, long at) {
        Asm a = new Asm(at);
        a.legacy(size, 0, false, new int[] {size == 1 ? 0xF6 : 0xF7}, signed ? 7 : 6, Operand.Reg.of(Gpr.RCX, size), 0, 0);
        return a.bytes();
    }

    /** {dividend high (rDX or AH), dividend low (rAX or AL), divisor} per operand size, quotient at the limit. */
    private static long[][] fitting(boolean signed, int size) {
        int bits = 8 * size;
        long max = size == 8 ? -1L : (1L << bits) - 1;
        long smin = 1L << (bits - 1);
        if (!signed) {
            // (d-1):max / d = max with remainder d-1; and 0:max / 1 = max
            return new long[][] {{0x10, max, 0x11}, {0, max, 1}, {max - 1, max, max}};
        }
        // -2^(n-1) / 1 = the most negative quotient; 2^(n-1)-1 / 1 = the most positive
        return new long[][] {{max, smin, 1}, {0, smin - 1, 1}, {max, smin, max /* -1 */ }};
    }

    @Test
    void quotientsAtTheLimitAgreeWithTheHost() {
        assumeTrue(HostSupport.reason() == null, HostSupport::reason);
        try (NativeCpu host = new NativeCpu();
             SoftCpu soft = new SoftCpu(host.base(), host.sequenceAddress(), 3, false)) {
            Differ differ = new Differ(host, soft);
            for (boolean signed : new boolean[] {false, true}) {
                for (int size : new int[] {1, 2, 4, 8}) {
                    for (long[] c : fitting(signed, size)) {
                        if (signed && c[2] != 1 && c[1] == (1L << (8 * size - 1))) {
                            // MIN / -1 overflows: that is a fault case, tested below
                            continue;
                        }
                        long[] g = state(host.base(), size, c);
                        Sequence s = new Sequence((signed ? "idiv" : "div") + " size " + size, host.sequenceAddress(),
                            divide(signed, size, host.sequenceAddress()), List.of("  0000  x  " + (signed ? "idiv" : "div")),
                            new ArchState(g, Flags.ARITH, new byte[Layout.DATA_SIZE]), Flags.ARITH);
                        assertNull(differ.check(s));
                    }
                }
            }
        }
    }

    private static long[] state(long base, int size, long[] c) {
        long[] g = new long[16];
        for (int i = 0; i < 16; i++) g[i] = 0x7777_0000_0000_0000L | i;
        long mask = size == 8 ? -1L : (1L << (8 * size)) - 1;
        if (size == 1) {
            g[Gpr.RAX.num()] = (g[Gpr.RAX.num()] & ~0xFFFFL) | (c[0] & 0xFF) << 8 | (c[1] & 0xFF);
        } else {
            g[Gpr.RDX.num()] = (g[Gpr.RDX.num()] & ~mask) | (c[0] & mask);
            g[Gpr.RAX.num()] = (g[Gpr.RAX.num()] & ~mask) | (c[1] & mask);
        }
        g[Gpr.RCX.num()] = (g[Gpr.RCX.num()] & ~mask) | (c[2] & mask);
        g[Gpr.RSP.num()] = base + Layout.INITIAL_RSP;
        return g;
    }

    @Test
    void divideErrorsFaultWithoutChangingState() {
        try (SoftCpu soft = new SoftCpu(BASE, SEQ, 3, false)) {
            for (int size : new int[] {1, 2, 4, 8}) {
                int bits = 8 * size;
                long max = size == 8 ? -1L : (1L << bits) - 1;
                long smin = 1L << (bits - 1);
                Object[][] cases = {
                    {false, new long[] {0, 5, 0}, "divisor 0"},
                    {false, new long[] {7, 0, 7}, "quotient 2^n"},
                    {false, new long[] {max, max, 1}, "quotient far too large"},
                    {true, new long[] {0, 5, 0}, "signed divisor 0"},
                    {true, new long[] {max, smin, max}, "most negative / -1"},
                    {true, new long[] {0, smin, 1}, "2^(n-1) / 1"},
                };
                for (Object[] c : cases) {
                    boolean signed = (boolean) c[0];
                    long[] g = state(BASE, size, (long[]) c[1]);
                    long[] before = g.clone();
                    byte[] code = divide(signed, size, SEQ);
                    SoftCpu.Exit e = soft.execute(code, g, Flags.ZF | Flags.CF, new byte[Layout.DATA_SIZE]);
                    String what = (signed ? "idiv" : "div") + " size " + size + ", " + c[2];
                    assertEquals(Fault.DE, e.vector(), what + ": " + e.describe(SEQ));
                    assertEquals(SEQ, e.rip(), what + ": RIP stays on the DIV");
                    for (int i = 0; i < 16; i++) assertEquals(before[i], g[i], what + ": register " + Gpr.of(i).name(8));
                    assertEquals(Flags.ZF | Flags.CF, soft.rflags() & Flags.ARITH, what + ": flags unchanged");
                }
            }
        }
    }
}
