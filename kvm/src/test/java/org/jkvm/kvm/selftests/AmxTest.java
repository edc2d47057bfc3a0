package org.jkvm.kvm.selftests;

import static org.jkvm.isa.Assembler.mem;
import static org.jkvm.isa.Assembler.qword;
import static org.jkvm.isa.Regs.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.*;

import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;

import org.jkvm.api.Hypervisor;
import org.jkvm.api.uabi.KvmCpuidEntry2;
import org.jkvm.api.uabi.KvmMsrEntry;
import org.jkvm.api.uabi.KvmXcr;
import org.jkvm.api.uabi.KvmXcrs;
import org.jkvm.api.uabi.KvmXsave;
import org.jkvm.kvm.guest.Backends;
import org.jkvm.kvm.guest.Code;
import org.jkvm.kvm.guest.InsnProbe;
import org.jkvm.kvm.guest.LongModeGuest;
import org.jkvm.kvm.guest.Migrate;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Port of Linux's x86/amx_test, saving and restoring the whole vCPU into a new VM at every sync point as the C test
 * does: the guest reads the tile geometry and XCR0 itself; XFD=0, LDTILECFG, TILELOADD, and the tile data is in the
 * XSAVE buffer at 0xD.18's offset and survives the restores; after TILERELEASE, XSAVEC reports XSTATE_BV[18]=0 and
 * XCOMP_BV[18]=1, also with XFD armed; KVM_SET_XSAVE of saved tile data with XFD=XTILEDATA is accepted and dropped;
 * LDTILECFG with XFD armed succeeds and TILELOADD is #NM with CR0.TS=0 and XFD_ERR=XTILEDATA, preserved across a
 * save/restore; clearing XFD_ERR and XFD lets the load succeed. Runs on the soft backend and, where the host has
 * AMX, on /dev/kvm: the same guest and the same calls must pass on both.
 */
class AmxTest {
    static final Map<String, String> SOFT = Map.of("cpu", "sapphirerapids", "max-instructions", "1000000");
    static final long CFG = InsnProbe.CFG, SRC = LongModeGuest.DATA + 0x4000, DATA2 = LongModeGuest.DATA + 0x8000,
        DATA3 = LongModeGuest.DATA + 0xA000, XBUF = LongModeGuest.DATA + 0xC000;
    static final long TILEDATA = 1L << 18, XTILE = 3L << 17;
    static final int XFD = 0x1C4, XFD_ERR = 0x1C5;

    static KvmCpuidEntry2 find(List<KvmCpuidEntry2> l, int fn, int idx) {
        for (KvmCpuidEntry2 e : l) if (e.matches(fn, idx)) return e;
        return null;
    }

    /** TMM0 = 16 rows of 64 bytes from [RSI], stride RCX = 64, guarded (a fault counts in R15). */
    static void tileload(Code c, long from) {
        c.mov(RSI, from).mov(RCX, 64).guarded(x -> x.tileloadd(tmm(0), mem(RSI, RCX, 1, 0)));
    }

    /**
     * XSAVEC of XTILEDATA alone (RFBM = EDX:EAX) into XBUF, whose XSTATE_BV is set to XTILEDATA first so that a store
     * that did not happen shows; then R8 = XSTATE_BV, R9 = XCOMP_BV.
     */
    static void xsavecTiledata(Code c) {
        c.mov(RDI, XBUF).mov(RAX, TILEDATA).mov(qword(RDI, 512), RAX).mov(EAX, TILEDATA).zero(RDX).xsavec(mem(RDI, 0));
        c.mov(R8, qword(RDI, 512)).mov(R9, qword(RDI, 520));
    }

    static Map<String, String> options(String backend) { return backend.equals("soft") ? SOFT : Map.of(); }

    /** The selftest's save/restore at a sync point: the whole vCPU and RAM into a new VM. */
    static LongModeGuest restore(LongModeGuest g, String backend) throws Exception {
        LongModeGuest n = Migrate.to(g, backend, options(backend), true);
        g.close();
        return n;
    }

    /** A guest with AMX permitted, XCR0 = supported, the exception handlers, the tile configuration and SRC rows. */
    static LongModeGuest amxGuest(String backend) throws Exception {
        if (backend.equals("soft")) {
            assumeTrue(InsnProbe.executesAfter(InsnProbe.LDTILECFG_RDI, InsnProbe.TILELOADD_TMM0_RSI_RCX),
                "the software CPU does not execute TILELOADD yet");
        } else {
            Backends.assumeXfeatures(backend, options(backend), XTILE);
        }
        Hypervisor hv = Hypervisor.open(backend, options(backend));
        hv.requestGuestPermission(Hypervisor.XFEATURE_XTILEDATA);
        LongModeGuest g = new LongModeGuest(hv, true, true, false);
        g.vcpu.setXcrs(new KvmXcrs(0, List.of(new KvmXcr(0, Xcr0CpuidTest.supportedXcr0(hv.supportedCpuid())))));
        g.installIdt();
        InsnProbe.tileConfig(g, CFG);
        for (int i = 0; i < 1024; i++) g.ram.set(ValueLayout.JAVA_LONG, SRC + 8L * i, 0x1111_0000_0000_0000L + i);
        return g;
    }

