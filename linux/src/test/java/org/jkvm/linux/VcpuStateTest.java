package org.jkvm.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.jkvm.api.Capability;
import org.jkvm.api.Errno;
import org.jkvm.api.KvmException;
import org.jkvm.api.exit.VcpuExit;
import org.jkvm.api.uabi.KvmCpuid2;
import org.jkvm.api.uabi.KvmCpuidEntry2;
import org.jkvm.api.uabi.KvmDtable;
import org.jkvm.api.uabi.KvmFpu;
import org.jkvm.api.uabi.KvmMsrEntry;
import org.jkvm.api.uabi.KvmRegs;
import org.jkvm.api.uabi.KvmSregs;
import org.jkvm.api.uabi.KvmVcpuEvents;
import org.jkvm.api.uabi.KvmXcr;
import org.jkvm.api.uabi.KvmXcrs;
import org.jkvm.api.uabi.KvmXsave;
import org.junit.jupiter.api.Test;

/**
 * Every vCPU state call against the real KVM: round trips, the cross-views that must agree (FPU vs XSAVE), and
 * malformed SETs that must fail with the kernel's errno and leave the state as it was. Independent of the
 * process's XSAVE guest permission (another JVM tests that), so these pass in any order.
 */
class VcpuStateTest {
    private final Random rnd = new Random(42);

    interface Call { void run() throws KvmException; }

