package org.jkvm.vmm.snapshot;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;
import java.util.zip.Deflater;

import org.jkvm.api.KvmException;
import org.jkvm.api.Vcpu;
import org.jkvm.api.uabi.KvmCpuidEntry2;
import org.jkvm.api.uabi.KvmMsrEntry;
import org.jkvm.vmm.bus.Snapshottable;
import org.jkvm.vmm.machine.Machine;

/**
 * Writes a snapshot of a stopped machine (the vCPU thread at a quiescent point) atomically: into a temporary
 * file beside the target, checksummed, flushed to disk, then renamed over it. A crash leaves either the old
 * file or the new one, never half of one.
 */
public final class SnapshotWriter {
    private SnapshotWriter() {}

    public static void write(Machine m, Path target) throws IOException, KvmException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
        boolean done = false;
        try {
            long payloadLength;
            int crc;
            try (FileOutputStream fos = new FileOutputStream(tmp.toFile())) {
                fos.write(new byte[SnapshotFormat.HEADER_SIZE]);
                CountingCrcStream counted = new CountingCrcStream(new BufferedOutputStream(fos, 1 << 16));
                DataOutputStream out = new DataOutputStream(counted);
                writePayload(m, out);
                out.flush();
                payloadLength = counted.count;
                crc = (int) counted.crc.getValue();
                fos.getFD().sync();
            }
            try (RandomAccessFile raf = new RandomAccessFile(tmp.toFile(), "rw")) {
                raf.write(SnapshotFormat.MAGIC);
                raf.writeShort(SnapshotFormat.VERSION_MAJOR);
                raf.writeShort(SnapshotFormat.VERSION_MINOR);
                raf.writeInt(SnapshotFormat.HEADER_SIZE);
                raf.writeLong(payloadLength);
                raf.writeInt(crc);
                raf.writeInt(0);
                raf.getFD().sync();
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
        } finally {
            if (!done) Files.deleteIfExists(tmp);
        }
    }

    private static final class CountingCrcStream extends CheckedOutputStream {
        long count;
        final CRC32C crc;

        CountingCrcStream(OutputStream out) {
            this(out, new CRC32C());
        }

        private CountingCrcStream(OutputStream out, CRC32C crc) {
            super(out, crc);
            this.crc = crc;
        }

        @Override
        public void write(int b) throws IOException {
            super.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            super.write(b, off, len);
            count += len;
        }
    }

    private static void section(DataOutputStream out, int tag, byte[] body) throws IOException {
        out.writeInt(tag);
        out.writeLong(body.length);
        out.write(body);
    }

    private static void blob(DataOutputStream o, byte[] b) throws IOException {
        o.writeInt(b.length);
        o.write(b);
    }

    static void writePayload(Machine m, DataOutputStream out) throws IOException, KvmException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        DataOutputStream o = new DataOutputStream(bos);
        o.writeLong(m.memory().map().ramSize());
        o.writeLong(m.clockNanos());
        o.writeUTF(m.hypervisor().name());
        o.writeUTF(m.config().cmdline() == null ? "" : m.config().cmdline());
        o.writeInt(m.vcpus().size());
        o.writeBoolean(m.lapicInBackend());
        section(out, SnapshotFormat.TAG_MACH, bos.toByteArray());

        for (Vcpu v : m.vcpus()) {
            VcpuState s = VcpuState.capture(m.hypervisor(), v);
            bos.reset();
            o.writeInt(s.id());
            blob(o, s.regs().toBytes());
            blob(o, s.sregs().toBytes());
            blob(o, s.xsave().toBytes());
            blob(o, s.xcrs().toBytes());
            blob(o, s.events().toBytes());
            o.writeInt(s.mpState());
            blob(o, s.lapic() == null ? new byte[0] : s.lapic().regs());
            o.writeInt(s.cpuid().size());
            for (KvmCpuidEntry2 e : s.cpuid()) o.write(e.toBytes());
            o.writeInt(s.msrs().size());
            for (KvmMsrEntry e : s.msrs()) {
                o.writeInt(e.index());
                o.writeLong(e.data());
            }
            section(out, SnapshotFormat.TAG_VCPU, bos.toByteArray());
        }

        bos.reset();
        o.writeInt(m.devices().size());
        for (Snapshottable d : m.devices()) {
            ByteArrayOutputStream db = new ByteArrayOutputStream();
            d.saveState(new DataOutputStream(db));
            o.writeUTF(d.stateName());
            blob(o, db.toByteArray());
        }
        section(out, SnapshotFormat.TAG_DEVS, bos.toByteArray());

        writeRam(m.memory().all(), out);
        out.writeInt(SnapshotFormat.TAG_END);
        out.writeLong(0);
    }

    /**
     * RAM: runs of consecutive non-zero pages (zero pages are not stored), each deflated when that makes it
     * smaller. The section is streamed (length field -1) and ends with a run of zero pages.
     */
    private static void writeRam(MemorySegment ram, DataOutputStream out) throws IOException {
        out.writeInt(SnapshotFormat.TAG_RAM);
        out.writeLong(-1);
        out.writeLong(ram.byteSize());
        out.writeInt(SnapshotFormat.PAGE);
        long pages = ram.byteSize() / SnapshotFormat.PAGE;
        Deflater def = new Deflater(Deflater.BEST_SPEED);
        byte[] raw = new byte[SnapshotFormat.MAX_RUN_PAGES * SnapshotFormat.PAGE];
        byte[] packed = new byte[raw.length + 1024];
        try {
            long p = 0;
            while (p < pages) {
                if (isZero(ram, p)) {
                    p++;
                    continue;
                }
                long start = p;
                while (p < pages && p - start < SnapshotFormat.MAX_RUN_PAGES && !isZero(ram, p)) p++;
                int n = (int) (p - start);
                int len = n * SnapshotFormat.PAGE;
                MemorySegment.copy(ram, ValueLayout.JAVA_BYTE, start * SnapshotFormat.PAGE, raw, 0, len);
                def.reset();
                def.setInput(raw, 0, len);
                def.finish();
                int plen = 0;
                while (!def.finished() && plen < packed.length) plen += def.deflate(packed, plen, packed.length - plen);
                boolean useDeflate = def.finished() && plen < len;
                out.writeLong(start);
                out.writeInt(n);
                out.writeBoolean(useDeflate);
                if (useDeflate) {
                    out.writeInt(plen);
                    out.write(packed, 0, plen);
                } else {
                    out.writeInt(len);
                    out.write(raw, 0, len);
                }
            }
            out.writeLong(0);
            out.writeInt(0); // terminator: a run of zero pages
        } finally {
            def.end();
        }
    }

    private static boolean isZero(MemorySegment ram, long page) {
        long base = page * SnapshotFormat.PAGE;
        for (long i = 0; i < SnapshotFormat.PAGE; i += 8) {
            if (ram.get(ValueLayout.JAVA_LONG_UNALIGNED, base + i) != 0) return false;
        }
        return true;
    }
}
