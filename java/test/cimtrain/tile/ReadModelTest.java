package cimtrain.tile;

import cimtrain.backend.Backend;
import cimtrain.backend.CrossbarParams;
import cimtrain.backend.Tensor;
import cimtrain.backend.cpu.CpuBackend;
import cimtrain.hardware.Hardware;
import cimtrain.hardware.HardwareSpec;
import cimtrain.rng.Philox;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The aggregate read model against the exact one, and the noise's independence of how a batch is cut. */
class ReadModelTest {
    private static final CpuBackend BE = new CpuBackend(2, 1);

    @AfterAll
    static void close() {
        BE.close();
    }

    /** A layer of out x k weights programmed on the hardware, reading n copies of one input vector. */
    private static float[] readCopies(HardwareSpec hw, boolean aggregate, int out, int k, float[] vector, int n) {
        CrossbarLayer xb = new CrossbarLayer(BE, hw, out, k, 11, 40, aggregate);
        float[] w = new float[out * k];
        Philox.fillUniform(2, 2, w, 0, 0, w.length, -0.1f, 0.1f);
        xb.programAll(w);
        float[] x = new float[k * n];
        for (int i = 0; i < k; i++) {
            java.util.Arrays.fill(x, i * n, (i + 1) * n, vector[i]);
        }
        Tensor xt = BE.allocate(x.length), y = BE.allocate((long) out * n);
        BE.upload(x, xt, x.length);
        xb.forward(xt, n, y, 0, 0);
        float[] ys = new float[out * n];
        BE.download(y, ys, ys.length);
        return ys;
    }

    @Test
    void aggregateReadsHaveTheMeanAndSpreadOfExactOnes() {
        HardwareSpec hw = Hardware.load("paper-chip");
        // two row tiles; inputs like ReLU outputs (half zero): no column current reaches the ADC's
        // full scale, where the aggregate model (which does not saturate) would differ
        int out = 6, k = 100, n = 20_000;
        float[] vector = new float[k];
        Philox.fillUniform(3, 3, vector, 0, 0, k, -1f, 1f);
        for (int i = 0; i < k; i++) {
            vector[i] = Math.max(vector[i], 0f);
        }
        float[] exact = readCopies(hw, false, out, k, vector, n);
        float[] aggregate = readCopies(hw, true, out, k, vector, n);
        for (int o = 0; o < out; o++) {
            double[] e = moments(exact, o, n), a = moments(aggregate, o, n);
            double se = Math.sqrt((e[1] * e[1] + a[1] * a[1]) / n);
            assertEquals(e[0], a[0], 4 * se, "mean of output " + o);
            assertEquals(e[1], a[1], 0.05 * e[1], "spread of output " + o);
        }
    }

    private static double[] moments(float[] y, int o, int n) {
        double mean = 0, var = 0;
        for (int j = 0; j < n; j++) {
            mean += y[o * n + j];
        }
        mean /= n;
        for (int j = 0; j < n; j++) {
            double d = y[o * n + j] - mean;
            var += d * d;
        }
        return new double[]{mean, Math.sqrt(var / (n - 1))};
    }

    @Test
    void aggregateReadsWithoutNoiseAreTheProductWithTheQuantisedInputs() {
        // a 2-bit DAC, exact ADC, no noise: y = W x_q, x_q on the grid of each vector's full scale
        CrossbarParams p = new CrossbarParams(64, 64, 2, true, 0, 1.0, 0, false, 0, 0.1, true);
        Tensor y = BE.allocate(2);
        // weights (tile scale 0.5 x (G+ - G-)): w = [1, -2]
        float[] gp = {3f, 0f}, gn = {1f, 4f};
        // vector (0.4, 0.9): full scale 0.9, codes round(0.4 / 0.9 * 3) = 1 and 3 -> 0.3 and 0.9
        // two vectors: the second is the first negated, read in the negative pass
        BE.crossbarForward(p, up(gp), up(gn), up(0.5f), 1, 2, up(0.4f, -0.4f, 0.9f, -0.9f), 2, y, 1, 1, 0, 0);
        float[] got = new float[2];
        BE.download(y, got, 2);
        assertEquals(1 * 0.3 - 2 * 0.9, got[0], 1e-6);
        assertEquals(-(1 * 0.3 - 2 * 0.9), got[1], 1e-6);
    }

    @Test
    void eachVectorDrawsTheSameNoiseHoweverTheBatchIsCut() {
        HardwareSpec hw = Hardware.load("paper-chip");
        int out = 5, k = 70, n = 600, cut = 250;
        for (boolean aggregate : new boolean[]{false, true}) {
            CrossbarLayer xb = new CrossbarLayer(BE, hw, out, k, 9, 60, aggregate);
            float[] w = new float[out * k];
            Philox.fillUniform(5, 5, w, 0, 0, w.length, -0.1f, 0.1f);
            xb.programAll(w);
            float[] x = new float[k * n];
            Philox.fillUniform(6, 6, x, 0, 0, x.length, -0.3f, 1f);
            float[] whole = read(xb, x, k, n, 0, n, 7);
            float[] first = read(xb, x, k, n, 0, cut, 7), second = read(xb, x, k, n, cut, n, 7);
            for (int o = 0; o < out; o++) {
                for (int j = 0; j < n; j++) {
                    float part = j < cut ? first[o * cut + j] : second[o * (n - cut) + j - cut];
                    assertEquals(whole[o * n + j], part, 1e-5f * (1 + Math.abs(part)), "aggregate " + aggregate);
                }
            }
            // another pass draws other noise
            float[] again = read(xb, x, k, n, 0, n, 8);
            assertFalse(java.util.Arrays.equals(whole, again));
        }
    }

    /** Reads vectors [from, to) of x (k x n) as one call, as the replica holding them would. */
    private static float[] read(CrossbarLayer xb, float[] x, int k, int n, int from, int to, long pass) {
        int m = to - from;
        float[] chunk = new float[k * m];
        for (int i = 0; i < k; i++) {
            System.arraycopy(x, i * n + from, chunk, i * m, m);
        }
        Tensor xt = BE.allocate(chunk.length), y = BE.allocate((long) xb.out * m);
        BE.upload(chunk, xt, chunk.length);
        xb.forward(xt, m, y, pass, from);
        float[] ys = new float[xb.out * m];
        BE.download(y, ys, ys.length);
        return ys;
    }

    @Test
    void aggregateIsChosenOnlyWhereFaithful() {
        HardwareSpec chip = Hardware.load("paper-chip");
        assertTrue(Chip.aggregateReads(Chip.AUTO, chip));
        assertFalse(Chip.aggregateReads(Chip.EXACT, chip));
        HardwareSpec quiet = new HardwareSpec("quiet", "", "", chip.tile(), chip.mapping(), chip.device(), chip.dac(),
                new HardwareSpec.AdcSpec(8, 70, 0.2, true), chip.readVoltage(), chip.scale(), chip.write());
        assertFalse(Chip.aggregateReads(Chip.AUTO, quiet));
        assertThrows(cimtrain.util.UserError.class, () -> Chip.aggregateReads(Chip.AGGREGATE, quiet));
        assertEquals(6, Backend.crossbarDrawsPerColumn(
                new CrossbarParams(64, 32, 8, true, 8, 0.27, 2, true, 0.5, 0.1, true), 6, 100));
    }

    private static Tensor up(float... a) {
        Tensor t = BE.allocate(a.length);
        BE.upload(a, t, a.length);
        return t;
    }
}
