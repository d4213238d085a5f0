package cimtrain.sweep;

import cimtrain.cli.SweepCommand;
import picocli.CommandLine;

/**
 * {@code cimtrain sweep} as a process of its own, for the test that kills a runner (Main does not list
 * the command in this package's tests' view; the exit status and output are what matter here).
 */
public final class SweepMain {
    private SweepMain() {
    }

    public static void main(String[] args) {
        CommandLine cmd = new CommandLine(new SweepCommand());
        cmd.setExecutionExceptionHandler((ex, c, r) -> {
            c.getErr().println("cimtrain: " + ex.getMessage());
            return 2;
        });
        System.exit(cmd.execute(args));
    }
}
