package cimtrain.cli;

import cimtrain.backend.Backends;
import cimtrain.train.RunContext;
import picocli.CommandLine.Option;

/**
 * {@code --backend auto|cpu|cuda}, shared by every command that trains or evaluates networks: makes the
 * command's backend factory, and holds the line about auto's choice until the command has accepted its
 * input (a user error stays the only line).
 */
final class BackendOption {
    @Option(names = "--backend", defaultValue = "auto", paramLabel = "auto|cpu|cuda",
            description = "Where to compute: cpu; cuda (an NVIDIA GPU; exits with status 2 when none is found); auto: "
                    + "the GPU when a driver and a device are found, else the CPU with one line saying why. Default: ${DEFAULT-VALUE}.")
    String backend;

    private Backends chosen;
    /** The backend choice's line, held until the command has accepted its input. */
    private String pendingNote;

    /** Makes the factory for the choice (an unknown name is one line and exit status 2) and returns it. */
    Backends select() {
        chosen = Backends.choose(backend, this::hold);
        return chosen;
    }

    /** The factory {@link #select} made. */
    Backends chosen() {
        if (chosen == null) {
            throw new IllegalStateException("--backend not selected yet");
        }
        return chosen;
    }

    /** Runs on the chosen backend with {@code threads} workers, their lines on the console. */
    RunContext context(int threads) {
        return new RunContext(chosen(), threads, new ConsoleListener(this));
    }

    private synchronized void hold(String line) {
        pendingNote = line;
    }

    /** Prints the held line, once, on stderr: when the input is accepted, or when the command ends without error. */
    synchronized void sayNotes() {
        if (pendingNote != null) {
            System.err.println(pendingNote);
            pendingNote = null;
        }
    }

    /** Forgets an unsaid line (after a user error, which is the only line). */
    synchronized void dropNotes() {
        pendingNote = null;
    }
}
