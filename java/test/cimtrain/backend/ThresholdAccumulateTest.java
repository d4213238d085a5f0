package cimtrain.backend;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The CPU reference of the threshold-accumulate, tile-sum and tile-scale kernels, on hand-made cases. */
class ThresholdAccumulateTest {
    // 2 outputs x 3 inputs, tiles of 2 rows and 1 output: weight (o, i) is in tile (i / 2) * 2 + o
    private static final float[] THRESHOLDS = {0.1f, 0.2f, 0.3f, 0.4f};
    private static final TileGrid GRID = new TileGrid(2, 3, 2, 1);

    private static int[] indices(WriteList w) {
        return java.util.Arrays.copyOf(w.indexArray(), w.count());
    }

    @Test
    void accumulatesUnderTheThresholdAndWritesWhenItIsReached() {
        float[] delta = {0.05f, 0f, 0.3f, -0.25f, 0.1f, -0.5f};
        float[] acc = {0.04f, 0.7f, 0f, 0f, 0f, 0.1f};
        float[] wfp = {1f, 2f, 3f, 4f, 5f, 6f};
        WriteList w = new WriteList();
        ThresholdAccumulate.apply(GRID, delta, acc, wfp, THRESHOLDS, false, w);
        // weight 0: 0.09 < 0.1 (tile 0) stays; 1: no update, untouched though over threshold; 2: 0.3 >= 0.3
        // (tile 2) written; 3: |-0.25| >= 0.2 (tile 1); 4: 0.1 < 0.2 stays; 5: |-0.4| >= 0.4 (tile 3)
        assertArrayEquals(new int[]{2, 3, 5}, indices(w));
        assertArrayEquals(new float[]{0.04f + 0.05f, 0.7f, 0f, 0f, 0.1f, 0f}, acc);
        assertEquals(3f + 0.3f, w.target(0));
        assertEquals(4f - 0.25f, w.target(1));
        assertEquals(6f + (0.1f - 0.5f), w.target(2));
        // W_FP took the targets of the written weights only
        assertArrayEquals(new float[]{1f, 2f, 3f + 0.3f, 4f - 0.25f, 5f, 6f + (0.1f - 0.5f)}, wfp);
        assertEquals(5, w.updates());
    }

    @Test
    void directWritesEveryUpdateAndLeavesWfpToTheCaller() {
        float[] delta = {1e-6f, 0f, -1e-6f, 0f, 0f, 0f};
        float[] acc = new float[6];
        float[] wfp = new float[6];
        WriteList w = new WriteList();
        ThresholdAccumulate.apply(GRID, delta, acc, wfp, THRESHOLDS, true, w);
        assertArrayEquals(new int[]{0, 2}, indices(w));
        assertEquals(2, w.updates());
        assertEquals(-1e-6f, w.target(1));
        assertArrayEquals(new float[6], wfp);
    }

    @Test
    void aListFilledOutOfOrderIsSortedByIndexWithItsTargets() {
        WriteList w = new WriteList();
        w.add(7, -1.5f);
        w.add(2, 0.25f);
        w.add(40, 3f);
        w.add(0, -0f);
        w.sortByIndex();
        assertArrayEquals(new int[]{0, 2, 7, 40}, indices(w));
        assertArrayEquals(new float[]{-0f, 0.25f, -1.5f, 3f}, java.util.Arrays.copyOf(w.targetArray(), 4));
    }

    @Test
    void tileSumsAndTileScalesFollowTheTileOfEachWeight() {
        float[] grad = {1f, 2f, 3f, 4f, 5f, 6f};
        float[] gPos = {3f, 1f, 1f, 2f, 1f, 1f};
        float[] gNeg = {1f, 1f, 2f, 1f, 3f, 1f};
        double[] sums = new double[4];
        ThresholdAccumulate.tileSums(GRID, grad, gPos, gNeg, sums);
        // tile 0: weights 0, 1 (1 x 2 + 2 x 0); tile 1: 3, 4 (4 x 1 + 5 x -2); tile 2: 2 (3 x -1); tile 3: 5 (0)
        assertArrayEquals(new double[]{2, -6, -3, 0}, sums);
        float[] x = {1f, 1f, 1f, 1f, 1f, 1f};
        ThresholdAccumulate.scaleByTile(GRID, x, new float[]{2f, 3f, 5f, 7f});
        assertArrayEquals(new float[]{2f, 2f, 5f, 3f, 3f, 7f}, x);
    }
}
