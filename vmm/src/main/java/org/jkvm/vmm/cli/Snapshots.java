package org.jkvm.vmm.cli;

import java.nio.file.Path;

import org.jkvm.vmm.machine.Machine;
import org.jkvm.vmm.snapshot.SnapshotWriter;

/** Wires --save-snapshot to a machine: the guest's port 0x5C5 trigger, or an instruction count. */
final class Snapshots {
    private Snapshots() {}

    static void arm(Machine m, MachineOptions opts, Session s) {
        if (opts.saveSnapshot == null) return;
        Path target = Path.of(opts.saveSnapshot);
        Path dir = target.toAbsolutePath().getParent();
        if (dir == null || !java.nio.file.Files.isDirectory(dir) || !java.nio.file.Files.isWritable(dir)) {
            throw new UserError(ExitCodes.CANTCREAT, "cannot write snapshot " + target + ": directory missing or not writable");
        }
        m.setSnapshotHook(machine -> {
            SnapshotWriter.write(machine, target);
            s.log.println("jkvm: snapshot saved to " + target);
        });
        if ((opts.snapshotAtInstructions != null || opts.maxInstructions != null)
                && !(m.vcpu() instanceof org.jkvm.api.InstructionBudget)) {
            if (opts.snapshotAtInstructions != null) {
                throw new UserError(ExitCodes.UNAVAILABLE, "--snapshot-at-instructions: backend " + opts.accel
                    + " cannot stop at an exact instruction count");
            }
        }
    }
}
