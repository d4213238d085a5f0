package cimtrain.tile;

import cimtrain.backend.CrossbarParams;
import cimtrain.backend.Tensor;
import cimtrain.backend.cpu.CpuBackend;
import cimtrain.hardware.Hardware;
import cimtrain.hardware.HardwareSpec;
import cimtrain.nn.Parameter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The crossbar's converters and noise against their configured values. */
class CrossbarTest {
    private static final CpuBackend BE = new CpuBackend(1, 1);

    @AfterAll
    static void close() {
        BE.close();
    }

    private static Tensor up(float... a) {
        Tensor t = BE.allocate(a.length);
        BE.upload(a, t, a.length);
        return t;
    }

    private static float[] down(Tensor t, int n) {
        float[] a = new float[n];
        BE.download(t, a, n);
        return a;
    }

    @Test
    void adcRoundsToItsLevelsAndClipsAtFullScale() {
        // 3-bit ADC with a 1 uA step: codes 0..7; tile scale 1 maps currents straight to the output
        CrossbarParams clip = new CrossbarParams(64, 64, 0, false, 3, 1.0, 0, true, 0, 1.0, false);
        int out = 5;
        float[] g = {2.4f, 2.6f, 6.9f, 9f, 0.2f};
        Tensor y = BE.allocate(out);
        Tensor tileScale = up(new float[]{1f});
        BE.crossbarForward(clip, up(g), up(new float[out]), tileScale, out, 1, up(1f), 1, y, 1, 1, 0, 0);
        assertArrayEquals(new float[]{2, 3, 7, 7, 0}, down(y, out));
        CrossbarParams noClip = new CrossbarParams(64, 64, 0, false, 3, 1.0, 0, false, 0, 1.0, false);
        BE.crossbarForward(noClip, up(g), up(new float[out]), tileScale, out, 1, up(1f), 1, y, 1, 1, 0, 0);
        assertArrayEquals(new float[]{2, 3, 7, 9, 0}, down(y, out));
        assertEquals(7.0, clip.adcFullScaleUa(), 1e-12);
    }

    @Test
    void dacQuantisesInputsToItsCodes() {
        // exact ADC, one device of 1 uS: the output is the DAC's reconstruction of the input
        for (boolean serial : new boolean[]{false, true}) {
            CrossbarParams p = new CrossbarParams(64, 64, 2, serial, 0, 1.0, 0, false, 0, 1.0, false);
            int n = 4;
            Tensor y = BE.allocate(n);
            // row 0 holds the inputs, row 1 (on a device of 0 uS) sets each vector's full scale to 0.9
            BE.crossbarForward(p, up(1f, 0f), up(0f, 0f), up(1f), 1, 2,
                    up(0.1f, 0.2f, 0.55f, 0.9f, 0.9f, 0.9f, 0.9f, 0.9f), n, y, 1, 1, 0, 0);
            // 2 bits over [0, 0.9]: codes round(x / 0.9 * 3) = 0, 1, 2, 3 -> 0, 0.3, 0.6, 0.9
            float[] got = down(y, n);
            assertArrayEquals(new float[]{0f, 0.3f, 0.6f, 0.9f}, got, 1e-6f, "bit-serial " + serial);
        }
    }

