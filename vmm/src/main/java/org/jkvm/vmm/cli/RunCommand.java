package org.jkvm.vmm.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.jkvm.api.KvmException;
import org.jkvm.vmm.loader.BootState;
import org.jkvm.vmm.loader.ImageFormatException;
import org.jkvm.vmm.loader.ImageLoader;
import org.jkvm.vmm.loader.Module;
import org.jkvm.vmm.machine.Machine;
import org.jkvm.vmm.machine.MachineConfig;
import org.jkvm.vmm.machine.MemoryMap;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * `jkvm run IMAGE`: boots a Multiboot (or, with --entry64, a 64-bit ELF) image on the pc machine, like
 * {@code qemu-system-x86_64 -kernel IMAGE -device isa-debug-exit,iobase=0xf4,iosize=4 -serial stdio}.
 * The exit status is the guest's (debug-exit (v<<1)|1, 0 after HLT with interrupts off, 2 on a triple fault)
 * or 64+ for a host-side problem.
 */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class, description = "Run a Multiboot or ELF64 guest image.")
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @picocli.CommandLine.ParentCommand
    Main main;

    @Mixin
    MachineOptions opts = new MachineOptions();

    @Option(names = "-m", paramLabel = "SIZE", defaultValue = "256M", description = "Guest RAM (K/M/G suffix; plain numbers are MiB). Default: ${DEFAULT-VALUE}.")
    String memory;

    @Option(names = "--append", paramLabel = "CMDLINE", description = "The kernel command line (Multiboot cmdline).")
    String append = "";

    @Option(names = "--initrd", paramLabel = "FILE[ ARGS][,FILE...]", description = "Multiboot modules, comma-separated, each a file and optional arguments (as QEMU's -initrd).")
    String initrd;

    @Option(names = "--entry64", description = "Start a 64-bit ELF directly in long mode (identity-mapped 4 GiB, stack below 640K).")
    boolean entry64;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "The kernel image.")
    Path image;

    @Override
    public Integer call() {
        opts.validate();
        long ram = SizeParser.parse(memory);
        if (ram < MemoryMap.MIN_RAM || (ram & 0xFFF) != 0 || ram > (1L << 40)) {
            throw new UserError(ExitCodes.USAGE, "-m " + memory + ": RAM must be from 2M to 1T and a multiple of 4K");
        }
        byte[] bytes = readFile(image, "image");
        List<Module> modules = modules();
        try {
            ImageLoader.check(bytes, entry64);
        } catch (ImageFormatException e) {
            throw new UserError(ExitCodes.DATAERR, image + ": " + e.getMessage());
        }
        try (Session s = new Session(opts, main.in, spec.commandLine().getOut(), spec.commandLine().getErr())) {
            s.openStreams();
            s.openBackend();
            MachineConfig cfg = new MachineConfig(ram, append, modules, entry64, s.serialOut, s.serialIn,
                s.tracer, s.machineLog(), s.timeoutNanos(), opts.onTripleFault != null,
                opts.maxInstructions == null ? 0 : opts.maxInstructions,
                opts.snapshotAtInstructions == null ? 0 : opts.snapshotAtInstructions);
            try (Machine m = Machine.create(s.hv, cfg)) {
                BootState boot;
                try {
                    boot = ImageLoader.load(bytes, entry64, append, modules, m.memory());
                } catch (ImageFormatException e) {
                    throw new UserError(ExitCodes.DATAERR, image + ": " + e.getMessage());
                }
                m.boot(boot);
                Snapshots.arm(m, opts, s);
                return s.run(m);
            } catch (KvmException e) {
                throw new UserError(ExitCodes.SOFTWARE, "backend " + opts.accel + ": " + e.getMessage());
            }
        }
    }

    private List<Module> modules() {
        List<Module> mods = new ArrayList<>();
        if (initrd == null || initrd.isBlank()) return mods;
        for (String spec : initrd.split(",")) {
            String s = spec.strip();
            if (s.isEmpty()) continue;
            int sp = s.indexOf(' ');
            Path p = Path.of(sp < 0 ? s : s.substring(0, sp));
            mods.add(new Module(s, readFile(p, "initrd")));
        }
        return mods;
    }

    static byte[] readFile(Path p, String what) {
        try {
            if (Files.isDirectory(p)) throw new UserError(ExitCodes.NOINPUT, "cannot read " + what + " " + p + ": is a directory");
            return Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            throw new UserError(ExitCodes.NOINPUT, "cannot read " + what + " " + p + ": no such file");
        } catch (AccessDeniedException e) {
            throw new UserError(ExitCodes.NOINPUT, "cannot read " + what + " " + p + ": permission denied");
        } catch (IOException | OutOfMemoryError e) {
            throw new UserError(ExitCodes.NOINPUT, "cannot read " + what + " " + p + ": " + e.getMessage());
        }
    }
}
