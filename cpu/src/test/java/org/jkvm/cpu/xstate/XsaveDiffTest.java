package org.jkvm.cpu.xstate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.HexFormat;
import java.util.Random;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The user-mode XSAVE family against the host CPU: random register contents (loaded with XRSTOR from
 * random valid areas), random requested-feature bitmaps, random garbage in the destination; the
 * bytes saved, the headers, and XINUSE (XGETBV(1)) must be identical on the host and in the model.
 * Components covered are the ones this host enables in XCR0 (AVX-512 and AMX here; PKRU if present).
 */
class XsaveDiffTest {
    static final int AREA = 16384;
    // ctx layout
    static final int ORIG = 0, BASE = 8, IN = 16, IN_MASK = 24, OUT = 32, OUT_MASK = 40, XINUSE_IN = 48,
        XINUSE_OUT = 56;

    static long xcr0;
    static MemorySegment orig, base, in, hostOut, modelOut, ctx;

    @BeforeAll
    static void host() {
        assumeTrue(NativeHost.hasOsXsave(), "needs Linux on x86-64 with XSAVE enabled");
        xcr0 = NativeHost.xgetbv(0);
        if ((xcr0 & XFeature.TILEDATA.mask) != 0 && !NativeHost.requestAmx()) {
            xcr0 &= ~(XFeature.TILECFG.mask | XFeature.TILEDATA.mask);
        }
        MemorySegment m = NativeHost.mmap(6L * AREA);
        orig = m.asSlice(0, AREA);
        base = m.asSlice(AREA, AREA);
        in = m.asSlice(2L * AREA, AREA);
        hostOut = m.asSlice(3L * AREA, AREA);
        modelOut = m.asSlice(4L * AREA, AREA);
        ctx = m.asSlice(5L * AREA, 64);
        ctx.set(ValueLayout.JAVA_LONG, ORIG, orig.address());
        ctx.set(ValueLayout.JAVA_LONG, BASE, base.address());
        ctx.set(ValueLayout.JAVA_LONG, IN, in.address());
    }

    // ---------------------------------------------------------------- instruction encodings on [rbx]
    static final String XRSTOR64 = "48 0F AE 2B", XSAVE64 = "48 0F AE 23", XSAVE = "0F AE 23", XSAVEOPT64 = "48 0F AE 33",
        XSAVEC64 = "48 0F C7 23", XSAVEC = "0F C7 23", XRSTOR = "0F AE 2B", FXSAVE64 = "48 0F AE 03", FXSAVE = "0F AE 03",
        FXRSTOR64 = "48 0F AE 0B";

    interface ModelOp {
        void run(XsaveUnit u, XContext c, SegmentMemory m, long addr, long mask);
    }

    static MethodHandle stub(String inOp, String outOp) {
        NativeHost.Stub s = new NativeHost.Stub();
        s.loadRbx(BASE).allOnes().emit(XRSTOR64);
        s.loadRbx(IN).loadEdxEax(IN_MASK).emit(inOp);
        s.xinuseTo(XINUSE_IN);
        s.loadRbx(OUT).loadEdxEax(OUT_MASK).emit(outOp);
        s.xinuseTo(XINUSE_OUT);
        return NativeHost.function(s.build());
    }

