package org.jkvm.api.uabi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.jkvm.api.Errno;
import org.jkvm.api.KvmException;
import org.jkvm.api.exit.VcpuExit;
import org.junit.jupiter.api.Test;

/**
 * Byte-level round trips: random bytes (with reserved/padding members cleared, since writers zero them) survive
 * fromBytes/toBytes unchanged, records survive toBytes/fromBytes, and values land at the header's offsets.
 */
class UabiRoundTripTest {
    private final Random rnd = new Random(0x6b766d);

    /** Random bytes for {@code s} with every member whose name marks it reserved set to zero. */
    private byte[] randomImage(CStruct s, String... alsoZero) {
        byte[] b = new byte[s.size()];
        rnd.nextBytes(b);
        MemorySegment m = MemorySegment.ofArray(b);
        for (Field f : s.fields()) {
            String n = f.name();
            boolean reserved = n.startsWith("pad") || n.endsWith(".pad") || n.equals("reserved") || n.equals("padding");
            for (String z : alsoZero) reserved |= n.equals(z);
            if (reserved) f.slice(m).fill((byte) 0);
        }
        return b;
    }

    /** Booleans in the struct are u8 0/1 in Java; clamp them in the image so the round trip is exact. */
    private static void booleans(byte[] b, CStruct s, String... names) {
        for (String n : names) {
            Field f = s.field(n);
            b[f.offset()] &= 1;
        }
    }

    private static long le64(byte[] b, int off) { return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(off); }

    private static int le32(byte[] b, int off) { return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(off); }

    @Test
    void regs() throws KvmException {
        for (int i = 0; i < 20; i++) {
            byte[] img = randomImage(KvmRegs.LAYOUT);
            KvmRegs r = KvmRegs.fromBytes(img);
            assertArrayEquals(img, r.toBytes());
            assertEquals(le64(img, 128), r.rip());
            assertEquals(le64(img, 136), r.rflags());
            assertEquals(le64(img, 0), r.rax());
            assertEquals(le64(img, 120), r.r15());
            assertEquals(r, KvmRegs.fromBytes(r.toBytes()));
        }
        KvmRegs z = KvmRegs.zero().withRip(0x1234).withRsp(0x8000);
        assertEquals(0x1234, le64(z.toBytes(), 128));
        assertEquals(0x8000, le64(z.toBytes(), 48));
        assertEquals(2, z.rflags());
    }

    @Test
    void sregs() throws KvmException {
        String[] bools = {"present", "db", "s", "l", "g", "avl", "unusable"};
        for (int i = 0; i < 20; i++) {
            byte[] img = randomImage(KvmSregs.LAYOUT);
            for (String seg : new String[] {"cs", "ds", "es", "fs", "gs", "ss", "tr", "ldt"}) {
                int base = KvmSregs.LAYOUT.field(seg).offset();
                for (String b : bools) img[base + KvmSegment.LAYOUT.field(b).offset()] &= 1;
                img[base + 23] = 0;
            }
            for (String dt : new String[] {"gdt", "idt"}) {
                int base = KvmSregs.LAYOUT.field(dt).offset();
                for (int k = 10; k < 16; k++) img[base + k] = 0;
            }
            KvmSregs s = KvmSregs.fromBytes(img);
            assertArrayEquals(img, s.toBytes());
            assertEquals(le64(img, 224), s.cr0());
            assertEquals(le64(img, 264), s.efer());
            assertEquals(le64(img, 0), s.cs().base());
            assertEquals(le32(img, 8), s.cs().limit());
            assertEquals(le64(img, 192), s.gdt().base());
            assertEquals(le64(img, 304), s.interruptBitmap()[3]);
            assertEquals(s, KvmSregs.fromBytes(s.toBytes()));
            KvmSregs t = s.withCr3(0x5000).withCs(s.cs().withSelector(0x10));
            assertEquals(0x5000, le64(t.toBytes(), 240));
            assertEquals(0x10, t.toBytes()[12] & 0xff);
        }
    }

    @Test
    void fpu() throws KvmException {
        for (int i = 0; i < 20; i++) {
            byte[] img = randomImage(KvmFpu.LAYOUT);
            KvmFpu f = KvmFpu.fromBytes(img);
            assertArrayEquals(img, f.toBytes());
            assertEquals(le32(img, 408), f.mxcsr());
            assertEquals(img[152 + 16 * 3 + 5], f.xmm(3)[5]);
            assertEquals(f, KvmFpu.fromBytes(f.toBytes()));
        }
    }

