package cimtrain.tile.pulse;

import cimtrain.backend.Tensor;
import cimtrain.backend.cpu.CpuBackend;
import cimtrain.hardware.Hardware;
import cimtrain.hardware.HardwareSpec;
import cimtrain.hardware.HardwareSpec.PulseSpec;
import cimtrain.nn.Parameter;
import cimtrain.tile.CrossbarLayer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The n-pulse write rule: accumulation, pulse counts, which device a pulse goes to, and its noise. */
class PulseWriteRuleTest {
    private static final CpuBackend BE = new CpuBackend(1, 1);

    @AfterAll
    static void close() {
        BE.close();
    }

    /**
     * paper-table1's 10-70 uS devices, continuous and noise-free, with headroom 1.5 (the hand-computed values
     * below) and the given pulse model.
     */
    private static HardwareSpec chip(PulseSpec pulse, double stuckAtFraction) {
        HardwareSpec base = Hardware.load("paper-table1");
        HardwareSpec.DeviceSpec d = base.device();
        return new HardwareSpec("test", "", "", base.tile(), base.mapping(),
                new HardwareSpec.DeviceSpec(0, d.gMinUs(), d.gMaxUs(), 0, 0, 0, stuckAtFraction), base.dac(),
                base.adc(), base.readVoltage(), new HardwareSpec.ScaleSpec(base.scale().granularity(),
                        base.scale().trainable(), 1.5, 1, base.scale().learningRate()), base.write(), pulse);
    }

    /** Linear steps of 1 uS (eps = 1 uS x scale). */
    private static PulseSpec linear(double spread, double noise, int cap) {
        return new PulseSpec(PulseSpec.LINEAR_STEP, 1, 1, 0, spread, noise, null, null, cap);
    }

    /** A crossbar of 1 x w.length programmed with w, its parameter, and the rule (the parameter's rule). */
    private record Setup(CrossbarLayer xb, Parameter p, PulseWriteRule rule) {
        void update(float... delta) {
            Tensor d = BE.allocate(delta.length);
            BE.upload(delta, d, delta.length);
            p.applyUpdate(d);
        }
    }

    private static Setup setup(HardwareSpec hw, float... w) {
        CrossbarLayer xb = new CrossbarLayer(BE, hw, 1, w.length, 7, 40);
        xb.programAll(w);
        Parameter p = new Parameter(BE, "w", Parameter.Kind.MATRIX, 1, w.length);
        PulseWriteRule rule = new PulseWriteRule(xb);
        p.write(rule.heldWeights());
        p.setRule(rule);
        return new Setup(xb, p, rule);
    }

    // weights 0.3, -0.3, 0, 0.015 on one tile: scale = headroom 1.5 x 0.3 / 60 uS = 0.0075 per uS, so
    // (G+, G-) = (50, 10), (10, 50), (10, 10), (12, 10) uS, and eps = 1 uS x 0.0075
    private static final float[] W = {0.3f, -0.3f, 0f, 0.015f};

    @Test
    void anUpdateBelowEpsSendsNoPulseUntilTheAccumulationReachesIt() {
        Setup s = setup(chip(linear(0, 0, 0), 0), W);
        float eps = s.rule.eps(0);
        assertEquals(0.0075f, eps, 1e-9f);
        s.update(0.9f * eps, 0, 0, 0);
        assertEquals(50, s.xb.conductancePos(0), 1e-4);
        assertEquals(10, s.xb.conductanceNeg(0), 1e-4);
        assertEquals(0.9 * eps, s.rule.accumulated()[0], 1e-6 * eps);
        assertEquals(0, s.rule.pulses()[0]);
        assertEquals(0, s.rule.writes()[0]);
        assertEquals(1, s.rule.updates());
        // a second 0.9 eps: chi = 1.8 eps, one pulse, 0.8 eps left
        s.update(0.9f * eps, 0, 0, 0);
        assertEquals(51, s.xb.conductancePos(0), 1e-4);
        assertEquals(0.8 * eps, s.rule.accumulated()[0], 1e-5 * eps);
        assertEquals(1, s.rule.writes()[0]);
        assertEquals(2, s.rule.updates());
    }

