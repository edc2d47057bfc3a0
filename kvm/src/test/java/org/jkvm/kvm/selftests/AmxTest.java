package org.jkvm.kvm.selftests;

import static org.jkvm.isa.Assembler.mem;
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
import org.jkvm.kvm.guest.Code;
import org.jkvm.kvm.guest.InsnProbe;
import org.jkvm.kvm.guest.LongModeGuest;
import org.jkvm.kvm.guest.Migrate;
import org.junit.jupiter.api.Test;

/**
 * Port of Linux's x86/amx_test: tile geometry from CPUID; XFD=0, LDTILECFG, TILELOADD; a save/restore of the
 * whole vCPU into a new VM keeps TMM0; KVM_SET_XSAVE of saved tile data with XFD=XTILEDATA does not break
 * anything; a TILELOADD with XFD armed is #NM in the guest with CR0.TS=0 and XFD_ERR=XTILEDATA, preserved across
 * a save/restore; clearing XFD_ERR and XFD lets the load succeed.
 */
class AmxTest {
    static final Map<String, String> OPTS = Map.of("cpu", "sapphirerapids", "max-instructions", "1000000");
    static final long SRC = LongModeGuest.DATA + 0x4000, DATA2 = LongModeGuest.DATA + 0x8000;
    static final long TILEDATA = 1L << 18;
    static final int XFD = 0x1C4, XFD_ERR = 0x1C5;

    static KvmCpuidEntry2 find(List<KvmCpuidEntry2> l, int fn, int idx) {
        for (KvmCpuidEntry2 e : l) if (e.matches(fn, idx)) return e;
        return null;
    }

    @Test
    void amx() throws Exception {
        assumeTrue(InsnProbe.executesAfter(InsnProbe.LDTILECFG_RDI, InsnProbe.TILELOADD_TMM0_RSI_RCX),
            "the software CPU does not execute TILELOADD yet");
        Hypervisor hv = Hypervisor.open("soft", OPTS);
        hv.requestGuestPermission(Hypervisor.XFEATURE_XTILEDATA);
        LongModeGuest g = new LongModeGuest(hv, true, true, false);
        try {
            List<KvmCpuidEntry2> cpuid = g.vcpu.getCpuid2(1000);
            assertEquals(2816, find(cpuid, 0xD, 18).ebx(), "XTILEDATA offset");
            assertEquals(8192, find(cpuid, 0xD, 18).eax(), "XTILEDATA size");
            KvmCpuidEntry2 palette = find(cpuid, 0x1D, 1);
            assertEquals(8192 | 1024 << 16, palette.eax(), "total/bytes per tile");
            assertEquals(64 | 8 << 16, palette.ebx(), "bytes per row / max names");
            assertEquals(16, palette.ecx(), "max rows");
            long sup = Xcr0CpuidTest.supportedXcr0(hv.supportedCpuid());
            g.vcpu.setXcrs(new KvmXcrs(0, List.of(new KvmXcr(0, sup))));
            g.installIdt();
            InsnProbe.tileConfig(g, InsnProbe.CFG);
            for (int i = 0; i < 1024; i++) g.ram.set(ValueLayout.JAVA_LONG, SRC + 8L * i, 0x1111_0000_0000_0000L + i);

            Code c = new Code(LongModeGuest.CODE);
            c.mov(RSI, SRC).mov(RDI, InsnProbe.CFG).mov(RCX, 64);
            c.zero(R15).zero(R14).guarded(x -> x.ldtilecfg(mem(RDI, 0)));
            c.guarded(x -> x.tileloadd(tmm(0), mem(RSI, RCX, 1, 0)));
            c.sync(2);
            c.mov(RSI, DATA2).mov(RCX, 64).tilestored(mem(RSI, RCX, 1, 0), tmm(0)).sync(3);
            c.wrmsrImm(XFD, TILEDATA).sync(4);
            c.zero(R15).zero(R14).mov(RSI, SRC).mov(RCX, 64);
            c.guarded(x -> x.tileloadd(tmm(0), mem(RSI, RCX, 1, 0))); // #NM: XFD armed
            c.mov(ECX, XFD_ERR).rdmsr().mov(R8, RAX).mov(RAX, CR0).mov(R9, RAX).sync(5);
            c.wrmsrImm(XFD_ERR, 0).wrmsrImm(XFD, 0).zero(R15).mov(RSI, SRC).mov(RCX, 64);
            c.guarded(x -> x.tileloadd(tmm(0), mem(RSI, RCX, 1, 0))).sync(6);
            g.load(c);

            g.sync(2);
            assertEquals(0, g.vcpu.getRegs().r15(), "LDTILECFG/TILELOADD fault, vector " + g.vcpu.getRegs().r14());
            KvmXsave saved = g.vcpu.getXsave2();
            ByteBuffer sb = ByteBuffer.wrap(saved.region()).order(ByteOrder.LITTLE_ENDIAN);
            assertNotEquals(0, sb.getLong(512) & TILEDATA, "tile data in use");
            assertEquals(0x1111_0000_0000_0000L, sb.getLong(2816), "TMM0 row 0 in the XSAVE buffer at 2816");
            LongModeGuest g2 = Migrate.to(g, "soft", OPTS, true);
            g.close();
            g = g2;

            g.sync(3);
            for (int i = 0; i < 128; i++) assertEquals(0x1111_0000_0000_0000L + i, g.read64(DATA2 + 8L * i), "TMM0 survived the migration");

            g.sync(4);
            g.vcpu.setXsave(saved); // tile data while XTILEDATA is armed: accepted, dropped
            assertEquals(0, ByteBuffer.wrap(g.vcpu.getXsave2().region()).order(ByteOrder.LITTLE_ENDIAN).getLong(512) & TILEDATA);

            g.sync(5);
            var r = g.vcpu.getRegs();
            assertEquals(7, r.r14(), "#NM");
            assertEquals(1, r.r15());
            assertEquals(TILEDATA, r.r8(), "XFD_ERR = XTILEDATA");
            assertEquals(0, r.r9() & 8, "CR0.TS = 0");
            LongModeGuest g3 = Migrate.to(g, "soft", OPTS, true);
            g.close();
            g = g3;
            KvmMsrEntry err = new KvmMsrEntry(XFD_ERR, 0);
            g.vcpu.getMsrs(List.of(err));
            assertEquals(TILEDATA, err.data(), "XFD_ERR preserved across save/restore");

            g.sync(6);
            assertEquals(0, g.vcpu.getRegs().r15(), "the load succeeds once XFD_ERR and XFD are clear");
        } finally {
            g.close();
        }
    }
}
