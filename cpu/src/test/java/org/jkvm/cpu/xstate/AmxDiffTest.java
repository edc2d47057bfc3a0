package org.jkvm.cpu.xstate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * AMX against the host CPU: random tile shapes, LDTILECFG, TILELOADD with random strides, TILEZERO,
 * the five dot products (INT8 in all four signednesses and BF16), TILESTORED and STTILECFG; then the
 * whole XSAVE image (tile configuration and data included) and the stored bytes must be identical.
 */
class AmxDiffTest {
    static final int AREA = 16384;
    // ctx: 0 orig, 8 baseline area, 16 cfg, 24 src buffer, 32 dst buffer, 40 out area, 48 stride a, 56 stride b
    static MemorySegment orig, base, cfg, src, dst, out, ctx;
    static long xcr0;

    @BeforeAll
    static void host() {
        assumeTrue(NativeHost.hasOsXsave(), "needs Linux on x86-64 with XSAVE enabled");
        xcr0 = NativeHost.xgetbv(0);
        assumeTrue((xcr0 & 0x60000) == 0x60000, "host has no AMX enabled in XCR0");
        assumeTrue(NativeHost.requestAmx(), "arch_prctl(ARCH_REQ_XCOMP_PERM, XTILEDATA) refused");
        MemorySegment m = NativeHost.mmap(8L * AREA);
        orig = m.asSlice(0, AREA);
        base = m.asSlice(AREA, AREA);
        cfg = m.asSlice(2L * AREA, 64);
        src = m.asSlice(3L * AREA, 2L * AREA);
        dst = m.asSlice(5L * AREA, AREA);
        out = m.asSlice(6L * AREA, AREA);
        ctx = m.asSlice(7L * AREA, 128);
        long[] p = {orig.address(), base.address(), cfg.address(), src.address(), dst.address(), out.address()};
        for (int i = 0; i < p.length; i++) ctx.set(ValueLayout.JAVA_LONG, 8L * i, p[i]);
    }

    /** One random program: its host stub and the same steps for the model. */
    record Program(byte[] code, List<Step> steps) {}

    interface Step {
        void run(AmxUnit u, XContext c, SegmentMemory m);
    }

    static String vex(int pp, int opcode, int modrm, int vvvv) {
        int b2 = ((~vvvv & 15) << 3) | pp;
        return String.format("C4 E2 %02X %02X %02X", b2, opcode, modrm);
    }

    static Program program(Random r) {
        NativeHost.Stub s = new NativeHost.Stub();
        List<Step> steps = new ArrayList<>();
        s.loadRbx(8).allOnes().emit("48 0F AE 2B"); // xrstor64 baseline
        steps.add((u, c, m) -> new XsaveUnit(u.state()).xrstor(c, m, base.address(), -1, true));
        s.loadRbx(16).emit("C4 E2 78 49 03"); // ldtilecfg [rbx]
        steps.add((u, c, m) -> u.ldtilecfg(c, m, cfg.address()));
        int[] perm = {0, 1, 2, 3, 4, 5, 6, 7};
        for (int i = 7; i > 0; i--) {
            int j = r.nextInt(i + 1), x = perm[i];
            perm[i] = perm[j];
            perm[j] = x;
        }
        int d = perm[0], a = perm[1], b = perm[2];
        long stride = 64 + 4L * r.nextInt(32);
        ctx.set(ValueLayout.JAVA_LONG, 48, stride);
        s.emit("49 8B 4C 24 30"); // mov rcx, [r12+48]
        for (int tile : new int[] {a, b, d}) {
            if (tile == d && r.nextBoolean()) {
                s.emit(vex(3, 0x49, 0xC0 | tile << 3, 0)); // tilezero
                steps.add((u, c, m) -> u.tilezero(c, tile));
                continue;
            }
            long off = 4L * r.nextInt(64);
            s.loadRbx(24).emit(String.format("48 81 C3 %02X %02X 00 00", off & 0xFF, off >> 8)); // add rbx, off
            s.emit(vex(3, 0x4B, 0x04 | tile << 3, 0) + " 0B"); // tileloadd tmm, [rbx+rcx]
            steps.add((u, c, m) -> u.tileloadd(c, m, src.address() + off, stride, tile));
        }
        int kind = r.nextInt(5);
        if (kind < 4) {
            int pp = new int[] {3, 2, 1, 0}[kind]; // SS F2, SU F3, US 66, UU NP
            s.emit(vex(pp, 0x5E, 0xC0 | d << 3 | a, b));
            steps.add((u, c, m) -> u.tdpbd(c, kind, d, a, b));
        } else {
            s.emit(vex(2, 0x5C, 0xC0 | d << 3 | a, b));
            steps.add((u, c, m) -> u.tdpbf16ps(c, d, a, b));
        }
        s.loadRbx(32).emit(vex(2, 0x4B, 0x04 | d << 3, 0) + " 0B"); // tilestored [rbx+rcx], tmm
        steps.add((u, c, m) -> u.tilestored(c, m, dst.address(), stride, d));
        s.loadRbx(40).allOnes().emit("48 0F AE 23"); // xsave64 out
        steps.add((u, c, m) -> new XsaveUnit(u.state()).xsave(c, m, out.address(), -1, true));
        s.loadRbx(16).emit("C4 E2 79 49 03"); // sttilecfg [rbx]
        steps.add((u, c, m) -> u.sttilecfg(c, m, cfg.address()));
        s.emit("C4 E2 78 49 C0"); // tilerelease: leave the thread as we found it
        randomConfig(r, d, a, b);
        return new Program(s.build(), steps);
    }

