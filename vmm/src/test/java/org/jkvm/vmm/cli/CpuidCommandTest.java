package org.jkvm.vmm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jkvm.api.Hypervisor;
import org.jkvm.api.KvmException;
import org.jkvm.api.uabi.KvmCpuidEntry2;
import org.junit.jupiter.api.Test;

import picocli.CommandLine;

class CpuidCommandTest {
    /** A Sapphire Rapids' leaf 0xD as spec/isa.md gives it. */
    static List<KvmCpuidEntry2> sprLeafD() {
        List<KvmCpuidEntry2> l = new ArrayList<>();
        l.add(new KvmCpuidEntry2(0xD, 0, 1, 0x602E7, 0x2B00, 0x2B00, 0));
        l.add(new KvmCpuidEntry2(0xD, 1, 1, 0x1F, 0x2D00, 0xDD00, 0));
        int[][] sub = {{2, 256, 576, 0}, {5, 64, 1088, 0}, {6, 512, 1152, 0}, {7, 1024, 1664, 0}, {8, 128, 0, 1},
            {9, 8, 2688, 0}, {10, 8, 0, 1}, {11, 16, 0, 1}, {12, 24, 0, 1}, {14, 48, 0, 1}, {15, 808, 0, 1},
            {17, 64, 2752, 2}, {18, 8192, 2816, 6}};
        for (int[] s : sub) l.add(new KvmCpuidEntry2(0xD, s[0], 1, s[1], s[2], s[3], 0));
        return l;
    }

    @Test
    void layoutFromLeafDReproducesTheSapphireRapidsCompactedOffsets() {
        XsaveLayoutView v = new XsaveLayoutView(sprLeafD());
        assertEquals(0x602E7L, v.xcr0);
        assertEquals(0xDD00L, v.xss);
        long linuxFpstate = 0x602E7L | 1L << 10; // XCR0 plus PASID
        int[] idx = {2, 5, 6, 7, 9, 10, 17, 18};
        int[] off = {576, 832, 896, 1408, 2432, 2440, 2496, 2560};
        for (int k = 0; k < idx.length; k++) assertEquals(off[k], v.compactedOffset(linuxFpstate, idx[k]), "component " + idx[k]);
        assertEquals(10752, v.compactedSize(linuxFpstate));
        // 0xD.1 EBX: XCR0 | PASID | Arch LBR.
        assertEquals(0x2D00, v.compactedSize(0x602E7L | 0x8400L));
        assertEquals(10752, v.compactedSize(0x602E7L));
    }

    @Test
    void printedTableCarriesTheFigures() {
        StringWriter sw = new StringWriter();
        CpuidCommand.printXsave(new PrintWriter(sw, true), new XsaveLayoutView(sprLeafD()), 0x400L);
        String s = sw.toString();
        assertTrue(s.contains("XCR0 supported 0x602e7, IA32_XSS supported 0xdd00"), s);
        assertTrue(s.contains("0xD.0 EBX 11008 (0x2b00)"), s);
        assertTrue(s.contains("0xD.1 EAX 0x1f (XSAVEOPT XSAVEC XGETBV1 XSAVES XFD); EBX 11520 (0x2d00)"), s);
        assertTrue(s.matches("(?s).*\\n\\s+10 PASID\\s+8\\s+-\\s+S\\s+-\\s+2440\\n.*"), s);
        assertTrue(s.matches("(?s).*\\n\\s+18 AMX TILEDATA\\s+8192\\s+2816\\s+U align64 xfd\\s+2560\\s+2560\\n.*"), s);
        assertTrue(s.matches("(?s).*\\n\\s+size\\s+11008\\s+10752\\s+10752\\n.*"), s);
    }

    static String run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = new CommandLine(new CpuidCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int status = cl.execute(args);
        return status + "\n" + out + err;
    }

    @Test
    void softBackendSapphireRapids() {
        try (Hypervisor h = Hypervisor.open("soft", Map.of("cpu", "sapphirerapids"))) {
            assumeTrue(h.supportedCpuid() != null);
        } catch (KvmException | RuntimeException e) {
            assumeTrue(false, "soft backend not usable here yet: " + e.getMessage());
        }
        String s = run("--cpu", "sapphirerapids");
        assertTrue(s.startsWith("0\n"), s);
        assertTrue(s.contains("XCR0 supported 0x602e7"), s);
        assertTrue(s.contains("0000000d     0 000602e7 00002b00 00002b00 00000000"), s);
        assertTrue(s.matches("(?s).*\\n\\s+17 AMX TILECFG\\s+64\\s+2752\\s+U align64\\s+2496\\s.*"), s);
    }
}
