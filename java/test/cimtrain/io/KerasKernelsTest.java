package cimtrain.io;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The conversions checked against arrays written out by hand. */
class KerasKernelsTest {
    @Test
    void denseKernelIsTransposed() {
        // Keras (in=3, out=2): rows are inputs
        float[] keras = {
            1, 2,
            3, 4,
            5, 6};
        // ours (out=2, in=3): rows are outputs
        assertArrayEquals(new float[] {
            1, 3, 5,
            2, 4, 6}, KerasKernels.denseToLinear(keras, 3, 2));
    }

    @Test
    void conv2dKernelBecomesOutByChannelRowColumn() {
        // Keras (kh=2, kw=2, in=2, out=1); value = 1000*ky + 100*kx + 10*c + o, so each entry names its place
        int kh = 2, kw = 2, in = 2, out = 1;
        float[] keras = new float[kh * kw * in * out];
        for (int ky = 0; ky < kh; ky++) {
            for (int kx = 0; kx < kw; kx++) {
                for (int c = 0; c < in; c++) {
                    keras[(ky * kw + kx) * in + c] = 1000 * ky + 100 * kx + 10 * c;
                }
            }
        }
        // ours: one row (out 0), columns (c, ky, kx)
        assertArrayEquals(new float[] {
            0, 100, 1000, 1100,      // c = 0: (ky,kx) = (0,0) (0,1) (1,0) (1,1)
            10, 110, 1010, 1110},    // c = 1
                KerasKernels.conv2dToConv(keras, kh, kw, in, out));
    }

    @Test
    void conv2dWithSeveralOutputsAndAWideKernel() {
        int kh = 1, kw = 3, in = 1, out = 2;
        // Keras (1, 3, 1, 2): [ky=0][kx][c=0][o] = 10*kx + o
        float[] keras = {0, 1, 10, 11, 20, 21};
        assertArrayEquals(new float[] {
            0, 10, 20,   // out 0
            1, 11, 21},  // out 1
                KerasKernels.conv2dToConv(keras, kh, kw, in, out));
    }

    @Test
    void denseAfterFlattenPermutesChannelsLastToChannelsFirst() {
        // a (h=1, w=2, c=2) map flattened by Keras as (y, x, c): k0=(x0,c0) k1=(x0,c1) k2=(x1,c0) k3=(x1,c1)
        // one output; value = the Keras input index
        float[] keras = {0, 1, 2, 3};
        // ours flattens (c, y, x): (c0,x0) (c0,x1) (c1,x0) (c1,x1) = Keras inputs 0, 2, 1, 3
        assertArrayEquals(new float[] {0, 2, 1, 3}, KerasKernels.denseAfterFlattenToLinear(keras, 2, 1, 2, 1));
    }

    @Test
    void denseAfterFlattenOfASinglePixelIsAPlainTranspose() {
        float[] keras = {1, 2, 3, 4, 5, 6}; // (in=3, out=2)
        assertArrayEquals(KerasKernels.denseToLinear(keras, 3, 2),
                KerasKernels.denseAfterFlattenToLinear(keras, 3, 1, 1, 2));
    }

    @Test
    void wrongSizesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KerasKernels.denseToLinear(new float[5], 3, 2));
        assertEquals("Dense kernel (3, 2) needs 6 values, got 5", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KerasKernels.conv2dToConv(new float[8], 2, 2, 2, 2));
    }
}
