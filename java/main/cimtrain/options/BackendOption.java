package cimtrain.options;

import cimtrain.backend.Backends;
import picocli.CommandLine.Option;

/**
 * {@code --backend auto|cpu|cuda}, shared by every command that trains or evaluates networks (and a
 * sweep's {@code backend} field): makes the command's backend factory, and holds the line about auto's
 * choice until the command has accepted its input, so that a user error stays the only line.
 */
public final class BackendOption {
    @Option(names = "--backend", defaultValue = "auto", paramLabel = "auto|cpu|cuda",
            description = "Where to compute: cpu; cuda (an NVIDIA GPU; exits with status 2 when none is found); auto: "
                    + "the GPU when a driver and a device are found, else the CPU with one line saying why. Default: ${DEFAULT-VALUE}.")
    public String backend;

    private Backends chosen;
    /** The backend choice's line, held until the command has accepted its input. */
    private String heldNote;

    /**
     * Makes the factory for the choice and returns it; an unknown name, or cuda without a GPU, is a
     * {@link cimtrain.util.SettingError} (one line and exit status 2).
     */
    public Backends select() {
        chosen = Backends.choose(backend, this::hold);
        return chosen;
    }

    /** The factory {@link #select} made. */
    public Backends chosen() {
        if (chosen == null) {
            throw new IllegalStateException("the backend was not selected yet");
        }
        return chosen;
    }

    private synchronized void hold(String line) {
        heldNote = line;
    }

    /** The held line (then forgotten), or null: said when the input is accepted or the command ends well. */
    public synchronized String takeNote() {
        String line = heldNote;
        heldNote = null;
        return line;
    }
}
