package cimtrain.backend.cuda;

import cimtrain.backend.Tensor;
import jcuda.driver.JCudaDriver;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The device check's GEMM measurement (scripts/gpu-check.sh): GFLOP/s of cuBLAS (where libcublas.so.12
 * loads), the register-tiled own kernel and the simple own kernel, on square sizes and on the shapes of
 * convolution layers, each timed after a warm-up as the median of a few runs, the device synchronised
 * around each. Speeds are only meaningful on a GPU; on the CPU stand-in this only shows that it runs.
 *
 * <pre>java -cp cimtrain.jar cimtrain.backend.cuda.GemmBenchmark [MxNxK ...] [--reps R]</pre>
 */
public final class GemmBenchmark {
    private GemmBenchmark() {
    }

    /** Square sizes and three convolution GEMMs of VGG-8 and ResNet-18 at batch 256 (out x positions x patch). */
    static final String[] DEFAULT_SIZES = {"1024x1024x1024", "4096x4096x4096", "128x262144x1152", "256x65536x2304",
            "512x16384x4608"};

    public static void main(String[] args) {
        List<int[]> sizes = new ArrayList<>();
        int reps = 5;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--reps")) {
                reps = Integer.parseInt(args[++i]);
            } else {
                sizes.add(parse(args[i]));
            }
        }
        if (sizes.isEmpty()) {
            for (String s : DEFAULT_SIZES) {
                sizes.add(parse(s));
            }
        }
        System.out.println(String.format(Locale.ROOT, "%-18s %12s %12s %12s", "m x n x k", "cuBLAS", "tiled", "simple"));
        for (int[] s : sizes) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-18s", s[0] + "x" + s[1] + "x" + s[2]));
            for (CudaBackend.Gemm g : CudaBackend.Gemm.values()) {
                row.append(String.format(Locale.ROOT, " %12s", measure(g, s[0], s[1], s[2], reps)));
            }
            System.out.println(row + "   GFLOP/s");
        }
    }

    private static int[] parse(String s) {
        String[] p = s.split("x");
        if (p.length != 3) {
            throw new IllegalArgumentException("a size is MxNxK, got " + s);
        }
        return new int[]{Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2])};
    }

    /** Median GFLOP/s of {@code reps} timed GEMMs after one warm-up, or why not. */
    static String measure(CudaBackend.Gemm gemm, int m, int n, int k, int reps) {
        try (CudaBackend be = CudaBackend.open(gemm)) {
            if (gemm == CudaBackend.Gemm.AUTO && !be.usesCublas()) {
                return "unavailable";
            }
            Tensor a = random(be, (long) m * k, 1), b = random(be, (long) k * n, 2), c = be.allocate((long) m * n);
            be.gemm(false, false, m, n, k, 1f, a, b, 0f, c);
            JCudaDriver.cuCtxSynchronize();
            double[] t = new double[reps];
            for (int r = 0; r < reps; r++) {
                long t0 = System.nanoTime();
                be.gemm(false, false, m, n, k, 1f, a, b, 0f, c);
                JCudaDriver.cuCtxSynchronize();
                t[r] = (System.nanoTime() - t0) * 1e-9;
            }
            java.util.Arrays.sort(t);
            return String.format(Locale.ROOT, "%.4g", 2.0 * m * n * k / t[reps / 2] * 1e-9);
        } catch (RuntimeException e) {
            return "failed";
        }
    }

    private static Tensor random(CudaBackend be, long n, long stream) {
        Tensor t = be.allocate(n);
        be.fillUniform(t, n, -1f, 1f, 42, stream);
        return t;
    }
}