    static KvmException assertErrno(Errno expected, Call c) {
        KvmException e = assertThrows(KvmException.class, c::run);
        assertEquals(expected, e.errno(), e.getMessage());
        return e;
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    @Test
    void regsRoundTrip() throws Exception {
        try (Guest g = new Guest(64 << 10)) {
            long[] v = new long[18];
            for (int i = 0; i < 16; i++) v[i] = rnd.nextLong();
            v[16] = 0xffffffff81000000L;
            v[17] = 0x2 | 0x1 | 0x4 | 0x40 | 0x80 | 0x800; // fixed bit, CF, PF, ZF, SF, OF
            KvmRegs r = KvmRegs.of(v);
            g.vcpu.setRegs(r);
            assertEquals(r, g.vcpu.getRegs());
        }
    }

    @Test
    void sregsRoundTripAndInvalidCr0() throws Exception {
        try (Guest g = new Guest(64 << 10)) {
            KvmSregs s0 = g.vcpu.getSregs();
            assertEquals(0xf000, s0.cs().selector(), "reset CS");
            assertEquals(0xffff0000L, s0.cs().base(), "reset CS base");
            KvmSregs s1 = s0.withCr2(0xdead000).withGdt(new KvmDtable(0x1000, 0x1f)).withIdt(new KvmDtable(0x2000, 0x3ff))
                .withCs(s0.cs().withBase(0x10000).withSelector(0x1000));
            g.vcpu.setSregs(s1);
            assertEquals(s1, g.vcpu.getSregs());
            // CR0.PG without CR0.PE is not a valid CR0 (SDM vol. 3 2.5): EINVAL, nothing applied
            assertErrno(Errno.EINVAL, () -> g.vcpu.setSregs(s1.withCr0(0x80000000L | 0x10).withCr2(0x1234)));
            assertEquals(s1, g.vcpu.getSregs());
            // a reserved CR4 bit
            assertErrno(Errno.EINVAL, () -> g.vcpu.setSregs(s1.withCr4(1L << 63)));
            assertEquals(s1, g.vcpu.getSregs());
            // long mode active without PAE paging
            assertErrno(Errno.EINVAL, () -> g.vcpu.setSregs(s1.withEfer(0x500).withCr0(0x80000011L).withCr4(0)));
            assertEquals(s1, g.vcpu.getSregs());
        }
    }

    @Test
    void fpuRoundTrip() throws Exception {
        try (Guest g = new Guest(64 << 10)) {
            KvmFpu f0 = g.vcpu.getFpu();
            assertEquals(0x37f, f0.fcw(), "FCW after reset");
            KvmFpu f1 = randomFpu();
            int mxcsrBefore = g.vcpu.getXsave().mxcsr();
            g.vcpu.setFpu(f1);
            // Linux's KVM_GET_FPU never fills mxcsr (it reads as 0) and KVM_SET_FPU ignores it: MXCSR travels
            // only through XSAVE. Everything else round-trips.
            assertEquals(f1.withMxcsr(0), g.vcpu.getFpu());
            assertEquals(0, f0.mxcsr());
            assertEquals(mxcsrBefore, g.vcpu.getXsave().mxcsr(), "MXCSR untouched by KVM_SET_FPU");
        }
    }

    private KvmFpu randomFpu() {
        return new KvmFpu(randomBytes(KvmFpu.FPR_BYTES), 0x27f, 0x3800, 0x81, 0x5d9, 0x401234, 0x602000,
            randomBytes(KvmFpu.XMM_BYTES), 0x1f80 | 0x8000 | 0x3f);
    }

    /**
     * KVM_SET_FPU writes the legacy area of the guest FPU state; the guest loads it with XRSTOR, so x87 and XMM
     * reach the guest only where XSTATE_BV has FP (bit 0) and SSE (bit 1). Checked in the three views: the KVM_SET_FPU
     * values, KVM_GET_XSAVE, and what guest code stores (FNSTCW, MOVDQU) in long mode.
     */
    @Test
    void fpuStateReachesTheGuestAsXsaveShowsIt() throws Exception {
        for (boolean inUse : new boolean[] {false, true}) {
            try (Guest g = new Guest()) {
                if (inUse) {
                    KvmXsave x = g.vcpu.getXsave();
                    g.vcpu.setXsave(x.withXstateBv(x.xstateBv() | 0x3));
                }
                KvmFpu f1 = randomFpu();
                g.vcpu.setFpu(f1);
                KvmXsave x = g.vcpu.getXsave();
                int xsaveFcw = x.region()[0] & 0xff | (x.region()[1] & 0xff) << 8;
                byte[] xsaveXmm3 = Arrays.copyOfRange(x.region(), 160 + 48, 160 + 64);
                if (inUse) {
                    assertEquals(f1.fcw(), xsaveFcw);
                    assertArrayEquals(f1.xmm(3), xsaveXmm3);
                    assertArrayEquals(f1.xmm(), Arrays.copyOfRange(x.region(), 160, 160 + 256));
                } else {
                    assertEquals(0, x.xstateBv() & 0x3, "a fresh vCPU's FP/SSE are in their init state");
                    assertEquals(0x37f, xsaveFcw, "init FCW while XSTATE_BV.FP = 0");
                    assertArrayEquals(new byte[16], xsaveXmm3, "init XMM while XSTATE_BV.SSE = 0");
                }
                g.writeGdt();
                g.writeIdentityPageTables();
                g.load(0x4000, 0xD9, 0x3C, 0x25, 0x00, 0x30, 0x00, 0x00, // fnstcw [0x3000]
                    0xF3, 0x0F, 0x7F, 0x1C, 0x25, 0x10, 0x30, 0x00, 0x00, // movdqu [0x3010], xmm3
                    0xF4);                                               // hlt
                g.vcpu.setSregs(Guest.longMode(g.vcpu.getSregs()));
                g.vcpu.setRegs(KvmRegs.zero().withRip(0x4000));
                VcpuExit exit = g.vcpu.run();
                assertInstanceOf(VcpuExit.Hlt.class, exit, () -> "exit " + exit);
                byte[] seen = new byte[16];
                for (int i = 0; i < 16; i++) seen[i] = g.ram.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0x3010 + i);
                assertEquals(xsaveFcw, g.u32(0x3000) & 0xffff, "guest FCW = the XSAVE view's");
                assertArrayEquals(xsaveXmm3, seen, "guest XMM3 = the XSAVE view's");
            }
        }
    }

