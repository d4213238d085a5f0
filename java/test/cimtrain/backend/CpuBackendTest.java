package cimtrain.backend;

import cimtrain.backend.cpu.CpuBackend;
import cimtrain.rng.Philox;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class CpuBackendTest {
    private static final CpuBackend BE = new CpuBackend(2);

    @AfterAll
    static void close() {
        BE.close();
    }

    static float[] random(int n, long stream) {
        float[] a = new float[n];
        Philox.fillUniform(42, stream, a, 0, 0, n, -1f, 1f);
        return a;
    }

    static Tensor up(float[] a) {
        Tensor t = BE.allocate(a.length);
        BE.upload(a, t, a.length);
        return t;
    }

    static float[] down(Tensor t, int n) {
        float[] a = new float[n];
        BE.download(t, a, n);
        return a;
    }

    @Test
    void gemmMatchesNaiveProductInAllTransposeForms() {
        int m = 7, n = 5, k = 11;
        for (boolean ta : new boolean[]{false, true}) {
            for (boolean tb : new boolean[]{false, true}) {
                float[] a = random(m * k, 1), b = random(k * n, 2), c0 = random(m * n, 3);
                Tensor c = up(c0);
                BE.gemm(ta, tb, m, n, k, 1.5f, up(a), up(b), 0.5f, c);
                float[] got = down(c, m * n);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double s = 0;
                        for (int p = 0; p < k; p++) {
                            float av = ta ? a[p * m + i] : a[i * k + p];
                            float bv = tb ? b[j * k + p] : b[p * n + j];
                            s += av * bv;
                        }
                        assertEquals(1.5 * s + 0.5 * c0[i * n + j], got[i * n + j], 1e-4, "ta=" + ta + " tb=" + tb);
                    }
                }
            }
        }
    }

    @Test
    void im2colPicksTheRightPixelsWithPadding() {
        // one 1x3x3 image 1..9, kernel 2, stride 1, pad 1 -> 4 rows (ky, kx) x 16 positions
        float[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        ConvGeometry g = new ConvGeometry(1, 3, 3, 1, 2, 1, 1);
        Tensor p = BE.allocate(16 * 4);
        BE.im2col(up(x), 1, g, p);
        float[] got = down(p, 64);
        // column of position (0,0): only x[0][0] falls inside, at kernel offset (1,1)
        assertArrayEquals(new float[]{0, 0, 0, 1}, column(got, 16, 0));
        assertArrayEquals(new float[]{1, 2, 4, 5}, column(got, 16, 5));
        assertArrayEquals(new float[]{9, 0, 0, 0}, column(got, 16, 15));
    }

    @Test
    void im2colMatchesDirectIndexingForStridesAndPadding() {
        for (int stride = 1; stride <= 3; stride++) {
            for (int pad = 0; pad <= 2; pad++) {
                ConvGeometry g = new ConvGeometry(2, 7, 6, 1, 3, stride, pad);
                int batch = 2, ld = batch * g.positions();
                float[] x = random(batch * g.inSize(), 20 + stride * 3 + pad);
                Tensor p = BE.allocate((long) g.patchSize() * ld);
                BE.im2col(up(x), batch, g, p);
                float[] got = down(p, g.patchSize() * ld);
                for (int b = 0; b < batch; b++) {
                    for (int oy = 0; oy < g.outHeight(); oy++) {
                        for (int ox = 0; ox < g.outWidth(); ox++) {
                            for (int c = 0; c < 2; c++) {
                                for (int ky = 0; ky < 3; ky++) {
                                    for (int kx = 0; kx < 3; kx++) {
                                        int iy = oy * stride - pad + ky, ix = ox * stride - pad + kx;
                                        float want = iy < 0 || iy >= 7 || ix < 0 || ix >= 6 ? 0f
                                                : x[b * g.inSize() + (c * 7 + iy) * 6 + ix];
                                        int row = (c * 3 + ky) * 3 + kx;
                                        int col = b * g.positions() + oy * g.outWidth() + ox;
                                        assertEquals(want, got[row * ld + col], "stride " + stride + " pad " + pad);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static float[] column(float[] m, int ld, int j) {
        float[] out = new float[m.length / ld];
        for (int i = 0; i < out.length; i++) {
            out[i] = m[i * ld + j];
        }
        return out;
    }

    @Test
    void col2imIsTheAdjointOfIm2col() {
        ConvGeometry g = new ConvGeometry(3, 7, 6, 4, 3, 2, 1);
        int batch = 3;
        int xs = batch * g.inSize(), ps = batch * g.positions() * g.patchSize();
        float[] x = random(xs, 4), q = random(ps, 5);
        Tensor p = BE.allocate(ps), dx = BE.allocate(xs);
        BE.im2col(up(x), batch, g, p);
        BE.col2im(up(q), batch, g, dx);
        double lhs = dot(down(p, ps), q), rhs = dot(x, down(dx, xs));
        assertEquals(lhs, rhs, 1e-3 * Math.abs(lhs) + 1e-4);
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    @Test
    void channelMajorAndImagesAreInverseLayouts() {
        int batch = 2, c = 3, p = 5;
        float[] m = random(batch * c * p, 6);
        Tensor y = BE.allocate(m.length), back = BE.allocate(m.length);
        BE.channelMajorToImages(up(m), batch, c, p, null, y);
        BE.imagesToChannelMajor(y, batch, c, p, back);
        assertArrayEquals(m, down(back, m.length));
        float[] yy = down(y, m.length);
        assertEquals(m[2 * (batch * p) + 1 * p + 4], yy[(1 * c + 2) * p + 4]);
    }

    @Test
    void maxPoolGivesATiedWindowsGradientToItsFirstMaximumOnly() {
        // two 2x2 windows: all zeros (as after ReLU), and a tie between the last two elements
        float[] x = {0, 0, 1, 2, 0, 0, 3, 3};
        PoolGeometry g = new PoolGeometry(1, 2, 4, 2, 2);
        Tensor xt = up(x), y = BE.allocate(2), dx = BE.allocate(8);
        BE.maxPoolForward(xt, 1, g, y);
        assertArrayEquals(new float[]{0, 3}, down(y, 2));
        BE.maxPoolBackward(xt, y, up(new float[]{5, 7}), 1, g, dx);
        assertArrayEquals(new float[]{5, 0, 0, 0, 0, 0, 7, 0}, down(dx, 8));
        // the same through the general (overlapping-window) path
        PoolGeometry g3 = new PoolGeometry(1, 3, 3, 3, 1);
        float[] x3 = {0, 0, 0, 0, 0, 0, 0, 0, 0};
        Tensor y3 = BE.allocate(1), dx3 = BE.allocate(9);
        BE.maxPoolForward(up(x3), 1, g3, y3);
        BE.maxPoolBackward(up(x3), y3, up(new float[]{2}), 1, g3, dx3);
        assertArrayEquals(new float[]{2, 0, 0, 0, 0, 0, 0, 0, 0}, down(dx3, 9));
    }

    @Test
    void softmaxCrossEntropyMatchesHandComputation() {
        float[] z = {1f, 2f, 3f, 0f, 0f, 0f};
        int[] labels = {2, 1};
        Tensor g = BE.allocate(6);
        int[] pred = new int[2];
        double loss = BE.softmaxCrossEntropy(up(z), labels, 2, 3, g, pred);
        double l1 = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 3;
        double l2 = Math.log(3);
        assertEquals((l1 + l2) / 2, loss, 1e-6);
        float[] grad = down(g, 6);
        assertEquals((1.0 / 3 - 1) / 2, grad[4], 1e-6);
        assertEquals(2, pred[0]);
    }

    @Test
    void adamwFirstStepMovesEachWeightByAboutLr() {
        // with bias correction, step 1 gives mhat/sqrt(vhat) = sign(g): delta = -lr*(sign(g) + wd*w)
        float[] w = {1f, -2f, 0.5f}, g = {0.3f, -0.001f, 5f};
        Tensor m = BE.allocate(3), v = BE.allocate(3), delta = BE.allocate(3);
        BE.adamwDelta(3, up(w), up(g), m, v, 0.01f, 0.9f, 0.999f, 1e-8f, 0.1f, 1, delta);
        float[] d = down(delta, 3);
        assertEquals(-0.01 * (1 + 0.1 * 1), d[0], 1e-6);
        assertEquals(-0.01 * (-1 + 0.1 * -2), d[1], 1e-5);
        assertEquals(-0.01 * (1 + 0.1 * 0.5), d[2], 1e-6);
    }

    @Test
    void sgdMomentumFollowsPyTorch() {
        float[] w = {1f}, g = {2f};
        Tensor buf = BE.allocate(1), delta = BE.allocate(1), wt = up(w), gt = up(g);
        BE.sgdDelta(1, wt, gt, buf, 0.1f, 0.9f, 0f, true, delta);
        assertEquals(-0.2f, down(delta, 1)[0], 1e-7);
        BE.sgdDelta(1, wt, gt, buf, 0.1f, 0.9f, 0f, false, delta);
        assertEquals(-0.1 * (0.9 * 2 + 2), down(delta, 1)[0], 1e-6);
    }

    @Test
    void largeGemmsGiveBitwiseTheSameResultOnAnyThreadCount() {
        // one shape for each way a large product is cut: along m, along n, and along k
        int[][] shapes = {{600, 40, 60}, {4, 9000, 30}, {4, 25, 40000}};
        try (CpuBackend one = new CpuBackend(1)) {
            for (int[] sh : shapes) {
                int m = sh[0], n = sh[1], k = sh[2];
                float[] a = random(m * k, 30), b = random(k * n, 31);
                Tensor c1 = one.allocate((long) m * n), c2 = BE.allocate((long) m * n);
                Tensor a1 = one.allocate((long) m * k), b1 = one.allocate((long) k * n);
                one.upload(a, a1, a.length);
                one.upload(b, b1, b.length);
                one.gemm(false, true, m, n, k, 1f, a1, transposeUp(one, b, k, n), 0f, c1);
                BE.gemm(false, true, m, n, k, 1f, up(a), transposeUp(BE, b, k, n), 0f, c2);
                float[] x = new float[m * n], y = new float[m * n];
                one.download(c1, x, x.length);
                BE.download(c2, y, y.length);
                assertArrayEquals(x, y, "shape " + m + "x" + n + "x" + k);
            }
        }
    }

    /** Uploads the transpose (n x k) of a row-major k x n matrix. */
    private static Tensor transposeUp(CpuBackend be, float[] b, int k, int n) {
        float[] t = new float[b.length];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < n; j++) {
                t[j * k + i] = b[i * n + j];
            }
        }
        Tensor out = be.allocate(t.length);
        be.upload(t, out, t.length);
        return out;
    }

    @Test
    void randomFillIsTheSameForAnyThreadCount() {
        try (CpuBackend one = new CpuBackend(1)) {
            int n = 100_003;
            Tensor a = one.allocate(n), b = BE.allocate(n);
            one.fillNormal(a, n, 0f, 1f, 9, 4);
            BE.fillNormal(b, n, 0f, 1f, 9, 4);
            float[] x = new float[n], y = new float[n];
            one.download(a, x, n);
            BE.download(b, y, n);
            assertArrayEquals(x, y);
        }
    }

    /**
     * Batch norm sums four channels side by side (one serial chain each): the bits must be those of one
     * channel summed at a time in element order, as the runs under eval-reports/ were made. Seven
     * channels: a group of four and a remainder of three.
     */
    @Test
    void batchNormSumsEachChannelInElementOrder() {
        int batch = 3, channels = 7, spatial = 37, n = batch * channels * spatial;
        float[] x = random(n, 11), dy = random(n, 12), gamma = random(channels, 13), beta = random(channels, 14);
        float[] rm = random(channels, 15), rv = new float[channels];
        java.util.Arrays.fill(rv, 1f);
        Tensor sm = BE.allocate(channels), si = BE.allocate(channels), y = BE.allocate(n), rmT = up(rm), rvT = up(rv);
        BE.batchNormTrain(up(x), batch, channels, spatial, up(gamma), up(beta), 1e-5f, 0.1f, rmT, rvT, sm, si, y);
        Tensor dx = BE.allocate(n), dGamma = BE.allocate(channels), dBeta = BE.allocate(channels);
        BE.batchNormBackward(up(x), up(dy), batch, channels, spatial, up(gamma), sm, si, dx, dGamma, dBeta);
        long count = (long) batch * spatial;
        for (int c = 0; c < channels; c++) {
            double sum = 0, sq = 0;
            for (int b = 0; b < batch; b++) {
                for (int p = 0; p < spatial; p++) {
                    sum += x[(b * channels + c) * spatial + p];
                }
            }
            double mean = sum / count;
            for (int b = 0; b < batch; b++) {
                for (int p = 0; p < spatial; p++) {
                    double d = x[(b * channels + c) * spatial + p] - mean;
                    sq += d * d;
                }
            }
            float inv = (float) (1.0 / Math.sqrt(sq / count + 1e-5f));
            assertEquals(Float.floatToRawIntBits((float) mean), Float.floatToRawIntBits(down(sm, channels)[c]), "mean " + c);
            assertEquals(Float.floatToRawIntBits(inv), Float.floatToRawIntBits(down(si, channels)[c]), "invStd " + c);
            assertEquals(Float.floatToRawIntBits((float) ((1 - 0.1f) * rm[c] + 0.1f * mean)),
                    Float.floatToRawIntBits(down(rmT, channels)[c]), "running mean " + c);
            double sumDy = 0, sumDyXhat = 0;
            float fm = (float) mean;
            for (int b = 0; b < batch; b++) {
                for (int p = 0; p < spatial; p++) {
                    int e = (b * channels + c) * spatial + p;
                    float g = dy[e];
                    sumDy += g;
                    sumDyXhat += g * (x[e] - fm) * inv;
                }
            }
            assertEquals(Float.floatToRawIntBits((float) sumDy), Float.floatToRawIntBits(down(dBeta, channels)[c]), "dBeta " + c);
            assertEquals(Float.floatToRawIntBits((float) sumDyXhat), Float.floatToRawIntBits(down(dGamma, channels)[c]),
                    "dGamma " + c);
        }
    }
}
