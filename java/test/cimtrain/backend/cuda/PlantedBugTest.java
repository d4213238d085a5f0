package cimtrain.backend.cuda;

import cimtrain.backend.Tensor;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the stand-in is for, shown: bugs planted on purpose are caught. Launch bugs of the Java side (a
 * wrong argument order, a wrong argument type, a reduction launched with a block size it does not
 * support) run in this JVM against the stand-in; kernel bugs (an off-by-one loop bound, a missing
 * __syncthreads) are planted in a copy of kernels/, built into a second stand-in, and probed in a child
 * JVM ({@link PlantedBugProbe}), beside a control run on the stand-in built from the real sources.
 */
@Tag("cuda")
class PlantedBugTest {
    private static final Path ROOT = Paths.get("").toAbsolutePath();

    // ---- launch bugs, in this JVM; each on a backend of its own, since a kernel's fault is sticky ----

    @Test
    void swappedArgumentsGiveWrongResults() {
        CudaTestSupport.assumeStandIn();
        try (CudaBackend be = CudaBackend.open(CudaBackend.Gemm.TILED)) {
            int n = 300;
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = i % 2 == 0 ? -1f - i : 1f + i;
            }
            Tensor in = be.allocate(n), out = be.allocate(n);
            be.upload(x, in, n);
            float[] want = new float[n], got = new float[n];
            be.reluForward(in, out, n);
            be.download(out, want, n);
            be.fill(out, n, 0f);
            be.launchKernel("relu_forward", 2, 1, 256, 1, out, in, (long) n);  // planted: (y, x) for (x, y)
            be.download(out, got, n);
            assertEquals(2f, want[1], "the real launch computes relu(x)");
            assertFalse(Arrays.equals(want, got), "relu with swapped pointers computed relu(x)");
        }
    }

    @Test
    void aWrongArgumentTypeFaults() {
        CudaTestSupport.assumeStandIn();
        CudaBackend be = CudaBackend.open(CudaBackend.Gemm.TILED);
        int n = 1024;
        Tensor in = be.allocate(n), out = be.allocate(n);
        // planted: the count as a float where the kernel takes a long long: read as about 1.1e9 elements
        RuntimeException e = assertThrows(RuntimeException.class, () -> {
            be.launchKernel("relu_forward", 4, 1, 256, 1, in, out, (float) n);
            be.download(out, new float[n], n);  // the fault surfaces here, or at the launch with CIMTRAIN_CUDA_SYNC=1
        });
        assertTrue(e.getMessage().contains("CUDA_ERROR_ILLEGAL_ADDRESS"), e.getMessage());
        closeFaulted(be);
    }

    @Test
    void aNumberWhereAPointerBelongsFaults() {
        CudaTestSupport.assumeStandIn();
        CudaBackend be = CudaBackend.open(CudaBackend.Gemm.TILED);
        int n = 64;
        Tensor out = be.allocate(n);
        RuntimeException e = assertThrows(RuntimeException.class, () -> {
            be.launchKernel("relu_forward", 1, 1, 256, 1, 4096L, out, (long) n);  // planted: a number for x
            be.download(out, new float[n], n);
        });
        assertTrue(e.getMessage().contains("CUDA_ERROR_ILLEGAL_ADDRESS"), e.getMessage());
        closeFaulted(be);
    }

    @Test
    void aReductionWithAnUnsupportedBlockSizeFails() {
        CudaTestSupport.assumeStandIn();
        for (int threads : new int[]{512, 128}) {
            CudaBackend be = CudaBackend.open(CudaBackend.Gemm.TILED);
            int rows = 3, cols = 1000;
            Tensor m = be.allocate((long) rows * cols), out = be.allocate(rows);
            RuntimeException e = assertThrows(RuntimeException.class, () -> {
                be.launchKernel("sum_columns", rows, 1, threads, 1, m, rows, cols, out);  // planted: not REDUCE_THREADS
                be.download(out, new float[rows], rows);
            });
            assertTrue(e.getMessage().contains("CUDA_ERROR_LAUNCH_FAILED"), threads + " threads: " + e.getMessage());
            closeFaulted(be);
        }
    }

    /** A backend whose context faulted: close releases everything and reports the fault. */
    private static void closeFaulted(CudaBackend be) {
        IllegalStateException e = assertThrows(IllegalStateException.class, be::close);
        assertTrue(e.getMessage().contains("CIMTRAIN_CUDA_SYNC"), e.getMessage());
    }

    // ---- kernel bugs, in a stand-in built from planted sources ----

    @Test
    void anOffByOneLoopBoundFaults(@TempDir Path tmp) throws Exception {
        Outcome planted = plantAndProbe(tmp, "ops.cu", "GRID_LOOP(i, n) y[i] = jmax(x[i], 0.0f);",
                "GRID_LOOP(i, n + 1) y[i] = jmax(x[i], 0.0f);", "relu");
        assertEquals(4, planted.status, "the planted off-by-one must fault: " + planted.output);
        assertTrue(planted.output.contains("relu_forward") && planted.output.contains("CUDA_ERROR_ILLEGAL_ADDRESS"),
                planted.output);
    }

    @Test
    void aMissingSyncthreadsGivesWrongSums(@TempDir Path tmp) throws Exception {
        Outcome planted = plantAndProbe(tmp, "ops.cu", "    part[threadIdx.x] = v;\n    __syncthreads();",
                "    part[threadIdx.x] = v;", "batchnorm");
        assertEquals(3, planted.status, "the block sum without its first barrier must give other numbers: "
                + planted.output);
    }

    /** The probe on the stand-in of the real sources (which must pass), then on one with the bug planted. */
    private static Outcome plantAndProbe(Path tmp, String file, String from, String to, String probe) throws Exception {
        CudaTestSupport.assumeStandIn();
        Path lib = plant(tmp, file, from, to);
        Outcome control = probe(CudaTestSupport.standInFolder(), probe);
        assertEquals(0, control.status, "the real kernel agrees with the CPU: " + control.output);
        return probe(lib, probe);
    }

    /** A stand-in built from a copy of kernels/ with one text replaced (which must be there, once). */
    private static Path plant(Path tmp, String file, String from, String to) throws IOException, InterruptedException {
        Path kernels = tmp.resolve("kernels");
        Files.createDirectories(kernels);
        try (Stream<Path> s = Files.list(ROOT.resolve("kernels"))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p)) {
                    Files.copy(p, kernels.resolve(p.getFileName()));
                }
            }
        }
        String text = Files.readString(kernels.resolve(file));
        int at = text.indexOf(from);
        assertTrue(at >= 0 && text.indexOf(from, at + 1) < 0, "the planted text is in " + file + " exactly once: " + from);
        Files.writeString(kernels.resolve(file), text.replace(from, to));
        ProcessBuilder pb = new ProcessBuilder("bash", ROOT.resolve("scripts/cuda-standin.sh").toString(),
                tmp.resolve("lib").toString()).redirectErrorStream(true);
        pb.environment().put("KERNELS", kernels.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "building the planted stand-in timed out");
        assertEquals(0, p.exitValue(), "building the planted stand-in:\n" + out);
        return tmp.resolve("lib");
    }

    record Outcome(int status, String output) {
    }

    private static Outcome probe(Path lib, String what) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--add-modules=jdk.incubator.vector");
        cmd.add("-cp");
        cmd.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        cmd.add(PlantedBugProbe.class.getName());
        cmd.add(what);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("LD_LIBRARY_PATH", lib.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the probe timed out");
        return new Outcome(p.exitValue(), out);
    }
}
