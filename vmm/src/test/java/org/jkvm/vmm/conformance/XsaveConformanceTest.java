package org.jkvm.vmm.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jkvm.vmm.cli.Main;
import org.jkvm.vmm.examples.XsaveConformance;
import org.jkvm.vmm.testing.Backends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs examples/xsave-conformance.elf and judges every line it prints against the XSAVE rules of the SDM (vol. 1
 * ch. 13) and isa.md, using only the CPUID values the guest printed: the expectations here are derived from the
 * architecture, never from jkvm's CPU.
 */
class XsaveConformanceTest {
    static final long BIT63 = 1L << 63;

    static Path image() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path e = p.resolve("examples").resolve("xsave-conformance.elf");
            if (Files.isRegularFile(e)) return e;
        }
        assumeTrue(false, "examples/xsave-conformance.elf not found above " + Path.of("").toAbsolutePath());
        return null;
    }

    record Run(int status, String out, String err) {}

    static Run run(String accel, String cpu) {
        List<String> args = new ArrayList<>(List.of("run", "--accel", accel, "--timeout=60"));
        if (cpu != null) args.add("--cpu=" + cpu);
        args.add(image().toString());
        StringWriter out = new StringWriter(), err = new StringWriter();
        int st = Main.execute(args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(st, out.toString(), err.toString());
    }

    /** One output line: its kind and key=value fields. */
    record Line(String kind, Map<String, String> f, String text) {
        static Line parse(String s) {
            String[] w = s.split(" ");
            Map<String, String> m = new LinkedHashMap<>();
            for (int i = 1; i < w.length; i++) {
                int eq = w[i].indexOf('=');
                if (eq > 0) m.put(w[i].substring(0, eq), w[i].substring(eq + 1));
            }
            return new Line(w[0], m, s);
        }

        long n(String k) {
            String v = f.get(k);
            if (v == null) throw new AssertionError("no " + k + " in: " + text);
            if (v.equals("none")) return -1;
            return v.startsWith("0x") ? Long.parseUnsignedLong(v.substring(2), 16) : Long.parseLong(v);
        }

        String s(String k) {
            return f.get(k);
        }
    }

    @Test
    void committedImageIsReproducible() throws IOException {
        assertArrayEquals(Files.readAllBytes(image()), XsaveConformance.build(),
            "regenerate with: java -cp vmm/target/jkvm.jar org.jkvm.vmm.examples.XsaveConformance examples/xsave-conformance.elf");
    }

    @ParameterizedTest
    @ValueSource(strings = {"max", "sapphirerapids", "icelake-server", "max,-avx512f"})
    void softBackendFollowsTheArchitecture(String cpu) {
        assumeTrue(Backends.has("soft"), "the soft backend is not available");
        Run r = run("soft", cpu);
        List<String> problems = new Checker(r.out()).check();
        assertEquals(1, r.status(), "exit status; stderr: " + r.err());
        assertTrue(problems.isEmpty(), cpu + ": " + problems.size() + " lines disagree with the SDM:\n"
            + String.join("\n", problems.subList(0, Math.min(40, problems.size()))));
    }

    /**
     * On /dev/kvm the same guest runs on the host CPU; probes both runs print are compared line by line (the
     * soft run with the model whose XCR0 support is closest, every outcome that does not depend on it).
     */
    @Test
    void kvmBackendAgreesWithSoft() {
        assumeTrue(Backends.has("kvm"), "the kvm backend is not available here");
        Run k = run("kvm", null);
        assumeTrue(!k.err().contains("internal error"),
            "the kvm backend cannot run this guest here: " + k.err().lines().findFirst().orElse(""));
        assumeTrue(k.status() == 1, "kvm run ended with status " + k.status() + ": " + k.err());
        List<String> problems = new Checker(k.out()).check();
        assertTrue(problems.isEmpty(), "kvm: " + String.join("\n", problems));
        Run s = run("soft", "icelake-server");
        Map<String, String> soft = outcomes(s.out()), kvm = outcomes(k.out());
        List<String> diff = new ArrayList<>();
        for (Map.Entry<String, String> e : kvm.entrySet()) {
            String o = soft.get(e.getKey());
            if (o != null && !o.equals(e.getValue())) diff.add(e.getKey() + ": kvm " + e.getValue() + ", soft " + o);
        }
        assertTrue(diff.isEmpty(), String.join("\n", diff));
    }

    /** Probe identity -> outcome for the lines whose outcome does not depend on the CPU model's XCR0 support. */
    static Map<String, String> outcomes(String out) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String s : out.lines().toList()) {
            Line l = Line.parse(s);
            switch (l.kind()) {
                case "probe" -> m.put("probe " + l.s("name"), l.s("fault"));
                case "xgetbv" -> { if (!l.s("ecx").equals("0x1")) m.put("xgetbv " + l.s("ecx"), l.s("fault")); }
                case "xsetbv" -> { if ((l.n("value") & ~0x7L) == 0) m.put("xsetbv " + l.s("ecx") + " " + l.s("value"), l.s("fault")); }
                default -> { }
            }
        }
        return m;
    }

    /** Judges a guest's output from the SDM rules and the CPUID it printed. */
    static final class Checker {
        final List<Line> lines;
        final List<String> problems = new ArrayList<>();
        final Map<String, long[]> cpuid = new HashMap<>();
        long sup, d1eax, xcr0, loaded, mxcsrMask = 0xFFBF;
        boolean bw;

        Checker(String out) {
            lines = out.lines().map(Line::parse).toList();
        }

        void expect(boolean ok, Line l, String what) {
            if (!ok) problems.add(what + " -- " + l.text());
        }

        long[] leaf(long leaf, long sub) {
            return cpuid.getOrDefault(leaf + "." + sub, new long[4]);
        }

        int stdOffset(int i) {
            return i == 1 ? 160 : (int) leaf(0xD, i)[1];
        }

        /** SDM 13.4.3: compacted offsets run from 576 over RFBM in index order, 64-aligned where ECX[1]. */
        int compactedOffset(int i, long rfbm) {
            if (i == 1) return 160;
            int off = 576;
            for (int j = 2; j < 63; j++) {
                if ((rfbm >>> j & 1) == 0) continue;
                if ((leaf(0xD, j)[2] & 2) != 0) off = (off + 63) & ~63;
                if (j == i) return off;
                off += (int) leaf(0xD, j)[0];
            }
            throw new AssertionError("component " + i + " not in " + Long.toHexString(rfbm));
        }

        /** SDM XSETBV: which values are legal for XCR0 (and only XCR0 exists). */
        static boolean xsetbvValid(long ecx, long v, long sup) {
            if (ecx != 0 || (v & ~sup) != 0 || (v & 1) == 0) return false;
            if ((v & 6) == 4) return false;
            long avx512 = v & 0xE0;
            if (avx512 != 0 && (avx512 != 0xE0 || (v & 6) != 6)) return false;
            if ((v >>> 3 & 1) != (v >>> 4 & 1)) return false;
            if ((v >>> 17 & 1) != (v >>> 18 & 1)) return false;
            return (v & 0x18) == 0 || (v & (1L << 19)) == 0;
        }

        /** SDM 13.8: the fault XRSTOR must raise for this header, mask and CR0.TS (or "none"). */
        String xrstorFault(Line l) {
            if (l.n("ts") == 1) return "#NM";
            if (l.n("addr") % 64 != 0) return "#GP(0x0)";
            long xstate = l.n("xstate_bv"), xcomp = l.n("xcomp_bv"), rfbm = xcr0 & l.n("mask");
            boolean badMxcsr = (l.n("mxcsr") & ~mxcsrMask) != 0;
            if ((xcomp & BIT63) == 0) {
                if (xcomp != 0 || l.n("rsv16") != 0 || (xstate & ~xcr0) != 0) return "#GP(0x0)";
                if ((rfbm & 6) != 0 && badMxcsr) return "#GP(0x0)"; // the standard form loads MXCSR for SSE or AVX
            } else {
                if ((xcomp & ~BIT63 & ~xcr0) != 0 || (xstate & ~xcomp) != 0 || l.n("rsv16") != 0 || l.n("rsv24") != 0) {
                    return "#GP(0x0)";
                }
                if ((rfbm & 2) != 0 && (xstate & 2) != 0 && badMxcsr) return "#GP(0x0)";
            }
            return "none";
        }

        List<String> check() {
            expect(!lines.isEmpty() && lines.get(0).text().startsWith("xsave-conformance"), lines.isEmpty() ? new Line("", Map.of(), "") : lines.get(0), "header");
            Line last = lines.get(lines.size() - 1);
            expect(last.text().equals("end status=ok"), last, "the guest must run to its end");
            List<Line> cpuid1 = new ArrayList<>(), cr4 = new ArrayList<>(), xsetbv = new ArrayList<>();
            Map<String, Long> rtRfbm = new HashMap<>(), rtState = new HashMap<>();
            long xcr0Initial = -1;
            for (Line l : lines) {
                switch (l.kind()) {
                    case "boot" -> expect(l.n("magic") == 0x2BADB002L, l, "Multiboot magic");
                    case "cr4" -> cr4.add(l);
                    case "cpuid" -> {
                        cpuid.put(l.n("leaf") + "." + l.n("sub"), new long[] {l.n("eax"), l.n("ebx"), l.n("ecx"), l.n("edx")});
                        if (l.n("leaf") == 1) cpuid1.add(l);
                        if (l.n("leaf") == 0xD && l.n("sub") == 0) sup = l.n("eax") | l.n("edx") << 32;
                        if (l.n("leaf") == 0xD && l.n("sub") == 1) d1eax = l.n("eax");
                        if (l.n("leaf") == 7 && l.n("sub") == 0) bw = (l.n("ebx") >>> 30 & 1) != 0;
                        if (l.n("leaf") == 0xD && l.n("sub") >= 2) {
                            expect(l.n("eax") > 0, l, "a supported component has a size");
                            expect((sup >>> l.n("sub") & 1) == 0 || (l.n("ecx") & 1) == 0, l, "an XCR0 component is not supervisor");
                        }
                    }
                    case "probe" -> {
                        String name = l.s("name");
                        String want = name.endsWith("-noosxsave") ? "#UD" : name.endsWith("-misaligned") ? "#GP(0x0)"
                            : name.equals("xsave-ts") || name.equals("xsavec-ts") ? "#NM" : "none";
                        expect(want.equals(l.s("fault")), l, "expected " + want);
                    }
                    case "xgetbv" -> {
                        long ecx = l.n("ecx");
                        boolean ok = ecx == 0 || ecx == 1 && (d1eax & 4) != 0;
                        expect(l.s("fault").equals(ok ? "none" : "#GP(0x0)"), l, ok ? "XGETBV of a valid XCR" : "XGETBV of an invalid XCR #GPs");
                        if (ecx == 0) {
                            xcr0Initial = l.n("value");
                            expect((xcr0Initial & 1) == 1 && (xcr0Initial & ~sup) == 0, l, "XCR0 has bit 0 and only supported bits");
                            xcr0 = xcr0Initial;
                        }
                    }
                    case "xsetbv" -> {
                        boolean valid = xsetbvValid(l.n("ecx"), l.n("value"), sup);
                        expect(l.s("fault").equals(valid ? "none" : "#GP(0x0)"), l, valid ? "valid XCR0 value" : "invalid XCR0 value must #GP(0)");
                        if (valid && l.n("ecx") == 0) xcr0 = l.n("value");
                        expect(l.n("xcr0") == xcr0, l, "XCR0 read back should be " + Long.toHexString(xcr0));
                        xsetbv.add(l);
                    }
                    case "xinuse" -> {
                        if (l.f().containsKey("supported")) {
                            expect((d1eax & 4) == 0, l, "CPUID says XGETBV1 exists");
                            continue;
                        }
                        expect(l.s("fault").equals("none"), l, "XGETBV(1) with XGETBV1");
                        long v = l.n("value");
                        expect((v & ~xcr0) == 0, l, "XINUSE is reported under XCR0 only");
                        long must = switch (l.s("step")) {
                            case "sse" -> 2; case "avx" -> 4; case "x87" -> 1; case "opmask" -> 1 << 5;
                            case "zmm_hi256" -> 1 << 6; case "hi16_zmm" -> 1 << 7; case "pkru" -> 1 << 9;
                            case "tilecfg" -> 1 << 17; case "tiledata" -> 1 << 18; case "apx" -> 1 << 19;
                            case "xrstor-load" -> xcr0;
                            default -> 0; // init, VZEROUPPER, FNINIT, TILERELEASE: the processor may keep reporting 1
                        };
                        expect((v & must) == must, l, "a component just made non-init must read 1");
                    }
                    case "patterns" -> {
                        loaded = 1 | (xcr0 & 0x802C6L);
                        if ((xcr0 & 0x20) != 0 && bw) loaded |= 0x20;
                        if ((xcr0 & 0x60000) == 0x60000) loaded |= 0x60000;
                        expect(l.n("comps") == loaded, l, "components loaded " + Long.toHexString(loaded));
                    }
                    case "xsave", "xsavec", "xsave-hdr" -> {
                        boolean c = l.kind().equals("xsavec");
                        expect(l.s("fault").equals("none"), l, "no fault");
                        long rfbm = xcr0 & l.n("mask"), bv = l.n("xstate_bv");
                        long outside = l.kind().equals("xsave-hdr") ? ~rfbm : 0;
                        expect((bv & ~rfbm) == outside, l, "XSTATE_BV bits outside RFBM " + (c ? "are 0" : "are left alone"));
                        expect((bv & rfbm & loaded) == (rfbm & loaded), l, "non-init components have XSTATE_BV 1");
                        expect(l.n("xcomp_bv") == (c ? rfbm | BIT63 : 0), l, c ? "XCOMP_BV = RFBM | bit 63" : "XSAVE leaves XCOMP_BV");
                    }
                    case "mxcsr" -> {
                        if (l.n("mask") != 0) mxcsrMask = l.n("mask");
                    }
                    case "xrstor" -> {
                        String want = xrstorFault(l);
                        expect(want.equals(l.s("fault")), l, "expected " + want);
                        if (l.s("case").startsWith("rt-")) {
                            rtRfbm.put(l.s("case"), xcr0 & l.n("mask"));
                            rtState.put(l.s("case"), l.n("xstate_bv"));
                        }
                    }
                    case "find" -> {
                        int i = (int) l.n("comp");
                        String op = l.s("op");
                        long p = l.n("p"), q = l.n("q");
                        if (op.equals("xsave") || op.equals("xsavec")) {
                            long rfbm = xcr0 & l.n("mask");
                            long at = (rfbm >>> i & 1) == 0 ? -1 : op.equals("xsave") ? stdOffset(i) : compactedOffset(i, rfbm);
                            expect(p == at && q == -1, l, "pattern expected at " + (at < 0 ? "none" : Long.toHexString(at)));
                        } else {
                            int v = rtExpect(op, i, rtRfbm, rtState);
                            long wantP = v == 1 ? stdOffset(i) : -1, wantQ = v == 2 ? stdOffset(i) : -1;
                            expect(p == wantP && q == wantQ, l, "after the restore the component holds " + (v == 1 ? "P" : v == 2 ? "Q" : "its init value"));
                        }
                    }
                    case "reg" -> {
                        int i = (int) l.n("comp");
                        int v = rtExpect(l.s("tag"), i, rtRfbm, rtState);
                        long want = v == 1 ? XsaveConformance.p(i) : v == 2 ? XsaveConformance.q(i) : 0;
                        expect(l.n("value") == want, l, "register should read " + Long.toHexString(want));
                    }
                    default -> { }
                }
            }
            if (cpuid1.size() == 2) {
                expect((cpuid1.get(0).n("ecx") >>> 27 & 1) == (cr4.get(0).n("value") >>> 18 & 1), cpuid1.get(0), "CPUID.1:ECX.OSXSAVE mirrors CR4");
                expect((cpuid1.get(1).n("ecx") >>> 27 & 1) == 1, cpuid1.get(1), "CPUID.1:ECX.OSXSAVE after setting CR4.OSXSAVE");
            }
            if (!xsetbv.isEmpty()) {
                int k = Math.min(Long.bitCount(sup & 0xFFFFF), 10);
                int want = (1 << k) + (64 - Long.bitCount(sup)) + 4 + 1;
                if (xsetbv.size() != want) problems.add("expected " + want + " XSETBV lines, got " + xsetbv.size());
            }
            return problems;
        }

        /**
         * After a round trip (P saved, Q loaded, XRSTOR with the printed mask and XSTATE_BV): 1 = component i
         * holds P, 2 = Q (not restored), 0 = its initial configuration.
         */
        int rtExpect(String tag, int i, Map<String, Long> rfbm, Map<String, Long> state) {
            Long r = rfbm.get(tag), s = state.get(tag);
            if (r == null) throw new AssertionError("no xrstor line for " + tag);
            // Comp 18's data is restored or initialised with comp 17 in every mask the guest uses.
            if ((r >>> i & 1) == 0) return 2;
            return (s >>> i & 1) != 0 ? 1 : 0;
        }
    }

    @Test
    void checkerRejectsAWrongAnswer() {
        // The rules themselves: a few XSETBV values from the SDM with the Sapphire Rapids mask.
        long spr = 0x602E7L;
        assertTrue(Checker.xsetbvValid(0, 0x3, spr));
        assertTrue(Checker.xsetbvValid(0, 0x602E7L, spr));
        assertTrue(!Checker.xsetbvValid(0, 0x2, spr));       // bit 0 clear
        assertTrue(!Checker.xsetbvValid(0, 0x5, spr));       // AVX without SSE
        assertTrue(!Checker.xsetbvValid(0, 0x67, spr));      // opmask + ZMM_Hi256 without Hi16_ZMM
        assertTrue(!Checker.xsetbvValid(0, 0x20003, spr));   // TILECFG without TILEDATA
        assertTrue(!Checker.xsetbvValid(1, 0x3, spr));       // XCR1
        assertTrue(!Checker.xsetbvValid(0, 0x18003, 0x1F)); // MPX bits 3/4 unequal... and unsupported here
        assertTrue(!Checker.xsetbvValid(0, 0x8001BL, 0x8001FL)); // MPX with APX
        // A guest that claims an invalid XSETBV stuck must be caught.
        String out = "xsave-conformance version=1\ncpuid leaf=0xd sub=0x0 eax=0x602e7 ebx=0x0 ecx=0x0 edx=0x0\n"
            + "xgetbv ecx=0x0 fault=none value=0x1\nxsetbv ecx=0x0 value=0x2 fault=none xcr0=0x2\nend status=ok";
        List<String> p = new Checker(out).check();
        assertTrue(p.stream().anyMatch(s -> s.contains("must #GP")), p.toString());
        if (p.isEmpty()) fail("checker accepted a wrong answer");
    }
}