    @Test
    void xsaveRoundTripAndMalformedBuffers() throws Exception {
        try (Guest g = new Guest(64 << 10)) {
            assumeTrue(g.hv.checkExtension(Capability.XSAVE) > 0, "skipped: host KVM without KVM_CAP_XSAVE");
            KvmXsave x0 = g.vcpu.getXsave();
            assertEquals(KvmXsave.LEGACY_SIZE, x0.size());
            byte[] xmm3 = randomBytes(16);
            KvmXsave x1 = x0.withBytes(160 + 3 * 16, xmm3).withXstateBv(x0.xstateBv() | 0x3);
            g.vcpu.setXsave(x1);
            KvmXsave x2 = g.vcpu.getXsave();
            assertArrayEquals(xmm3, Arrays.copyOfRange(x2.region(), 160 + 48, 160 + 64));
            assertEquals(0x3, x2.xstateBv() & 0x3);
            assertArrayEquals(xmm3, g.vcpu.getFpu().xmm(3));
            g.vcpu.setXsave(x2);
            assertEquals(x2, g.vcpu.getXsave(), "GET of a SET of a GET is a fixed point");

            long supported = XstateFacts.xcr0(g.hv.supportedCpuid());
            long unsupportedBit = Long.lowestOneBit(~supported & ~(1L << 63) & ~XstateFacts.AMX_MASK);
            // the SET_XSAVE checks of the spec's table, each leaving the state as it was
            assertErrno(Errno.EINVAL, () -> g.vcpu.setXsave(x2.withXstateBv(x2.xstateBv() | unsupportedBit)));
            assertErrno(Errno.EINVAL, () -> g.vcpu.setXsave(x2.withXcompBv(0x3)));
            assertErrno(Errno.EINVAL, () -> g.vcpu.setXsave(x2.withU64(KvmXsave.HEADER_RESERVED.offset() + 8, 1)));
            assertErrno(Errno.EINVAL, () -> g.vcpu.setXsave(x2.withMxcsr(x2.mxcsr() | 0x80000000)));
            assertEquals(x2, g.vcpu.getXsave());
            // a region larger than this host's uABI size is taken only when the excess is all init (zero)
            int cap = (int) Math.max(4096, g.hv.checkExtension(Capability.XSAVE2));
            KvmXsave bigger = x2.resized(cap + 4096);
            assertErrno(Errno.EINVAL, () -> g.vcpu.setXsave(bigger.withU64(cap + 64, 1)));
            assertEquals(x2, g.vcpu.getXsave());
            g.vcpu.setXsave(bigger.withBytes(160, xmm3).withBytes(160 + 48, new byte[16]));
            assertArrayEquals(xmm3, Arrays.copyOfRange(g.vcpu.getXsave().region(), 160, 176), "XMM0 applied");
        }
    }

    @Test
    void xsave2SizeFollowsPermittedXcr0() throws Exception {
        try (Guest g = new Guest(64 << 10)) {
            long cap = g.hv.checkExtension(Capability.XSAVE2);
            assumeTrue(cap > 0, "skipped: host KVM without KVM_CAP_XSAVE2");
            List<KvmCpuidEntry2> cpuid = g.hv.supportedCpuid();
            long permitted = g.hv.guestPermission();
            long xcr0 = XstateFacts.xcr0(cpuid);
            assertEquals(0, xcr0 & ~permitted, "supported CPUID offers only permitted features");
            int standard = XstateFacts.standardSize(cpuid, xcr0);
            assertEquals(Math.max(4096, standard), cap);
            assertEquals(standard, KvmCpuid2.find(cpuid, 0xD, 0).ebx(), "0xD.0 EBX = standard size of the XCR0");
            KvmXsave x = g.vcpu.getXsave2();
            assertEquals(cap, x.size());
            if (cap == 4096) assertEquals(g.vcpu.getXsave(), x);
            g.vcpu.setXsave(x);
            assertEquals(x, g.vcpu.getXsave2());
        }
    }