    @Test
    void readNoiseAndAdcNoiseHaveTheirConfiguredSpread() {
        int k = 16, n = 40_000;
        float readSigmaUs = 0.5f, adcNoiseLsb = 2f, lsb = 0.25f;
        CrossbarParams p = new CrossbarParams(64, 64, 0, false, 0, lsb, adcNoiseLsb, false, readSigmaUs, 1.0, false);
        float[] ones = new float[k * n];
        java.util.Arrays.fill(ones, 1f);
        float[] g = new float[k];
        java.util.Arrays.fill(g, 3f);
        Tensor y = BE.allocate(n);
        // adcBits 0 means exact conversion, so only the noise sigma applies: per column
        // sqrt(readSigma^2 * k + (noise * lsb)^2), and y = I+ - I- has two independent columns
        BE.crossbarForward(p, up(g), up(g), up(1f), 1, k, up(ones), n, y, 7, 3, 0, 0);
        float[] v = down(y, n);
        double mean = 0, var = 0;
        for (float f : v) {
            mean += f;
        }
        mean /= n;
        for (float f : v) {
            var += (f - mean) * (f - mean);
        }
        double sigma = Math.sqrt(var / (n - 1));
        double want = Math.sqrt(2 * (readSigmaUs * readSigmaUs * k + Math.pow(adcNoiseLsb * lsb, 2)));
        assertEquals(want, sigma, 0.05 * want, "measured sigma");
        assertEquals(0, mean, 5 * want / Math.sqrt(n));
    }

    @Test
    void noisyReadsAreTheSameOnAnyThreadCount() {
        HardwareSpec hw = Hardware.load("paper-table1");
        int out = 12, k = 300, n = 2000;
        float[] x = new float[k * n];
        cimtrain.rng.Philox.fillUniform(4, 4, x, 0, 0, x.length, -0.2f, 1f);
        float[][] results = new float[2][];
        for (int threads = 1; threads <= 2; threads++) {
            try (CpuBackend be = new CpuBackend(threads, 1)) {
                CrossbarLayer xb = new CrossbarLayer(be, hw, out, k, 3, 50);
                float[] w = new float[out * k];
                cimtrain.rng.Philox.fillUniform(4, 5, w, 0, 0, w.length, -0.1f, 0.1f);
                xb.programAll(w);
                Tensor xt = be.allocate(x.length), y = be.allocate((long) out * n);
                be.upload(x, xt, x.length);
                xb.forward(xt, n, y, 0, 0);
                results[threads - 1] = new float[out * n];
                be.download(y, results[threads - 1], out * n);
            }
        }
        assertArrayEquals(results[0], results[1]);
    }

    private static HardwareSpec chipWith(double programmingError, int trials, double threshold) {
        return chipWith(programmingError, trials, threshold, false);
    }

    private static HardwareSpec chipWith(double programmingError, int trials, double threshold, boolean clipTarget) {
        HardwareSpec base = Hardware.load("paper-table1");
        HardwareSpec.DeviceSpec d = base.device();
        return new HardwareSpec("test", "", "", base.tile(), base.mapping(),
                new HardwareSpec.DeviceSpec(0, d.gMinUs(), d.gMaxUs(), 0, programmingError, 0, 0), base.dac(), base.adc(),
                base.readVoltage(), base.scale(), new HardwareSpec.WriteSpec(threshold, trials, clipTarget));
    }

    @Test
    void programmingErrorHasItsConfiguredSpread() {
        HardwareSpec hw = chipWith(0.3, 1, 1);
        int size = 20_000;
        CrossbarLayer xb = new CrossbarLayer(BE, hw, 1, size, 5, 100);
        float[] w = new float[size];
        java.util.Arrays.fill(w, 0.5f);
        xb.programAll(w);
        double spacing = hw.device().levelSpacingUs();
        double mean = 0, var = 0;
        for (int i = 0; i < size; i++) {
            mean += xb.conductancePos(i) - target(hw, xb, i, 0.5);
        }
        mean /= size;
        for (int i = 0; i < size; i++) {
            double e = xb.conductancePos(i) - target(hw, xb, i, 0.5) - mean;
            var += e * e;
        }
        double sigma = Math.sqrt(var / (size - 1));
        assertEquals(0.3 * spacing, sigma, 0.05 * 0.3 * spacing);
        assertEquals(0, mean, 5 * 0.3 * spacing / Math.sqrt(size));
    }

