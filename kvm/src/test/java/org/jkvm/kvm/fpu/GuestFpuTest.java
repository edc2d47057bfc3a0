package org.jkvm.kvm.fpu;

import static org.jkvm.kvm.xcr.Xfeatures.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.jkvm.api.Errno;
import org.jkvm.api.KvmException;
import org.jkvm.cpu.xstate.XsaveLayout;
import org.junit.jupiter.api.Test;

class GuestFpuTest {
    static final long SPR = 0x602E7L;

    @Test
    void permissionOnlyXtiledataAndLockedAfterFirstVcpu() throws Exception {
        GuestPermission p = new GuestPermission(SPR);
        assertEquals(SPR & ~XTILE_DATA, p.permitted());
        assertEquals(Errno.EOPNOTSUPP, assertThrows(KvmException.class, () -> p.request(17)).errno());
        assertEquals(Errno.EOPNOTSUPP, assertThrows(KvmException.class, () -> p.request(2)).errno());
        new GuestFpu(p, 0);
        assertEquals(Errno.EBUSY, assertThrows(KvmException.class, () -> p.request(18)).errno());
        GuestPermission q = new GuestPermission(SPR);
        q.request(18);
        assertEquals(SPR, q.permitted());
        new GuestFpu(q, 0);
        q.request(18); // already permitted: not an error even when locked
    }

    @Test
    void noAmxOnTheCpuIsNotSupported() {
        GuestPermission p = new GuestPermission(FP | SSE | YMM);
        assertEquals(Errno.EOPNOTSUPP, assertThrows(KvmException.class, () -> p.request(18)).errno());
    }

    @Test
    void defaultFpstateExcludesTiledataAndGrowsOnlyWithPermission() throws Exception {
        GuestPermission p = new GuestPermission(SPR);
        GuestFpu f = new GuestFpu(p, 0);
        assertEquals(0, f.xfeatures() & XTILE_DATA);
        assertEquals(XsaveLayout.compactedSize(f.xfeatures()), f.state().length);
        assertEquals(4096, f.uabiSize());
        assertEquals(Errno.EPERM, assertThrows(KvmException.class, () -> f.enableXfdFeatures(SPR)).errno());
        assertEquals(0, f.xfeatures() & XTILE_DATA, "unchanged after EPERM");

        GuestPermission q = new GuestPermission(SPR);
        q.request(18);
        GuestFpu g = new GuestFpu(q, 0);
        int small = g.state().length;
        g.view().putLong(g.compactedOffset(5), 0x1234_5678L); // opmask k0 survives the reallocation
        g.enableXfdFeatures(SPR);
        assertTrue(g.state().length > small + 8000);
        assertEquals(0x1234_5678L, g.view().getLong(g.compactedOffset(5)));
        assertEquals(2816 + 8192, g.uabiSize());
    }

    @Test
    void xfdClearsSavedXstateBv() throws Exception {
        GuestPermission q = new GuestPermission(SPR);
        q.request(18);
        GuestFpu g = new GuestFpu(q, 0);
        g.enableXfdFeatures(SPR);
        g.view().putLong(GuestFpu.XSTATE_BV, FP | SSE | XTILE_CFG | XTILE_DATA);
        g.updateXfd(XTILE_DATA);
        assertEquals(FP | SSE | XTILE_CFG, g.view().getLong(GuestFpu.XSTATE_BV));
    }

    private static byte[] uabi(long bv) {
        byte[] b = new byte[4096];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(24, 0x1F80).putLong(512, bv);
        return b;
    }

