package cimtrain.tile;

import cimtrain.backend.Tensor;
import cimtrain.backend.cpu.CpuBackend;
import cimtrain.hardware.Hardware;
import cimtrain.hardware.HardwareSpec;
import cimtrain.nn.Parameter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Trainable and per-layer scale factors. */
class ScaleTrainerTest {
    private static final CpuBackend BE = new CpuBackend(1, 1);

    @AfterAll
    static void close() {
        BE.close();
    }

    private static HardwareSpec chip(String granularity, boolean trainable) {
        HardwareSpec b = Hardware.load("paper-table1");
        HardwareSpec.DeviceSpec d = b.device();
        // 2-row tiles, continuous noiseless devices: two weights per row tile
        return new HardwareSpec("t", "", "", new HardwareSpec.TileSpec(2, 64), b.mapping(),
                new HardwareSpec.DeviceSpec(0, d.gMinUs(), d.gMaxUs(), 0, 0, 0, 0), b.dac(), b.adc(), b.readVoltage(),
                new HardwareSpec.ScaleSpec(granularity, trainable, 1.5, 1, 0.01), new HardwareSpec.WriteSpec(1, 1));
    }

    @Test
    void aTrainableScaleStepsAgainstItsGradientByTheLearningRate() {
        HardwareSpec hw = chip("crossbar", true);
        CrossbarLayer xb = new CrossbarLayer(BE, hw, 1, 4, 1, 10);
        float[] w = {0.5f, 0.25f, -0.2f, 0.4f};
        xb.programAll(w);
        Parameter p = new Parameter(BE, "w", Parameter.Kind.MATRIX, 1, 4);
        p.write(w);
        ThresholdWriteRule rule = new ThresholdWriteRule(xb, p, false);
        p.setRule(rule);
        float s0 = xb.scaleOf(0), s2 = xb.scaleOf(2);
        // tile 0 (weights 0, 1): the gradient has the weights' sign, so shrinking them lowers the loss;
        // tile 1 (weights 2, 3): opposite sign, so the factor grows
        BE.upload(new float[]{1f, 1f, 1f, -1f}, p.grad, 4);
        Tensor noUpdate = BE.allocate(4);
        p.applyUpdate(noUpdate);
        // Adam's first step is lr x sign(gradient) in log(factor)
        assertEquals(s0 * Math.exp(-0.01), xb.scaleOf(0), 1e-6 * s0);
        assertEquals(s2 * Math.exp(0.01), xb.scaleOf(2), 1e-6 * s2);
        // nothing was written, and W_FP holds what the devices now hold
        assertArrayEquals(new int[4], rule.writes());
        float[] held = xb.effectiveWeights(), wfp = p.read();
        for (int i = 0; i < 4; i++) {
            assertEquals(held[i], wfp[i], 1e-6, "weight " + i);
        }
    }

    @Test
    void layerGranularityGivesEveryTileTheLayersFactor() {
        CrossbarLayer xb = new CrossbarLayer(BE, chip("layer", false), 1, 4, 1, 10);
        xb.programAll(new float[]{0.5f, 0.25f, -0.2f, 0.1f});
        assertEquals(xb.scaleOf(0), xb.scaleOf(2));
        // the largest weight of the layer sits at 1/headroom of the range
        HardwareSpec.DeviceSpec d = xb.hw.device();
        assertEquals(1.5 * 0.5 / (d.gMaxUs() - d.gMinUs()), xb.scaleOf(3), 1e-7);
        CrossbarLayer perTile = new CrossbarLayer(BE, chip("crossbar", false), 1, 4, 1, 10);
        perTile.programAll(new float[]{0.5f, 0.25f, -0.2f, 0.1f});
        assertEquals(1.5 * 0.2 / (d.gMaxUs() - d.gMinUs()), perTile.scaleOf(3), 1e-7);
    }
}
