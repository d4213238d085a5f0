package cimtrain.backend;

/**
 * Shape of a 2-D convolution over NCHW inputs. Output size follows PyTorch:
 * out = (in + 2 * padding - kernel) / stride + 1.
 */
public record ConvGeometry(int inChannels, int inHeight, int inWidth, int outChannels,
                           int kernel, int stride, int padding) {
    public ConvGeometry {
        if (kernel < 1 || stride < 1 || padding < 0) {
            throw new IllegalArgumentException("kernel, stride must be >= 1 and padding >= 0");
        }
    }

    public int outHeight() {
        return (inHeight + 2 * padding - kernel) / stride + 1;
    }

    public int outWidth() {
        return (inWidth + 2 * padding - kernel) / stride + 1;
    }

    /** Output positions per image (rows of the patch matrix per image). */
    public int positions() {
        return outHeight() * outWidth();
    }

    /** Length of one unrolled patch: the rows of the weight matrix on a crossbar. */
    public int patchSize() {
        return inChannels * kernel * kernel;
    }

    public int inSize() {
        return inChannels * inHeight * inWidth;
    }

    public int outSize() {
        return outChannels * positions();
    }
}
