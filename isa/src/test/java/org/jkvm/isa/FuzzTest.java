package org.jkvm.isa;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * Random byte strings never make the decoder or the disassembler throw, and every result is consistent
 * (valid: length 1-15 within the input; invalid: a reason). ~1M in the normal run; -Djkvm.long=true runs 50M.
 */
class FuzzTest {
    @Test
    void randomBytesNeverThrow() {
        long n = Boolean.getBoolean("jkvm.long") ? 50_000_000L : 1_000_000L;
        SplittableRandom rnd = new SplittableRandom(0x6a6b766dL);
        // Inputs up to 20 bytes, at the start of a longer random buffer (decoded in place, the fast paths reading
        // random bytes past the limit) or at its very end (decoded through the decoder's padded copy).
        byte[] buf = new byte[48];
        int maxLen = 20;
        DecodeBuffer out = new DecodeBuffer();
        Decoder[] decs = {new Decoder(Mode.BITS64), new Decoder(Mode.BITS32), new Decoder(Mode.BITS16)};
        byte[] interesting = {0x62, (byte) 0xD5, (byte) 0xC4, (byte) 0xC5, 0x0F, 0x66, (byte) 0xF2, (byte) 0xF3, 0x48, 0x67};
        long valid = 0;
        for (long i = 0; i < n; i++) {
            rnd.nextBytes(buf);
            int len = 1 + rnd.nextInt(maxLen);
            int off = (i & 4) == 0 ? 0 : buf.length - len;
            // Bias towards prefixes and escapes so that VEX/EVEX/REX2 paths are exercised.
            if ((i & 1) == 0) buf[off] = interesting[rnd.nextInt(interesting.length)];
            if ((i & 3) == 0 && len > 1) buf[off + 1] = interesting[rnd.nextInt(interesting.length)];
            Decoder d = decs[(int) (i % 3)];
            boolean ok = d.decodeInto(out, buf, off, len);
            if (ok) {
                valid++;
                if (out.length() < 1 || out.length() > 15 || out.length() > len) {
                    throw new AssertionError("bad length " + out.length() + " for " + hex(buf, off, len));
                }
                if ((i & 15) == 0) {
                    Disassembler.intel(out);
                    Disassembler.att(out);
                }
            } else if (out.invalidReason() == null) {
                throw new AssertionError("invalid without reason: " + hex(buf, off, len));
            }
        }
        System.out.printf("fuzz: %d random byte strings decoded without exception, %d valid%n", n, valid);
        assertTrue(valid > n / 10);
    }

    static String hex(byte[] b, int off, int len) {
        StringBuilder sb = new StringBuilder();
        for (int i = off; i < off + len; i++) sb.append(String.format("%02x ", b[i]));
        return sb.toString();
    }
}
