package org.jkvm.cpu.diff;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The harness can fail: a software side that gets one defined flag, one register bit or one byte of memory
 * wrong is caught, and one that differs only in a flag the SDM leaves undefined is not.
 */
class DifferSelfTest {
    /** The host, with its results passed through {@code corrupt}: a stand-in for a wrong software CPU. */
    private static Machine corrupted(NativeCpu host, UnaryOperator<ArchState> corrupt) {
        return new Machine() {
            @Override public long base() { return host.base(); }
            @Override public long sequenceAddress() { return host.sequenceAddress(); }
            @Override public ArchState run(byte[] code, ArchState initial) { return corrupt.apply(host.run(code, initial)); }
            @Override public void close() {}
        };
    }

    private static Sequence single(NativeCpu host, int[] opcode, int undefined) {
        Asm a = new Asm(host.sequenceAddress());
        a.legacy(4, 0, false, opcode, Operand.Reg.of(Gpr.RCX, 4), Operand.Reg.of(Gpr.RAX, 4), 0, 0);
        long[] gpr = new long[16];
        gpr[Gpr.RAX.num()] = 0xFFFF_FFF0L;
        gpr[Gpr.RCX.num()] = 0x0000_0018L;
        gpr[Gpr.RSP.num()] = host.base() + Layout.INITIAL_RSP;
        ArchState in = new ArchState(gpr, 0, new byte[Layout.DATA_SIZE]);
        return new Sequence("self-test", host.sequenceAddress(), a.bytes(), List.of("  0000  x"), in, undefined);
    }

    @Test
    void wrongResultsAreCaughtAndUndefinedFlagsAreNot() {
        assumeTrue(HostSupport.reason() == null, HostSupport::reason);
        try (NativeCpu host = new NativeCpu()) {
            Sequence add = single(host, new int[] {0x01}, FlagRule.ADD.undefined);   // add eax, ecx: carries
            Sequence and = single(host, new int[] {0x21}, FlagRule.AND.undefined);   // and eax, ecx: AF undefined
            assertNull(new Differ(host, corrupted(host, s -> s)).check(add), "identical results agree");

            String r = new Differ(host, corrupted(host, s -> new ArchState(s.gpr(), s.rflags() ^ Flags.CF, s.data())))
                .check(add);
            assertNotNull(r, "a wrong CF is caught");
            assertTrue(r.contains("rflags"), r);

            assertNotNull(new Differ(host, corrupted(host, s -> {
                long[] g = s.gpr().clone();
                g[Gpr.R11.num()] ^= 1L << 63;
                return new ArchState(g, s.rflags(), s.data());
            })).check(add), "a wrong bit in an untouched register is caught");

            assertNotNull(new Differ(host, corrupted(host, s -> {
                byte[] d = s.data().clone();
                d[d.length - 1] ^= 1;
                return new ArchState(s.gpr(), s.rflags(), d);
            })).check(add), "a wrong byte of memory is caught");

            assertNull(new Differ(host, corrupted(host, s -> new ArchState(s.gpr(), s.rflags() ^ Flags.AF, s.data())))
                .check(and), "AF after AND is undefined: not compared");
            assertNotNull(new Differ(host, corrupted(host, s -> new ArchState(s.gpr(), s.rflags() ^ Flags.ZF, s.data())))
                .check(and), "ZF after AND is defined: compared");
        }
    }
}
