package cimtrain.tile;

import cimtrain.hardware.Hardware;
import cimtrain.hardware.HardwareSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FakeQuantizationTest {
    @TempDir
    Path tmp;

    @Test
    void weightsLandOnTheDifferentialPairsGrid() throws Exception {
        // a coarse chip (4 levels, inference headroom 1.5: steps of 0.5 max), so that every grid value
        // shows; the training headroom (3) is for chip-trained models, not the grid a trained model lands on
        Path file = tmp.resolve("coarse.yaml");
        Files.writeString(file, "name: coarse\ndevice: {levels: 4, g_min_us: 8.2, g_max_us: 32.9}\n"
                + "scale: {granularity: crossbar, headroom: 3, inference_headroom: 1.5}\n");
        HardwareSpec chip = Hardware.load(file.toString());
        int out = 3, k = 50;
        float[] w = new float[out * k];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) Math.sin(i * 1.7) * 0.3f;
        }
        float max = 0;
        for (float v : w) {
            max = Math.max(max, Math.abs(v));
        }
        float[] q = w.clone();
        FakeQuantization.quantize(q, out, k, chip);
        Set<Float> values = new HashSet<>();
        float step = 1.5f * max / 3;
        for (int i = 0; i < q.length; i++) {
            values.add(q[i]);
            assertTrue(Math.abs(q[i] - w[i]) <= step / 2 + 1e-6, "rounded to the nearest value");
            assertEquals(0, Math.abs(q[i] / step - Math.round(q[i] / step)), 1e-5, "on the grid");
        }
        // |w| <= max = 2 steps: the values 0, +-step, +-2 step (what the chip's initial mapping can hold)
        assertEquals(5, values.size(), "values " + values);
        assertEquals(max, Math.max(maxOf(q), -minOf(q)), 1e-6);
        float[] ideal = w.clone();
        FakeQuantization.quantize(ideal, out, k, Hardware.load("ideal"));
        assertEquals(w[7], ideal[7]); // continuous devices: nothing to round
    }

    private static float maxOf(float[] a) {
        float m = Float.NEGATIVE_INFINITY;
        for (float v : a) {
            m = Math.max(m, v);
        }
        return m;
    }

    private static float minOf(float[] a) {
        float m = Float.POSITIVE_INFINITY;
        for (float v : a) {
            m = Math.min(m, v);
        }
        return m;
    }
}
