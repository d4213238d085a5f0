package cimtrain.backend;

/**
 * The threshold-accumulate step of the mixed-precision update across every tile of a layer: the CPU
 * reference of the CUDA kernel {@code threshold_accumulate} (kernels/crossbar.cu), which
 * {@link Backend#thresholdAccumulate} performs on each backend. A non-zero update is added to the weight's
 * accumulator; when the accumulated value reaches the threshold of the weight's tile (or always, in
 * direct mode) the weight is listed for writing with target W_FP + accumulated, its accumulator resets,
 * and (not in direct mode) W_FP takes the target. Programming the listed weights (write-and-verify,
 * with its own random draws in weight order) stays with the caller, {@code tile.ThresholdWriteRule}.
 */
public final class ThresholdAccumulate {
    private ThresholdAccumulate() {
    }

    /**
     * @param tileThreshold per tile ({@link TileGrid#tileOf}), in weight units
     * @param written       out: cleared, then the weights to write in ascending order, and the update count
     */
    public static void apply(TileGrid grid, float[] delta, float[] accumulated, float[] wfp, float[] tileThreshold,
                             boolean direct, WriteList written) {
        written.clear();
        long updates = 0;
        for (int i = 0; i < grid.out * grid.k; i++) {
            float d = delta[i];
            if (d == 0f) {
                continue;
            }
            updates++;
            float a = accumulated[i] + d;
            float threshold = tileThreshold[grid.tileOf(i)];
            if (direct || !(Math.abs(a) < threshold)) {
                float target = wfp[i] + a;
                written.add(i, target);
                if (!direct) {
                    wfp[i] = target;
                }
                a = 0f;
            }
            accumulated[i] = a;
        }
        written.addUpdates(updates);
    }

    /**
     * Per tile, the sum over its weights of grad x (gPos - gNeg), in double, weights in index order: the
     * gradient of a trainable tile scale (see {@code tile.ScaleTrainer}) before the factor itself.
     */
    public static void tileSums(TileGrid grid, float[] grad, float[] gPos, float[] gNeg, double[] sums) {
        java.util.Arrays.fill(sums, 0.0);
        for (int i = 0; i < grid.out * grid.k; i++) {
            sums[grid.tileOf(i)] += (double) grad[i] * (gPos[i] - gNeg[i]);
        }
    }

    /** x[i] *= factors[tile of weight i]. */
    public static void scaleByTile(TileGrid grid, float[] x, float[] factors) {
        for (int i = 0; i < grid.out * grid.k; i++) {
            x[i] *= factors[grid.tileOf(i)];
        }
    }
}
