package org.jkvm.vmm.cli;

import java.io.PrintWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.jkvm.api.Hypervisor;
import org.jkvm.api.KvmException;
import org.jkvm.api.uabi.KvmCpuidEntry2;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * `jkvm cpuid`: the CPUID leaves a backend offers a guest (KVM_GET_SUPPORTED_CPUID) and the XSAVE
 * layout they imply. Everything printed comes from the leaves, so the same command checks the soft
 * CPU models and a real /dev/kvm.
 */
@Command(name = "cpuid", description = "Print the CPUID leaves a backend supports and the XSAVE layout derived from leaf 0xD.")
final class CpuidCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--cpu", paramLabel = "MODEL[,+feat,-feat]", description = "CPU model (soft backend), e.g. sapphirerapids.")
    String cpu;

    @Option(names = "--accel", paramLabel = "soft|kvm", defaultValue = "soft", description = "Backend (default: ${DEFAULT-VALUE}).")
    String accel;

    @Option(names = "--xss", paramLabel = "MASK",
        description = "IA32_XSS bits for the XSAVES column (default: every supervisor component CPUID reports).")
    String xss;

    @Option(names = "--no-amx-permission",
        description = "Do not request XTILEDATA guest permission first (AMX then drops out, as for a VMM that never asks).")
    boolean noAmxPermission;

    @Override
    public Integer call() {
        if (!accel.equals("soft") && !accel.equals("kvm")) {
            throw new UserError(ExitCodes.USAGE, "--accel must be soft or kvm, not '" + accel + "'");
        }
        Long xssMask = xss == null ? null : parseMask(xss);
        Map<String, String> options = new HashMap<>();
        if (cpu != null) options.put("cpu", cpu);
        List<KvmCpuidEntry2> leaves;
        try (Hypervisor h = Hypervisor.open(accel, options)) {
            if (!noAmxPermission) {
                try {
                    h.requestGuestPermission(Hypervisor.XFEATURE_XTILEDATA);
                } catch (KvmException e) {
                    // Not offered here (no AMX, or unsupported): the leaves simply lack it.
                }
            }
            leaves = h.supportedCpuid();
        } catch (KvmException e) {
            // A bad --cpu comes back as EINVAL: the user's mistake, not a missing service.
            throw new UserError(e.errno() == org.jkvm.api.Errno.EINVAL ? ExitCodes.USAGE : ExitCodes.UNAVAILABLE, e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new UserError(ExitCodes.USAGE, e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        printLeaves(out, leaves);
        if (XsaveLayoutView.find(leaves, 0xD, 0) != null) {
            out.println();
            printXsave(out, new XsaveLayoutView(leaves), xssMask);
        }
        out.flush();
        return 0;
    }

    private void printLeaves(PrintWriter out, List<KvmCpuidEntry2> leaves) {
        out.printf("CPUID leaves (backend %s%s): %d%n", accel, cpu == null ? "" : ", cpu " + cpu, leaves.size());
        out.println("  function index     eax      ebx      ecx      edx");
        for (KvmCpuidEntry2 e : leaves) {
            out.printf("  %08x %5s %08x %08x %08x %08x%n", e.function(),
                (e.flags() & KvmCpuidEntry2.KVM_CPUID_FLAG_SIGNIFCANT_INDEX) != 0 ? Integer.toHexString(e.index()) : "-",
                e.eax(), e.ebx(), e.ecx(), e.edx());
        }
    }

    static void printXsave(PrintWriter out, XsaveLayoutView v, Long xssArg) {
        long xssCol = xssArg == null ? v.xss : xssArg & v.xss;
        long xsaves = v.xcr0 | xssCol;
        out.printf("XSAVE (CPUID 0xD): XCR0 supported 0x%x, IA32_XSS supported 0x%x%n", v.xcr0, v.xss);
        out.printf("  0xD.0 EBX %d (0x%x): standard size for the current XCR0; ECX %d (0x%x): for all of XCR0%n",
            v.d0Ebx, v.d0Ebx, v.d0Ecx, v.d0Ecx);
        out.printf("  0xD.1 EAX 0x%x (%s); EBX %d (0x%x): compacted size for the current XCR0|XSS%n", v.d1Eax,
            extensions(v.d1Eax), v.d1Ebx, v.d1Ebx);
        out.printf("  %2s %-18s %5s %9s %-13s %15s %15s%n", "i", "component", "size", "standard", "flags",
            "XSAVEC(XCR0)", String.format("XSAVES(0x%x)", xsaves));
        for (XsaveLayoutView.Component c : v.components) {
            String flags = (c.supervisor() ? "S" : "U") + (c.aligned() ? " align64" : "") + (c.xfd() ? " xfd" : "");
            int cu = v.compactedOffset(v.xcr0, c.index()), cs = v.compactedOffset(xsaves, c.index());
            out.printf("  %2d %-18s %5d %9s %-13s %15s %15s%n", c.index(), XsaveLayoutView.label(c.index()), c.size(),
                c.supervisor() ? "-" : Integer.toString(c.standardOffset()), flags, cu < 0 ? "-" : Integer.toString(cu),
                cs < 0 ? "-" : Integer.toString(cs));
        }
        out.printf("  %-27s %9d %-13s %15d %15d%n", "size", v.d0Ecx, "", v.compactedSize(v.xcr0), v.compactedSize(xsaves));
    }

    private static String extensions(int eax) {
        StringBuilder sb = new StringBuilder();
        String[] names = {"XSAVEOPT", "XSAVEC", "XGETBV1", "XSAVES", "XFD"};
        for (int i = 0; i < names.length; i++) {
            if ((eax >> i & 1) != 0) sb.append(sb.isEmpty() ? "" : " ").append(names[i]);
        }
        return sb.isEmpty() ? "none" : sb.toString();
    }

    static long parseMask(String s) {
        try {
            String t = s.strip().toLowerCase(java.util.Locale.ROOT);
            return t.startsWith("0x") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseUnsignedLong(t);
        } catch (NumberFormatException e) {
            throw new UserError(ExitCodes.USAGE, "--xss: not a number: '" + s + "'");
        }
    }
}