    @Test
    void xcrsValidateLikeXsetbv() throws Exception {
        try (Guest g = new Guest(64 << 10)) {
            assumeTrue(g.hv.checkExtension(Capability.XCRS) > 0, "skipped: host KVM without KVM_CAP_XCRS");
            long supported = XstateFacts.xcr0(g.vcpu.getCpuid2(KvmCpuid2.MAX_ENTRIES));
            assertEquals(1, g.vcpu.getXcrs().value(KvmXcr.XCR0), "XCR0 after reset is x87 only");
            g.vcpu.setXcrs(KvmXcrs.ofXcr0(supported));
            KvmXcrs got = g.vcpu.getXcrs();
            assertEquals(supported, got.value(KvmXcr.XCR0));
            assertErrno(Errno.EINVAL, () -> g.vcpu.setXcrs(KvmXcrs.ofXcr0(0)));        // x87 bit clear
            assertErrno(Errno.EINVAL, () -> g.vcpu.setXcrs(KvmXcrs.ofXcr0(0x5)));      // AVX without SSE
            assertErrno(Errno.EINVAL, () -> g.vcpu.setXcrs(KvmXcrs.ofXcr0(supported | (1L << 62))));
            assertEquals(got, g.vcpu.getXcrs());
            g.vcpu.setXcrs(KvmXcrs.ofXcr0(0x3));
            assertEquals(0x3, g.vcpu.getXcrs().value(KvmXcr.XCR0));
        }
    }

    @Test
    void msrsRoundTripAndStopAtTheFirstFailure() throws Exception {
        try (Guest g = new Guest(64 << 10)) {
            List<KvmMsrEntry> set = List.of(
                new KvmMsrEntry(0x174, 0x10),                  // SYSENTER_CS
                new KvmMsrEntry(0x175, 0xffff880000001000L),   // SYSENTER_ESP
                new KvmMsrEntry(0x176, 0xffffffff81000080L),   // SYSENTER_EIP
                new KvmMsrEntry(0xC0000081, 0x0023001000000000L), // STAR
                new KvmMsrEntry(0xC0000082, 0xffffffff81800000L), // LSTAR
                new KvmMsrEntry(0xC0000084, 0x47700),          // SFMASK
                new KvmMsrEntry(0xC0000102, 0xffff888012340000L), // KERNEL_GS_BASE
                new KvmMsrEntry(0x277, 0x0007010600070106L));  // PAT (WB/WT/UC-/UC, valid types)
            assertEquals(set.size(), g.vcpu.setMsrs(set));
            List<KvmMsrEntry> got = new ArrayList<>();
            for (KvmMsrEntry e : set) got.add(new KvmMsrEntry(e.index(), 0));
            assertEquals(set.size(), g.vcpu.getMsrs(got));
            assertEquals(set, got);

            // EFER bit 3 is reserved: the second entry fails, the third is not reached
            long efer = g.vcpu.getSregs().efer();
            List<KvmMsrEntry> bad = List.of(new KvmMsrEntry(0xC0000081, 0x1), new KvmMsrEntry(0xC0000080, efer | 0x8),
                new KvmMsrEntry(0xC0000082, 0x1234));
            assertEquals(1, g.vcpu.setMsrs(bad));
            List<KvmMsrEntry> after = List.of(new KvmMsrEntry(0xC0000081, 0), new KvmMsrEntry(0xC0000080, 0),
                new KvmMsrEntry(0xC0000082, 0));
            assertEquals(3, g.vcpu.getMsrs(after));
            assertEquals(0x1, after.get(0).data());
            assertEquals(efer, after.get(1).data());
            assertEquals(0xffffffff81800000L, after.get(2).data());
            assertErrno(Errno.E2BIG, () -> g.vcpu.getMsrs(new ArrayList<>(java.util.Collections.nCopies(256,
                new KvmMsrEntry(0x174, 0)))));
        }
    }

    /**
     * state_test: KVM_SET_XSAVE into a vCPU with no CPUID set takes the original and an all-supported XSTATE_BV.
     * KVM_GET_XSAVE filters what it reports by the guest's CPUID (XCR0 bits it offers, plus x87 and SSE), not
     * what it keeps: once CPUID offers the features the same state shows in full.
     */
    @Test
    void setXsaveWithoutCpuid() throws Exception {
        try (Guest g = new Guest(64 << 10); org.jkvm.api.Vm vm = g.hv.createVm()) {
            org.jkvm.api.Vcpu bare = vm.createVcpu(0);
            KvmXsave x = g.vcpu.getXsave2();
            List<KvmCpuidEntry2> cpuid = g.hv.supportedCpuid();
            long supported = XstateFacts.xcr0(cpuid);
            bare.setXsave(x);
            bare.setXsave(x.withXstateBv(supported));
            assertEquals(supported & 0x3, bare.getXsave2().xstateBv(), "reported: only x87/SSE without CPUID");
            bare.setCpuid2(cpuid);
            assertEquals(supported, bare.getXsave2().xstateBv(), "kept: all of it");
            bare.setXsave(x);
            assertEquals(x.xstateBv(), bare.getXsave2().xstateBv());
        }
    }

