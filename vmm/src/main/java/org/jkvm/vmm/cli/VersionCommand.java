package org.jkvm.vmm.cli;

import java.util.concurrent.Callable;

import org.jkvm.api.Hypervisor;
import org.jkvm.api.HypervisorProvider;

import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** `jkvm version`: the version and which backends can run here. */
@Command(name = "version", description = "Print the version and the backends available here.")
final class VersionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        out.println("jkvm " + Version.get() + " (Java " + Runtime.version() + ")");
        for (HypervisorProvider p : Hypervisor.providers()) {
            String why = p.unavailableReason();
            out.println("  backend " + p.name() + (why == null ? ": available" : ": unavailable (" + why + ")"));
        }
        return 0;
    }
}
