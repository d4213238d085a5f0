package cimtrain.backend;

/** A square pooling window over NCHW inputs, no padding (out = (in - size) / stride + 1). */
public record PoolGeometry(int channels, int inHeight, int inWidth, int size, int stride) {
    public int outHeight() {
        return (inHeight - size) / stride + 1;
    }

    public int outWidth() {
        return (inWidth - size) / stride + 1;
    }

    public int inSize() {
        return channels * inHeight * inWidth;
    }

    public int outSize() {
        return channels * outHeight() * outWidth();
    }
}
