package cimtrain.data;

import cimtrain.util.UserError;

/**
 * How a loaded set is adapted to a model.
 *
 * @param size       target height and width in pixels; 0 keeps the set's own size
 * @param fit        how to reach {@code size}: "pad" (centre the image on a black canvas, the usual
 *                   way to feed 28x28 MNIST to 32x32 networks; cannot shrink) or "resize" (bilinear)
 * @param channels   target channel count; 0 keeps the set's own, 3 turns a grey set into RGB by
 *                   copying its one channel
 * @param trainLimit use only the first this many training images (in the set's stored order); 0 = all.
 *                   The test set is never cut, so accuracies stay comparable.
 */
public record DataOptions(int size, String fit, int channels, int trainLimit) {
    public static final String PAD = "pad";
    public static final String RESIZE = "resize";

    /** Leave the set as it is. */
    public static final DataOptions NONE = new DataOptions(0, PAD, 0, 0);

    public DataOptions {
        if (size < 0) {
            throw new UserError("data option size = " + size + " is invalid: use 0 (keep) or a positive pixel count");
        }
        if (!PAD.equals(fit) && !RESIZE.equals(fit)) {
            throw new UserError("data option fit = '" + fit + "' is invalid: use '" + PAD + "' or '" + RESIZE + "'");
        }
        if (channels != 0 && channels != 1 && channels != 3) {
            throw new UserError("data option channels = " + channels + " is invalid: use 0 (keep), 1 or 3");
        }
        if (trainLimit < 0) {
            throw new UserError("data option train limit = " + trainLimit + " is invalid: use 0 (all) or a positive count");
        }
    }
}
