package cimtrain.data;

import cimtrain.util.UserError;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TransformsTest {
    /** {@code n} grey h x w images, every pixel of image i = 1 + i + (y * w + x) % 200 (never 0). */
    static Dataset grey(int n, int h, int w) {
        byte[] p = new byte[n * h * w];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < h * w; k++) {
                p[i * h * w + k] = (byte) (1 + i + k % 200);
            }
        }
        byte[] l = new byte[n];
        for (int i = 0; i < n; i++) {
            l[i] = (byte) (i % 10);
        }
        return new Dataset("g", 1, h, w, 10, p, l);
    }

    static int at(Dataset d, int i, int c, int y, int x) {
        return d.pixels()[((i * d.channels + c) * d.height + y) * d.width + x] & 0xff;
    }

    @Test
    void padCentresTheImage() {
        Dataset in = grey(2, 28, 28);
        Dataset out = Transforms.apply(in, new DataOptions(32, "pad", 0, 0));
        assertEquals(32, out.height);
        assertEquals(32, out.width);
        assertArrayEquals(in.labels(), out.labels());
        for (int i = 0; i < 2; i++) {
            for (int y = 0; y < 32; y++) {
                for (int x = 0; x < 32; x++) {
                    boolean inside = y >= 2 && y < 30 && x >= 2 && x < 30;
                    int expected = inside ? at(in, i, 0, y - 2, x - 2) : 0;
                    assertEquals(expected, at(out, i, 0, y, x), "image " + i + " at " + y + "," + x);
                }
            }
        }
    }

    @Test
    void oddPadPutsTheExtraPixelBottomRight() {
        Dataset out = Transforms.pad(grey(1, 2, 3), 5);
        // rows 1..2, columns 1..3 hold the image
        assertEquals(0, at(out, 0, 0, 0, 1));
        assertEquals(1, at(out, 0, 0, 1, 1));
        assertEquals(1 + 5, at(out, 0, 0, 2, 3));
        assertEquals(0, at(out, 0, 0, 3, 3));
        assertEquals(0, at(out, 0, 0, 2, 4));
    }

    @Test
    void padCannotShrink() {
        UserError e = assertThrows(UserError.class, () -> Transforms.apply(grey(1, 32, 32), new DataOptions(28, "pad", 0, 0)));
        assertTrue(e.getMessage().contains("32x32") && e.getMessage().contains("resize"), e.getMessage());
    }

    @Test
    void resizeKeepsConstantImagesConstant() {
        byte[] p = new byte[2 * 3 * 28 * 28];
        java.util.Arrays.fill(p, 0, p.length / 2, (byte) 173);
        java.util.Arrays.fill(p, p.length / 2, p.length, (byte) 255);
        Dataset in = new Dataset("c", 3, 28, 28, 10, p, new byte[] {1, 2});
        for (int size : new int[] {7, 32, 64}) {
            Dataset out = Transforms.apply(in, new DataOptions(size, "resize", 0, 0));
            assertEquals(size, out.height);
            int half = out.pixels().length / 2;
            for (int k = 0; k < out.pixels().length; k++) {
                assertEquals(k < half ? 173 : 255, out.pixels()[k] & 0xff, "size " + size + " pixel " + k);
            }
        }
    }

    @Test
    void resizeHalvingAveragesPixelPairs() {
        // With centre-aligned sampling, halving samples exactly between two input pixels.
        byte[] p = {0, 100, 50, 50, 0, 100, 50, 50, 10, 10, 20, 20, 10, 10, 20, 20};
        Dataset out = Transforms.resize(new Dataset("h", 1, 4, 4, 10, p, new byte[] {0}), 2);
        assertArrayEquals(new byte[] {50, 50, 10, 20}, out.pixels());
    }

    @Test
    void replicateGivesIdenticalChannels() {
        Dataset in = grey(3, 5, 6);
        Dataset out = Transforms.apply(in, new DataOptions(0, "pad", 3, 0));
        assertEquals(3, out.channels);
        for (int i = 0; i < 3; i++) {
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 5; y++) {
                    for (int x = 0; x < 6; x++) {
                        assertEquals(at(in, i, 0, y, x), at(out, i, c, y, x));
                    }
                }
            }
        }
    }

    @Test
    void cannotReduceColourToGrey() {
        Dataset rgb = Transforms.replicateChannels(grey(1, 4, 4), 3);
        UserError e = assertThrows(UserError.class, () -> Transforms.apply(rgb, new DataOptions(0, "pad", 1, 0)));
        assertTrue(e.getMessage().contains("3-channel"), e.getMessage());
    }

    @Test
    void keepOptionsReturnTheSameSet() {
        Dataset in = grey(2, 28, 28);
        assertSame(in, Transforms.apply(in, DataOptions.NONE));
        assertSame(in, Transforms.apply(in, new DataOptions(28, "pad", 1, 0)));
    }

    @Test
    void trainLimitCutsOnlyTheTrainingSet() {
        DataSplit s = Transforms.apply(new DataSplit(grey(10, 4, 4), grey(6, 4, 4)), new DataOptions(8, "pad", 3, 4));
        assertEquals(4, s.train().size());
        assertEquals(6, s.test().size());
        assertEquals(3, s.train().channels);
        assertEquals(8, s.test().width);
        assertEquals(at(grey(10, 4, 4), 3, 0, 1, 1), at(s.train(), 3, 2, 3, 3));
        assertThrows(UserError.class, () -> Transforms.apply(new DataSplit(grey(10, 4, 4), grey(6, 4, 4)),
                new DataOptions(0, "pad", 0, 11)));
    }

    @Test
    void rejectsInvalidOptions() {
        assertTrue(assertThrows(UserError.class, () -> new DataOptions(-1, "pad", 0, 0)).getMessage().contains("size = -1"));
        assertTrue(assertThrows(UserError.class, () -> new DataOptions(0, "crop", 0, 0)).getMessage().contains("'crop'"));
        assertThrows(UserError.class, () -> new DataOptions(0, null, 0, 0));
        assertTrue(assertThrows(UserError.class, () -> new DataOptions(0, "pad", 2, 0)).getMessage().contains("channels = 2"));
        assertThrows(UserError.class, () -> new DataOptions(0, "pad", 0, -5));
    }
}
