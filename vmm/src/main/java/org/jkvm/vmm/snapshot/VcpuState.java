package org.jkvm.vmm.snapshot;

import java.util.ArrayList;
import java.util.List;

import org.jkvm.api.Hypervisor;
import org.jkvm.api.KvmException;
import org.jkvm.api.Vcpu;
import org.jkvm.api.uabi.KvmCpuidEntry2;
import org.jkvm.api.uabi.KvmLapicState;
import org.jkvm.api.uabi.KvmMsrEntry;
import org.jkvm.api.uabi.KvmRegs;
import org.jkvm.api.uabi.KvmSregs;
import org.jkvm.api.uabi.KvmVcpuEvents;
import org.jkvm.api.uabi.KvmXcrs;
import org.jkvm.api.uabi.KvmXsave;

/**
 * One vCPU's complete state through the uABI, as KVM's own save/restore (QEMU, the state_test selftest) takes
 * it: regs, sregs, XSAVE (KVM_GET_XSAVE2 size), XCRs, every MSR of KVM_GET_MSR_INDEX_LIST the vCPU can read,
 * the guest CPUID, vCPU events, and when the backend has them the MP state and local APIC page.
 */
public record VcpuState(int id, KvmRegs regs, KvmSregs sregs, KvmXsave xsave, KvmXcrs xcrs, List<KvmMsrEntry> msrs,
                        List<KvmCpuidEntry2> cpuid, KvmVcpuEvents events, int mpState, KvmLapicState lapic) {
    static final int MAX_CPUID = 512;

    public static VcpuState capture(Hypervisor hv, Vcpu v) throws KvmException {
        KvmRegs regs = v.getRegs();
        KvmSregs sregs = v.getSregs();
        KvmXsave xsave = v.getXsave2();
        KvmXcrs xcrs = v.getXcrs();
        List<KvmMsrEntry> msrs = readMsrs(v, hv.msrIndexList());
        List<KvmCpuidEntry2> cpuid = v.getCpuid2(MAX_CPUID);
        KvmVcpuEvents events = v.getVcpuEvents();
        int mp = -1;
        try {
            mp = v.getMpState();
        } catch (KvmException e) {
            // not offered by this backend
        }
        KvmLapicState lapic = null;
        try {
            lapic = v.getLapic();
        } catch (KvmException e) {
            // no in-backend local APIC
        }
        return new VcpuState(v.id(), regs, sregs, xsave, xcrs, msrs, cpuid, events, mp, lapic);
    }

    /** KVM_GET_MSRS stops at the first MSR it cannot read: skip that one and go on with the rest. */
    static List<KvmMsrEntry> readMsrs(Vcpu v, int[] indices) throws KvmException {
        List<KvmMsrEntry> out = new ArrayList<>();
        int i = 0;
        while (i < indices.length) {
            List<KvmMsrEntry> batch = new ArrayList<>();
            for (int k = i; k < indices.length; k++) batch.add(new KvmMsrEntry(indices[k], 0));
            int n = v.getMsrs(batch);
            if (n < 0) n = 0;
            out.addAll(batch.subList(0, Math.min(n, batch.size())));
            i += n + 1; // entry i+n failed (or the batch is done)
        }
        return out;
    }
}