    /**
     * Runs one case on both and compares. The host is re-run (up to 5 times) before a difference
     * counts: a preemption between the restore and the save lets the kernel save and restore this
     * thread's state, and its XSAVES sets XSTATE_BV[1] whenever MXCSR is not 1F80H, which then reads
     * back as XINUSE[1] = 1. That is the host's scheduling, not the instruction under test.
     */
    static void compare(String what, MethodHandle host, ModelOp inOp, ModelOp outOp, long inMask, long outMask, Random rnd) {
        byte[] garbage = new byte[AREA];
        rnd.nextBytes(garbage);
        MemorySegment.copy(garbage, 0, modelOut, ValueLayout.JAVA_BYTE, 0, AREA);
        ctx.set(ValueLayout.JAVA_LONG, IN_MASK, inMask);
        ctx.set(ValueLayout.JAVA_LONG, OUT_MASK, outMask);
        ctx.set(ValueLayout.JAVA_LONG, OUT, hostOut.address());

        XState s = new XState(HostModel.get());
        XsaveUnit u = new XsaveUnit(s);
        TestContext c = new TestContext();
        s.loadXcr0(xcr0);
        SegmentMemory m = SegmentMemory.over(base, in, modelOut);
        u.xrstor(c, m, base.address(), -1L, true);
        inOp.run(u, c, m, in.address(), inMask);
        long modelInuseIn = u.xgetbv(c, 1);
        outOp.run(u, c, m, modelOut.address(), outMask);
        long modelInuseOut = u.xgetbv(c, 1);

        String ctxt = what + String.format(" in-mask=%x out-mask=%x", inMask, outMask);
        AssertionError last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            MemorySegment.copy(garbage, 0, hostOut, ValueLayout.JAVA_BYTE, 0, AREA);
            NativeHost.call(host, ctx);
            long hostInuseIn = ctx.get(ValueLayout.JAVA_LONG, XINUSE_IN);
            long hostInuseOut = ctx.get(ValueLayout.JAVA_LONG, XINUSE_OUT);
            try {
                assertEquals(Long.toHexString(hostInuseIn), Long.toHexString(modelInuseIn), "XINUSE after restore: " + ctxt);
                assertEquals(Long.toHexString(hostInuseOut), Long.toHexString(modelInuseOut), "XINUSE after save: " + ctxt);
                long diff = hostOut.mismatch(modelOut);
                if (diff >= 0) {
                    int at = (int) diff & ~15;
                    HexFormat h = HexFormat.ofDelimiter(" ");
                    byte[] hb = hostOut.asSlice(at, 32).toArray(ValueLayout.JAVA_BYTE);
                    byte[] mb = modelOut.asSlice(at, 32).toArray(ValueLayout.JAVA_BYTE);
                    throw new AssertionError(ctxt + ": first difference at byte " + diff + "\n host  @" + at + ": "
                        + h.formatHex(hb) + "\n model @" + at + ": " + h.formatHex(mb));
                }
                if (attempt > 0) retried++;
                return;
            } catch (AssertionError e) {
                last = e;
            }
        }
        throw last;
    }

    static int retried;

    static long randomMask(Random r, long within) {
        long m = r.nextLong() & within;
        // Often all or nothing, which hits the corner cases.
        return switch (r.nextInt(8)) {
            case 0 -> within;
            case 1 -> 0;
            default -> m;
        };
    }

    static final ModelOp M_XRSTOR64 = (u, c, m, a, k) -> u.xrstor(c, m, a, k, true);
    static final ModelOp M_XRSTOR = (u, c, m, a, k) -> u.xrstor(c, m, a, k, false);
    static final ModelOp M_XSAVE64 = (u, c, m, a, k) -> u.xsave(c, m, a, k, true);
    static final ModelOp M_XSAVE = (u, c, m, a, k) -> u.xsave(c, m, a, k, false);
    static final ModelOp M_XSAVEOPT64 = (u, c, m, a, k) -> u.xsaveopt(c, m, a, k, true);
    static final ModelOp M_XSAVEC64 = (u, c, m, a, k) -> u.xsavec(c, m, a, k, true);
    static final ModelOp M_XSAVEC = (u, c, m, a, k) -> u.xsavec(c, m, a, k, false);
    static final ModelOp M_FXSAVE64 = (u, c, m, a, k) -> u.fxsave(c, m, a, true);
    static final ModelOp M_FXSAVE = (u, c, m, a, k) -> u.fxsave(c, m, a, false);
    static final ModelOp M_FXRSTOR64 = (u, c, m, a, k) -> u.fxrstor(c, m, a, true);

    static int iterations() {
        return Boolean.getBoolean("jkvm.long") ? 20000 : 400;
    }

    void run(String name, String inOp, ModelOp mIn, boolean compactedIn, String outOp, ModelOp mOut, long seed) {
        MethodHandle h = stub(inOp, outOp);
        Random r = new Random(seed);
        for (int i = 0; i < iterations(); i++) {
            XsaveAreas.randomStandard(r, base, xcr0, randomMask(r, xcr0));
            if (compactedIn) XsaveAreas.randomCompacted(r, in, xcr0, randomMask(r, xcr0));
            else XsaveAreas.randomStandard(r, in, xcr0, randomMask(r, xcr0));
            compare(name + " #" + i, h, mIn, mOut, randomMask(r, xcr0) | (r.nextInt(4) == 0 ? -1L : 0), randomMask(r, xcr0)
                | (r.nextInt(4) == 0 ? -1L : 0), r);
        }
    }

    @Test
    void xrstorThenXsave64() {
        run("XRSTOR64/XSAVE64", XRSTOR64, M_XRSTOR64, false, XSAVE64, M_XSAVE64, 1);
    }

    @Test
    void xrstorThenXsave32BitPointerFormat() {
        run("XRSTOR/XSAVE", XRSTOR, M_XRSTOR, false, XSAVE, M_XSAVE, 2);
    }

    @Test
    void xrstorThenXsaveopt() {
        run("XRSTOR64/XSAVEOPT64", XRSTOR64, M_XRSTOR64, false, XSAVEOPT64, M_XSAVEOPT64, 3);
    }

    @Test
    void xrstorThenXsavec() {
        run("XRSTOR64/XSAVEC64", XRSTOR64, M_XRSTOR64, false, XSAVEC64, M_XSAVEC64, 4);
    }

    @Test
    void compactedXrstorThenXsavec() {
        run("XRSTOR64(compacted)/XSAVEC", XRSTOR64, M_XRSTOR64, true, XSAVEC, M_XSAVEC, 5);
    }

    @Test
    void compactedXrstorThenXsave() {
        run("XRSTOR64(compacted)/XSAVE64", XRSTOR64, M_XRSTOR64, true, XSAVE64, M_XSAVE64, 6);
    }

    @Test
    void fxrstorThenFxsave() {
        run("FXRSTOR64/FXSAVE64", FXRSTOR64, M_FXRSTOR64, false, FXSAVE64, M_FXSAVE64, 7);
        run("FXRSTOR64/FXSAVE", FXRSTOR64, M_FXRSTOR64, false, FXSAVE, M_FXSAVE, 8);
    }
}
