package org.jkvm.kvm.host;

import static org.jkvm.isa.Assembler.byte_;
import static org.jkvm.isa.Assembler.dword;
import static org.jkvm.isa.Assembler.mem;
import static org.jkvm.isa.Assembler.qword;
import static org.jkvm.isa.Regs.*;

import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.jkvm.api.Hypervisor;
import org.jkvm.api.exit.VcpuExit;
import org.jkvm.api.uabi.KvmMsrEntry;
import org.jkvm.api.uabi.KvmSregs;
import org.jkvm.api.uabi.KvmXcr;
import org.jkvm.api.uabi.KvmXcrs;
import org.jkvm.api.uabi.KvmXsave;
import org.jkvm.cpu.vmx.PhysicalCpu;
import org.jkvm.kvm.SoftVcpu;
import org.jkvm.isa.Label;
import org.jkvm.isa.Operand.Reg;
import org.jkvm.kvm.guest.Code;
import org.jkvm.kvm.guest.InsnProbe;
import org.jkvm.kvm.guest.LongModeGuest;
import org.jkvm.kvm.hw.PhysicalCpuSilicon;

/**
 * One guest of the chaos test: a loop that, once per KVM_RUN, picks an XCR0, loads random GPRs and (when XCR0.APX)
 * R16-R31, writes PKRU, XFD and XFD_ERR, does a few INVDs (fastpath exits) and ends with an OUT. The random data is
 * a table in guest RAM, so two rigs with the same seed run the same guest; the host also loads random x87, SSE,
 * AVX, AVX-512, opmask, PKRU, tile and APX state through KVM_SET_XSAVE. Every VM-entry's register state is
 * digested (except right after a machine check, which splits a run the reference does not split).
 */
final class ChaosRig implements AutoCloseable {
    static final long TABLE = 0x400000;
    static final int ENTRY = 512;
    /** The GPRs the guest loads from the table: all but RSP and RSI (the table pointer). */
    static final Reg[] GPRS = {RAX, RCX, RDX, RBX, RBP, RDI, R8, R9, R10, R11, R12, R13, R14, R15};
    static final int OFF_XCR0 = 0, OFF_GPR = 8, OFF_EGPR = 0x80, OFF_FLAGS = 0x100, OFF_PKRU = 0x108, OFF_XFD = 0x110,
        OFF_XFD_ERR = 0x118, OFF_INVD = 0x120, OFF_TILE_SRC = 0x128;
    /** Random tile rows the guest loads from, and the palette-1 configuration. */
    static final long TILE_SRC = 0x200000, TILE_CFG = 0x1FF000;
    static final boolean GUEST_TILES = InsnProbe.executesAfter(InsnProbe.LDTILECFG_RDI, InsnProbe.TILELOADD_TMM0_RSI_RCX);

    final LongModeGuest g;
    final SoftVcpu v;
    final PhysicalCpu pc;
    final List<Long> entryHashes = new ArrayList<>();
    int tileRuns;
    final List<String> entryParts = new ArrayList<>();
    static final boolean DEBUG = Boolean.getBoolean("jkvm.chaos.debug");
    private final long supported;

    ChaosRig(Map<String, String> options, int runs, long seed) throws Exception {
        Hypervisor hv = Hypervisor.open("soft", options);
        hv.requestGuestPermission(Hypervisor.XFEATURE_XTILEDATA);
        this.g = new LongModeGuest(hv, true, true, false);
        this.v = (SoftVcpu) g.vcpu;
        this.pc = ((PhysicalCpuSilicon) v.cpu).physical();
        long sup = 0;
        for (var e : hv.supportedCpuid()) if (e.function() == 0xD && e.index() == 0) sup = (e.eax() & 0xFFFF_FFFFL) | (long) e.edx() << 32;
        this.supported = sup;
        KvmSregs s = g.vcpu.getSregs();
        g.vcpu.setSregs(new KvmSregs(s.cs(), s.ds(), s.es(), s.fs(), s.gs(), s.ss(), s.tr(), s.ldt(), s.gdt(), s.idt(),
            s.cr0(), 0, s.cr3(), s.cr4() | (1L << 22), 0, s.efer(), s.apicBase(), new long[4]));
        g.vcpu.setXcrs(new KvmXcrs(0, List.of(new KvmXcr(0, supported))));
        g.installIdt();
        fillTable(runs, seed);
        tileData(seed);
        g.load(program());
        v.loop.setEntryObserver((cpu, afterMc) -> {
            if (!afterMc) {
                entryHashes.add(ArchHash.of(pc, true));
                if (DEBUG) entryParts.add(ArchHash.parts(pc));
            }
        });
    }

