package cimtrain.nn;

/** The shape of one sample flowing between layers: channels x height x width (a vector is n x 1 x 1). */
public record Shape(int channels, int height, int width) {
    public Shape {
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("shape must be positive: " + channels + "x" + height + "x" + width);
        }
        if ((long) channels * height * width > Integer.MAX_VALUE) {
            throw new cimtrain.util.UserError("a sample of " + channels + "x" + height + "x" + width + " values is more "
                    + "than the 2^31 - 1 a tensor holds");
        }
    }

    public static Shape vector(int n) {
        return new Shape(n, 1, 1);
    }

    public int size() {
        return channels * height * width;
    }

    public int spatial() {
        return height * width;
    }

    @Override
    public String toString() {
        return height == 1 && width == 1 ? Integer.toString(channels) : channels + "x" + height + "x" + width;
    }
}