    @Test
    void xsaveAnySizeFrom4096() throws KvmException {
        for (int size : new int[] {4096, 11008, 12288}) {
            byte[] img = new byte[size];
            rnd.nextBytes(img);
            KvmXsave x = KvmXsave.fromBytes(img);
            assertArrayEquals(img, x.toBytes());
            assertEquals(le64(img, 512), x.xstateBv());
            assertEquals(le64(img, 520), x.xcompBv());
            assertEquals(0x1f80, x.withMxcsr(0x1f80).mxcsr());
            assertEquals(0x7, le64(x.withXstateBv(7).toBytes(), 512));
        }
    }

    @Test
    void xcrs() throws KvmException {
        KvmXcrs x = new KvmXcrs(0, List.of(new KvmXcr(0, 0x2e7), new KvmXcr(1, 3)));
        byte[] b = x.toBytes();
        assertEquals(392, b.length);
        assertEquals(2, le32(b, 0));
        assertEquals(0, le32(b, 8));
        assertEquals(0x2e7, le64(b, 16));
        assertEquals(1, le32(b, 24));
        assertEquals(3, le64(b, 32));
        assertEquals(x, KvmXcrs.fromBytes(b));
        assertEquals(0x2e7, KvmXcrs.fromBytes(b).value(0));
    }

    @Test
    void msrs() throws KvmException {
        List<KvmMsrEntry> in = new ArrayList<>();
        for (int i = 0; i < 10; i++) in.add(new KvmMsrEntry(rnd.nextInt(), rnd.nextLong()));
        byte[] b = KvmMsrs.toBytes(in);
        assertEquals(8 + 160, b.length);
        assertEquals(10, le32(b, 0));
        assertEquals(in.get(2).index(), le32(b, 8 + 32));
        assertEquals(in.get(2).data(), le64(b, 8 + 32 + 8));
        assertEquals(in, KvmMsrs.fromBytes(b));
        KvmMsrEntry e = KvmMsrEntry.fromBytes(in.get(4).toBytes());
        assertEquals(in.get(4), e);
    }

    @Test
    void cpuid() throws KvmException {
        List<KvmCpuidEntry2> in = new ArrayList<>();
        for (int i = 0; i < 7; i++)
            in.add(new KvmCpuidEntry2(rnd.nextInt(), rnd.nextInt(), rnd.nextInt(2), rnd.nextInt(), rnd.nextInt(),
                rnd.nextInt(), rnd.nextInt()));
        byte[] b = KvmCpuid2.toBytes(in);
        assertEquals(8 + 7 * 40, b.length);
        assertEquals(7, le32(b, 0));
        assertEquals(in.get(1).function(), le32(b, 8 + 40));
        assertEquals(in.get(1).edx(), le32(b, 8 + 40 + 24));
        assertEquals(in, KvmCpuid2.fromBytes(b));
        byte[] one = randomImage(KvmCpuidEntry2.LAYOUT);
        assertArrayEquals(one, KvmCpuidEntry2.fromBytes(one).toBytes());
    }

    @Test
    void vcpuEvents() throws KvmException {
        CStruct L = KvmVcpuEvents.LAYOUT;
        for (int i = 0; i < 20; i++) {
            byte[] img = randomImage(L);
            booleans(img, L, "exception.injected", "exception.has_error_code", "exception.pending",
                "interrupt.injected", "interrupt.soft", "nmi.injected", "nmi.pending", "nmi.masked",
                "triple_fault.pending", "exception_has_payload", "smi.smm", "smi.pending", "smi.smm_inside_nmi",
                "smi.latched_init");
            KvmVcpuEvents e = KvmVcpuEvents.fromBytes(img);
            assertArrayEquals(img, e.toBytes());
            assertEquals(le64(img, 56), e.exceptionPayload());
            assertEquals(le32(img, 20), e.flags());
            assertEquals(img[1] & 0xff, e.exceptionNr());
            assertEquals(img[25] != 0, e.smiPending());
            assertEquals(e, KvmVcpuEvents.fromBytes(e.toBytes()));
        }
        KvmVcpuEvents old = new KvmVcpuEvents(true, 14, true, false, 2, false, 0, false, 0, false, true, false, 0,
            KvmVcpuEvents.VALID_NMI_PENDING, true, true, 0xdead0000L);
        byte[] b = old.toBytes();
        assertEquals(1, b[0]);
        assertEquals(14, b[1]);
        assertEquals(2, le32(b, 4));
        assertEquals(1, b[13]);
        assertEquals(1, b[28]);
        assertEquals(1, b[55]);
        assertEquals(0xdead0000L, le64(b, 56));
        assertEquals(1, old.with("nmi.masked", 1).toBytes()[14]);
    }

