package cimtrain.backend;

import cimtrain.backend.cpu.CpuBackend;
import cimtrain.backend.cuda.CudaBackend;
import cimtrain.backend.cuda.CudaProbe;
import cimtrain.util.UserError;

import java.util.List;

/**
 * Makes the backend a command trains on, honouring one process-wide selection ({@code --backend}):
 * {@code cpu}; {@code cuda} (a GPU, or the CPU stand-in of the driver when that is what libcuda.so.1 is,
 * or one line and exit status 2); {@code auto} (the default: the GPU when a driver and a device are found
 * and the device is not the stand-in, else the CPU backend exactly as {@code cpu} makes it, with one
 * line on stderr saying why).
 */
public final class Backends {
    public static final List<String> CHOICES = List.of("auto", "cpu", "cuda");

    private static volatile String selection = "auto";
    private static volatile boolean fallbackSaid;
    /** The backend choice's line, held until the command has accepted its input. */
    private static volatile String pendingNote;

    /**
     * Prints the line about the backend chosen (auto falling back to the CPU), once, on stderr: commands
     * call it when their input is accepted, and the command line after a command ends without error.
     */
    public static synchronized void sayNotes() {
        if (pendingNote != null) {
            System.err.println(pendingNote);
            pendingNote = null;
        }
    }

    /** Forgets an unsaid line (after a user error, which is the only line). */
    public static synchronized void dropNotes() {
        pendingNote = null;
    }

    private Backends() {
    }

    /**
     * Sets the process-wide selection; an unknown name, or cuda where no driver and device are found, is a
     * {@link UserError}.
     */
    public static void select(String name) {
        if (!CHOICES.contains(name)) {
            throw new UserError("--backend must be auto, cpu or cuda, got '" + name + "'");
        }
        if (name.equals("cuda")) {
            // fail before the command reads data or makes folders, not when the first network is built
            CudaProbe.Result r = CudaProbe.probe();
            if (!r.available()) {
                throw new UserError("--backend cuda: " + r.reason());
            }
        }
        selection = name;
    }

    public static String selection() {
        return selection;
    }

    /** A backend for training with {@code threads} CPU workers (used by the CPU backend only). */
    public static Backend create(int threads) {
        switch (selection) {
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
                    // said once the command has accepted its input (sayNotes), so a user error stays one line
                    pendingNote = "cimtrain: backend auto: using the CPU (" + (r.available()
                            ? "the CUDA driver found is cimtrain's CPU stand-in, which only --backend cuda uses"
                            : r.reason()) + ")";
                }
                return cpu(threads);
        }
    }

    private static Backend cpu(int threads) {
        return new CpuBackend(threads, CpuBackend.DEFAULT_REPLICAS);
    }

    /** What does a backend's GEMMs: the BLAS of the CPU backend, cuBLAS or the own kernel on the GPU. */
    public static String gemmName(Backend be) {
        if (be instanceof CpuBackend c) {
            return c.blasName();
        }
        if (be instanceof CudaBackend c) {
            return c.gemmName();
        }
        return be.name();
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
