package cimtrain.backend;

/**
 * The threshold-accumulate step of the mixed-precision update across every tile of a layer, as the
 * CUDA kernel {@code threshold_accumulate} (kernels/crossbar.cu) performs it in one launch; this is its
 * CPU reference, the same decisions as {@link cimtrain.tile.ThresholdWriteRule}: a non-zero update is
 * added to the weight's accumulator; when the accumulated value reaches the threshold of the weight's
 * tile (or always, in direct mode) the weight is marked for writing with target W_FP + accumulated, and
 * its accumulator resets. Programming the marked weights (write-and-verify, with its own random draws in
 * weight order) stays with the caller.
 */
public final class ThresholdAccumulate {
    private ThresholdAccumulate() {
    }

    /**
     * @param tileThreshold per tile (rowTile * columnTiles + columnTile), in weight units
     * @param write         out: 1 where the weight is to be written, else 0
     * @param target        out: the write target where write is 1 (untouched elsewhere)
     * @return {updates (non-zero deltas), writes}
     */
    public static long[] apply(int out, int k, int tileRows, int tileOutputs, float[] delta, float[] accumulated,
                               float[] wfp, float[] tileThreshold, boolean direct, int[] write, float[] target) {
        int columnTiles = (out + tileOutputs - 1) / tileOutputs;
        long updates = 0, writes = 0;
        for (int i = 0; i < out * k; i++) {
            float d = delta[i];
            write[i] = 0;
            if (d == 0f) {
                continue;
            }
            updates++;
            float a = accumulated[i] + d;
            int o = i / k, c = i % k;
            float threshold = tileThreshold[(c / tileRows) * columnTiles + o / tileOutputs];
            if (direct || !(Math.abs(a) < threshold)) {
                target[i] = wfp[i] + a;
                a = 0f;
                write[i] = 1;
                writes++;
            }
            accumulated[i] = a;
        }
        return new long[]{updates, writes};
    }
}
