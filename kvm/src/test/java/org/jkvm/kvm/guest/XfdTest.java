package org.jkvm.kvm.guest;

import static org.jkvm.isa.Regs.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jkvm.api.Hypervisor;
import org.jkvm.api.uabi.KvmCpuidEntry2;
import org.jkvm.api.uabi.KvmMsrEntry;
import org.jkvm.api.uabi.KvmXsave;
import org.jkvm.cpu.vmx.VmcsField;
import org.jkvm.kvm.SoftVcpu;
import org.jkvm.kvm.hw.PhysicalCpuSilicon;
import org.junit.jupiter.api.Test;

/**
 * IA32_XFD/XFD_ERR as KVM virtualizes them (spec section 6): the CPUID gate, the #GP rules, interception switched
 * off after the first non-zero guest write (with #NM intercepted from then on), XFD_ERR written before entry and
 * cleared after exit so the host never sees it, and XSTATE_BV[18] cleared while TILEDATA is armed.
 */
class XfdTest {
    static final int XFD = 0x1C4, XFD_ERR = 0x1C5;
    static final long TILEDATA = 1L << 18;

    private static LongModeGuest amxGuest(boolean xfdInCpuid) throws Exception {
        Hypervisor hv = Hypervisor.open("soft", Map.of("cpu", "sapphirerapids"));
        hv.requestGuestPermission(Hypervisor.XFEATURE_XTILEDATA);
        LongModeGuest g = new LongModeGuest(hv, true, false, false);
        List<KvmCpuidEntry2> cpuid = new ArrayList<>(hv.supportedCpuid());
        if (!xfdInCpuid) cpuid.replaceAll(e -> e.function() == 0xD && e.index() == 1 ? e.withEax(e.eax() & ~0x10) : e);
        g.vcpu.setCpuid2(cpuid);
        g.installIdt();
        return g;
    }

    @Test
    void withoutXfdInCpuidAccessIsGp() throws Exception {
        try (LongModeGuest g = amxGuest(false)) {
            Code c = new Code(LongModeGuest.CODE);
            c.zero(R15).mov(ECX, XFD).guarded(Code::rdmsr).sync(1);
            c.zero(R15).mov(ECX, XFD_ERR).zero(RAX).zero(RDX).guarded(Code::wrmsr).sync(2);
            g.load(c);
            g.sync(1);
            assertEquals(1, g.vcpu.getRegs().r15());
            g.sync(2);
            assertEquals(1, g.vcpu.getRegs().r15());
            // host-initiated access is always allowed
            assertEquals(1, g.vcpu.setMsrs(List.of(new KvmMsrEntry(XFD, TILEDATA))));
        }
    }

    @Test
    void xfdRulesInterceptionAndXfdErr() throws Exception {
        try (LongModeGuest g = amxGuest(true)) {
            SoftVcpu v = (SoftVcpu) g.vcpu;
            var pc = ((PhysicalCpuSilicon) v.cpu).physical();
            Code c = new Code(LongModeGuest.CODE);
            c.zero(R15).mov(ECX, XFD).mov(EAX, 1 << 17).zero(RDX).guarded(Code::wrmsr).sync(1); // TILECFG: not XFD-capable
            c.zero(R15).mov(ECX, XFD).mov(EAX, 1 << 18).zero(RDX).guarded(Code::wrmsr).sync(2); // TILEDATA: ok
            c.zero(R15).mov(ECX, XFD_ERR).mov(EAX, 1 << 18).zero(RDX).guarded(Code::wrmsr).sync(3);
            c.zero(R15).mov(ECX, XFD_ERR).guarded(Code::rdmsr).mov(R8, RAX).sync(4);
            c.zero(R15).mov(ECX, XFD_ERR).mov(EAX, 1 << 17).zero(RDX).guarded(Code::wrmsr).sync(5);
            g.load(c);

            assertTrue(v.vmcs.msrBitmap().exitsOnWrite(XFD), "XFD writes intercepted at first");
            assertEquals(0, v.vmcs.read(VmcsField.EXCEPTION_BITMAP) & (1 << 7), "#NM not intercepted at first");
            g.sync(1);
            assertEquals(1, g.vcpu.getRegs().r15(), "XFD bit 17 is #GP");
            g.sync(2);
            assertEquals(0, g.vcpu.getRegs().r15());
            KvmMsrEntry e = new KvmMsrEntry(XFD, 0);
            g.vcpu.getMsrs(List.of(e));
            assertEquals(TILEDATA, e.data());
            assertFalse(v.vmcs.msrBitmap().exitsOnWrite(XFD), "after the first non-zero write XFD writes pass through");
            assertNotEquals(0, v.vmcs.read(VmcsField.EXCEPTION_BITMAP) & (1 << 7), "and #NM is intercepted");
            long bv = ByteBuffer.wrap(g.vcpu.getXsave2().region()).order(ByteOrder.LITTLE_ENDIAN).getLong(512);
            assertEquals(0, bv & TILEDATA, "XSTATE_BV[18] clear while armed");

            g.sync(3);
            assertEquals(0, g.vcpu.getRegs().r15());
            e = new KvmMsrEntry(XFD_ERR, 0);
            g.vcpu.getMsrs(List.of(e));
            assertEquals(TILEDATA, e.data(), "guest XFD_ERR kept by KVM");
            assertEquals(0, pc.xstate().xfdErr(), "the host never sees the guest's XFD_ERR");
            g.sync(4);
            assertEquals(TILEDATA, g.vcpu.getRegs().r8(), "the guest reads its XFD_ERR back");
            assertEquals(0, pc.xstate().xfdErr());
            g.sync(5);
            assertEquals(1, g.vcpu.getRegs().r15(), "XFD_ERR bit 17 is #GP");

            // KVM_SET_XSAVE with tile data while TILEDATA is armed: dropped, not loaded
            byte[] region = g.vcpu.getXsave2().region();
            ByteBuffer w = ByteBuffer.wrap(region).order(ByteOrder.LITTLE_ENDIAN);
            w.putLong(512, w.getLong(512) | TILEDATA | (1L << 17));
            region[2752] = 1;
            for (int t = 0; t < 8; t++) {
                w.putShort(2752 + 16 + 2 * t, (short) 64);
                region[2752 + 48 + t] = 16;
            }
            for (int i = 2816; i < 2816 + 8192; i += 8) w.putLong(i, 0x0102030405060708L);
            g.vcpu.setXsave(new KvmXsave(region));
            bv = ByteBuffer.wrap(g.vcpu.getXsave2().region()).order(ByteOrder.LITTLE_ENDIAN).getLong(512);
            assertEquals(0, bv & TILEDATA);
            assertNotEquals(0, bv & (1L << 17), "TILECFG kept");
        }
    }
}
