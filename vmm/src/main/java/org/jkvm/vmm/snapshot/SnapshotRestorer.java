package org.jkvm.vmm.snapshot;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

import org.jkvm.api.KvmException;
import org.jkvm.api.Vcpu;
import org.jkvm.api.uabi.KvmCpuidEntry2;
import org.jkvm.api.uabi.KvmMsrEntry;
import org.jkvm.api.uabi.KvmXcr;
import org.jkvm.vmm.bus.Snapshottable;
import org.jkvm.vmm.machine.Machine;

/**
 * Puts a read snapshot into a freshly created machine of the same RAM size (see {@link #machineFor}).
 * Compatibility is checked first, so a refusal changes nothing; the vCPU state goes in in the order KVM needs:
 * CPUID, sregs (APIC base), LAPIC, regs, XSAVE, XCRs, MSRs (TSC deadline after the LAPIC), events, MP state.
 */
public final class SnapshotRestorer {
    private SnapshotRestorer() {}

    public static void checkCompatible(Snapshot s, Machine m) throws SnapshotFormatException, KvmException {
        // What this machine can offer: the backend's supported CPUID, and what its fresh vCPU actually shows
        // with it (Linux keeps host-derived bits that KVM_GET_SUPPORTED_CPUID leaves out on some hosts).
        List<KvmCpuidEntry2> supported = new java.util.ArrayList<>(m.hypervisor().supportedCpuid());
        List<KvmCpuidEntry2> effective = m.vcpu().getCpuid2(VcpuState.MAX_CPUID);
        String where = "backend " + m.hypervisor().name();
        long xcr0Here = FeatureCheck.supportedXcr0(supported);
        for (VcpuState v : s.vcpus()) {
            List<String> missing = FeatureCheck.missingCpuFeatures(v.cpuid(), supported);
            missing.retainAll(FeatureCheck.missingCpuFeatures(v.cpuid(), effective));
            if (!missing.isEmpty()) {
                String more = missing.size() > 1 ? " (also " + String.join(", ", missing.subList(1, Math.min(missing.size(), 6)))
                    + (missing.size() > 6 ? " and " + (missing.size() - 6) + " more" : "") + ")" : "";
                throw new SnapshotFormatException("cannot restore: the saved guest uses CPU feature " + missing.get(0)
                    + ", which " + where + " with this CPU model lacks" + more);
            }
            long xcr0 = 0;
            for (KvmXcr x : v.xcrs().xcrs()) if (x.xcr() == 0) xcr0 = x.value();
            String comp = FeatureCheck.missingComponent(xcr0 | v.xsave().xstateBv(), xcr0Here);
            if (comp != null) {
                throw new SnapshotFormatException("cannot restore: the saved guest has " + comp
                    + " state, which " + where + " with this CPU model does not support");
            }
        }
        if (s.vcpus().size() != m.vcpus().size()) {
            throw new SnapshotFormatException("cannot restore: snapshot has " + s.vcpus().size() + " vCPUs, machine has " + m.vcpus().size());
        }
        if (s.machine().ramSize() != m.memory().map().ramSize()) {
            throw new SnapshotFormatException("cannot restore: RAM size differs");
        }
        if (s.machine().lapicInBackend() && !m.lapicInBackend()) {
            throw new SnapshotFormatException("cannot restore: the snapshot has a local APIC, " + where + " has none");
        }
        Set<String> names = new HashSet<>();
        for (Snapshottable d : m.devices()) {
            names.add(d.stateName());
            if (!s.devices().containsKey(d.stateName())) {
                throw new SnapshotFormatException("cannot restore: the snapshot has no state for device " + d.stateName());
            }
        }
        for (String n : s.devices().keySet()) {
            if (!names.contains(n)) throw new SnapshotFormatException("cannot restore: unknown device '" + n + "' in the snapshot");
        }
    }

    public static void restore(Snapshot s, Machine m) throws SnapshotFormatException, KvmException, IOException {
        checkCompatible(s, m);
        for (int i = 0; i < s.vcpus().size(); i++) restoreVcpu(s.vcpus().get(i), m.vcpus().get(i));
        for (Snapshottable d : m.devices()) {
            byte[] b = s.devices().get(d.stateName());
            ByteArrayInputStream bin = new ByteArrayInputStream(b);
            try {
                d.loadState(new DataInputStream(bin));
            } catch (IOException e) {
                throw new SnapshotFormatException("corrupt snapshot: device " + d.stateName() + ": " + e.getMessage());
            }
            if (bin.available() != 0) throw new SnapshotFormatException("corrupt snapshot: device " + d.stateName() + " has extra bytes");
        }
        restoreRam(s.ram(), m.memory().all());
    }

    private static void restoreVcpu(VcpuState v, Vcpu vcpu) throws KvmException, SnapshotFormatException {
        vcpu.setCpuid2(v.cpuid());
        vcpu.setSregs(v.sregs());
        if (v.lapic() != null) vcpu.setLapic(v.lapic());
        vcpu.setRegs(v.regs());
        vcpu.setXsave(v.xsave());
        vcpu.setXcrs(v.xcrs());
        List<KvmMsrEntry> msrs = v.msrs();
        int done = 0;
        while (done < msrs.size()) {
            int n = vcpu.setMsrs(msrs.subList(done, msrs.size()));
            if (n < msrs.size() - done) {
                throw new SnapshotFormatException(String.format("cannot restore: the backend rejects MSR 0x%x = 0x%x",
                    msrs.get(done + Math.max(n, 0)).index(), msrs.get(done + Math.max(n, 0)).data()));
            }
            done += n;
        }
        vcpu.setVcpuEvents(v.events());
        if (v.mpState() >= 0) {
            try {
                vcpu.setMpState(v.mpState());
            } catch (KvmException e) {
                if (v.mpState() != Vcpu.MP_STATE_RUNNABLE) throw e;
            }
        }
    }

    private static void restoreRam(List<Snapshot.RamRun> runs, MemorySegment ram) throws SnapshotFormatException {
        ram.fill((byte) 0);
        Inflater inf = new Inflater();
        byte[] buf = new byte[256 * 4096];
        try {
            for (Snapshot.RamRun r : runs) {
                int len = r.pages() * 4096;
                byte[] data;
                if (r.deflated()) {
                    inf.reset();
                    inf.setInput(r.data());
                    int got = 0;
                    try {
                        while (got < len && !inf.finished()) {
                            int k = inf.inflate(buf, got, len - got);
                            if (k == 0 && (inf.needsInput() || inf.needsDictionary())) break;
                            got += k;
                        }
                    } catch (DataFormatException e) {
                        throw new SnapshotFormatException("corrupt snapshot: RAM run at page " + r.firstPage() + " does not inflate");
                    }
                    if (got != len || !inf.finished()) {
                        throw new SnapshotFormatException("corrupt snapshot: RAM run at page " + r.firstPage() + " has the wrong size");
                    }
                    data = buf;
                } else {
                    data = r.data();
                }
                MemorySegment.copy(data, 0, ram, ValueLayout.JAVA_BYTE, r.firstPage() * 4096, len);
            }
        } finally {
            inf.end();
        }
    }
}
