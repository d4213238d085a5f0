package cimtrain.nn;

import cimtrain.backend.cpu.CpuBackend;
import cimtrain.model.Models;
import cimtrain.optim.AdamW;
import cimtrain.rng.Philox;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetworkTest {
    private static final CpuBackend BE = new CpuBackend(2);

    @AfterAll
    static void close() {
        BE.close();
    }

    private static float[] images(int n, int size, long stream) {
        float[] x = new float[n * size];
        Philox.fillUniform(8, stream, x, 0, 0, x.length, 0f, 1f);
        return x;
    }

    @Test
    void tinyNetworkOverfitsASmallBatch() {
        Network net = new Network("tiny", BE, () -> new Sequential(List.of(new Conv2d(4, 3, 1, 1, true),
                new BatchNorm2d(1e-5f, 0.1f), new ReLU(), new Pool2d(Pool2d.Type.MAX, 2, 2), new Flatten(),
                new Linear(5, true))), new Shape(1, 6, 6), 16, 3);
        float[] x = images(16, 36, 1);
        int[] y = new int[16];
        for (int i = 0; i < 16; i++) {
            y[i] = i % 5;
        }
        net.setInput(x, 16);
        AdamW opt = new AdamW(BE, 0.9f, 0.999f, 1e-8f, 0f);
        double first = net.forwardBackward(y, 16, null);
        double loss = first;
        for (int step = 0; step < 300; step++) {
            loss = net.forwardBackward(y, 16, null);
            opt.step(net.parameters(), 0.01f);
        }
        int[] pred = new int[16];
        net.forwardBackward(y, 16, pred);
        assertTrue(loss < 0.05 * first, "loss went from " + first + " to " + loss);
        assertArrayEquals(y, pred, "every training sample classified correctly");
    }

    /**
     * Recalibrated on one batch, the running statistics are that batch's: evaluation then normalises as a
     * training pass over the same batch does (up to the unbiased variance the running one keeps). Stale
     * statistics are wholly replaced, two copies of the batch give the same average, and putting saved
     * statistics back restores the evaluation exactly.
     */
    @Test
    void batchNormRecalibrationMeasuresTheGivenBatches() {
        Network net = new Network("tiny", BE, () -> new Sequential(List.of(new Conv2d(4, 3, 1, 1, true),
                new BatchNorm2d(1e-5f, 0.1f), new ReLU(), new Flatten(), new Linear(5, true))), new Shape(1, 6, 6), 16, 3);
        assertTrue(net.hasBatchNorm());
        float[] x = images(16, 36, 4);
        for (int i = 0; i < x.length; i++) {
            x[i] = 3f * x[i] + 2f; // far from the running statistics a fresh layer starts with (mean 0, variance 1)
        }
        net.setInput(x, 16);
        float[] training = net.logits(16, true);
        float[][] fresh = net.batchNormStats();
        float[] stale = net.logits(16, false);
        net.recalibrateBatchNorm(1, k -> {
            net.setInput(x, 16);
            return 16;
        });
        float[][] once = net.batchNormStats();
        float[] recalibrated = net.logits(16, false);
        double worstStale = 0, worst = 0;
        for (int i = 0; i < training.length; i++) {
            worstStale = Math.max(worstStale, Math.abs(stale[i] - training[i]));
            worst = Math.max(worst, Math.abs(recalibrated[i] - training[i]));
        }
        assertTrue(worstStale > 0.1, "stale statistics normalise differently: " + worstStale);
        assertTrue(worst < 2e-2 * worstStale, "recalibrated: " + worst + " against " + worstStale);
        net.recalibrateBatchNorm(2, k -> {
            net.setInput(x, 16);
            return 16;
        });
        float[][] twice = net.batchNormStats();
        for (int j = 0; j < once.length; j++) {
            assertArrayEquals(once[j], twice[j], 1e-5f);
        }
        net.restoreBatchNormStats(fresh);
        net.setInput(x, 16);
        assertArrayEquals(stale, net.logits(16, false));
    }

    /** The whole lenet-paper through the loss, against finite differences on a sample of weights. */
    @Test
    void lenetPaperLossGradientMatchesFiniteDifferences() {
        Network net = new Network("lenet-paper", BE, () -> Models.load("lenet-paper").build(1.0), new Shape(1, 28, 28), 4, 5);
        float[] x = images(4, 784, 2);
        int[] y = {3, 1, 4, 1};
        net.setInput(x, 4);
        net.forwardBackward(y, 4, null);
        for (Parameter p : net.parameters()) {
            float[] g = p.readGrad();
            float[] w = p.read();
            for (int c = 0; c < 6; c++) {
                int i = (int) ((long) c * p.size / 6);
                float keep = w[i];
                float eps = 1e-2f;
                w[i] = keep + eps;
                p.write(w);
                double lp = net.forwardBackward(y, 4, null);
                w[i] = keep - eps;
                p.write(w);
                double lm = net.forwardBackward(y, 4, null);
                w[i] = keep;
                p.write(w);
                GradCheck.compare(p.name + "[" + i + "]", g[i], (lp - lm) / (2 * eps), 2e-2);
            }
        }
    }

    /** Replicas split a batch; the combined gradient must equal the single-pass one up to rounding. */
    @Test
    void replicatedNetworkTrainsLikeTheSingleOne() {
        assertEquals(2, new Network("l", BE, () -> Models.load("lenet-paper").build(1.0), new Shape(1, 28, 28), 8, 0)
                .replicaCount());
        float[] x = images(7, 784, 4);
        int[] y = {0, 1, 2, 3, 4, 5, 6};
        float[][] grads = new float[2][];
        for (int variant = 0; variant < 2; variant++) {
            CpuBackend be = variant == 0 ? BE : new CpuBackend(2, 1);
            Network net = new Network("l", be, () -> Models.load("lenet-paper").build(1.0), new Shape(1, 28, 28), 8, 0);
            assertEquals(variant == 0 ? 2 : 1, net.replicaCount());
            net.setInput(x, 7);
            net.forwardBackward(y, 7, null);
            grads[variant] = net.parameters().get(0).readGrad();
        }
        for (int i = 0; i < grads[0].length; i++) {
            assertEquals(grads[1][i], grads[0][i], 1e-6 + 1e-4 * Math.abs(grads[1][i]));
        }
    }

    @Test
    void sameSeedSameWeightsAndOutputs() {
        float[] a = logits(7), b = logits(7), c = logits(8);
        assertArrayEquals(a, b);
        assertTrue(a[0] != c[0]);
    }

    private float[] logits(long seed) {
        Network net = new Network("resnet20", BE, () -> Models.load("resnet20").build(0.25), new Shape(3, 32, 32), 2, seed);
        net.setInput(images(2, 3 * 32 * 32, 3), 2);
        return net.logits(2, false);
    }

    @Test
    void shippedModelsBuildWithTheExpectedSizes() {
        // parameter counts of the reference architectures (conv/linear weights + biases + BN affine)
        assertEquals(3_246, count("lenet-paper"));
        assertEquals(61_706, count("lenet5"));
        assertEquals(11_173_962, count("resnet18"));
        assertEquals(136_320, new Network("l", BE, () -> Models.load("lenet-paper").build(1.0), new Shape(1, 28, 28), 1, 0)
                .macsPerSample());
    }

    private long count(String model) {
        var spec = Models.load(model);
        return new Network(model, BE, () -> spec.build(1.0), spec.input, 1, 0).parameterCount();
    }
}
