package cimtrain.data;

import cimtrain.util.UserError;

import java.util.Arrays;

/** Applies {@link DataOptions} to loaded sets. Every method returns a new set; inputs are not changed. */
public final class Transforms {
    private Transforms() {
    }

    /** Cuts the training set to {@code trainLimit}, then adapts size and channels of both sets. */
    public static DataSplit apply(DataSplit split, DataOptions opts) {
        Dataset train = split.train();
        if (opts.trainLimit() > 0) {
            train = limit(train, opts.trainLimit());
        }
        return new DataSplit(apply(train, opts), apply(split.test(), opts));
    }

    /** Adapts size and channels of one set (the train limit is not applied here). */
    public static Dataset apply(Dataset set, DataOptions opts) {
        Dataset out = set;
        if (opts.size() > 0 && (out.height != opts.size() || out.width != opts.size())) {
            out = DataOptions.PAD.equals(opts.fit()) ? pad(out, opts.size()) : resize(out, opts.size());
        }
        if (opts.channels() > 0 && opts.channels() != out.channels) {
            if (out.channels == 1 && opts.channels() == 3) {
                out = replicateChannels(out, 3);
            } else {
                throw new UserError("cannot turn the " + out.channels + "-channel images of " + set.name + " into "
                        + opts.channels() + " channels: only 1 -> 3 (copying the grey channel) is supported");
            }
        }
        return out;
    }

    /** The first {@code n} images in stored order. */
    public static Dataset limit(Dataset set, int n) {
        if (n > set.size()) {
            throw new UserError("train limit " + n + " is more than the " + set.size() + " training images of "
                    + set.name);
        }
        int[] first = new int[n];
        Arrays.setAll(first, i -> i);
        return set.subset(set.name, first);
    }

    /**
     * Centres each image on a black {@code size x size} canvas. An odd margin puts the extra pixel
     * at the bottom/right, so 28 -> 32 adds exactly 2 pixels on every side.
     */
    public static Dataset pad(Dataset set, int size) {
        if (size < set.height || size < set.width) {
            throw new UserError("cannot pad the " + set.height + "x" + set.width + " images of " + set.name
                    + " to " + size + "x" + size + ": padding only enlarges (use fit 'resize' to shrink)");
        }
        int top = (size - set.height) / 2;
        int left = (size - set.width) / 2;
        int planes = set.size() * set.channels;
        byte[] src = set.pixels();
        byte[] dst = new byte[length(set, (long) planes * size * size)]; // zero = black border
        for (int p = 0; p < planes; p++) {
            for (int y = 0; y < set.height; y++) {
                System.arraycopy(src, (p * set.height + y) * set.width,
                        dst, (p * size + top + y) * size + left, set.width);
            }
        }
        return new Dataset(set.name, set.channels, size, size, set.classes, dst, set.labels());
    }

    /**
     * Bilinear resampling to {@code size x size} with pixel centres aligned (output pixel centre j
     * samples input position (j + 0.5) * in/out - 0.5, clamped to the border), the convention of
     * common image libraries. Weights sum to one, so a constant image stays constant.
     */
    public static Dataset resize(Dataset set, int size) {
        int[] y0 = new int[size];
        int[] y1 = new int[size];
        float[] fy = new float[size];
        int[] x0 = new int[size];
        int[] x1 = new int[size];
        float[] fx = new float[size];
        samplePositions(set.height, size, y0, y1, fy);
        samplePositions(set.width, size, x0, x1, fx);
        int planes = set.size() * set.channels;
        int inPlane = set.height * set.width;
        byte[] src = set.pixels();
        byte[] dst = new byte[length(set, (long) planes * size * size)];
        for (int p = 0; p < planes; p++) {
            int base = p * inPlane;
            int out = p * size * size;
            for (int y = 0; y < size; y++) {
                int r0 = base + y0[y] * set.width;
                int r1 = base + y1[y] * set.width;
                for (int x = 0; x < size; x++) {
                    float top = (src[r0 + x0[x]] & 0xff) * (1 - fx[x]) + (src[r0 + x1[x]] & 0xff) * fx[x];
                    float bottom = (src[r1 + x0[x]] & 0xff) * (1 - fx[x]) + (src[r1 + x1[x]] & 0xff) * fx[x];
                    int v = Math.round(top * (1 - fy[y]) + bottom * fy[y]);
                    dst[out + y * size + x] = (byte) Math.max(0, Math.min(255, v));
                }
            }
        }
        return new Dataset(set.name, set.channels, size, size, set.classes, dst, set.labels());
    }

    /** Checks that a transformed copy of {@code set} still fits in one Java array. */
    private static int length(Dataset set, long bytes) {
        if (bytes > Integer.MAX_VALUE - 8) {
            throw new UserError("transformed " + set.name + " would need " + bytes + " bytes, more than fit in one"
                    + " array: use a smaller size or a train limit");
        }
        return (int) bytes;
    }

    /** For each output index: the two input neighbours and the weight of the second. */
    private static void samplePositions(int in, int out, int[] lo, int[] hi, float[] frac) {
        double scale = (double) in / out;
        for (int j = 0; j < out; j++) {
            double pos = Math.max(0, Math.min(in - 1, (j + 0.5) * scale - 0.5));
            lo[j] = (int) Math.floor(pos);
            hi[j] = Math.min(in - 1, lo[j] + 1);
            frac[j] = (float) (pos - lo[j]);
        }
    }

    /** Copies the single channel of a grey set into {@code channels} identical planes. */
    public static Dataset replicateChannels(Dataset set, int channels) {
        if (set.channels != 1) {
            throw new UserError("cannot replicate the channels of " + set.name + ": it has " + set.channels
                    + " channels, not 1");
        }
        int plane = set.height * set.width;
        byte[] src = set.pixels();
        byte[] dst = new byte[length(set, (long) set.size() * channels * plane)];
        for (int i = 0; i < set.size(); i++) {
            for (int c = 0; c < channels; c++) {
                System.arraycopy(src, i * plane, dst, (i * channels + c) * plane, plane);
            }
        }
        return new Dataset(set.name, channels, set.height, set.width, set.classes, dst, set.labels());
    }
}
