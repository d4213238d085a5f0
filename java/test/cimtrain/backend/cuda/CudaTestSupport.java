package cimtrain.backend.cuda;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * When the CUDA tests run. Without a driver they are skipped, with the reason; but in the test execution
 * that puts the CPU stand-in of the driver on the library path (pom.xml, execution "cuda-standin": system
 * property {@code cimtrain.cuda.standin} names its folder), a CUDA backend that does not start is a
 * failure, so that no CUDA test is ever skipped silently where the stand-in was built.
 */
public final class CudaTestSupport {
    private CudaTestSupport() {
    }

    /** The stand-in's folder in the stand-in execution, else null. */
    public static Path standInFolder() {
        String dir = System.getProperty("cimtrain.cuda.standin");
        return dir == null || dir.isEmpty() ? null : Paths.get(dir);
    }

    /** Skips the calling test without a CUDA device, or fails it where the stand-in should be loaded. */
    public static void assumeCuda() {
        CudaProbe.Result r = CudaProbe.probe();
        Path standIn = standInFolder();
        if (standIn != null && Files.exists(standIn.resolve("libcuda.so.1"))) {
            Assertions.assertTrue(r.available(), () -> "the CPU stand-in of the driver was built in " + standIn
                    + " but the CUDA backend is not available: " + r.reason());
            return;
        }
        Assumptions.assumeTrue(r.available(), () -> "no GPU for the CUDA backend: " + r.reason()
                + (standIn != null ? " (and the stand-in was not built: scripts/cuda-standin.sh needs g++)" : ""));
    }

    /** Skips the calling test unless the device is the CPU stand-in (its own rules are under test). */
    public static void assumeStandIn() {
        assumeCuda();
        Assumptions.assumeTrue(CudaProbe.probe().standIn(), "the CUDA device is a real GPU, not the stand-in");
    }
}
