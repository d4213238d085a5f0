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
        return toOurs(kernel, identity(in), out);
    }

    /**
     * Keras Dense kernel (h*w*c, out) fed by Flatten of an (h, w, c) feature map to our linear weight
     * out x (c*h*w) fed by our Flatten of a (c, h, w) map.
     */
    public static float[] denseAfterFlattenToLinear(float[] kernel, int channels, int height, int width, int out) {
        checkLength(kernel, (long) channels * height * width * out, "Dense kernel after Flatten of (" + height + ", "
                + width + ", " + channels + ") to " + out);
        return toOurs(kernel, flattenRows(channels, height, width), out);
    }

    /** Keras Conv2D kernel (kh, kw, in, out) to our conv weight out x (in*kh*kw), columns (c, ky, kx). */
    public static float[] conv2dToConv(float[] kernel, int kh, int kw, int in, int out) {
        checkLength(kernel, (long) kh * kw * in * out, "Conv2D kernel (" + kh + ", " + kw + ", " + in + ", " + out + ")");
        return toOurs(kernel, convRows(kh, kw, in), out);
    }

    /** The inverse of {@link #denseToLinear}: our out x in weight to a Keras Dense kernel (in, out). */
    public static float[] linearToDense(float[] w, int in, int out) {
        checkLength(w, (long) in * out, "linear weight " + out + " x " + in);
        return toKeras(w, identity(in), out);
    }

    /** The inverse of {@link #denseAfterFlattenToLinear}. */
    public static float[] linearToDenseAfterFlatten(float[] w, int channels, int height, int width, int out) {
        checkLength(w, (long) channels * height * width * out, "linear weight " + out + " x " + channels * height * width);
        return toKeras(w, flattenRows(channels, height, width), out);
    }

    /** The inverse of {@link #conv2dToConv}: our out x (in*kh*kw) weight to a Keras kernel (kh, kw, in, out). */
    public static float[] convToConv2d(float[] w, int kh, int kw, int in, int out) {
        checkLength(w, (long) kh * kw * in * out, "conv weight " + out + " x " + (in * kh * kw));
        return toKeras(w, convRows(kh, kw, in), out);
    }

    /** Per column of our weight, the row of the Keras kernel (as a (rows, out) matrix) that holds it. */
    private static int[] identity(int in) {
        int[] rows = new int[in];
        for (int i = 0; i < in; i++) {
            rows[i] = i;
        }
        return rows;
    }

    /** Our flatten order (c, y, x) against Keras's (y, x, c). */
    private static int[] flattenRows(int channels, int height, int width) {
        int[] rows = new int[channels * height * width];
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    rows[(c * height + y) * width + x] = (y * width + x) * channels + c;
                }
            }
        }
        return rows;
    }

    /** Our patch order (c, ky, kx) against Keras's kernel order (ky, kx, c). */
    private static int[] convRows(int kh, int kw, int in) {
        int[] rows = new int[in * kh * kw];
        for (int ky = 0; ky < kh; ky++) {
            for (int kx = 0; kx < kw; kx++) {
                for (int c = 0; c < in; c++) {
                    rows[(c * kh + ky) * kw + kx] = (ky * kw + kx) * in + c;
                }
            }
        }
        return rows;
    }

    private static float[] toOurs(float[] kernel, int[] rows, int out) {
        int in = rows.length;
        float[] w = new float[kernel.length];
        for (int col = 0; col < in; col++) {
            for (int o = 0; o < out; o++) {
                w[o * in + col] = kernel[rows[col] * out + o];
            }
        }
        return w;
    }

    private static float[] toKeras(float[] w, int[] rows, int out) {
        int in = rows.length;
        float[] kernel = new float[w.length];
        for (int col = 0; col < in; col++) {
            for (int o = 0; o < out; o++) {
                kernel[rows[col] * out + o] = w[o * in + col];
            }
        }
        return kernel;
    }

    private static void checkLength(float[] kernel, long expected, String what) {
        if (kernel.length != expected) {
            throw new IllegalArgumentException(what + " needs " + expected + " values, got " + kernel.length);
        }
    }
}
