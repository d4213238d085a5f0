package cimtrain.backend.cuda;

import cimtrain.backend.Tensor;
import cimtrain.backend.cpu.CpuBackend;
import cimtrain.rng.Philox;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The register-tiled GEMM kernel (gemm_f32_tiled, 128 x 128 tiles, 8-deep slices) at sizes that are not
 * multiples of its tiles, in all four transpose forms, with and without beta: the same bits as the
 * simple kernel gemm_f32 (both sum each output's products in order with fmaf), and within summation-order
 * tolerance of the CPU's BLAS.
 */
@Tag("cuda")
class GemmKernelsTest {
    private static final int[][] SHAPES = {{1, 1, 1}, {7, 5, 3}, {129, 130, 9}, {200, 33, 257}, {6, 300, 25},
            {300, 129, 128}, {128, 128, 8}};

    @Test
    void tiledKernelEqualsSimpleKernelBitForBitAndCpuWithinRounding() {
        CudaTestSupport.assumeCuda();
        CpuBackend cpu = new CpuBackend(1, 1);
        long seed = System.nanoTime();
        try (CudaBackend tiled = CudaBackend.open(CudaBackend.Gemm.TILED);
             CudaBackend simple = CudaBackend.open(CudaBackend.Gemm.SIMPLE)) {
            int cases = 0;
            for (int[] s : SHAPES) {
                int m = s[0], n = s[1], k = s[2];
                for (int form = 0; form < 8; form++) {
                    boolean ta = (form & 1) != 0, tb = (form & 2) != 0, withBeta = (form & 4) != 0;
                    float[] a = random(seed, 3L * form, m * k), b = random(seed, 3L * form + 1, k * n);
                    float[] c = random(seed, 3L * form + 2, m * n);
                    float alpha = 1.25f, beta = withBeta ? -0.5f : 0f;
                    float[] t = run(tiled, ta, tb, m, n, k, alpha, a, b, beta, c);
                    float[] p = run(simple, ta, tb, m, n, k, alpha, a, b, beta, c);
                    float[] r = run(cpu, ta, tb, m, n, k, alpha, a, b, beta, c);
                    String what = String.format("m=%d n=%d k=%d ta=%b tb=%b beta=%s (seed %d)", m, n, k, ta, tb, beta, seed);
                    for (int i = 0; i < m * n; i++) {
                        assertEquals(Float.floatToRawIntBits(p[i]), Float.floatToRawIntBits(t[i]),
                                what + ": tiled vs simple kernel at " + i);
                        assertEquals(r[i], t[i], 1e-5 + 1e-5 * k, what + ": tiled kernel vs CPU at " + i);
                    }
                    cases++;
                }
            }
            assertTrue(cases == SHAPES.length * 8);
        } finally {
            cpu.close();
        }
    }

    /** The device check's GEMM benchmark runs (its speeds mean something only on a GPU). */
    @Test
    void gemmBenchmarkMeasuresEveryKernel() {
        CudaTestSupport.assumeCuda();
        assertTrue(Double.parseDouble(GemmBenchmark.measure(CudaBackend.Gemm.TILED, 130, 70, 40, 1)) > 0);
        assertTrue(Double.parseDouble(GemmBenchmark.measure(CudaBackend.Gemm.SIMPLE, 130, 70, 40, 1)) > 0);
    }

    private static float[] random(long seed, long stream, int n) {
        float[] x = new float[n];
        Philox.fillUniform(seed, stream, x, 0, 0, n, -1f, 1f);
        return x;
    }

    private static float[] run(cimtrain.backend.Backend be, boolean ta, boolean tb, int m, int n, int k, float alpha,
                               float[] a, float[] b, float beta, float[] c) {
        Tensor ta_ = be.allocate(a.length), tb_ = be.allocate(b.length), tc = be.allocate(c.length);
        be.upload(a, 0, ta_, a.length);
        be.upload(b, 0, tb_, b.length);
        be.upload(c, 0, tc, c.length);
        be.gemm(ta, tb, m, n, k, alpha, ta_, tb_, beta, tc);
        float[] out = new float[c.length];
        be.download(tc, out, c.length);
        return out;
    }
}