    /** xss_msr_test: with XSAVES, XSS reads 0, takes 0, and takes exactly the bits of the supported XSS. */
    @Test
    void xssMsr() throws Exception {
        try (Guest g = new Guest(64 << 10)) {
            List<KvmCpuidEntry2> cpuid = g.hv.supportedCpuid();
            KvmCpuidEntry2 d1 = KvmCpuid2.find(cpuid, 0xD, 1);
            assumeTrue(d1 != null && (d1.eax() & (1 << 3)) != 0,
                "skipped: this KVM does not offer XSAVES (CPUID 0xD.1 EAX[3]), so there is no guest XSS");
            long supportedXss = Integer.toUnsignedLong(d1.ecx()) | Integer.toUnsignedLong(d1.edx()) << 32;
            List<KvmMsrEntry> xss = List.of(new KvmMsrEntry(0xDA0, -1));
            assertEquals(1, g.vcpu.getMsrs(xss));
            assertEquals(0, xss.get(0).data());
            assertEquals(1, g.vcpu.setMsrs(List.of(new KvmMsrEntry(0xDA0, 0))));
            for (int bit = 0; bit < 64; bit++) {
                boolean ok = g.vcpu.setMsrs(List.of(new KvmMsrEntry(0xDA0, 1L << bit))) == 1;
                assertEquals((supportedXss & (1L << bit)) != 0, ok, "XSS bit " + bit);
            }
            assertTrue(java.util.Arrays.stream(g.hv.msrIndexList()).anyMatch(i -> i == 0xDA0), "XSS is saved");
        }
    }

    @Test
    void msrIndexListHasTheSaveRestoreSet() throws Exception {
        try (Guest g = new Guest(64 << 10)) {
            int[] list = g.hv.msrIndexList();
            Set<Integer> idx = new HashSet<>();
            for (int i : list) idx.add(i);
            for (int must : new int[] {0x174, 0x175, 0x176, 0xC0000081, 0xC0000082, 0xC0000084, 0xC0000102, 0x277})
                assertTrue(idx.contains(must), String.format("MSR %#x in KVM_GET_MSR_INDEX_LIST", must));
            KvmCpuidEntry2 d1 = KvmCpuid2.find(g.hv.supportedCpuid(), 0xD, 1);
            if (d1 != null && (d1.eax() & (1 << 3)) != 0) assertTrue(idx.contains(0xDA0), "XSS with XSAVES");
            if (d1 != null && (d1.eax() & (1 << 4)) != 0) {
                assertTrue(idx.contains(0x1C4), "XFD with CPUID XFD");
                assertTrue(idx.contains(0x1C5), "XFD_ERR with CPUID XFD");
                // host-initiated XFD access is always allowed
                List<KvmMsrEntry> xfd = List.of(new KvmMsrEntry(0x1C4, 0), new KvmMsrEntry(0x1C5, 0));
                assertEquals(2, g.vcpu.getMsrs(xfd));
                assertEquals(0, xfd.get(0).data());
            }
        }
    }

