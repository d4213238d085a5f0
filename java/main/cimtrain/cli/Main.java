package cimtrain.cli;

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

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit status (tests call this directly). */
    public static int run(String... args) {
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
            if (ex instanceof UserError) {
                c.getErr().println("cimtrain: " + oneLine(ex.getMessage()));
                return BAD_INPUT;
            }
            if (ex instanceof UncheckedIOException) {
                c.getErr().println("cimtrain: " + oneLine(ex.getMessage()));
                return 1;
            }
            throw ex;
        });
        return cmd.execute(args);
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
