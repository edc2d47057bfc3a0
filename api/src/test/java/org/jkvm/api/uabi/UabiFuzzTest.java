package org.jkvm.api.uabi;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.Random;

import org.jkvm.api.KvmException;
import org.junit.jupiter.api.Test;

/** Bad input never escapes as anything but KvmException: random lengths and random headers for every reader. */
class UabiFuzzTest {
    interface Reader { Object read(byte[] b) throws KvmException; }

    private static final List<Reader> READERS = List.of(KvmRegs::fromBytes, KvmSregs::fromBytes, KvmFpu::fromBytes,
        KvmXsave::fromBytes, KvmXcrs::fromBytes, KvmXcr::fromBytes, KvmMsrEntry::fromBytes, KvmMsrs::fromBytes,
        KvmMsrList::fromBytes, KvmCpuidEntry2::fromBytes, KvmCpuid2::fromBytes, KvmVcpuEvents::fromBytes,
        KvmSegment::fromBytes, KvmDtable::fromBytes, KvmLapicState::fromBytes);

    @Test
    void randomBuffersFailCleanly() {
        Random rnd = new Random(7);
        int accepted = 0, rejected = 0;
        for (int i = 0; i < 20_000; i++) {
            Reader r = READERS.get(rnd.nextInt(READERS.size()));
            int len = switch (rnd.nextInt(4)) {
                case 0 -> rnd.nextInt(16);
                case 1 -> rnd.nextInt(600);
                case 2 -> 4096 + 4 * rnd.nextInt(3000) + rnd.nextInt(2);
                default -> List.of(4, 8, 16, 24, 40, 64, 144, 312, 392, 416, 1024, 4096).get(rnd.nextInt(12));
            };
            byte[] b = new byte[len];
            rnd.nextBytes(b);
            if (len >= 4 && rnd.nextBoolean()) { b[1] = 0; b[2] = 0; b[3] = 0; } // plausible small counts
            try {
                r.read(b);
                accepted++;
            } catch (KvmException e) {
                rejected++;
            } catch (RuntimeException e) {
                fail("reader threw " + e + " for " + len + " bytes", e);
            }
        }
        assertTrue(accepted > 100 && rejected > 100, accepted + " accepted, " + rejected + " rejected");
    }
}