    @Test
    void writeAndVerifyRetriesShrinkTheError() {
        HardwareSpec one = chipWith(1.0, 1, 1), five = chipWith(1.0, 5, 1);
        assertTrue(spread(five) < 0.8 * spread(one), "five trials " + spread(five) + " vs one " + spread(one));
    }

    private static double spread(HardwareSpec hw) {
        int size = 5_000;
        CrossbarLayer xb = new CrossbarLayer(BE, hw, 1, size, 5, 200);
        float[] w = new float[size];
        java.util.Arrays.fill(w, 0.3f);
        xb.programAll(w);
        double var = 0;
        for (int i = 0; i < size; i++) {
            double e = xb.conductancePos(i) - target(hw, xb, i, 0.3);
            var += e * e;
        }
        return Math.sqrt(var / size);
    }

    /** The conductance a weight's G+ device is programmed towards (each tile has its own scale). */
    private static double target(HardwareSpec hw, CrossbarLayer xb, int i, double weight) {
        return hw.device().gMinUs() + weight / xb.scaleOf(i);
    }

    @Test
    void aWeightWhoseAccumulatedUpdateStaysBelowTheThresholdIsNeverWritten() {
        HardwareSpec hw = chipWith(0, 1, 1);
        CrossbarLayer xb = new CrossbarLayer(BE, hw, 1, 2, 5, 300);
        float[] w = {1f, -1f};
        xb.programAll(w);
        Parameter p = new Parameter(BE, "w", Parameter.Kind.MATRIX, 1, 2);
        p.write(w);
        ThresholdWriteRule rule = new ThresholdWriteRule(xb, p, false);
        p.setRule(rule);
        float thr = xb.threshold(0);
        float small = 0.3f * thr;
        Tensor delta = up(small, 0.45f * thr);
        for (int step = 0; step < 2; step++) {
            p.applyUpdate(delta);
        }
        // weight 0 accumulated 0.6 thr, weight 1 0.9 thr: neither written, W_FP unchanged
        assertArrayEquals(new int[]{0, 0}, rule.writes());
        assertArrayEquals(w, p.read());
        p.applyUpdate(delta);
        // now weight 1 reached 1.35 thr: written once, buffer reset, W_FP took the target
        assertArrayEquals(new int[]{0, 1}, rule.writes());
        assertEquals(0f, rule.accumulated()[1]);
        assertEquals(-1f + 1.35f * thr, p.read()[1], 1e-6);
        assertEquals(0.9f * thr, rule.accumulated()[0], 1e-6);
        assertEquals(6, rule.updates());
    }

    @Test
    void aTargetBeyondTheRangeSaturatesTheDevicesAndWithClipTargetAlsoWfp() {
        for (boolean clip : new boolean[]{false, true}) {
            HardwareSpec hw = chipWith(0, 1, 1, clip);
            CrossbarLayer xb = new CrossbarLayer(BE, hw, 1, 2, 5, 300);
            float[] w = {1f, -0.5f};
            xb.programAll(w);
            float bound = xb.holdable(0);
            // the largest initial weight sits at 1/headroom of the range
            assertEquals(hw.scale().headroom(), bound, 1e-5);
            Parameter p = new Parameter(BE, "w", Parameter.Kind.MATRIX, 1, 2);
            p.write(w);
            ThresholdWriteRule rule = new ThresholdWriteRule(xb, p, false);
            p.setRule(rule);
            float thr = xb.threshold(0);
            p.applyUpdate(up(2f, -1.2f * thr)); // weight 0 to 3 (beyond 1.5); weight 1 within range
            assertArrayEquals(new int[]{1, 1}, rule.writes());
            assertEquals(hw.device().gMaxUs(), xb.conductancePos(0), 1e-4);
            assertEquals(clip ? bound : 3f, p.read()[0], 1e-6);
            assertEquals(-0.5f - 1.2f * thr, p.read()[1], 1e-6);
            assertEquals(0f, rule.accumulated()[0]);
        }
    }
}
