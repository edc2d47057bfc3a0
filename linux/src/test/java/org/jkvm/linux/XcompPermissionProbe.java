package org.jkvm.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jkvm.api.Capability;
import org.jkvm.api.Hypervisor;
import org.jkvm.api.KvmException;
import org.jkvm.api.Vcpu;
import org.jkvm.api.Vm;
import org.jkvm.api.uabi.KvmCpuid2;
import org.jkvm.api.uabi.KvmCpuidEntry2;
import org.jkvm.api.uabi.KvmXcr;
import org.jkvm.api.uabi.KvmXcrs;
import org.jkvm.api.uabi.KvmXsave;

/**
 * Runs in its own JVM (see {@link XcompPermissionTest}): arch_prctl guest permission is per process and locks
 * once a vCPU exists, so each scenario needs a fresh process. Prints {@code key=value} lines; an errno result is
 * printed as its name.
 */
public final class XcompPermissionProbe {
    private XcompPermissionProbe() {}

    interface Call { Object run() throws KvmException; }

    private static void out(String key, Object value) { System.out.println(key + "=" + value); }

    private static void outCall(String key, Call c) {
        try {
            Object v = c.run();
            out(key, v == null ? "ok" : v);
        } catch (KvmException e) {
            out(key, e.errno() != null ? e.errno().name() : "errno" + e.rawErrno());
        }
    }

    public static void main(String[] args) throws Exception {
        String scenario = args.length > 0 ? args[0] : "";
        String why = new LinuxKvmProvider().unavailableReason();
        if (why != null) {
            out("unavailable", why);
            return;
        }
        try (Hypervisor hv = Hypervisor.open("kvm", Map.of())) {
            out("perm0", Long.toHexString(hv.guestPermission()));
            out("cap0", hv.checkExtension(Capability.XSAVE2));
            List<KvmCpuidEntry2> sup0 = hv.supportedCpuid();
            out("xcr0_0", Long.toHexString(XstateFacts.xcr0(sup0)));
            out("size0", XstateFacts.standardSize(sup0, XstateFacts.xcr0(sup0)));
            outCall("req_avx512_state", () -> { hv.requestGuestPermission(5); return null; });
            outCall("req_xtilecfg", () -> { hv.requestGuestPermission(XstateFacts.XTILECFG); return null; });
            outCall("req_64", () -> { hv.requestGuestPermission(64); return null; });
            switch (scenario) {
                case "grant" -> grant(hv);
                case "locked" -> locked(hv);
                default -> throw new IllegalArgumentException("scenario " + scenario);
            }
        }
    }

    private static void grant(Hypervisor hv) throws KvmException {
        outCall("req_xtiledata", () -> { hv.requestGuestPermission(XstateFacts.XTILEDATA); return null; });
        out("perm1", Long.toHexString(hv.guestPermission()));
        out("cap1", hv.checkExtension(Capability.XSAVE2));
        List<KvmCpuidEntry2> sup1 = hv.supportedCpuid();
        long xcr0 = XstateFacts.xcr0(sup1);
        out("xcr0_1", Long.toHexString(xcr0));
        out("size1", XstateFacts.standardSize(sup1, xcr0));
        out("ebx1", KvmCpuid2.find(sup1, 0xD, 0).ebx());
        try (Vm vm = hv.createVm(); Arena a = Arena.ofConfined()) {
            MemorySegment ram = a.allocate(64 << 10, 4096);
            vm.setUserMemoryRegion(0, 0, 0, ram);
            Vcpu v = vm.createVcpu(0);
            outCall("xsave_before_cpuid", () -> v.getXsave().size());
            outCall("set_cpuid", () -> { v.setCpuid2(sup1); return null; });
            outCall("xsave_after_cpuid", () -> v.getXsave().size());
            outCall("xsave2_size", () -> v.getXsave2().size());
            outCall("set_xcr0_all", () -> { v.setXcrs(KvmXcrs.ofXcr0(xcr0)); return null; });
            outCall("xcr0_now", () -> Long.toHexString(v.getXcrs().value(KvmXcr.XCR0)));
            outCall("xsave2_roundtrip", () -> {
                KvmXsave x = v.getXsave2();
                v.setXsave(x);
                return x.equals(v.getXsave2());
            });
            outCall("req_xtiledata_again", () -> { hv.requestGuestPermission(XstateFacts.XTILEDATA); return null; });
        }
    }

    private static void locked(Hypervisor hv) throws KvmException {
        List<KvmCpuidEntry2> sup = hv.supportedCpuid();
        try (Vm vm = hv.createVm()) {
            Vcpu v = vm.createVcpu(0);
            outCall("req_xtiledata", () -> { hv.requestGuestPermission(XstateFacts.XTILEDATA); return null; });
            out("perm1", Long.toHexString(hv.guestPermission()));
            out("cap1", hv.checkExtension(Capability.XSAVE2));
            // a CPUID table that exposes XTILECFG|XTILEDATA without the permission
            List<KvmCpuidEntry2> forged = new ArrayList<>(sup);
            KvmCpuidEntry2 d0 = KvmCpuid2.find(sup, 0xD, 0);
            forged.set(sup.indexOf(d0), d0.withEax(d0.eax() | (int) XstateFacts.AMX_MASK));
            outCall("set_cpuid_forged_amx", () -> { v.setCpuid2(forged); return null; });
            outCall("set_cpuid_supported", () -> { v.setCpuid2(sup); return null; });
        }
    }
}
