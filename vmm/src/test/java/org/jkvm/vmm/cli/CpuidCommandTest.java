package org.jkvm.vmm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
        CpuidCommand.printXsave(new PrintWriter(sw, true), new XsaveLayoutView(sprLeafD()), 0x8400L);
        String s = sw.toString();
        assertTrue(s.contains("XCR0 supported 0x602e7, IA32_XSS supported 0xdd00, host IA32_XSS 0x8400"), s);
        assertTrue(s.contains("0xD.0 EAX 0x602e7; EBX 11008 (0x2b00)"), s);
        assertTrue(s.contains("0xD.1 EAX 0x1f (XSAVEOPT XSAVEC XGETBV1 XSAVES XFD); EBX 11520 (0x2d00)"), s);
        assertTrue(s.matches("(?s).*\\n\\s+i component\\s+size\\s+standard\\s+flags\\s+0x602e7\\s+0x606e7\\s+0x686e7\\s+0x6dfe7\\n.*"), s);
        assertTrue(s.matches("(?s).*\\n\\s+10 PASID\\s+8\\s+-\\s+S\\s+-\\s+2440\\s+2440\\s+2568\\n.*"), s);
        assertTrue(s.matches("(?s).*\\n\\s+18 AMX TILEDATA\\s+8192\\s+2816\\s+U align64 xfd\\s+2560\\s+2560\\s+3328\\s+\\d+\\n.*"), s);
        assertTrue(s.matches("(?s).*\\n\\s+size\\s+11008\\s+10752\\s+10752\\s+11520\\s+\\d+\\n.*"), s);
    }

    /** Runs the whole CLI as a user would; returns the status, then stdout and stderr. */
    static String run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        String[] all = new String[args.length + 1];
        all[0] = "cpuid";
        System.arraycopy(args, 0, all, 1, args.length);
        int status = Main.execute(all, new PrintWriter(out, true), new PrintWriter(err, true));
        return status + "\n" + out + err;
    }

    /**
     * The compacted-offset column headed {@code mask} of the XSAVE table: component number to offset, and
     * "size" to the area size. The compacted columns are the last ones, so they are counted from the right.
     */
    static Map<String, Integer> column(String out, String mask) {
        Map<String, Integer> col = new java.util.HashMap<>();
        int fromRight = 0;
        for (String line : out.split("\n")) {
            List<String> t = List.of(line.strip().split("\\s+"));
            if (t.size() > 5 && t.get(0).equals("i") && t.get(1).equals("component")) {
                int i = t.indexOf(mask);
                assertTrue(i > 0, "no column " + mask + " in\n" + out);
                fromRight = t.size() - i;
                continue;
            }
            if (fromRight == 0 || !(t.get(0).equals("size") || t.get(0).matches("\\d+"))) continue;
            String v = t.get(t.size() - fromRight);
            if (!v.equals("-")) col.put(t.get(0), Integer.parseInt(v));
        }
        return col;
    }

    @Test
    void sapphireRapidsHostViewReproducesIsaMd() {
        String s = run("--cpu", "sapphirerapids");
        assertTrue(s.startsWith("0\n"), s);
        assertTrue(s.contains("View: host CPU"), s);
        // 0xD.0 and 0xD.1 exactly as spec/isa.md gives them.
        assertTrue(s.contains("  0000000d     0 000602e7 00002b00 00002b00 00000000\n"), s);
        assertTrue(s.contains("  0000000d     1 0000001f 00002d00 0000dd00 00000000\n"), s);
        // The isa.md offsets are one column: XCR0 | PASID.
        Map<String, Integer> c = column(s, "0x606e7");
        assertEquals(Map.of("2", 576, "5", 832, "6", 896, "7", 1408, "9", 2432, "10", 2440, "17", 2496, "18", 2560,
            "size", 10752), Map.copyOf(filter(c, "0", "1")), s);
        // 0xD.1 EBX is the size of XCR0 | host XSS (PASID + Arch LBR).
        assertEquals(0x2D00, column(s, "0x686e7").get("size"), s);
        assertEquals(10752, column(s, "0x602e7").get("size"), s);
    }

    private static Map<String, Integer> filter(Map<String, Integer> m, String... drop) {
        Map<String, Integer> out = new java.util.HashMap<>(m);
        for (String d : drop) out.remove(d);
        return out;
    }

    @Test
    void supportedViewStillShowsWhatKvmOffers() {
        String s = run("--cpu", "sapphirerapids", "--supported");
        assertTrue(s.startsWith("0\n"), s);
        assertTrue(s.contains("View: KVM_GET_SUPPORTED_CPUID"), s);
        assertTrue(s.contains("XCR0 supported 0x602e7"), s);
        assertTrue(s.contains("0000000d     0 000602e7 00002b00 00002b00 00000000"), s);
        // KVM virtualizes no supervisor component here: 0xD.1 reports none and sizes only XCR0.
        assertTrue(s.contains("0000000d     1 0000001f 00002a00 00000000 00000000"), s);
        assertTrue(s.contains("40000000"), s);
        assertTrue(s.matches("(?s).*\\n\\s+17 AMX TILECFG\\s+64\\s+2752\\s+U align64\\s+2496\\n.*"), s);
    }

    @Test
    void unknownModelIsOneLineUsageError() {
        String s = run("--cpu", "nosuch");
        assertTrue(s.startsWith("64\n"), s);
        String msg = s.substring(3);
        assertEquals(1, msg.strip().lines().count(), s);
        assertTrue(msg.startsWith("jkvm: "), s);
    }

    @Test
    void icelakeHasNoAmx() {
        String s = run("--cpu", "icelake-server");
        assertTrue(s.startsWith("0\n"), s);
        assertFalse(s.contains("AMX"), s);
        assertFalse(s.matches("(?s).*\\n  0000000d\\s+(11|12) .*"), s);
        assertTrue(s.contains("0000000d     0 000002e7 00000a88 00000a88 00000000"), s);
    }

    @Test
    void backendWithoutHostViewIsOneLine() {
        String s = run("--accel", "kvm");
        // /dev/kvm absent, or present without a host CPUID view: either way one line and status 69.
        assertTrue(s.startsWith("69\n"), s);
        assertEquals(1, s.substring(3).strip().lines().count(), s);
    }
}
