package org.jkvm.vmm.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.jkvm.api.HostCpuid;
import org.jkvm.api.Hypervisor;
import org.jkvm.api.KvmException;
import org.jkvm.api.uabi.KvmCpuidEntry2;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * `jkvm cpuid`: a CPU's CPUID leaves and the XSAVE layout they imply. By default the host view (the physical
 * CPU as a host process reads it, host XCR0/IA32_XSS loaded: for the soft backend the CPU model itself);
 * with --supported the leaves the backend offers a guest (KVM_GET_SUPPORTED_CPUID). Everything printed comes
 * from the leaves (plus the host's IA32_XSS), so the same command checks the soft CPU models and a real
 * /dev/kvm.
 */
@Command(name = "cpuid", description = "Print a CPU's CPUID leaves (default: the host CPU; --supported: what a guest is offered) "
    + "and the XSAVE layout derived from leaf 0xD.")
final class CpuidCommand implements Callable<Integer> {
    /**
     * Linux keeps Arch LBR (component 15) out of a task's XSAVES area: it is an "independent" supervisor
     * component saved on demand into its own buffer. A host task's fpstate therefore holds XCR0 | XSS without it.
     */
    static final long LINUX_INDEPENDENT_XSS = 1L << 15;

    @Spec
    CommandSpec spec;

    @Option(names = "--cpu", paramLabel = "MODEL[,+feat,-feat]", description = "CPU model (soft backend), e.g. sapphirerapids.")
    String cpu;

    @Option(names = "--accel", paramLabel = "soft|kvm", defaultValue = "soft", description = "Backend (default: ${DEFAULT-VALUE}).")
    String accel;

    @Option(names = "--supported",
        description = "Show KVM_GET_SUPPORTED_CPUID (what the backend offers a guest) instead of the host CPU's own CPUID.")
    boolean supported;

    @Option(names = "--xss", paramLabel = "MASK",
        description = "IA32_XSS the host runs with, for the XSAVES columns (default: the backend's host value).")
    String xss;

    @Option(names = "--no-amx-permission",
        description = "With --supported: do not request XTILEDATA guest permission first (AMX then drops out, as for a VMM that never asks).")
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
        long hostXss = -1;
        try (Hypervisor h = Hypervisor.open(accel, options)) {
            if (supported) {
                if (!noAmxPermission) {
                    try {
                        h.requestGuestPermission(Hypervisor.XFEATURE_XTILEDATA);
                    } catch (KvmException e) {
                        // Not offered here (no AMX, or unsupported): the leaves simply lack it.
                    }
                }
                leaves = h.supportedCpuid();
            } else if (h instanceof HostCpuid host) {
                leaves = host.hostCpuid();
                hostXss = host.hostXss();
            } else {
                throw new UserError(ExitCodes.UNAVAILABLE, "backend '" + accel + "' has no host CPUID view; use --supported");
            }
        } catch (KvmException e) {
            // A bad --cpu comes back as EINVAL: the user's mistake, not a missing service.
            throw new UserError(e.errno() == org.jkvm.api.Errno.EINVAL ? ExitCodes.USAGE : ExitCodes.UNAVAILABLE, e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new UserError(ExitCodes.USAGE, e.getMessage());
        }
        if (xssMask != null) hostXss = xssMask;
        PrintWriter out = spec.commandLine().getOut();
        out.println(supported
            ? "View: KVM_GET_SUPPORTED_CPUID (what the backend offers a guest)"
            : "View: host CPU (its own CPUID, host OS's XCR0/IA32_XSS loaded)");
        printLeaves(out, leaves);
        if (XsaveLayoutView.find(leaves, 0xD, 0) != null) {
            out.println();
            printXsave(out, new XsaveLayoutView(leaves), hostXss);
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

    /** A compacted-layout column: the XCOMP_BV-style mask it lays out and why it is shown. */
    record Column(long mask, String meaning) { }

    /**
     * The compacted layouts worth showing: XSAVEC with XCR0; with a known host IA32_XSS, a host task's fpstate
     * (XCR0 | XSS without the independent Arch LBR) and XCR0 | XSS (whose size is CPUID.(0xD,1).EBX); XCR0 |
     * every supported supervisor component. Equal masks are shown once.
     */
    static List<Column> columns(XsaveLayoutView v, long hostXss) {
        List<Column> cols = new ArrayList<>();
        addColumn(cols, v.xcr0, "XCR0 (XSAVEC)");
        if (hostXss >= 0) {
            long x = hostXss & v.xss;
            addColumn(cols, v.xcr0 | (x & ~LINUX_INDEPENDENT_XSS), "XCR0 | host IA32_XSS without Arch LBR (a Linux task's XSAVES fpstate)");
            addColumn(cols, v.xcr0 | x, "XCR0 | host IA32_XSS 0x" + Long.toHexString(x) + " (XSAVES; size = 0xD.1 EBX)");
        }
        addColumn(cols, v.xcr0 | v.xss, "XCR0 | all supported IA32_XSS (XSAVES)");
        return cols;
    }

    private static void addColumn(List<Column> cols, long mask, String meaning) {
        for (Column c : cols) if (c.mask() == mask) return;
        cols.add(new Column(mask, meaning));
    }

    static void printXsave(PrintWriter out, XsaveLayoutView v, long hostXss) {
        out.printf("XSAVE (CPUID 0xD): XCR0 supported 0x%x, IA32_XSS supported 0x%x%s%n", v.xcr0, v.xss,
            hostXss >= 0 ? String.format(", host IA32_XSS 0x%x", hostXss & v.xss) : "");
        out.printf("  0xD.0 EAX 0x%x; EBX %d (0x%x): standard size for the current XCR0; ECX %d (0x%x): for all of XCR0%n",
            v.xcr0 & 0xFFFF_FFFFL, v.d0Ebx, v.d0Ebx, v.d0Ecx, v.d0Ecx);
        out.printf("  0xD.1 EAX 0x%x (%s); EBX %d (0x%x): compacted size for the current XCR0|XSS; ECX 0x%x%n", v.d1Eax,
            extensions(v.d1Eax), v.d1Ebx, v.d1Ebx, v.xss & 0xFFFF_FFFFL);
        List<Column> cols = columns(v, hostXss);
        out.println("  compacted offsets, one column per component mask:");
        for (Column c : cols) out.printf("    0x%x = %s%n", c.mask(), c.meaning());
        StringBuilder head = new StringBuilder(String.format("  %2s %-18s %5s %9s %-13s", "i", "component", "size", "standard", "flags"));
        for (Column c : cols) head.append(String.format(" %10s", "0x" + Long.toHexString(c.mask())));
        out.println(head);
        for (XsaveLayoutView.Component c : v.components) {
            String flags = (c.supervisor() ? "S" : "U") + (c.aligned() ? " align64" : "") + (c.xfd() ? " xfd" : "");
            StringBuilder row = new StringBuilder(String.format("  %2d %-18s %5d %9s %-13s", c.index(),
                XsaveLayoutView.label(c.index()), c.size(), c.supervisor() ? "-" : Integer.toString(c.standardOffset()), flags));
            for (Column col : cols) {
                int off = v.compactedOffset(col.mask(), c.index());
                row.append(String.format(" %10s", off < 0 ? "-" : Integer.toString(off)));
            }
            out.println(row);
        }
        StringBuilder size = new StringBuilder(String.format("  %-27s %9d %-13s", "size", v.d0Ecx, ""));
        for (Column col : cols) size.append(String.format(" %10d", v.compactedSize(col.mask())));
        out.println(size);
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
