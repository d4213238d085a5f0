package cimtrain.nn;

import cimtrain.backend.cpu.CpuBackend;
import cimtrain.rng.Philox;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.List;

/** Every layer type against finite differences (see {@link GradCheck}). */
class LayerGradientTest {
    private static final CpuBackend BE = new CpuBackend(2);

    @AfterAll
    static void close() {
        BE.close();
    }

    private static float[] uniform(int n, long stream) {
        float[] a = new float[n];
        Philox.fillUniform(3, stream, a, 0, 0, n, -1f, 1f);
        return a;
    }

    /** Distinct values at least 0.01 apart in random order: no ties for max, no values near 0. */
    private static float[] separated(int n, long stream) {
        float[] key = uniform(n, stream);
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        java.util.Arrays.sort(idx, (a, b) -> Float.compare(key[a], key[b]));
        float[] out = new float[n];
        for (int rank = 0; rank < n; rank++) {
            out[idx[rank]] = (rank - n / 2 + 0.5f) * 0.01f;
        }
        return out;
    }

    @Test
    void conv() {
        Shape in = new Shape(2, 6, 5);
        GradCheck.check(BE, new Conv2d(3, 3, 1, 0, true), in, 2, uniform(2 * in.size(), 1), 1e-2f, 2e-3);
    }

    @Test
    void convStridedPaddedNoBias() {
        Shape in = new Shape(3, 7, 7);
        GradCheck.check(BE, new Conv2d(4, 3, 2, 1, false), in, 2, uniform(2 * in.size(), 2), 1e-2f, 2e-3);
    }

    @Test
    void linear() {
        Shape in = new Shape(3, 2, 2);
        GradCheck.check(BE, new Linear(5, true), in, 3, uniform(3 * in.size(), 3), 1e-2f, 2e-3);
    }

    @Test
    void relu() {
        Shape in = new Shape(2, 3, 3);
        GradCheck.check(BE, new ReLU(), in, 2, separated(2 * in.size(), 4), 2e-3f, 2e-3);
    }

    @Test
    void maxPool() {
        Shape in = new Shape(2, 4, 6);
        GradCheck.check(BE, new Pool2d(Pool2d.Type.MAX, 2, 2), in, 2, separated(2 * in.size(), 5), 2e-3f, 2e-3);
    }

    @Test
    void overlappingMaxPool() {
        Shape in = new Shape(1, 5, 5);
        GradCheck.check(BE, new Pool2d(Pool2d.Type.MAX, 3, 2), in, 2, separated(2 * in.size(), 6), 2e-3f, 2e-3);
    }

    @Test
    void avgPool() {
        Shape in = new Shape(2, 4, 4);
        GradCheck.check(BE, new Pool2d(Pool2d.Type.AVG, 2, 2), in, 2, uniform(2 * in.size(), 7), 1e-2f, 2e-3);
    }

    @Test
    void globalAvgPool() {
        Shape in = new Shape(3, 4, 4);
        GradCheck.check(BE, Pool2d.global(), in, 2, uniform(2 * in.size(), 8), 1e-2f, 2e-3);
    }

    @Test
    void batchNormTraining() {
        Shape in = new Shape(3, 3, 3);
        GradCheck.check(BE, new BatchNorm2d(1e-5f, 0.1f), in, 4, uniform(4 * in.size(), 9), 1e-2f, 5e-3);
    }

    @Test
    void flatten() {
        Shape in = new Shape(2, 2, 3);
        GradCheck.check(BE, new Flatten(), in, 2, uniform(2 * in.size(), 10), 1e-2f, 2e-3);
    }

    @Test
    void residualWithProjection() {
        Sequential body = new Sequential(List.of(new Conv2d(4, 3, 2, 1, false), new BatchNorm2d(1e-5f, 0.1f)));
        Sequential shortcut = new Sequential(List.of(new Conv2d(4, 1, 2, 0, false)));
        Shape in = new Shape(2, 6, 6);
        GradCheck.check(BE, new Residual(body, shortcut), in, 3, uniform(3 * in.size(), 11), 1e-2f, 5e-3);
    }

    @Test
    void residualIdentity() {
        Sequential body = new Sequential(List.of(new Conv2d(2, 3, 1, 1, true)));
        Shape in = new Shape(2, 5, 5);
        GradCheck.check(BE, new Residual(body, new Sequential(List.of())), in, 2, uniform(2 * in.size(), 12),
                1e-2f, 2e-3);
    }
}