    @ParameterizedTest
    @ValueSource(strings = {"soft", "kvm"})
    void amx(String backend) throws Exception {
        LongModeGuest g = amxGuest(backend);
        try {
            List<KvmCpuidEntry2> cpuid = g.vcpu.getCpuid2(1000);
            assertEquals(2816, find(cpuid, 0xD, 18).ebx(), "XTILEDATA offset");
            assertEquals(8192, find(cpuid, 0xD, 18).eax(), "XTILEDATA size");
            KvmCpuidEntry2 palette = find(cpuid, 0x1D, 1);
            assertEquals(8192 | 1024 << 16, palette.eax(), "total/bytes per tile");
            assertEquals(64 | 8 << 16, palette.ebx(), "bytes per row / max names");
            assertEquals(16, palette.ecx(), "max rows");

            Code c = new Code(LongModeGuest.CODE);
            // the guest's check_xtile_info: CPUID 0x1D.1 and 0xD.18, and XCR0 from XGETBV
            c.mov(EAX, 0x1D).mov(ECX, 1).cpuid().mov(R8, RAX).mov(R9, RBX).mov(R10, RCX);
            c.mov(EAX, 0xD).mov(ECX, 18).cpuid().mov(R11, RAX).mov(R12, RBX);
            c.zero(RCX).xgetbv().mov(R13, RAX).sync(1);
            c.wrmsrImm(XFD, 0).mov(ECX, XFD).rdmsr().mov(R8, RAX).sync(2);
            c.zero(R15).zero(R14).mov(RDI, CFG).guarded(x -> x.ldtilecfg(mem(RDI, 0))).sync(3);
            tileload(c, SRC);
            c.sync(4);
            c.mov(RSI, DATA2).mov(RCX, 64).tilestored(mem(RSI, RCX, 1, 0), tmm(0)).sync(5);
            c.tilerelease();
            xsavecTiledata(c);
            c.sync(6);
            c.wrmsrImm(XFD, TILEDATA);
            xsavecTiledata(c);
            c.mov(ECX, XFD).rdmsr().mov(R10, RAX).sync(7);
            c.zero(R15).zero(R14).mov(RDI, CFG).guarded(x -> x.ldtilecfg(mem(RDI, 0))).mov(R11, R15);
            tileload(c, SRC); // #NM: XFD armed
            c.mov(ECX, XFD_ERR).rdmsr().mov(R8, RAX).mov(RAX, CR0).mov(R9, RAX).mov(ECX, XFD).rdmsr().mov(R10, RAX).sync(8);
            // what the selftest's #NM handler does: clear XFD_ERR, then XFD; the load then succeeds
            c.wrmsrImm(XFD_ERR, 0).wrmsrImm(XFD, 0).zero(R15);
            tileload(c, SRC);
            c.mov(RSI, DATA3).tilestored(mem(RSI, RCX, 1, 0), tmm(0)).sync(9);
            g.load(c);

            g.sync(1);
            var r = g.vcpu.getRegs();
            assertEquals(8192 | 1024 << 16, r.r8(), "guest CPUID 0x1D.1 EAX");
            assertEquals(64 | 8 << 16, r.r9(), "guest CPUID 0x1D.1 EBX");
            assertEquals(16, r.r10(), "guest CPUID 0x1D.1 ECX");
            assertEquals(8192, r.r11(), "guest CPUID 0xD.18 EAX: XTILEDATA size");
            assertEquals(2816, r.r12(), "guest CPUID 0xD.18 EBX: XTILEDATA offset");
            assertEquals(XTILE, r.r13() & XTILE, "XCR0 has XTILECFG and XTILEDATA");
            g = restore(g, backend);

            g.sync(2);
            assertEquals(0, g.vcpu.getRegs().r8(), "XFD reads back 0");
            g = restore(g, backend);

            g.sync(3);
            assertEquals(0, g.vcpu.getRegs().r15(), "LDTILECFG fault, vector " + g.vcpu.getRegs().r14());
            g = restore(g, backend);

            g.sync(4);
            assertEquals(0, g.vcpu.getRegs().r15(), "TILELOADD fault, vector " + g.vcpu.getRegs().r14());
            KvmXsave saved = g.vcpu.getXsave2();
            ByteBuffer sb = ByteBuffer.wrap(saved.region()).order(ByteOrder.LITTLE_ENDIAN);
            assertNotEquals(0, sb.getLong(512) & TILEDATA, "tile data in use");
            for (int i = 0; i < 128; i++) assertEquals(0x1111_0000_0000_0000L + i, sb.getLong(2816 + 8 * i), "TMM0 in the XSAVE buffer at 2816");
            g = restore(g, backend);

            g.sync(5);
            for (int i = 0; i < 128; i++) assertEquals(0x1111_0000_0000_0000L + i, g.read64(DATA2 + 8L * i), "TMM0 survived the restores");
            g = restore(g, backend);

            g.sync(6);
            r = g.vcpu.getRegs();
            assertEquals(0, r.r8() & TILEDATA, "after TILERELEASE, XSAVEC: XSTATE_BV[18] = 0");
            assertEquals(TILEDATA | Long.MIN_VALUE, r.r9() & (TILEDATA | Long.MIN_VALUE), "XCOMP_BV[18] = 1 (compacted)");
            assertEquals(0, ByteBuffer.wrap(g.vcpu.getXsave2().region()).order(ByteOrder.LITTLE_ENDIAN).getLong(512) & TILEDATA,
                "KVM_GET_XSAVE2: tile data in its init state");
            g = restore(g, backend);

            g.sync(7);
            r = g.vcpu.getRegs();
            assertEquals(TILEDATA, r.r10(), "XFD = XTILEDATA");
            assertEquals(0, r.r8() & TILEDATA, "XFD armed, XSAVEC: XSTATE_BV[18] = 0");
            assertEquals(TILEDATA | Long.MIN_VALUE, r.r9() & (TILEDATA | Long.MIN_VALUE), "XCOMP_BV[18] = 1");
            g.vcpu.setXsave(saved); // tile data while XTILEDATA is armed: accepted (the selftest's claim) ...
            if (backend.equals("soft")) {
                // ... and dropped (the spec's SET_XSAVE rule, Linux's newest; older kernels keep XSTATE_BV[18])
                assertEquals(0, ByteBuffer.wrap(g.vcpu.getXsave2().region()).order(ByteOrder.LITTLE_ENDIAN).getLong(512) & TILEDATA);
            }
            g = restore(g, backend); // XFD armed: the restore's KVM_SET_MSRS must start #NM interception

            g.sync(8);
            r = g.vcpu.getRegs();
            assertEquals(0, r.r11(), "LDTILECFG with XFD armed succeeds");
            assertEquals(7, r.r14(), "#NM");
            assertEquals(1, r.r15());
            assertEquals(TILEDATA, r.r8(), "XFD_ERR = XTILEDATA");
            assertEquals(0, r.r9() & 8, "CR0.TS = 0");
            assertEquals(TILEDATA, r.r10(), "XFD still XTILEDATA");
            g = restore(g, backend);
            KvmMsrEntry err = new KvmMsrEntry(XFD_ERR, 0);
            g.vcpu.getMsrs(List.of(err));
            assertEquals(TILEDATA, err.data(), "XFD_ERR preserved across save/restore");

            g.sync(9);
            assertEquals(0, g.vcpu.getRegs().r15(), "the load succeeds once XFD_ERR and XFD are clear");
            for (int i = 0; i < 128; i++) assertEquals(0x1111_0000_0000_0000L + i, g.read64(DATA3 + 8L * i), "TMM0 loaded");
        } finally {
            g.close();
        }
    }

