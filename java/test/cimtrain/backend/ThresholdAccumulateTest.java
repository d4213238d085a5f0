package cimtrain.backend;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The CPU reference of the threshold-accumulate kernel, on hand-made cases. */
class ThresholdAccumulateTest {
    // 2 outputs x 3 inputs, tiles of 2 rows and 1 output: weight (o, i) is in tile (i / 2) * 2 + o
    private static final float[] THRESHOLDS = {0.1f, 0.2f, 0.3f, 0.4f};

    @Test
    void accumulatesUnderTheThresholdAndWritesWhenItIsReached() {
        float[] delta = {0.05f, 0f, 0.3f, -0.25f, 0.1f, -0.5f};
        float[] acc = {0.04f, 0.7f, 0f, 0f, 0f, 0.1f};
        float[] wfp = {1f, 2f, 3f, 4f, 5f, 6f};
        int[] write = new int[6];
        float[] target = new float[6];
        long[] counts = ThresholdAccumulate.apply(2, 3, 2, 1, delta, acc, wfp, THRESHOLDS, false, write, target);
        // weight 0: 0.09 < 0.1 (tile 0) stays; 1: no update, untouched though over threshold; 2: 0.3 >= 0.3
        // (tile 2) written; 3: |-0.25| >= 0.2 (tile 1); 4: 0.1 < 0.2 stays; 5: |-0.4| >= 0.4 (tile 3)
        assertArrayEquals(new int[]{0, 0, 1, 1, 0, 1}, write);
        assertArrayEquals(new float[]{0.04f + 0.05f, 0.7f, 0f, 0f, 0.1f, 0f}, acc);
        assertEquals(3f + 0.3f, target[2]);
        assertEquals(4f - 0.25f, target[3]);
        assertEquals(6f + (0.1f - 0.5f), target[5]);
        assertArrayEquals(new long[]{5, 3}, counts);
    }

    @Test
    void directWritesEveryUpdate() {
        float[] delta = {1e-6f, 0f, -1e-6f, 0f, 0f, 0f};
        float[] acc = new float[6];
        int[] write = new int[6];
        float[] target = new float[6];
        long[] counts = ThresholdAccumulate.apply(2, 3, 2, 1, delta, acc, new float[6], THRESHOLDS, true, write, target);
        assertArrayEquals(new int[]{1, 0, 1, 0, 0, 0}, write);
        assertArrayEquals(new long[]{2, 2}, counts);
        assertEquals(-1e-6f, target[2]);
    }
}