    /** The XCR0 values the guest switches between: all differ from one another, some from the host's. */
    long[] xcr0Choices() {
        long amx = 3L << 17, apx = 1L << 19;
        return new long[] {supported, supported & ~amx, supported & ~apx, supported & ~(amx | apx), 0x7, 0x3, 0xE7 | (supported & (1L << 9))};
    }

    private void fillTable(int runs, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long[] choices = xcr0Choices();
        for (int i = 0; i < runs; i++) {
            long e = TABLE + (long) i * ENTRY;
            long xcr0 = choices[r.nextInt(choices.length)];
            g.ram.set(ValueLayout.JAVA_LONG, e + OFF_XCR0, xcr0);
            for (int k = 0; k < GPRS.length; k++) g.ram.set(ValueLayout.JAVA_LONG, e + OFF_GPR + 8L * k, r.nextLong());
            for (int k = 0; k < 16; k++) g.ram.set(ValueLayout.JAVA_LONG, e + OFF_EGPR + 8L * k, r.nextLong());
            long xfd = r.nextInt(4) == 0 ? 1L << 18 : 0;
            boolean tiles = GUEST_TILES && (xcr0 & (3L << 17)) == (3L << 17) && xfd == 0 && r.nextBoolean();
            g.ram.set(ValueLayout.JAVA_LONG, e + OFF_FLAGS, ((xcr0 & (1L << 19)) != 0 ? 1 : 0) | (tiles ? 2 : 0));
            if (tiles) tileRuns++;
            g.ram.set(ValueLayout.JAVA_LONG, e + OFF_PKRU, r.nextLong() & 0xFFFF_FFFFL);
            g.ram.set(ValueLayout.JAVA_LONG, e + OFF_XFD, xfd);
            g.ram.set(ValueLayout.JAVA_LONG, e + OFF_TILE_SRC, TILE_SRC + 1024L * r.nextInt(56));
            g.ram.set(ValueLayout.JAVA_LONG, e + OFF_XFD_ERR, r.nextInt(4) == 0 ? 1L << 18 : 0);
            g.ram.set(ValueLayout.JAVA_LONG, e + OFF_INVD, 1 + r.nextInt(4));
        }
    }

    private void tileData(long seed) {
        InsnProbe.tileConfig(g, TILE_CFG);
        SplittableRandom r = new SplittableRandom(seed ^ 0x711E);
        for (long a = TILE_SRC; a < TILE_SRC + 64 * 1024; a += 8) g.ram.set(ValueLayout.JAVA_LONG, a, r.nextLong());
    }

    private Code program() {
        Code c = new Code(LongModeGuest.CODE);
        c.mov(RSI, TABLE);
        Label top = c.mark();
        c.mov(EAX, dword(RSI, OFF_XCR0)).mov(EDX, dword(RSI, OFF_XCR0 + 4)).zero(RCX).xsetbv();
        Label noEgprs = c.label();
        c.test(byte_(RSI, OFF_FLAGS), 1).jz(noEgprs);
        for (int n = 16; n < 32; n++) c.mov(r64(n), qword(RSI, OFF_EGPR + 8 * (n - 16)));
        c.bind(noEgprs);
        c.mov(EAX, dword(RSI, OFF_PKRU)).zero(RCX).zero(RDX).wrpkru();
        c.mov(ECX, 0x1C4).mov(EAX, dword(RSI, OFF_XFD)).zero(RDX).wrmsr();
        c.mov(ECX, 0x1C5).mov(EAX, dword(RSI, OFF_XFD_ERR)).zero(RDX).wrmsr();
        // tiles: LDTILECFG, then TILELOADD tmm0..tmm7 from 8 consecutive KiB of random rows (RAX base, RCX stride)
        Label noTiles = c.label();
        c.test(byte_(RSI, OFF_FLAGS), 2).jz(noTiles);
        c.mov(RDI, TILE_CFG).ldtilecfg(mem(RDI, 0)).mov(RAX, qword(RSI, OFF_TILE_SRC)).mov(RCX, 64);
        for (int t = 0; t < 8; t++) c.tileloadd(tmm(t), mem(RAX, RCX, 1, 0)).add(RAX, 1024);
        c.bind(noTiles);
        c.mov(RCX, qword(RSI, OFF_INVD));
        Label invd = c.mark();
        c.invd().dec(RCX).jnz(invd);
        for (int k = 0; k < GPRS.length; k++) c.mov(GPRS[k], qword(RSI, OFF_GPR + 8 * k));
        c.add(RSI, ENTRY);
        c.outAl(0xE1);
        c.jmp(top);
        return c;
    }