    /**
     * A save/restore while the guest's XFD is armed, then a TILELOADD: the guest still takes #NM with XFD_ERR =
     * XTILEDATA, and the host never sees that XFD_ERR. Linux switches to intercepting #NM on any non-zero XFD
     * write, the restore's KVM_SET_MSRS included (vmx_set_msr), so it reads the guest's XFD_ERR at the #NM exit.
     */
    @ParameterizedTest
    @ValueSource(strings = {"soft", "kvm"})
    void xfdErrAfterRestoreWithXfdArmed(String backend) throws Exception {
        LongModeGuest g = amxGuest(backend);
        try {
            Code c = new Code(LongModeGuest.CODE);
            c.wrmsrImm(XFD, TILEDATA).mov(RDI, CFG).ldtilecfg(mem(RDI, 0)).sync(1);
            c.zero(R15).zero(R14);
            tileload(c, SRC); // #NM
            c.mov(ECX, XFD_ERR).rdmsr().mov(R8, RAX).sync(2);
            g.load(c);
            g.sync(1);
            g = restore(g, backend);
            g.sync(2);
            var r = g.vcpu.getRegs();
            assertEquals(7, r.r14(), "#NM");
            assertEquals(1, r.r15());
            assertEquals(TILEDATA, r.r8(), "the guest's XFD_ERR after the restore");
            if (g.vcpu instanceof org.jkvm.kvm.SoftVcpu v) {
                assertEquals(0, ((org.jkvm.kvm.hw.PhysicalCpuSilicon) v.cpu).physical().xstate().xfdErr(),
                    "the host never sees the guest's XFD_ERR");
            }
        } finally {
            g.close();
        }
    }
}