    @Test
    void setXsaveValidation() throws Exception {
        GuestFpu f = new GuestFpu(new GuestPermission(SPR), 0);
        byte[] before = f.state().clone();
        // XSTATE_BV outside what the fpstate holds
        assertEquals(Errno.EINVAL, assertThrows(KvmException.class, () -> XsaveUabi.decode(f, uabi(1L << 30), false)).errno());
        // APX when APX is not supported
        assertEquals(Errno.EINVAL, assertThrows(KvmException.class, () -> XsaveUabi.decode(f, uabi(FP | APX), false)).errno());
        // XCOMP_BV non-zero
        byte[] c = uabi(FP);
        ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putLong(520, 1L << 63 | 3);
        assertEquals(Errno.EINVAL, assertThrows(KvmException.class, () -> XsaveUabi.decode(f, c, false)).errno());
        // reserved header bytes
        byte[] r = uabi(FP);
        r[512 + 40] = 1;
        assertEquals(Errno.EINVAL, assertThrows(KvmException.class, () -> XsaveUabi.decode(f, r, false)).errno());
        // MXCSR reserved bits
        byte[] m = uabi(FP | SSE);
        ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN).putInt(24, 0x1_0000);
        assertEquals(Errno.EINVAL, assertThrows(KvmException.class, () -> XsaveUabi.decode(f, m, false)).errno());
        // too short
        assertEquals(Errno.EINVAL, assertThrows(KvmException.class, () -> XsaveUabi.decode(f, new byte[100], false)).errno());
        assertArrayEquals(before, f.state(), "failed decodes leave the fpstate alone");
    }

    @Test
    void roundTripThroughUabi() throws Exception {
        GuestFpu f = new GuestFpu(new GuestPermission(SPR), 0);
        byte[] u = uabi(FP | SSE | YMM | AVX512 | PKRU);
        ByteBuffer b = ByteBuffer.wrap(u).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(160, 0xAAAA_BBBB_CCCC_DDDDL); // XMM0 low
        b.putLong(576, 0x1111_2222_3333_4444L); // YMM0 high
        b.putLong(1088, 0xFFL); // k0
        b.putInt(2688, 0x55555554);
        XsaveUabi.Decoded d = XsaveUabi.decode(f, u, false);
        assertEquals(0x55555554L, d.pkru());
        assertNull(d.egprs());
        XsaveUabi.commit(f, d);
        byte[] back = XsaveUabi.get(f, 4096, d.pkru(), new long[16], false);
        ByteBuffer o = ByteBuffer.wrap(back).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(FP | SSE | YMM | AVX512 | PKRU, o.getLong(512));
        assertEquals(0xAAAA_BBBB_CCCC_DDDDL, o.getLong(160));
        assertEquals(0x1111_2222_3333_4444L, o.getLong(576));
        assertEquals(0xFFL, o.getLong(1088));
        assertEquals(0x55555554, o.getInt(2688));
        assertEquals(0, o.getLong(520));
    }

    @Test
    void apxAreaComesFromTheRegisterCache() throws Exception {
        GuestFpu f = new GuestFpu(new GuestPermission(FP | SSE | YMM | APX), 0);
        long[] egprs = new long[16];
        for (int i = 0; i < 16; i++) egprs[i] = 0xabcd + 16 + i;
        byte[] out = XsaveUabi.get(f, 4096, 0, egprs, true);
        ByteBuffer o = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(APX, o.getLong(512) & APX);
        for (int i = 0; i < 16; i++) assertEquals(0xabcd + 16 + i, o.getLong(960 + 8 * i));
        byte[] in = uabi(FP | APX);
        ByteBuffer.wrap(in).order(ByteOrder.LITTLE_ENDIAN).putLong(960 + 8 * 3, 0xbcde + 19);
        XsaveUabi.Decoded d = XsaveUabi.decode(f, in, true);
        assertEquals(0xbcde + 19, d.egprs()[3]);
        assertNull(XsaveUabi.decode(f, uabi(FP), true).egprs(), "APX bit clear leaves regs[] alone");
    }

    @Test
    void setXsaveDropsArmedComponents() throws Exception {
        GuestPermission q = new GuestPermission(SPR);
        q.request(18);
        GuestFpu g = new GuestFpu(q, 0);
        g.enableXfdFeatures(SPR);
        g.updateXfd(XTILE_DATA);
        byte[] u = new byte[g.uabiSize()];
        ByteBuffer.wrap(u).order(ByteOrder.LITTLE_ENDIAN).putInt(24, 0x1F80).putLong(512, FP | XTILE_CFG | XTILE_DATA);
        XsaveUabi.Decoded d = XsaveUabi.decode(g, u, false);
        XsaveUabi.commit(g, d);
        assertEquals(0, g.view().getLong(GuestFpu.XSTATE_BV) & XTILE_DATA);
    }
}