    @Test
    void diffNamesTheMembers() {
        KvmRegs a = KvmRegs.zero().withRip(0x1000), b = a.withRip(0x1002).withRax(7);
        assertEquals(List.of("kvm_regs.rax: 0x0 != 0x7", "kvm_regs.rip: 0x1000 != 0x1002"),
            KvmRegs.LAYOUT.diff(a.toBytes(), b.toBytes()));
        assertEquals(List.of(), KvmRegs.LAYOUT.diff(a.toBytes(), a.toBytes()));
        byte[] x = new KvmFpu(new byte[128], 0x37f, 0, 0, 0, 0, 0, new byte[256], 0x1f80).toBytes(), y = x.clone();
        y[152 + 17] = 5;
        assertEquals(List.of("kvm_fpu.xmm: byte 17: 0x00 != 0x05"), KvmFpu.LAYOUT.diff(x, y));
    }

    @Test
    void lapicState() throws KvmException {
        byte[] img = new byte[1024];
        rnd.nextBytes(img);
        KvmLapicState l = KvmLapicState.fromBytes(img);
        assertArrayEquals(img, l.toBytes());
        assertEquals(le32(img, 0xF0), l.reg(0xF0));
        assertEquals(0x1ff, le32(l.withReg(0xF0, 0x1ff).toBytes(), 0xF0));
        assertErrno(Errno.EINVAL, () -> KvmLapicState.fromBytes(new byte[1023]));
    }

    @Test
    void emulationFailureNamesTheInstruction() {
        try (Arena a = Arena.ofConfined()) {
            KvmRun run = KvmRun.allocate(a);
            MemorySegment area = run.segment();
            run.setInternalErrorExit(VcpuExit.InternalError.EMULATION, 1, 0x0000000f0b0f0000L);
            // emulation_failure: flags (bit 0: instruction bytes valid) at 40, insn_size at 48, bytes from 49
            area.set(ValueLayout.JAVA_LONG, 40, 1);
            area.set(ValueLayout.JAVA_BYTE, 48, (byte) 2);
            area.set(ValueLayout.JAVA_BYTE, 49, (byte) 0x0f);
            area.set(ValueLayout.JAVA_BYTE, 50, (byte) 0x0b);
            VcpuExit.InternalError e = assertInstanceOf(VcpuExit.InternalError.class, run.exit());
            assertEquals(VcpuExit.InternalError.EMULATION, e.suberror());
            assertEquals(2, e.data().length);
            assertTrue(e.description().contains("emulation failure") && e.description().endsWith("0f 0b"),
                e.description());
        }
    }

    @Test
    void malformedBuffersAreEinval() {
        assertErrno(Errno.EINVAL, () -> KvmRegs.fromBytes(new byte[143]));
        assertErrno(Errno.EINVAL, () -> KvmRegs.fromBytes(new byte[145]));
        assertErrno(Errno.EINVAL, () -> KvmRegs.fromBytes((byte[]) null));
        assertErrno(Errno.EINVAL, () -> KvmSregs.fromBytes(new byte[311]));
        assertErrno(Errno.EINVAL, () -> KvmFpu.fromBytes(new byte[415]));
        assertErrno(Errno.EINVAL, () -> KvmXsave.fromBytes(new byte[4095]));
        assertErrno(Errno.EINVAL, () -> KvmXsave.fromBytes(new byte[4098]));
        assertErrno(Errno.EINVAL, () -> KvmXcrs.fromBytes(new byte[391]));
        assertErrno(Errno.EINVAL, () -> KvmVcpuEvents.fromBytes(new byte[63]));
        assertErrno(Errno.EINVAL, () -> KvmSegment.fromBytes(new byte[25]));
        assertErrno(Errno.EINVAL, () -> KvmCpuidEntry2.fromBytes(new byte[39]));
        assertErrno(Errno.EINVAL, () -> KvmMsrEntry.fromBytes(new byte[8]));
        byte[] xcrs = new KvmXcrs(0, List.of()).toBytes();
        xcrs[0] = 17;
        assertErrno(Errno.EINVAL, () -> KvmXcrs.fromBytes(xcrs));
        byte[] msrs = KvmMsrs.toBytes(List.of(new KvmMsrEntry(0x10, 1)));
        msrs[0] = 2; // claims two entries, holds one
        assertErrno(Errno.EINVAL, () -> KvmMsrs.fromBytes(msrs));
        msrs[0] = 0;
        msrs[1] = 1; // 256 entries: KVM's E2BIG
        assertErrno(Errno.E2BIG, () -> KvmMsrs.fromBytes(msrs));
        byte[] cpuid = new byte[8];
        cpuid[0] = 1;
        assertErrno(Errno.EINVAL, () -> KvmCpuid2.fromBytes(cpuid));
        cpuid[0] = 1;
        cpuid[1] = 1; // 257 entries
        assertErrno(Errno.E2BIG, () -> KvmCpuid2.fromBytes(cpuid));
        assertErrno(Errno.EINVAL, () -> KvmCpuid2.fromBytes(new byte[7]));
        assertThrows(IllegalArgumentException.class, () -> new KvmXsave(new byte[100]));
        assertThrows(IllegalArgumentException.class,
            () -> new KvmFpu(new byte[127], 0, 0, 0, 0, 0, 0, new byte[256], 0));
    }

