package cimtrain.cli;

import cimtrain.options.BackendOption;
import cimtrain.util.SettingError;
import cimtrain.util.UserError;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.io.UncheckedIOException;

/** Entry point: {@code cimtrain <command> [options]}. */
@Command(name = "cimtrain", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Train and evaluate deep networks on simulated memristor compute-in-memory crossbars.",
                "Run 'cimtrain COMMAND --help' for the options of a command."},
        subcommands = {TrainCommand.class, SweepCommand.class, ReportCommand.class, EvaluateCommand.class, CostCommand.class, ImportCommand.class, ExportCommand.class, InfoCommand.class, BenchCommand.class, ModelsCommand.class, DatasetsCommand.class, MapCommand.class, ReproduceCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Exit status for bad input (a file, a name, a value): one line on stderr, nothing else. */
    public static final int BAD_INPUT = 2;
    /** Held here: java.util.logging keeps only weak references to loggers, and their levels with them. */
    private static final java.util.logging.Logger NETLIB_LOG = java.util.logging.Logger.getLogger("dev.ludovic.netlib");

    public static void main(String[] args) {
        cimtrain.sweep.LocalRunner.dieWithParent();
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit status (tests call this directly). */
    public static int run(String... args) {
        // netlib says which BLAS it found as a java.util.logging INFO record on stderr, whenever the first GEMM
        // happens (before or after a user error); cimtrain says it itself (the run's line, config.json's "blas")
        NETLIB_LOG.setLevel(java.util.logging.Level.WARNING);
        CommandLine cmd = new CommandLine(new Main());
        // the descriptions are written as lines of up to about 110 characters: at picocli's default 80 every
        // one of them wrapped, leaving a stub line behind it
        cmd.setUsageHelpWidth(120);
        cmd.setParameterExceptionHandler((ex, a) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("cimtrain: " + oneLine(ex.getMessage()) + " (see '"
                    + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            return BAD_INPUT;
        });
        cmd.setExecutionExceptionHandler((ex, c, parseResult) -> {
            backendNotes(cmd, false);
            if (ex instanceof UserError u) {
                // the core names a setting by its key; here it is the flag the user typed
                c.getErr().println("cimtrain: " + oneLine(SettingError.asFlags(u)));
                return BAD_INPUT;
            }
            if (ex instanceof UncheckedIOException) {
                // a file the user named or a folder they chose cannot be read or written (permissions, a full
                // disk): theirs to fix, like any other bad input
                c.getErr().println("cimtrain: " + oneLine(ex.getMessage()));
                return BAD_INPUT;
            }
            throw ex;
        });
        int status;
        try {
            status = cmd.execute(args);
        } catch (OutOfMemoryError e) {
            // sizes are checked before allocation where they are known; what is left is the sum of many
            backendNotes(cmd, false);
            cmd.getErr().println("cimtrain: out of memory (" + oneLine(e.getMessage()) + "): use a smaller --batch, "
                    + "--eval-batch or --width, or let Java use more memory (CIMTRAIN_JAVA_OPTS=-Xmx...)");
            return BAD_INPUT;
        }
        backendNotes(cmd, true);
        return status;
    }

    /** Says (or, after an error, drops) the held line of the command's --backend choice. */
    private static void backendNotes(CommandLine cmd, boolean say) {
        for (CommandLine.ParseResult r = cmd.getParseResult(); r != null; r = r.subcommand()) {
            backendNotes(r.commandSpec(), say);
        }
    }

    private static void backendNotes(CommandLine.Model.CommandSpec spec, boolean say) {
        for (CommandLine.Model.CommandSpec mixin : spec.mixins().values()) {
            if (mixin.userObject() instanceof BackendOption b) {
                if (say) {
                    ConsoleListener.sayNote(b);
                } else {
                    b.takeNote();
                }
            }
            backendNotes(mixin, say);
        }
    }

    static String oneLine(String s) {
        return s == null ? "error" : s.replace('\n', ' ').replace('\r', ' ').trim();
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[]{"cimtrain " + (v == null ? "(development build)" : v)};
        }
    }
}
