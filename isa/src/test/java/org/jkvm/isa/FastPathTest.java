package org.jkvm.isa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** The decoder's fast path must leave exactly the state the general path leaves, for every input it takes. */
class FastPathTest {
    /** Every field of a decode result (each packed word, read back field by field) and the invalid reason. */
    static String state(Insn i) {
        StringBuilder sb = new StringBuilder();
        Form f = i.form();
        sb.append(f == null ? -1 : f.id).append(',').append(i.invalidReason()).append(',').append(i.length())
                .append(',').append(i.opSize()).append(',').append(i.addrSize()).append(',').append(i.prefixes())
                .append(',').append(i.segOverride()).append(',').append(i.segmentId()).append(',').append(i.nops());
        for (int k = 0; k < 5; k++) sb.append(',').append(i.packed(k));
        sb.append(',').append(i.memBase()).append(',').append(i.memIndex()).append(',').append(i.memScale()).append(',')
                .append(i.memSize()).append(',').append(i.memIndexClassId()).append(',').append(i.memBaseClassId())
                .append(',').append(i.memDisp()).append(',').append(i.isRipRelative());
        sb.append(',').append(i.imm()).append(',').append(i.imm2()).append(',').append(i.immSize()).append(',')
                .append(i.vl()).append(',').append(i.aaa()).append(',').append(i.rc()).append(',')
                .append(i.disp8Scale()).append(',').append(i.scc()).append(',').append(i.dfv()).append(',')
                .append(i.rexW()).append(',').append(i.zeroing()).append(',').append(i.bcst()).append(',')
                .append(i.sae()).append(',').append(i.nd()).append(',').append(i.nf()).append(',').append(i.xsave)
                .append(',').append(i.feature()).append(',').append(i.opcode()).append(',').append(i.modrm())
                .append(',').append(i.sib()).append(',').append(i.mode());
        // The words themselves, so that no bit outside the fields above can differ either.
        sb.append(" | ").append(Long.toHexString(i.w0)).append(',')
                .append(Long.toHexString(i.w1)).append(',').append(Long.toHexString(i.ops01)).append(',')
                .append(Long.toHexString(i.ops23)).append(',').append(Long.toHexString(i.mem)).append(',')
                .append(Long.toHexString(i.vec));
        return sb.toString();
    }

    @Test
    void fastPathEqualsGeneralPath() {
        Decoder d = new Decoder(Mode.BITS64);
        Decoder g = new Decoder(Mode.BITS64);
        DecodeBuffer fast = new DecodeBuffer(), gen = new DecodeBuffer();
        SplittableRandom rnd = new SplittableRandom(99);
        // Bytes past the instruction's limit are random too: the fast paths read whole words past it.
        byte[] buf = new byte[FastPath.PAD + 8];
        int taken = 0;
        int n = Boolean.getBoolean("jkvm.long") ? 5_000_000 : 300_000;
        byte[] lead = {0x66, 0x48, 0x41, 0x4C, 0x0F, 0x40, 0x66, (byte) 0xD5, (byte) 0xD5, 0x2E, 0x64, 0x65, 0x26, 0x36, 0x3E};
        for (int k = 0; k < n; k++) {
            rnd.nextBytes(buf);
            if ((k & 1) == 0) buf[0] = lead[rnd.nextInt(lead.length)];
            if ((k & 3) == 0) buf[1] = lead[rnd.nextInt(lead.length)];
            if ((k & 15) == 0) buf[2] = lead[rnd.nextInt(lead.length)];
            int len = 1 + rnd.nextInt(15);
            // Interleave with other decodes so that stale state from a previous instruction would show.
            if ((k & 7) == 0) {
                byte[] evex = {0x62, (byte) 0xF1, 0x7C, 0x48, 0x58, 0x40, 0x01};
                d.decodeInto(fast, evex, 0, evex.length);
                g.decodeGeneral(gen, evex, 0, evex.length);
            }
            boolean viaFast = FastPath.decode(new DecodeBuffer(), buf, 0, len);
            if (viaFast) taken++;
            // Every fourth input sits at the end of its array (the decoder's padded-copy route).
            byte[] in = (k & 3) == 1 ? java.util.Arrays.copyOf(buf, len) : buf;
            d.decodeInto(fast, in, 0, len);
            g.decodeGeneral(gen, in, 0, len);
            assertEquals(state(gen), state(fast), () -> RoundTripTest.hex(java.util.Arrays.copyOf(buf, len)));
        }
        System.out.printf("fast path: %d of %d random inputs took it, all equal to the general path%n", taken, n);
        assertTrue(taken > n / 10);
    }
}
