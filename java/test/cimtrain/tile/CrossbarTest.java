package cimtrain.tile;

import cimtrain.backend.CrossbarParams;
import cimtrain.backend.Tensor;
import cimtrain.backend.cpu.CpuBackend;
import cimtrain.hardware.Hardware;
import cimtrain.hardware.HardwareSpec;
import cimtrain.nn.Parameter;
import cimtrain.util.UserError;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The crossbar's converters (sensing modes, offset cancelling, clip counts) and noise against their configured values. */
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
        // adcBits 0 means exact conversion, so only the noise sigma applies: per column
        // sqrt(readSigma^2 * k + (noise * lsb)^2), and y = I+ - I- has two independent columns
        noiseOfAnExactReadOut(false, 0.05, Math.sqrt(2 * (0.25 * 16 + Math.pow(2 * 0.25, 2))));
    }

    @Test
    void differentialNoiseHasBothColumnsReadNoiseAndOneConversionsNoise() {
        // sqrt(2 readSigma^2 k + (noise lsb)^2): the conversion's noise once, not once per column
        noiseOfAnExactReadOut(true, 0.03, Math.sqrt(2 * 0.25 * 16 + Math.pow(2 * 0.25, 2)));
    }

    /** 16 rows of 3 uS pairs at full amplitude, read noise 0.5 uS, ADC noise 2 LSB of 0.25 uA, no rounding. */
    private static void noiseOfAnExactReadOut(boolean differential, double rel, double want) {
        int k = 16, n = 40_000;
        CrossbarParams p = new CrossbarParams(64, 64, 0, false, 0, 0.25, 2, false, 0.5, 1.0, false, differential,
                false, 0);
        float[] ones = new float[k * n];
        java.util.Arrays.fill(ones, 1f);
        float[] g = new float[k];
        java.util.Arrays.fill(g, 3f);
        Tensor y = BE.allocate(n);
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
        assertEquals(want, sigma, rel * want, "measured sigma");
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
        float thr = rule.threshold(0);
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
            float thr = rule.threshold(0);
            p.applyUpdate(up(2f, -1.2f * thr)); // weight 0 to 3 (beyond 1.5); weight 1 within range
            assertArrayEquals(new int[]{1, 1}, rule.writes());
            assertEquals(hw.device().gMaxUs(), xb.conductancePos(0), 1e-4);
            assertEquals(clip ? bound : 3f, p.read()[0], 1e-6);
            assertEquals(-0.5f - 1.2f * thr, p.read()[1], 1e-6);
            assertEquals(0f, rule.accumulated()[0]);
        }
    }

    // ---- ADC sensing modes, offset cancelling and clip counts ----

    /** 3-bit ADC, 1 uA step single-ended; one row at 1 V, tile scale 1: an output is the read current. */
    private static CrossbarParams params(boolean differential, boolean offsetCancel, double gMin, double lsb) {
        return new CrossbarParams(64, 64, 0, false, 3, lsb, 0, true, 0, 1.0, false, differential, offsetCancel, gMin);
    }

    @Test
    void differentialConvertsTheDifferenceOverASignedRange() {
        // 3 bits differential: codes -3..3, full scale 3 uA, step 1 uA. I+ - I- = 2.4, -2.6, 5, -9, 0.2 uA
        CrossbarParams p = params(true, false, 0, 1.0);
        assertEquals(3, p.adcMaxCode());
        assertEquals(3.0, p.adcFullScaleUa(), 1e-12);
        float[] gp = {10.4f, 10f, 20f, 1f, 30.2f}, gn = {8f, 12.6f, 15f, 10f, 30f};
        int out = gp.length;
        Tensor y = BE.allocate(out);
        long[] counts = new long[3];
        BE.crossbarForward(p, up(gp), up(gn), up(1f), out, 1, up(1f), 1, y, 1, 1, 0, 0, counts);
        assertArrayEquals(new float[]{2, -3, 3, -3, 0}, down(y, out));
        // one conversion per output; 5 uA above the top, -9 uA below the bottom, -2.6 within (code -3)
        assertArrayEquals(new long[]{5, 1, 1}, counts);
        // single-ended, the same currents each over [0, 7]: 10.4 and 8 and the others clip at 7
        long[] single = new long[3];
        BE.crossbarForward(params(false, false, 0, 1.0), up(gp), up(gn), up(1f), out, 1, up(1f), 1, y, 1, 1, 0, 0,
                single);
        assertArrayEquals(new float[]{0, 0, 0, -6, 0}, down(y, out));
        assertArrayEquals(new long[]{10, 9, 0}, single);
    }

    @Test
    void offsetCancellingRemovesTheGminBaselineBeforeTheAdc() {
        // g_min 10 uS on both devices, weights 2.4 and 1 uS above it: single-ended the 10+ uA columns clip at
        // 7 uA and read 0; with the offset (1 V x 10 uS x 1) cancelled they read 2 and 1
        float[] gp = {12.4f, 10f}, gn = {10f, 11f};
        Tensor y = BE.allocate(2);
        long[] plain = new long[3], cancelled = new long[3];
        BE.crossbarForward(params(false, false, 10, 1.0), up(gp), up(gn), up(1f), 2, 1, up(1f), 1, y, 1, 1, 0, 0, plain);
        assertArrayEquals(new float[]{0, 0}, down(y, 2));
        assertArrayEquals(new long[]{4, 4, 0}, plain);
        BE.crossbarForward(params(false, true, 10, 1.0), up(gp), up(gn), up(1f), 2, 1, up(1f), 1, y, 1, 1, 0, 0, cancelled);
        assertArrayEquals(new float[]{2, -1}, down(y, 2));
        assertArrayEquals(new long[]{4, 0, 0}, cancelled);
    }

    @Test
    void measuredSaturationMatchesTheFractionOfCurrentsBeyondFullScale() {
        // one output, one row at 1 V, noise-free 8-bit ADC of 0.25 uA step differential: full scale 31.75 uA.
        // The difference is w x a, with the input amplitude a of each vector uniform over its 64 values
        // 0..63 / 63 (8-bit DAC, whole reads): saturated where w a > 31.75 + half a step
        int n = 6300;
        float w = 50f;
        CrossbarParams p = new CrossbarParams(64, 64, 0, false, 8, 0.25, 0, true, 0, 1.0, false, true, false, 0);
        float[] x = new float[2 * n];
        for (int j = 0; j < n; j++) {
            x[j] = (j % 64) / 63f;
            x[n + j] = 1f; // a second row of full amplitude on a 0 uS pair sets each vector's full scale to 1
        }
        Tensor y = BE.allocate(n);
        long[] counts = new long[3];
        BE.crossbarForward(p, up(w, 0f), up(0f, 0f), up(1f), 1, 2, up(x), n, y, 1, 1, 0, 0, counts);
        long want = 0;
        for (int j = 0; j < n; j++) {
            if (Math.round(w * x[j] / 0.25) > 127) {
                want++;
            }
        }
        assertEquals(n, counts[0]);
        assertEquals(want, counts[1]);
        assertTrue(want > n / 4 && want < n / 2, "the test's currents straddle full scale: " + want);
    }

    @Test
    void aggregateReadsCountTheirClippingFromASample() throws Exception {
        HardwareSpec hw = Hardware.load("paper-table1");
        CrossbarLayer xb = new CrossbarLayer(BE, hw, 16, 256, 3, 1000, true);
        float[] w = new float[16 * 256];
        java.util.Arrays.fill(w, 0.5f);
        xb.programAll(w);
        int n = 200;
        float[] x = new float[256 * n];
        java.util.Arrays.fill(x, 1f);
        Tensor y = BE.allocate(16 * n);
        xb.forward(up(x), n, y, 0, 0);
        long[] c = xb.clipCounts(false);
        // a sample of 64 vectors: 1 conversion (differential; 2 single-ended) x 8 bit reads x 1 tile x 16
        // outputs each; every row driven through pairs 20 uS apart (the largest weight at 1/3 of 60 uS):
        // 256 x 20 uS x 0.1 V = 512 uA, far above 70 uA
        assertTrue(hw.adc().differential());
        assertEquals(64L * 8 * 16, c[0]);
        assertEquals(c[0], c[1]);
        // 200 vectors read, 64 of them counted: the sample stands for 200 / 64 times its conversions
        assertEquals(200, c[3]);
        assertEquals(64, c[4]);
        assertEquals(CrossbarLayer.AUTO_PROBE_PASSES, 4);
        xb.enableAutoReadModel();
        for (int pass = 1; pass < CrossbarLayer.AUTO_PROBE_PASSES; pass++) {
            xb.forward(up(x), n, y, pass, 0);
        }
        assertEquals(Chip.AGGREGATE, xb.readModel(), "passes before the layer's auto was on do not count");
        CrossbarLayer fresh = new CrossbarLayer(BE, hw, 16, 256, 3, 1000, true);
        fresh.programAll(w);
        fresh.enableAutoReadModel();
        for (int pass = 0; pass < CrossbarLayer.AUTO_PROBE_PASSES; pass++) {
            fresh.forward(up(x), n, y, pass, 0);
        }
        assertEquals(Chip.EXACT, fresh.readModel());
        assertTrue(fresh.autoDecision().startsWith("exact: 100% of"), fresh.autoDecision());
    }

    /**
     * Auto's first probe finds the layer within range; training then writes larger weights. The later probe
     * (every AUTO_PROBE_PASSES sampled passes, one in CLIP_SAMPLE_EVERY) must switch the layer to the exact
     * model, at the first pass after the probe's last sampled one, and only where the devices were written:
     * the same loud inputs on weights never written (a chip being evaluated) keep the first decision.
     */
    @Test
    void autoProbesAgainAfterTrainingWritesTheDevices() throws Exception {
        HardwareSpec hw = Hardware.load("paper-table1");
        int n = 80;
        float[] quiet = new float[256 * n], loud = new float[256 * n];
        for (int i = 0; i < 256 * n; i += 97) {
            quiet[i] = 0.5f;                // a few rows: within range
        }
        java.util.Arrays.fill(loud, 1f);    // every row driven: far beyond the ADC's range
        float[] w = new float[16 * 256];
        java.util.Arrays.fill(w, 0.5f);
        int every = CrossbarLayer.CLIP_SAMPLE_EVERY, probe = CrossbarLayer.AUTO_PROBE_PASSES;
        Path saved = Files.createTempFile("cimtrain-probe", ".h5");
        String[] decisions = new String[3];
        // 0: written and read straight through; 1: the same, saved and restored (a resumed run) half-way
        // through the later probe; 2: never written
        for (int c = 0; c < 3; c++) {
            boolean write = c < 2;
            CrossbarLayer xb = new CrossbarLayer(BE, hw, 16, 256, 3, 1000, true);
            xb.programAll(w);
            xb.enableAutoReadModel();
            String[] switched = new String[1];
            xb.onSwitched = d -> switched[0] = d;
            Tensor y = BE.allocate(16 * n);
            long pass = 0;
            for (; pass < probe; pass++) {
                xb.forward(up(quiet), n, y, pass, 0);
            }
            xb.forward(up(quiet), n, y, pass++, 0);
            assertTrue(xb.autoDecision().startsWith(Chip.AGGREGATE), xb.autoDecision());
            // the later probe's sampled passes: 16, 32, 48, 64 (counted from the first read, pass 0)
            long lastSampled = (long) probe * every;
            for (; pass <= lastSampled; pass++) {
                if (write) {
                    xb.program(0, 0.5f); // a training write between passes
                }
                xb.forward(up(loud), n, y, pass, 0);
                assertEquals(Chip.AGGREGATE, xb.readModel(), "no switch before the probe's last sampled pass has ended");
                if (c == 1 && pass == 2L * every + 1) {
                    CrossbarLayer from = xb;
                    cimtrain.io.Hdf5Writer.write(saved, root -> from.saveState(root.group("xb")));
                    xb = new CrossbarLayer(BE, hw, 16, 256, 3, 1000, true);
                    xb.programAll(w);
                    xb.enableAutoReadModel();
                    xb.onSwitched = d -> switched[0] = d;
                    try (cimtrain.io.Hdf5Reader r = cimtrain.io.Hdf5Reader.open(saved, "test")) {
                        xb.loadState(r, "/xb");
                    }
                }
            }
            xb.forward(up(loud), n, y, pass, 0);
            decisions[c] = xb.autoDecision();
            if (write) {
                assertEquals(Chip.EXACT, xb.readModel());
                assertEquals(lastSampled + 2, xb.exactFromBatch());
                assertTrue(switched[0] != null && switched[0].startsWith("exact from its batch " + (lastSampled + 2)),
                        switched[0]);
                assertEquals(switched[0], xb.autoDecision());
                long[][] byModel = xb.clipCountsByReadModel(false);
                assertEquals(n, byModel[1][3], "the switching pass is read exactly, all of it counted");
                assertEquals(byModel[1][3], byModel[1][4]);
                assertTrue(byModel[0][4] < byModel[0][3], "the reads before it were sampled");
            } else {
                assertEquals(Chip.AGGREGATE, xb.readModel(), "weights never written: the first decision holds");
                assertNull(switched[0]);
                assertEquals(0, xb.exactFromBatch());
            }
        }
        assertEquals(decisions[0], decisions[1], "a restored layer switches where the straight one did");
        Files.delete(saved);
    }

    /**
     * Two replicas read each pass in either order: the clipping counts and auto's choice must not depend on
     * which came first (they followed a call counter the replicas raced for, so the same seed gave other
     * clipping.csv figures from run to run).
     */
    @Test
    void clippingCountsAndAutoDoNotDependOnTheOrderOfReplicas() throws Exception {
        HardwareSpec hw = Hardware.load("paper-table1");
        int n = 80;
        float[] loud = new float[256 * n], quiet = new float[256 * n];
        java.util.Arrays.fill(loud, 1f);   // every row driven: far beyond the ADC's range
        for (int i = 0; i < 256 * n; i += 97) {
            quiet[i] = 0.5f;                // a few rows: within range
        }
        long[][] counts = new long[4][];
        String[] decisions = new String[4];
        // orders 0 and 1: the aggregate model throughout (sampled); 2 and 3: read model auto (it turns exact)
        for (int order = 0; order < 4; order++) {
            CrossbarLayer xb = new CrossbarLayer(BE, hw, 16, 256, 3, 1000, true);
            float[] w = new float[16 * 256];
            java.util.Arrays.fill(w, 0.5f);
            xb.programAll(w);
            if (order >= 2) {
                xb.enableAutoReadModel();
            }
            Tensor y = BE.allocate(16 * n);
            for (int pass = 0; pass < 2 * CrossbarLayer.CLIP_SAMPLE_EVERY + 1; pass++) {
                // replica A holds samples [0, n) of the batch, replica B [n, 2n)
                if (order % 2 == 0) {
                    xb.forward(up(loud), n, y, pass, 0);
                    xb.forward(up(quiet), n, y, pass, n);
                } else {
                    xb.forward(up(quiet), n, y, pass, n);
                    xb.forward(up(loud), n, y, pass, 0);
                }
            }
            counts[order] = xb.clipCounts(false);
            decisions[order] = xb.autoDecision();
        }
        assertArrayEquals(counts[0], counts[1]);
        assertTrue(counts[0][1] > 0 && counts[0][4] < counts[0][3], "sampled, and the loud replica's samples saturate");
        assertArrayEquals(counts[2], counts[3]);
        assertEquals(decisions[2], decisions[3]);
        assertTrue(decisions[2].startsWith(Chip.EXACT), decisions[2]);
    }

    @Test
    void hardwareFilesNameTheirSensing(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path f = dir.resolve("d.yaml");
        Files.writeString(f, "name: d\nadc: {bits: 8, full_scale_ua: 70, sensing: differential}\n");
        HardwareSpec hw = Hardware.load(f.toString());
        assertTrue(hw.adc().differential());
        assertEquals(70.0 / 127, hw.adc().lsbUa(), 1e-12);
        Files.writeString(f, "name: d\nadc: {sensing: both}\n");
        assertThrows(UserError.class, () -> Hardware.load(f.toString()));
        Files.writeString(f, "name: d\nadc: {sensing: differential, offset_cancel: true}\n");
        assertThrows(UserError.class, () -> Hardware.load(f.toString()));
        Files.writeString(f, "name: d\nadc: {bits: 1, sensing: differential}\n");
        assertThrows(UserError.class, () -> Hardware.load(f.toString()));
        assertEquals(HardwareSpec.AdcSpec.SINGLE_ENDED, Hardware.load("ideal").adc().sensing());
    }

    @Test
    void aChipWarnsOfAggregateLayersThatSaturate(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        // single-ended over [0, 1 uA]: 25 driven rows of devices of 1 uS or more draw 2.5 uA or more at 0.1 V
        Path f = dir.resolve("small-adc.yaml");
        Files.writeString(f, "name: small-adc\nadc: {bits: 8, full_scale_ua: 1, noise_lsb: 2}\n");
        HardwareSpec hw = Hardware.load(f.toString());
        var spec = cimtrain.model.Models.load("lenet-paper");
        try (cimtrain.nn.Network net = new cimtrain.nn.Network(spec.name, BE, () -> spec.build(1.0), spec.input, 1, 0)) {
            Chip chip = Chip.place(net, hw, Chip.MP, 0, true);
            assertEquals(null, chip.saturationWarning(), "nothing read yet");
            CrossbarLayer conv1 = chip.crossbars().get(0);
            int n = 64;
            float[] x = new float[conv1.k * n];
            java.util.Arrays.fill(x, 1f);
            conv1.forward(up(x), n, BE.allocate(conv1.out * n), 0, 0);
            long[] c = conv1.clipCounts(false);
            assertEquals(c[0], c[1], "every sampled conversion saturated");
            Map<String, Object> stats = chip.clipStatistics(false);
            assertEquals(Math.round(c[0] * (double) n / CrossbarLayer.CLIP_SAMPLE_VECTORS),
                    ((Number) stats.get("conversions_estimated")).longValue(), "the sample scaled up to all reads");
            assertEquals(1.0, ((Number) stats.get("saturated_fraction")).doubleValue(), 1e-12);
            String warning = chip.saturationWarning();
            assertTrue(warning != null && warning.contains("layer 1 100%"), warning);
        }
    }
}
