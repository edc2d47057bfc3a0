package org.jkvm.isa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * The VEX/EVEX fast path must leave exactly the state the general path leaves: every VEX and EVEX form of the
 * table (encoded by the encoder), with random payload bits, ModRM/SIB bytes, displacements, immediates and
 * lengths, plus random bytes after each escape byte, decoded both ways.
 */
class VexFastPathTest {
    /** Encodings of every VEX/EVEX form with its sample operands. */
    static List<byte[]> tableSamples() {
        List<byte[]> pool = new ArrayList<>();
        for (Form f : OpcodeTable.FORMS) {
            if (f.space == Form.LEGACY) continue;
            for (Operand[] ops : RoundTripTest.samples(f, Mode.BITS64)) {
                try {
                    pool.add(Encoder.encode(Mode.BITS64, f, ops));
                } catch (IllegalArgumentException e) {
                    // not encodable with these sample operands
                }
            }
        }
        return pool;
    }

    /**
     * Writes an encoding of form f into buf: its space, map, pp, W, L, opcode and ModRM constraints as the table
     * gives them (W, pp and L random where the form leaves them open, L mostly among the lengths it allows), every
     * other payload bit and the bytes after ModRM random.
     */
    static void synth(Form f, SplittableRandom rnd, byte[] buf) {
        rnd.nextBytes(buf);
        int w = f.w >= 0 && rnd.nextInt(8) != 0 ? f.w : rnd.nextInt(2);
        int pp = f.pp >= 0 && rnd.nextInt(8) != 0 ? f.pp : rnd.nextInt(4);
        int l = rnd.nextInt(4);
        if (rnd.nextInt(4) != 0) {
            for (int k = 0; k < 8 && (f.lmask >> l & 1) == 0; k++) l = rnd.nextInt(4);
        }
        int p;
        if (f.space == Form.EVEX) {
            buf[0] = 0x62;
            buf[1] = (byte) (rnd.nextInt(32) << 3 | f.map);
            buf[2] = (byte) (w << 7 | rnd.nextInt(32) << 2 | pp);
            // z, L'L, b, V', aaa: mostly no masking so that forms without it are reached.
            int aaa = rnd.nextInt(3) == 0 ? rnd.nextInt(8) : 0;
            buf[3] = (byte) (rnd.nextInt(2) << 7 | l << 5 | rnd.nextInt(4) << 3 | aaa);
            p = 4;
        } else if (f.map == 1 && w == 0 && rnd.nextBoolean()) {
            buf[0] = (byte) 0xC5;
            buf[1] = (byte) (rnd.nextInt(2) << 7 | rnd.nextInt(16) << 3 | (l & 1) << 2 | pp);
            p = 2;
        } else {
            buf[0] = (byte) 0xC4;
            buf[1] = (byte) (rnd.nextInt(8) << 5 | f.map);
            buf[2] = (byte) (w << 7 | rnd.nextInt(16) << 3 | (l & 1) << 2 | pp);
            p = 3;
        }
        buf[p++] = (byte) (f.opcode + (f.plusR ? rnd.nextInt(8) : 0));
        int modrm = rnd.nextInt(256);
        if (f.reg >= 0) modrm = modrm & ~0x38 | f.reg << 3;
        if (f.mod == Form.MOD_MEM && modrm >= 0xC0) modrm &= 0x7F;
        if (f.mod == Form.MOD_REG) modrm |= 0xC0;
        if (f.rm >= 0) modrm = modrm & ~7 | f.rm;
        buf[p] = (byte) modrm;
    }

    @Test
    void everyTableFormDecodesAlikeOnBothPaths() {
        List<byte[]> pool = tableSamples();
        Decoder d = new Decoder(Mode.BITS64);
        Decoder g = new Decoder(Mode.BITS64);
        DecodeBuffer fast = new DecodeBuffer(), gen = new DecodeBuffer(), probe = new DecodeBuffer();
        int taken = 0;
        for (byte[] x : pool) {
            if (VexFastPath.decode(probe, Arrays.copyOf(x, FastPath.PAD), 0, x.length)) taken++;
            d.decodeInto(fast, x, 0, x.length);
            g.decodeGeneral(gen, x, 0, x.length);
            assertEquals(FastPathTest.state(gen), FastPathTest.state(fast), () -> RoundTripTest.hex(x));
        }
        System.out.printf("VEX/EVEX fast path: %d of %d table encodings took it%n", taken, pool.size());
        // Only forms that depend on ModRM.rm or REX.B, or need checks left to the general path, may miss it.
        assertTrue(taken > pool.size() * 95L / 100, taken + " of " + pool.size());
    }

