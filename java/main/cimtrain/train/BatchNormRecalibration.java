package cimtrain.train;

import cimtrain.data.Dataset;
import cimtrain.nn.Network;

/**
 * Batch-norm statistics re-estimated on the chip a model was moved to. A model's running means and
 * variances were measured through its training chip (or none, for software training); a new chip's
 * programming errors shift every channel's pre-normalisation mean and spread, which the old statistics
 * then fail to cancel. Running some training images forward on the new chip (no labels used, no weight
 * written) and averaging their batch statistics measures the new chip instead — a calibration step a
 * deployment can afford, which the seed paper does not describe, so evaluations report it as an option.
 *
 * @param images    the images to calibrate with (the training split; never the test split)
 * @param batches   how many batches; each chip draws its own, seeded by the chip's seed
 * @param batchSize images per batch
 */
public record BatchNormRecalibration(Dataset images, int batches, int batchSize) {
    public BatchNormRecalibration {
        if (batches < 1 || batchSize < 2) {
            throw new IllegalArgumentException("batch-norm recalibration needs at least 1 batch of at least 2 images");
        }
    }

    /** Re-estimates the network's running statistics on the chip it is placed on now. */
    public void apply(Network net, long chipSeed) {
        int b = Math.min(batchSize, net.capacity);
        int[] order = Trainer.epochOrder(images.size(), chipSeed, 0);
        float[] x = new float[b * images.imageSize()];
        int[] y = new int[b];
        net.recalibrateBatchNorm(batches, k -> {
            // consecutive slices of one seeded shuffle, wrapping round when more images are asked for than exist
            int from = (int) ((long) k * b % images.size());
            int n = Math.min(b, images.size() - from);
            images.copyBatch(order, from, n, x, y);
            net.setInput(x, n);
            return n;
        });
    }
}
