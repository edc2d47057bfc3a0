package org.jkvm.vmm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import org.jkvm.api.KvmException;
import org.jkvm.vmm.machine.Machine;
import org.jkvm.vmm.machine.MachineConfig;
import org.jkvm.vmm.snapshot.Snapshot;
import org.jkvm.vmm.snapshot.SnapshotFormatException;
import org.jkvm.vmm.snapshot.SnapshotReader;
import org.jkvm.vmm.snapshot.SnapshotRestorer;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** `jkvm restore PATH`: continues a saved machine, on the same or another backend where its features exist. */
@Command(name = "restore", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class, description = "Continue a machine from a snapshot file (see docs/SNAPSHOT-FORMAT.md).")
final class RestoreCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @picocli.CommandLine.ParentCommand
    Main main;

    @Mixin
    MachineOptions opts = new MachineOptions();

    @Parameters(index = "0", paramLabel = "PATH", description = "The snapshot file.")
    Path path;

    @Override
    public Integer call() {
        opts.validate();
        Snapshot snap;
        try {
            if (Files.isDirectory(path)) throw new UserError(ExitCodes.NOINPUT, "cannot read snapshot " + path + ": is a directory");
            snap = SnapshotReader.read(path);
        } catch (NoSuchFileException e) {
            throw new UserError(ExitCodes.NOINPUT, "cannot read snapshot " + path + ": no such file");
        } catch (IOException e) {
            throw new UserError(ExitCodes.NOINPUT, "cannot read snapshot " + path + ": " + e.getMessage());
        } catch (SnapshotFormatException e) {
            throw new UserError(ExitCodes.DATAERR, e.getMessage());
        }
        try (Session s = new Session(opts, main.in, spec.commandLine().getOut(), spec.commandLine().getErr())) {
            s.openStreams();
            s.openBackend();
            Snapshot.MachineInfo mi = snap.machine();
            MachineConfig cfg = new MachineConfig(mi.ramSize(), mi.cmdline(), List.of(), false, s.serialOut, s.serialIn,
                s.tracer, s.machineLog(), s.timeoutNanos(), opts.onTripleFault != null,
                opts.maxInstructions == null ? 0 : opts.maxInstructions,
                opts.snapshotAtInstructions == null ? 0 : opts.snapshotAtInstructions);
            try (Machine m = Machine.create(s.hv, cfg, mi.clockNanos())) {
                try {
                    m.restore(machine -> SnapshotRestorer.restore(snap, machine));
                } catch (SnapshotFormatException e) {
                    throw new UserError(ExitCodes.DATAERR, path + ": " + e.getMessage());
                } catch (KvmException e) {
                    // A well-formed file whose vCPU state the backend refuses (KVM_SET_* said EINVAL): bad data.
                    throw new UserError(ExitCodes.DATAERR, path + ": the backend rejects the saved state: " + e.getMessage());
                } catch (IOException e) {
                    throw new UserError(ExitCodes.IOERR, path + ": " + e.getMessage());
                }
                Snapshots.arm(m, opts, s);
                return s.run(m);
            } catch (KvmException e) {
                throw new UserError(ExitCodes.SOFTWARE, "backend " + opts.accel + ": " + e.getMessage());
            }
        }
    }
}