    @Test
    void cpuid2RoundTripE2bigAndFrozenAfterRun() throws Exception {
        try (Guest g = new Guest(64 << 10)) {
            // The vCPU's table is the one set (Guest sets the supported one), as the kernel keeps it: vendor modules
            // may fix up feature bits or drop leaves, so compare by leaf and require a fixed point.
            List<KvmCpuidEntry2> supported = g.hv.supportedCpuid();
            List<KvmCpuidEntry2> got = g.vcpu.getCpuid2(KvmCpuid2.MAX_ENTRIES);
            assertTrue(got.size() > 0 && got.size() <= supported.size(), got.size() + " leaves");
            for (KvmCpuidEntry2 e : got)
                assertTrue(supported.stream().anyMatch(x -> x.function() == e.function() && x.index() == e.index()
                    && x.flags() == e.flags()), "leaf " + e + " was set");
            assertEquals(KvmCpuid2.find(supported, 0, 0), KvmCpuid2.find(got, 0, 0), "vendor leaf as set");
            g.vcpu.setCpuid2(got);
            assertEquals(got, g.vcpu.getCpuid2(got.size()));
            assertErrno(Errno.E2BIG, () -> g.vcpu.getCpuid2(got.size() - 1));
            assertErrno(Errno.E2BIG, () -> g.vcpu.getCpuid2(0));
            assertErrno(Errno.E2BIG, () -> g.vcpu.setCpuid2(new ArrayList<>(java.util.Collections.nCopies(257,
                supported.get(0)))));

            // run once: from then on only an identical table is accepted
            g.load(0x1000, 0xF4);
            KvmSregs s = g.vcpu.getSregs();
            g.vcpu.setSregs(s.withCs(s.cs().withBase(0).withSelector(0)));
            g.vcpu.setRegs(KvmRegs.zero().withRip(0x1000));
            assertInstanceOf(VcpuExit.Hlt.class, g.vcpu.run());
            List<KvmCpuidEntry2> now = g.vcpu.getCpuid2(KvmCpuid2.MAX_ENTRIES);
            g.vcpu.setCpuid2(now);
            List<KvmCpuidEntry2> changed = new ArrayList<>(now);
            KvmCpuidEntry2 leaf0 = KvmCpuid2.find(now, 0, 0);
            changed.set(now.indexOf(leaf0), leaf0.withEbx(leaf0.ebx() ^ 1));
            assertErrno(Errno.EINVAL, () -> g.vcpu.setCpuid2(changed));
            assertEquals(now, g.vcpu.getCpuid2(KvmCpuid2.MAX_ENTRIES));
        }
    }

    @Test
    void vcpuEventsRoundTripAndValidation() throws Exception {
        try (Guest g = new Guest(64 << 10)) {
            KvmVcpuEvents e0 = g.vcpu.getVcpuEvents();
            assertTrue((e0.flags() & KvmVcpuEvents.VALID_SHADOW) != 0, "GET reports the shadow as valid");
            g.vcpu.setVcpuEvents(e0);
            assertEquals(e0, g.vcpu.getVcpuEvents());
            KvmVcpuEvents nmi = e0.with("nmi.pending", 1).with("nmi.masked", 1)
                .withFlags(e0.flags() | KvmVcpuEvents.VALID_NMI_PENDING);
            g.vcpu.setVcpuEvents(nmi);
            KvmVcpuEvents e1 = g.vcpu.getVcpuEvents();
            assertTrue(e1.nmiPending());
            assertTrue(e1.nmiMasked());
            // an unknown flag, and an injected exception with a vector above 31: EINVAL, nothing applied
            assertErrno(Errno.EINVAL, () -> g.vcpu.setVcpuEvents(e0.withFlags(e0.flags() | 0x40000000)));
            assertErrno(Errno.EINVAL, () -> g.vcpu.setVcpuEvents(e0.with("exception.injected", 1).with("exception.nr", 40)));
            assertEquals(e1, g.vcpu.getVcpuEvents());
        }
    }

    @Test
    void interruptQueuesAnExternalVector() throws Exception {
        try (Guest g = new Guest(64 << 10)) {
            g.vcpu.interrupt(0x20);
            KvmVcpuEvents e = g.vcpu.getVcpuEvents();
            assertTrue(e.interruptInjected());
            assertEquals(0x20, e.interruptNr());
            assertEquals(1L << 0x20, g.vcpu.getSregs().interruptBitmap()[0], "sregs interrupt_bitmap shows it too");
            assertErrno(Errno.EINVAL, () -> g.vcpu.interrupt(256));
        }
    }
}
