package cimtrain.data;

import java.util.Objects;

/**
 * An in-memory image classification set. Pixels stay as unsigned bytes (a quarter of the memory of
 * floats, which matters for CIFAR-size sets at 32x32x3) and are scaled to [0, 1] only when a batch
 * is assembled.
 */
public final class Dataset {
    public final String name;
    public final int channels;
    public final int height;
    public final int width;
    public final int classes;
    /** N x C x H x W unsigned pixel values. */
    private final byte[] pixels;
    /** N labels in [0, classes). */
    private final byte[] labels;

    public Dataset(String name, int channels, int height, int width, int classes, byte[] pixels, byte[] labels) {
        this.name = Objects.requireNonNull(name);
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.classes = classes;
        this.pixels = pixels;
        this.labels = labels;
        if ((long) labels.length * channels * height * width != pixels.length) {
            throw new IllegalArgumentException("pixel count " + pixels.length + " does not match "
                    + labels.length + " images of " + channels + "x" + height + "x" + width);
        }
    }

    public int size() {
        return labels.length;
    }

    public int imageSize() {
        return channels * height * width;
    }

    public int label(int i) {
        return labels[i] & 0xff;
    }

    /** Raw pixel bytes of the whole set (shared, do not modify). */
    public byte[] pixels() {
        return pixels;
    }

    /** Raw label bytes of the whole set (shared, do not modify). */
    public byte[] labels() {
        return labels;
    }

    /**
     * Writes images {@code order[from..from+count)} scaled to [0,1] into {@code x} (count x C x H x W)
     * and their labels into {@code y}.
     */
    public void copyBatch(int[] order, int from, int count, float[] x, int[] y) {
        int sz = imageSize();
        final float scale = 1f / 255f;
        for (int b = 0; b < count; b++) {
            int idx = order[from + b];
            int src = idx * sz;
            int dst = b * sz;
            for (int k = 0; k < sz; k++) {
                x[dst + k] = (pixels[src + k] & 0xff) * scale;
            }
            y[b] = labels[idx] & 0xff;
        }
    }

    /** The images at the given indices, in that order, as a new set. */
    public Dataset subset(String newName, int[] indices) {
        int sz = imageSize();
        byte[] p = new byte[indices.length * sz];
        byte[] l = new byte[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(pixels, indices[i] * sz, p, i * sz, sz);
            l[i] = labels[indices[i]];
        }
        return new Dataset(newName, channels, height, width, classes, p, l);
    }
}
