package cimtrain.backend;

import cimtrain.backend.cpu.CpuBackend;
import cimtrain.backend.cuda.CudaBackend;
import cimtrain.backend.cuda.CudaProbe;
import cimtrain.util.SettingError;

import java.util.List;
import java.util.function.Consumer;

/**
 * Makes the backends a command computes on, from the user's choice (no process-wide state: whoever
 * runs is handed a factory): {@code cpu}; {@code cuda} (a GPU, or the CPU stand-in of the driver when
 * that is what libcuda.so.1 is, or one line and exit status 2); {@code auto} (the GPU when a driver and
 * a device are found and the device is not the stand-in, else the CPU backend exactly as {@code cpu}
 * makes it, with one line to {@code notes} saying why, once per factory).
 */
public final class Backends {
    public static final List<String> CHOICES = List.of("auto", "cpu", "cuda");

    private final String choice;
    private final Consumer<String> notes;
    private boolean fallbackSaid;

    private Backends(String choice, Consumer<String> notes) {
        this.choice = choice;
        this.notes = notes;
    }

    /**
     * A factory for the user's choice; an unknown name, or cuda where no driver and device are found, is a
     * {@link SettingError} of the setting "backend".
     *
     * @param notes receives the line about auto falling back to the CPU (the command line holds it until the
     *              command has accepted its input, so that a user error stays the only line)
     */
    public static Backends choose(String name, Consumer<String> notes) {
        if (!CHOICES.contains(name)) {
            throw SettingError.of("backend", " must be auto, cpu or cuda, got '" + name + "'");
        }
        if (name.equals("cuda")) {
            // fail before the command reads data or makes folders, not when the first network is built
            CudaProbe.Result r = CudaProbe.probe();
            if (!r.available()) {
                throw SettingError.of("backend", " cuda: " + r.reason());
            }
        }
        return new Backends(name, notes);
    }

    /** A factory of CPU backends only (tests and tools that compare against the reference). */
    public static Backends cpu() {
        return new Backends("cpu", line -> {
        });
    }

    /** The choice as the user gave it: auto, cpu or cuda. */
    public String choice() {
        return choice;
    }

    /** A backend for training with {@code threads} CPU workers (used by the CPU backend only). */
    public synchronized Backend create(int threads) {
        switch (choice) {
            case "cpu":
                return cpu(threads);
            case "cuda":
                return CudaBackend.open();
            default:
                CudaProbe.Result r = CudaProbe.probe();
                if (r.available() && !r.standIn()) {
                    return CudaBackend.open();
                }
                if (!fallbackSaid) {
                    fallbackSaid = true;
                    notes.accept("cimtrain: backend auto: using the CPU (" + (r.available()
                            ? "the CUDA driver found is cimtrain's CPU stand-in, which only --backend cuda uses"
                            : r.reason()) + ")");
                }
                return cpu(threads);
        }
    }

    private static Backend cpu(int threads) {
        return new CpuBackend(threads, CpuBackend.DEFAULT_REPLICAS);
    }

    /** For {@code cimtrain info}: the GPU, or why there is none. */
    public static List<String> describeGpu() {
        CudaProbe.Result r = CudaProbe.probe();
        if (!r.available()) {
            if (r.deviceName() != null) {
                return List.of("cuda: " + r.deviceName() + ", driver " + r.driverApi() + ": not usable: " + r.reason());
            }
            return List.of("cuda: not available (" + r.reason() + ")");
        }
        if (r.standIn()) {
            return List.of("cuda: no GPU in use: the CUDA driver found (libcuda.so.1) is the cimtrain CPU stand-in, "
                    + "which runs the CUDA kernels on the CPU for testing; --backend auto never chooses it, "
                    + "--backend cuda does");
        }
        try (CudaBackend be = CudaBackend.open()) {
            return be.describe();
        } catch (RuntimeException e) {
            return List.of("cuda: " + r.deviceName() + " found, but the backend did not start: " + e.getMessage());
        }
    }
}