    static void randomConfig(Random r, int d, int a, int b) {
        cfg.fill((byte) 0);
        cfg.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
        int mm = 1 + r.nextInt(16), k = 1 + r.nextInt(16), n = 1 + r.nextInt(16);
        for (int t = 0; t < 8; t++) {
            int rows, cols;
            if (t == d) { rows = mm; cols = 4 * n; }
            else if (t == a) { rows = mm; cols = 4 * k; }
            else if (t == b) { rows = k; cols = 4 * n; }
            else if (r.nextBoolean()) { rows = 0; cols = 0; }
            else { rows = 1 + r.nextInt(16); cols = 1 + r.nextInt(64); }
            cfg.set(ValueLayout.JAVA_SHORT_UNALIGNED, 16 + 2 * t, (short) cols);
            cfg.set(ValueLayout.JAVA_BYTE, 48 + t, (byte) rows);
        }
    }

    static void randomData(Random r, boolean floats) {
        byte[] b = new byte[(int) src.byteSize()];
        r.nextBytes(b);
        if (floats) {
            // bf16 values of moderate exponent (plus the odd special one) so sums are meaningful.
            for (int i = 0; i + 1 < b.length; i += 2) {
                int e = r.nextInt(50) == 0 ? r.nextInt(256) : 120 + r.nextInt(14);
                int v = (r.nextBoolean() ? 0x8000 : 0) | e << 7 | r.nextInt(128);
                b[i] = (byte) v;
                b[i + 1] = (byte) (v >> 8);
            }
        }
        MemorySegment.copy(b, 0, src, ValueLayout.JAVA_BYTE, 0, b.length);
    }

    @Test
    void randomTilePrograms() {
        Random r = new Random(42);
        int n = Boolean.getBoolean("jkvm.long") ? 5000 : 200;
        for (int i = 0; i < n; i++) {
            XsaveAreas.randomStandard(r, base, xcr0, xcr0);
            Program p = program(r);
            randomData(r, r.nextBoolean());
            byte[] garbage = new byte[AREA];
            r.nextBytes(garbage);
            MemorySegment.copy(garbage, 0, dst, ValueLayout.JAVA_BYTE, 0, AREA);
            MemorySegment.copy(garbage, 0, out, ValueLayout.JAVA_BYTE, 0, AREA);
            byte[] cfgIn = cfg.toArray(ValueLayout.JAVA_BYTE);
            MethodHandle h = NativeHost.function(p.code());
            NativeHost.call(h, ctx);
            byte[] hostOut = out.toArray(ValueLayout.JAVA_BYTE), hostDst = dst.toArray(ValueLayout.JAVA_BYTE);
            byte[] hostCfg = cfg.toArray(ValueLayout.JAVA_BYTE);

            MemorySegment.copy(garbage, 0, dst, ValueLayout.JAVA_BYTE, 0, AREA);
            MemorySegment.copy(garbage, 0, out, ValueLayout.JAVA_BYTE, 0, AREA);
            MemorySegment.copy(cfgIn, 0, cfg, ValueLayout.JAVA_BYTE, 0, 64);
            XState st = new XState(HostModel.get());
            st.loadXcr0(xcr0);
            AmxUnit u = new AmxUnit(st);
            TestContext c = new TestContext();
            SegmentMemory m = new SegmentMemory(base.address(), ctx.address());
            for (Step step : p.steps()) step.run(u, c, m);
            same("stored tile #" + i, hostDst, dst.toArray(ValueLayout.JAVA_BYTE));
            same("XSAVE image #" + i, hostOut, out.toArray(ValueLayout.JAVA_BYTE));
            same("STTILECFG #" + i, hostCfg, cfg.toArray(ValueLayout.JAVA_BYTE));
        }
    }

    static void same(String what, byte[] host, byte[] model) {
        int at = java.util.Arrays.mismatch(host, model);
        if (at < 0) return;
        int from = at & ~15;
        HexFormat h = HexFormat.ofDelimiter(" ");
        assertEquals(h.formatHex(host, from, Math.min(host.length, from + 32)), h.formatHex(model, from, Math.min(model.length, from + 32)),
            what + ": first difference at byte " + at);
    }
}
