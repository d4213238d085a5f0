package cimtrain.cli;

import cimtrain.backend.Backends;
import picocli.CommandLine.Option;

/** {@code --backend auto|cpu|cuda}, shared by every command that trains or evaluates networks. */
final class BackendOption {
    @Option(names = "--backend", defaultValue = "auto", paramLabel = "auto|cpu|cuda",
            description = "Where to compute: cpu; cuda (an NVIDIA GPU; exits with status 2 when none is found); auto: "
                    + "the GPU when a driver and a device are found, else the CPU with one line saying why. Default: ${DEFAULT-VALUE}.")
    String backend;

    /** Makes the choice the process-wide selection (an unknown name is one line and exit status 2). */
    void select() {
        Backends.select(backend);
    }
}
