package org.jkvm.isa;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Test helper: encodings of table forms with sample operands (used by the benchmark and differential tests). */
public final class TestForms {
    private TestForms() {}

    /** Random APX (REX2 / map 4 / EVEX GPR) and AVX-512 encodings produced by the encoder from the table. */
    public static List<byte[]> apxAndAvx512Samples(SplittableRandom rnd, int n) {
        List<byte[]> pool = new ArrayList<>();
        for (Form f : OpcodeTable.FORMS) {
            boolean apx = f.space == Form.EVEX && !f.vector || f.rex2Only;
            boolean avx512 = f.space == Form.EVEX && f.vector;
            if (!apx && !avx512 && !(f.space == Form.LEGACY && f.map <= 1)) continue;
            for (Operand[] ops : RoundTripTest.samples(f, Mode.BITS64)) {
                boolean egpr = false;
                for (Operand o : ops) egpr |= o instanceof Operand.Reg r && r.num() >= 16;
                if (!apx && !avx512 && !egpr) continue;
                try {
                    pool.add(Encoder.encode(Mode.BITS64, f, ops));
                } catch (IllegalArgumentException e) {
                    // not encodable with these sample operands
                }
            }
        }
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(pool.get(rnd.nextInt(pool.size())));
        return out;
    }
}