    @Test
    void anUpdateOf2point7EpsSendsTwoPulsesAndKeeps0point7() {
        Setup s = setup(chip(linear(0, 0, 0), 0), W);
        float eps = s.rule.eps(0);
        s.update(2.7f * eps, 2.7f * eps, 0, -3.5f * eps);
        // weight 0 (50, 10): SET G+ moves it 1 uS, RESET G- (at g_min) 0, so G+ twice: (52, 10)
        assertEquals(52, s.xb.conductancePos(0), 1e-4);
        assertEquals(10, s.xb.conductanceNeg(0), 1e-4);
        assertEquals(0.7 * eps, s.rule.accumulated()[0], 1e-5 * eps);
        assertEquals(2, s.rule.pulses()[0]);
        assertEquals(1, s.rule.writes()[0]);
        // weight 1 (10, 50): RESET G- and SET G+ both move 1 uS, a tie goes to the RESET: (10, 48)
        assertEquals(10, s.xb.conductancePos(1), 1e-4);
        assertEquals(48, s.xb.conductanceNeg(1), 1e-4);
        // weight 2: no update, nothing happens
        assertEquals(0, s.rule.pulses()[2]);
        assertEquals(10, s.xb.conductancePos(2), 1e-4);
        // weight 3 (12, 10) lowered by 3 pulses: RESET G+ twice (tie, then tie) to g_min, then SET G-: (10, 11)
        assertEquals(10, s.xb.conductancePos(3), 1e-4);
        assertEquals(11, s.xb.conductanceNeg(3), 1e-4);
        assertEquals(-0.5 * eps, s.rule.accumulated()[3], 1e-5 * eps);
        assertEquals(3, s.rule.pulses()[3]);
        assertEquals(3, s.rule.updates());
        // the parameter is what the devices hold: (G+ - G-) x scale
        float[] value = s.p.read();
        assertArrayEquals(s.xb.effectiveWeights(), value);
        assertEquals(42 * eps, value[0], 1e-5);
        assertEquals(-38 * eps, value[1], 1e-5);
        assertEquals(0, value[2], 1e-7);
        assertEquals(-1 * eps, value[3], 1e-5);
    }

    @Test
    void theCapLeavesTheRestAccumulated() {
        Setup s = setup(chip(linear(0, 0, 1), 0), W);
        float eps = s.rule.eps(0);
        s.update(2.7f * eps, 0, 0, 0);
        assertEquals(1, s.rule.pulses()[0]);
        assertEquals(51, s.xb.conductancePos(0), 1e-4);
        assertEquals(1.7 * eps, s.rule.accumulated()[0], 1e-5 * eps);
    }

    @Test
    void theValueIsWhatNoisyDevicesHoldAndRunsRepeatExactly() {
        PulseSpec soft = new PulseSpec(PulseSpec.SOFT_BOUNDS, 2, 1, 0.1, 0.3, 0.3, null, null, 0);
        float[] w = new float[300];
        cimtrain.rng.Philox.fillUniform(5, 1, w, 0, 0, w.length, -0.2f, 0.2f);
        float[][] held = new float[2][];
        for (int run = 0; run < 2; run++) {
            Setup s = setup(chip(soft, 0.05), w);
            float[] delta = new float[w.length];
            for (int step = 0; step < 20; step++) {
                cimtrain.rng.Philox.fillUniform(6, step, delta, 0, 0, delta.length, -0.02f, 0.02f);
                s.update(delta);
                assertArrayEquals(s.xb.effectiveWeights(), s.p.read(), "step " + step);
            }
            held[run] = s.p.read();
        }
        assertArrayEquals(held[0], held[1]);
    }

    @Test
    void stuckDevicesDoNotMove() {
        Setup s = setup(chip(linear(0, 0, 0), 1.0), W); // every device stuck at g_min or g_max
        float[] before = s.xb.effectiveWeights();
        float eps = s.rule.eps(0);
        s.update(2.7f * eps, -2.7f * eps, 5 * eps, -5 * eps);
        assertArrayEquals(before, s.xb.effectiveWeights());
        assertArrayEquals(before, s.p.read());
    }

    /** G+'s change after one raising pulse on n weights of 0.3 (G+ = 50 uS, G- at g_min). */
    private static double[] onePulseSteps(PulseSpec spec, int n, Setup[] keep) {
        float[] w = new float[n];
        java.util.Arrays.fill(w, 0.3f);
        Setup s = setup(chip(spec, 0), w);
        keep[0] = s;
        float[] delta = new float[n];
        java.util.Arrays.fill(delta, 1.5f * s.rule.eps(0));
        s.update(delta);
        double[] dg = new double[n];
        for (int i = 0; i < n; i++) {
            dg[i] = s.xb.conductancePos(i) - 50.0;
        }
        return dg;
    }

    @Test
    void deviceToDeviceStepFactorsHaveTheirConfiguredSpread() {
        Setup[] s = new Setup[1];
        double[] dg = onePulseSteps(linear(0.1, 0, 0), 20_000, s);
        // each G+ moved by its own factor x 1 uS: sigma 0.1 uS, mean 1 uS
        assertEquals(0.1, Stats.sigma(dg), 0.005);
        assertEquals(1.0, Stats.mean(dg), 0.005);
        float[] f = s[0].rule.deviceFactors();
        double[] all = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            all[i] = f[i];
        }
        assertEquals(0.1, Stats.sigma(all), 0.005);
    }

    @Test
    void cycleToCycleNoiseOfThePulsesHasItsConfiguredSpread() {
        double[] dg = onePulseSteps(linear(0, 0.1, 0), 20_000, new Setup[1]);
        assertEquals(0.1, Stats.sigma(dg), 0.005);
        assertEquals(1.0, Stats.mean(dg), 0.005);
    }
}
