package org.jkvm.kvm.guest;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jkvm.api.Hypervisor;
import org.jkvm.api.uabi.KvmMsrEntry;
import org.jkvm.api.uabi.KvmXsave;

/**
 * Save the whole vCPU through the uABI and restore it into a fresh VM (the selftests' vcpu_save_state /
 * vcpu_load_state): CPUID, SREGS, MSRs, XSAVE2, XCRS, REGS, events, and guest RAM.
 */
public final class Migrate {
    private Migrate() {}

    public static LongModeGuest to(LongModeGuest from, String backend, Map<String, String> options, boolean amx) throws Exception {
        // KVM guarantees consistent state after an I/O exit only once KVM_RUN completed it (vcpu_run_complete_io).
        from.vcpu.kick();
        if (!(from.vcpu.run() instanceof org.jkvm.api.exit.VcpuExit.Interrupted)) throw new AssertionError("I/O completion ran the guest");
        Hypervisor hv = Hypervisor.open(backend, options);
        if (amx) hv.requestGuestPermission(Hypervisor.XFEATURE_XTILEDATA);
        LongModeGuest to = new LongModeGuest(hv, true, false, false);
        MemorySegment.copy(from.ram, 0, to.ram, 0, LongModeGuest.RAM);
        to.vcpu.setCpuid2(from.vcpu.getCpuid2(1000));
        to.vcpu.setSregs(from.vcpu.getSregs());
        List<KvmMsrEntry> msrs = new ArrayList<>();
        for (int m : from.hv.msrIndexList()) msrs.add(new KvmMsrEntry(m, 0));
        int n = from.vcpu.getMsrs(msrs);
        to.vcpu.setMsrs(msrs.subList(0, n));
        KvmXsave xs = from.vcpu.getXsave2();
        to.vcpu.setXsave(xs);
        to.vcpu.setXcrs(from.vcpu.getXcrs());
        to.vcpu.setRegs(from.vcpu.getRegs());
        to.vcpu.setVcpuEvents(from.vcpu.getVcpuEvents());
        return to;
    }
}