    interface Call { void run() throws KvmException; }

    private static void assertErrno(Errno expected, Call c) {
        KvmException e = assertThrows(KvmException.class, c::run);
        assertEquals(expected, e.errno(), e.getMessage());
    }

    @Test
    void kvmRunIoAndMmioExits() {
        try (Arena a = Arena.ofConfined()) {
            KvmRun run = KvmRun.allocate(a);
            MemorySegment area = run.segment();
            area.set(ValueLayout.JAVA_BYTE, KvmRun.PIO_DATA_OFFSET, (byte) 0x42);
            run.setIoExit(VcpuExit.Io.KVM_EXIT_IO_OUT, 1, 0x10, 1, KvmRun.PIO_DATA_OFFSET);
            assertEquals(2, area.get(ValueLayout.JAVA_INT, 8));
            assertEquals(1, area.get(ValueLayout.JAVA_BYTE, 32));
            assertEquals(1, area.get(ValueLayout.JAVA_BYTE, 33));
            assertEquals(0x10, area.get(ValueLayout.JAVA_SHORT, 34));
            assertEquals(4096, area.get(ValueLayout.JAVA_LONG, 40));
            VcpuExit.Io io = assertInstanceOf(VcpuExit.Io.class, run.exit());
            assertFalse(io.in());
            assertEquals(0x10, io.port());
            assertEquals(1, io.size());
            assertEquals(1, io.count());
            assertEquals(0x42, io.data().get(ValueLayout.JAVA_BYTE, 0));

            run.setMmioExit(0xfee00030L, 0x11223344L, 4, true);
            VcpuExit.Mmio m = assertInstanceOf(VcpuExit.Mmio.class, run.exit());
            assertEquals(0xfee00030L, m.physAddr());
            assertEquals(4, m.len());
            assertTrue(m.isWrite());
            assertEquals(0x11223344, m.data().get(ValueLayout.JAVA_INT_UNALIGNED, 0));
            assertEquals(48, KvmRun.LAYOUT.field("mmio.len").offset());
            assertEquals(4, area.get(ValueLayout.JAVA_INT, 48));

            // an IO exit pointing outside the area is reported, not followed
            run.setIoExit(VcpuExit.Io.KVM_EXIT_IO_IN, 4, 0x3f8, 1000, KvmRun.AREA_SIZE - 4);
            assertInstanceOf(VcpuExit.InternalError.class, run.exit());

            run.setSystemEventExit(VcpuExit.SystemEvent.RESET, 7);
            VcpuExit.SystemEvent se = assertInstanceOf(VcpuExit.SystemEvent.class, run.exit());
            assertEquals(VcpuExit.SystemEvent.RESET, se.type());
            assertEquals(7, se.data()[0]);

            run.setFailEntryExit(0x80000021L, 3);
            VcpuExit.FailEntry fe = assertInstanceOf(VcpuExit.FailEntry.class, run.exit());
            assertEquals(0x80000021L, fe.hardwareEntryFailureReason());
            assertEquals(3, fe.cpu());

            run.setInternalErrorExit(VcpuExit.InternalError.EMULATION, 0, 0);
            assertInstanceOf(VcpuExit.InternalError.class, run.exit());
            run.setSimpleExit(VcpuExit.KVM_EXIT_HLT);
            assertInstanceOf(VcpuExit.Hlt.class, run.exit());
            run.setSimpleExit(4); // KVM_EXIT_DEBUG: not something the API exposes
            VcpuExit.InternalError ie = assertInstanceOf(VcpuExit.InternalError.class, run.exit());
            assertEquals(VcpuExit.InternalError.UNEXPECTED_EXIT_REASON, ie.suberror());

            run.setRequestInterruptWindow(true);
            assertEquals(1, area.get(ValueLayout.JAVA_BYTE, 0));
            run.setImmediateExit(true);
            assertEquals(1, area.get(ValueLayout.JAVA_BYTE, 1));
            run.setCr8(5);
            assertEquals(5, area.get(ValueLayout.JAVA_LONG, 16));
        }
    }
}
