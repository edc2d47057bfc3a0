package org.jkvm.vmm.cli;

import java.io.PrintWriter;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The jkvm command line: every failure the user can cause ends as one line on stderr and a 64+ status. */
@Command(name = "jkvm", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "A hypervisor for x86-64 in Java: a software CPU with KVM's vCPU state handling, or Linux /dev/kvm.",
        subcommands = {VersionCommand.class, RunCommand.class, RestoreCommand.class, DisasmCommand.class, CpuidCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command (see 'jkvm --help')");
    }

    /** What the guest's serial console reads for --serial stdio (null: no input). */
    final java.io.InputStream in;

    Main(java.io.InputStream in) {
        this.in = in;
    }

    public static void main(String[] args) {
        System.exit(execute(args, System.in, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI with the given streams; returns the exit status instead of exiting (for tests). */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        // No console input: a test's (or an embedding program's) stdin is not the guest's to read.
        return execute(args, null, out, err);
    }

    /** As above, with {@code in} as the console input of --serial stdio. */
    public static int execute(String[] args, java.io.InputStream in, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main(in));
        // `jkvm run --help` must print the command's usage, not complain about a missing IMAGE
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (sub.getCommandSpec().findOption("--help") == null) {
                sub.getCommandSpec().addOption(CommandLine.Model.OptionSpec.builder("-h", "--help")
                    .usageHelp(true).description("Show this help message and exit.").build());
            }
        }
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("jkvm: " + oneLine(ex.getMessage()));
            return ExitCodes.USAGE;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof UserError ue) {
                err.println("jkvm: " + oneLine(ue.getMessage()));
                return ue.status;
            }
            // A bug: still one line, never a stack trace (set JKVM_DEBUG=1 to see it).
            err.println("jkvm: internal error: " + oneLine(String.valueOf(ex)));
            if (System.getenv("JKVM_DEBUG") != null) ex.printStackTrace(err);
            return ExitCodes.SOFTWARE;
        });
        try {
            return cl.execute(args);
        } catch (RuntimeException | Error e) {
            err.println("jkvm: internal error: " + oneLine(String.valueOf(e)));
            return ExitCodes.SOFTWARE;
        }
    }

    static String oneLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return (nl >= 0 ? s.substring(0, nl) : s).strip();
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"jkvm " + Version.get() + " (Java " + Runtime.version() + ")"};
        }
    }
}