    /** Random x87/SSE/AVX/AVX-512/opmask/PKRU/tile/APX state through KVM_SET_XSAVE (the same bytes for every rig). */
    static byte[] randomXsave(byte[] template, SplittableRandom r) {
        byte[] b = template.clone();
        ByteBuffer w = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        w.putShort(0, (short) 0x37F);
        w.putShort(2, (short) 0);
        b[4] = (byte) 0xFF; // all eight x87 registers valid
        for (int i = 0; i < 8; i++) {
            w.putLong(32 + 16 * i, r.nextLong() | Long.MIN_VALUE); // normal: integer bit set
            w.putShort(40 + 16 * i, (short) (0x3FFF + r.nextInt(64) - 32));
        }
        w.putInt(24, 0x1F80);
        for (int off = 160; off < 416; off += 8) w.putLong(off, r.nextLong());
        for (int off = 576; off < 832; off += 8) w.putLong(off, r.nextLong());
        for (int off = 1088; off < 1152; off += 8) w.putLong(off, r.nextLong());
        for (int off = 1152; off < 2688; off += 8) w.putLong(off, r.nextLong());
        w.putInt(2688, r.nextInt());
        long bv = 0x2E7L;
        if (b.length >= 2816 + 8192) {
            for (int i = 0; i < 64; i++) b[2752 + i] = 0;
            b[2752] = 1;
            for (int t = 0; t < 8; t++) {
                w.putShort(2752 + 16 + 2 * t, (short) 64);
                b[2752 + 48 + t] = 16;
            }
            for (int off = 2816; off < 2816 + 8192; off += 8) w.putLong(off, r.nextLong());
            bv |= 3L << 17;
        }
        for (int i = 0; i < 16; i++) w.putLong(960 + 8 * i, r.nextLong());
        bv |= 1L << 19;
        w.putLong(512, bv);
        for (int i = 520; i < 576; i++) b[i] = 0;
        return b;
    }

    /** One KVM_RUN to the guest's OUT; returns the exit. */
    VcpuExit runOnce() throws Exception {
        VcpuExit e = g.vcpu.run();
        if (!(e instanceof VcpuExit.Io io) || io.port() != 0xE1) throw new AssertionError("unexpected exit " + e);
        return e;
    }

    /** Whether everything user space can read equals the other rig's (cheap; {@link #uabiState} says what differs). */
    boolean sameUabiState(ChaosRig o) throws Exception {
        if (!g.vcpu.getRegs().equals(o.g.vcpu.getRegs())) return false;
        if (!java.util.Arrays.equals(g.vcpu.getXsave2().region(), o.g.vcpu.getXsave2().region())) return false;
        return uabiStateNoXsave().equals(o.uabiStateNoXsave());
    }

    private String uabiStateNoXsave() throws Exception {
        StringBuilder sb = new StringBuilder();
        KvmSregs s = g.vcpu.getSregs();
        sb.append("cr0=").append(s.cr0()).append(" cr3=").append(s.cr3()).append(" cr4=").append(s.cr4()).append(" efer=").append(s.efer()).append('\n');
        sb.append(g.vcpu.getXcrs()).append('\n');
        List<KvmMsrEntry> m = List.of(new KvmMsrEntry(0x1C4, 0), new KvmMsrEntry(0x1C5, 0), new KvmMsrEntry(0xDA0, 0));
        g.vcpu.getMsrs(m);
        for (KvmMsrEntry e : m) sb.append(Integer.toHexString(e.index())).append('=').append(Long.toHexString(e.data())).append(' ');
        return sb.toString();
    }

    /** Everything user space can read, for equality with the reference. */
    String uabiState() throws Exception {
        StringBuilder sb = new StringBuilder();
        sb.append(g.vcpu.getRegs()).append('\n');
        KvmSregs s = g.vcpu.getSregs();
        sb.append("cr0=").append(s.cr0()).append(" cr3=").append(s.cr3()).append(" cr4=").append(s.cr4()).append(" efer=").append(s.efer()).append('\n');
        sb.append(g.vcpu.getXcrs()).append('\n');
        List<KvmMsrEntry> m = List.of(new KvmMsrEntry(0x1C4, 0), new KvmMsrEntry(0x1C5, 0), new KvmMsrEntry(0xDA0, 0));
        g.vcpu.getMsrs(m);
        for (KvmMsrEntry e : m) sb.append(Integer.toHexString(e.index())).append('=').append(Long.toHexString(e.data())).append(' ');
        sb.append('\n').append(java.util.HexFormat.of().formatHex(g.vcpu.getXsave2().region()));
        return sb.toString();
    }

    void setXsave(byte[] b) throws Exception { g.vcpu.setXsave(new KvmXsave(b)); }

    @Override
    public void close() { g.close(); }
}
