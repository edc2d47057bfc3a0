package org.jkvm.vmm.snapshot;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

import org.jkvm.api.KvmException;
import org.jkvm.api.uabi.KvmCpuidEntry2;
import org.jkvm.api.uabi.KvmLapicState;
import org.jkvm.api.uabi.KvmMsrEntry;
import org.jkvm.api.uabi.KvmRegs;
import org.jkvm.api.uabi.KvmSregs;
import org.jkvm.api.uabi.KvmVcpuEvents;
import org.jkvm.api.uabi.KvmXcrs;
import org.jkvm.api.uabi.KvmXsave;

/**
 * Reads and verifies a snapshot file: magic, version, length (a truncated file is reported as such) and the
 * CRC32C of the payload are checked before any of it is interpreted; then every section is parsed with
 * bounds checks, so a damaged file is a {@link SnapshotFormatException}, never a crash.
 */
public final class SnapshotReader {
    private SnapshotReader() {}

    /** Larger RAM than any x86 guest jkvm can build (a damaged size must not become a huge allocation). */
    static final long MAX_RAM = 1L << 40;
    static final int MAX_VCPUS = 1024, MAX_DEVICES = 1024, MAX_BLOB = 1 << 24, MAX_ENTRIES = 1 << 16;

    public static Snapshot read(Path path) throws IOException, SnapshotFormatException {
        long size = Files.size(path);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
            DataInputStream d = new DataInputStream(in);
            if (size < SnapshotFormat.HEADER_SIZE) {
                throw new SnapshotFormatException(path + " is not a jkvm snapshot (only " + size + " bytes)");
            }
            byte[] magic = new byte[8];
            d.readFully(magic);
            if (!Arrays.equals(magic, SnapshotFormat.MAGIC)) throw new SnapshotFormatException(path + " is not a jkvm snapshot");
            int major = d.readUnsignedShort(), minor = d.readUnsignedShort();
            if (major != SnapshotFormat.VERSION_MAJOR) {
                throw new SnapshotFormatException(path + ": snapshot format version " + major + "." + minor
                    + " is not supported (this jkvm reads " + SnapshotFormat.VERSION_MAJOR + ".x)");
            }
            int headerSize = d.readInt();
            long payload = d.readLong();
            int crc = d.readInt();
            d.readInt();
            if (headerSize != SnapshotFormat.HEADER_SIZE) throw new SnapshotFormatException(path + ": bad snapshot header size " + headerSize);
            long actual = size - SnapshotFormat.HEADER_SIZE;
            if (payload != actual) {
                throw new SnapshotFormatException(path + ": truncated or padded snapshot (header says " + payload
                    + " payload bytes, file has " + actual + ")");
            }
        }
        // Pass 1: the checksum over the whole payload, before trusting any of it.
        CRC32C crc32c = new CRC32C();
        int expected;
        try (InputStream in = Files.newInputStream(path)) {
            byte[] h = in.readNBytes(SnapshotFormat.HEADER_SIZE);
            expected = ((h[24] & 0xFF) << 24) | ((h[25] & 0xFF) << 16) | ((h[26] & 0xFF) << 8) | (h[27] & 0xFF);
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) crc32c.update(buf, 0, n);
        }
        if ((int) crc32c.getValue() != expected) {
            throw new SnapshotFormatException(path + ": snapshot checksum mismatch (the file is corrupted)");
        }
        // Pass 2: parse.
        try (InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
            in.skipNBytes(SnapshotFormat.HEADER_SIZE);
            return parse(new DataInputStream(in));
        } catch (EOFException e) {
            throw new SnapshotFormatException(path + ": corrupt snapshot (a section runs past the end)");
        } catch (KvmException | IllegalArgumentException e) {
            throw new SnapshotFormatException(path + ": corrupt snapshot (" + e.getMessage() + ")");
        }
    }

    private static Snapshot parse(DataInputStream in) throws IOException, SnapshotFormatException, KvmException {
        Snapshot.MachineInfo mach = null;
        List<VcpuState> vcpus = new ArrayList<>();
        Map<String, byte[]> devices = null;
        List<Snapshot.RamRun> ram = null;
        while (true) {
            int tag = in.readInt();
            long len = in.readLong();
            if (tag == SnapshotFormat.TAG_END) break;
            if (tag == SnapshotFormat.TAG_RAM) {
                if (len != -1) throw new SnapshotFormatException("corrupt snapshot: RAM section length " + len);
                if (mach == null) throw new SnapshotFormatException("corrupt snapshot: RAM before MACH");
                ram = readRam(in, mach.ramSize());
                continue;
            }
            if (len < 0 || len > MAX_BLOB * 4L) throw new SnapshotFormatException("corrupt snapshot: section length " + len);
            byte[] body = new byte[(int) len];
            in.readFully(body);
            DataInputStream b = new DataInputStream(new ByteArrayInputStream(body));
            if (tag == SnapshotFormat.TAG_MACH) {
                long ramSize = b.readLong();
                long clock = b.readLong();
                String backend = b.readUTF();
                String cmdline = b.readUTF();
                int n = b.readInt();
                boolean lapic = b.readBoolean();
                if (ramSize <= 0 || ramSize > MAX_RAM || (ramSize & 0xFFF) != 0 || n < 1 || n > MAX_VCPUS) {
                    throw new SnapshotFormatException("corrupt snapshot: machine section");
                }
                mach = new Snapshot.MachineInfo(ramSize, clock, backend, cmdline, n, lapic);
            } else if (tag == SnapshotFormat.TAG_VCPU) {
                vcpus.add(readVcpu(b));
            } else if (tag == SnapshotFormat.TAG_DEVS) {
                devices = new LinkedHashMap<>();
                int n = b.readInt();
                if (n < 0 || n > MAX_DEVICES) throw new SnapshotFormatException("corrupt snapshot: " + n + " devices");
                for (int i = 0; i < n; i++) devices.put(b.readUTF(), blob(b));
            } else {
                throw new SnapshotFormatException("corrupt snapshot: unknown section '" + SnapshotFormat.tagName(tag) + "'");
            }
        }
        if (mach == null || devices == null || ram == null) throw new SnapshotFormatException("corrupt snapshot: a section is missing");
        if (vcpus.size() != mach.vcpuCount()) {
            throw new SnapshotFormatException("corrupt snapshot: " + vcpus.size() + " vCPU sections for " + mach.vcpuCount() + " vCPUs");
        }
        return new Snapshot(mach, vcpus, devices, ram);
    }

    private static byte[] blob(DataInputStream b) throws IOException, SnapshotFormatException {
        int n = b.readInt();
        if (n < 0 || n > MAX_BLOB) throw new SnapshotFormatException("corrupt snapshot: blob of " + n + " bytes");
        byte[] x = new byte[n];
        b.readFully(x);
        return x;
    }

    private static VcpuState readVcpu(DataInputStream b) throws IOException, SnapshotFormatException, KvmException {
        int id = b.readInt();
        KvmRegs regs = KvmRegs.fromBytes(blob(b));
        KvmSregs sregs = KvmSregs.fromBytes(blob(b));
        KvmXsave xsave = KvmXsave.fromBytes(blob(b));
        KvmXcrs xcrs = KvmXcrs.fromBytes(blob(b));
        KvmVcpuEvents events = KvmVcpuEvents.fromBytes(blob(b));
        int mp = b.readInt();
        byte[] lapic = blob(b);
        if (lapic.length != 0 && lapic.length != KvmLapicState.SIZE) throw new SnapshotFormatException("corrupt snapshot: LAPIC size");
        int nc = b.readInt();
        if (nc < 0 || nc > MAX_ENTRIES) throw new SnapshotFormatException("corrupt snapshot: " + nc + " CPUID entries");
        List<KvmCpuidEntry2> cpuid = new ArrayList<>();
        for (int i = 0; i < nc; i++) {
            byte[] e = new byte[KvmCpuidEntry2.SIZE];
            b.readFully(e);
            cpuid.add(KvmCpuidEntry2.fromBytes(e));
        }
        int nm = b.readInt();
        if (nm < 0 || nm > MAX_ENTRIES) throw new SnapshotFormatException("corrupt snapshot: " + nm + " MSRs");
        List<KvmMsrEntry> msrs = new ArrayList<>();
        for (int i = 0; i < nm; i++) msrs.add(new KvmMsrEntry(b.readInt(), b.readLong()));
        return new VcpuState(id, regs, sregs, xsave, xcrs, msrs, cpuid, events, mp,
            lapic.length == 0 ? null : new KvmLapicState(lapic));
    }

    private static List<Snapshot.RamRun> readRam(DataInputStream in, long ramSize) throws IOException, SnapshotFormatException {
        long size = in.readLong();
        int page = in.readInt();
        if (size != ramSize || page != SnapshotFormat.PAGE) throw new SnapshotFormatException("corrupt snapshot: RAM geometry");
        long pages = size / page;
        List<Snapshot.RamRun> runs = new ArrayList<>();
        long next = 0;
        while (true) {
            long first = in.readLong();
            int n = in.readInt();
            if (n == 0) break;
            if (n < 0 || n > SnapshotFormat.MAX_RUN_PAGES || first < next || first + n > pages) {
                throw new SnapshotFormatException("corrupt snapshot: RAM run at page " + first);
            }
            boolean deflated = in.readBoolean();
            int len = in.readInt();
            if (len < 0 || len > n * page + 1024 || (!deflated && len != n * page)) {
                throw new SnapshotFormatException("corrupt snapshot: RAM run length " + len);
            }
            byte[] data = new byte[len];
            in.readFully(data);
            runs.add(new Snapshot.RamRun(first, n, deflated, data));
            next = first + n;
        }
        return runs;
    }
}
