package cimtrain.io;

/**
 * Turns Keras kernels ({@link KerasWeights}) into this project's weight layouts. All arrays are
 * flat and row-major.
 *
 * <ul>
 *   <li>Keras Dense kernel {@code (in, out)} to our linear weight {@code out x in}: a transpose.</li>
 *   <li>Keras Conv2D kernel {@code (kh, kw, in, out)} to our conv weight {@code out x (in*kh*kw)}, a
 *       row's columns in (c, ky, kx) order, as im2col unrolls a patch.</li>
 *   <li>A Dense layer right after Flatten of a conv feature map: Keras (channels_last) flattens
 *       (h, w, c), we flatten (c, h, w), so besides the transpose its inputs are permuted.</li>
 * </ul>
 *
 * Biases need no change. Wrong sizes are programming errors ({@link IllegalArgumentException}): the
 * caller checks the file's shapes against the network first and reports those as user errors.
 */
public final class KerasKernels {
    private KerasKernels() {
    }

    /** Keras Dense kernel (in, out) to our linear weight out x in. */
    public static float[] denseToLinear(float[] kernel, int in, int out) {
        checkLength(kernel, (long) in * out, "Dense kernel (" + in + ", " + out + ")");
        float[] w = new float[kernel.length];
        for (int i = 0; i < in; i++) {
            for (int o = 0; o < out; o++) {
                w[o * in + i] = kernel[i * out + o];
            }
        }
        return w;
    }

    /**
     * Keras Dense kernel (h*w*c, out) fed by Flatten of an (h, w, c) feature map to our linear weight
     * out x (c*h*w) fed by our Flatten of a (c, h, w) map.
     */
    public static float[] denseAfterFlattenToLinear(float[] kernel, int channels, int height, int width, int out) {
        int in = channels * height * width;
        checkLength(kernel, (long) in * out, "Dense kernel after Flatten of (" + height + ", " + width + ", "
                + channels + ") to " + out);
        float[] w = new float[kernel.length];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int ours = (c * height + y) * width + x;
                    int keras = (y * width + x) * channels + c;
                    for (int o = 0; o < out; o++) {
                        w[o * in + ours] = kernel[keras * out + o];
                    }
                }
            }
        }
        return w;
    }

    /** Keras Conv2D kernel (kh, kw, in, out) to our conv weight out x (in*kh*kw), columns (c, ky, kx). */
    public static float[] conv2dToConv(float[] kernel, int kh, int kw, int in, int out) {
        checkLength(kernel, (long) kh * kw * in * out, "Conv2D kernel (" + kh + ", " + kw + ", " + in + ", " + out + ")");
        int patch = in * kh * kw;
        float[] w = new float[kernel.length];
        for (int ky = 0; ky < kh; ky++) {
            for (int kx = 0; kx < kw; kx++) {
                for (int c = 0; c < in; c++) {
                    int keras = ((ky * kw + kx) * in + c) * out;
                    int column = (c * kh + ky) * kw + kx;
                    for (int o = 0; o < out; o++) {
                        w[o * patch + column] = kernel[keras + o];
                    }
                }
            }
        }
        return w;
    }

    private static void checkLength(float[] kernel, long expected, String what) {
        if (kernel.length != expected) {
            throw new IllegalArgumentException(what + " needs " + expected + " values, got " + kernel.length);
        }
    }
}