    @Test
    void mutatedEncodingsDecodeAlikeOnBothPaths() {
        List<byte[]> pool = tableSamples();
        List<Form> vexForms = new ArrayList<>();
        for (Form f : OpcodeTable.FORMS) if (f.space != Form.LEGACY) vexForms.add(f);
        Decoder d = new Decoder(Mode.BITS64);
        Decoder g = new Decoder(Mode.BITS64);
        DecodeBuffer fast = new DecodeBuffer(), gen = new DecodeBuffer(), probe = new DecodeBuffer();
        SplittableRandom rnd = new SplittableRandom(7);
        // Bytes past the instruction's limit are random too: the fast paths read whole words past it.
        byte[] buf = new byte[FastPath.PAD + 8];
        byte[] legacy = {0x48, (byte) 0x8B, 0x44, 0x24, 0x08};
        int n = Boolean.getBoolean("jkvm.long") ? 10_000_000 : 1_000_000;
        int taken = 0;
        for (int k = 0; k < n; k++) {
            rnd.nextBytes(buf);
            int kind = rnd.nextInt(8);
            int len;
            if (kind >= 5) {
                // Built from a random VEX/EVEX form's encoding fields, every other bit random.
                synth(vexForms.get(rnd.nextInt(vexForms.size())), rnd, buf);
                len = kind == 5 ? 1 + rnd.nextInt(15) : 15;
            } else if (kind == 0) {
                // Random bytes after an escape byte.
                buf[0] = (byte) (rnd.nextBoolean() ? 0x62 : rnd.nextBoolean() ? 0xC4 : 0xC5);
                len = 1 + rnd.nextInt(15);
            } else {
                byte[] x = pool.get(rnd.nextInt(pool.size()));
                System.arraycopy(x, 0, buf, 0, x.length);
                int payload = x[0] == 0x62 ? 3 : x[0] == (byte) 0xC4 ? 2 : 1;
                // Flip random payload bits (R/X/B/R4/X4/B4/W/vvvv/V'/pp/z/L'L/b/aaa, map).
                int flips = rnd.nextInt(4);
                for (int i = 0; i < flips; i++) buf[1 + rnd.nextInt(payload)] ^= (byte) (1 << rnd.nextInt(8));
                int body = 1 + payload + 1;
                // Sometimes a random ModRM (and with it SIB, displacement and immediates from the random tail).
                if (kind == 1 && body < x.length) buf[body] = (byte) rnd.nextInt(256);
                if (kind == 2 && body + 1 < x.length) buf[body + 1] = (byte) rnd.nextInt(256);
                len = kind == 3 ? 1 + rnd.nextInt(x.length) : kind == 4 ? 15 : x.length;
            }
            if ((k & 7) == 0) {
                // Interleave with other decodes so that stale state from a previous instruction would show.
                d.decodeInto(fast, legacy, 0, legacy.length);
                g.decodeGeneral(gen, legacy, 0, legacy.length);
            }
            if (VexFastPath.decode(probe, buf, 0, len)) taken++;
            // Every fourth input sits at the end of its array (the decoder's padded-copy route).
            byte[] in = (k & 3) == 1 ? Arrays.copyOf(buf, len) : buf;
            d.decodeInto(fast, in, 0, len);
            g.decodeGeneral(gen, in, 0, len);
            int l = len;
            assertEquals(FastPathTest.state(gen), FastPathTest.state(fast), () -> RoundTripTest.hex(Arrays.copyOf(buf, l)));
        }
        System.out.printf("VEX/EVEX fast path: %d of %d mutated inputs took it, all equal to the general path%n", taken, n);
        assertTrue(taken > n / 4, taken + " of " + n);
    }
}
