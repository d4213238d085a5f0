package cimtrain.backend;

import cimtrain.backend.cpu.CpuBackend;
import cimtrain.backend.cuda.CudaBackend;
import cimtrain.backend.cuda.CudaTestSupport;
import cimtrain.rng.Philox;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every {@link Backend} operation of each available backend against the reference, {@link CpuBackend}
 * with one thread and one replica, on fresh random inputs (a new seed every run, named in each failure).
 * "cpu" is CpuBackend with two threads (results must not depend on the thread count); "cuda" runs when
 * a GPU is found and is reported as skipped, with the reason, otherwise.
 *
 * <p>Tolerances, per operation: EXACT (0: the same bits) where the backend performs the reference's float
 * operations in the same order (copies, elementwise ops, layout changes, pooling, optimizer steps,
 * random fills, evaluation batch norm, row sums); otherwise |got - want| <= abs + rel |want|, with abs
 * and rel stated at each call (GEMMs and crossbar products: summation order; per-channel statistics:
 * double sums in another order; softmax: the double exp and log of another maths library).
 */
@Tag("cuda")
class BackendContractTest {
    static final long SEED = System.nanoTime() & 0xFFFFFFFFL;
    private static final CpuBackend REF = new CpuBackend(1, 1);
    private static final Map<String, Backend> SUBJECTS = new HashMap<>();

    @AfterAll
    static void closeAll() {
        SUBJECTS.values().forEach(Backend::close);
        REF.close();
    }

    /** The backend under test; skips (with the reason) when it is not on this machine. */
    static synchronized Backend subject(String name) {
        if (name.startsWith("cuda")) {
            CudaTestSupport.assumeCuda();
        }
        return SUBJECTS.computeIfAbsent(name, n -> n.equals("cpu") ? new CpuBackend(2, 2)
                : CudaBackend.open(n.equals("cuda-own-gemm") ? CudaBackend.Gemm.TILED : CudaBackend.Gemm.AUTO));
    }

    private static long stream = 1;

    /** Fresh uniform values in [lo, hi), never exactly 0. */
    static float[] random(int n, float lo, float hi) {
        float[] a = new float[n];
        Philox.fillUniform(SEED, stream++, a, 0, 0, n, lo, hi);
        for (int i = 0; i < n; i++) {
            if (a[i] == 0f) {
                a[i] = 0.5f;
            }
        }
        return a;
    }

    static float[] random(int n) {
        return random(n, -1f, 1f);
    }

    /** The same data on both backends. */
    record Pair(Tensor ref, Tensor got) {
    }

    static Pair both(Backend be, float[] a) {
        Tensor r = REF.allocate(a.length), g = be.allocate(a.length);
        REF.upload(a, r, a.length);
        be.upload(a, g, a.length);
        return new Pair(r, g);
    }

    static Pair zeros(Backend be, int n) {
        return new Pair(REF.allocate(n), be.allocate(n));
    }

    /** A copy of a on be. */
    static Tensor put(Backend be, float[] a) {
        Tensor t = be.allocate(a.length);
        be.upload(a, t, a.length);
        return t;
    }

    static float[] down(Backend be, Tensor t, int n) {
        float[] a = new float[n];
        be.download(t, a, n);
        return a;
    }

    static final double EXACT = -1;

    /** Compares p's two tensors over n elements: bit for bit (abs = EXACT) or within abs + rel |want|. */
    static void check(String what, Backend be, Pair p, int n, double abs, double rel) {
        float[] want = down(REF, p.ref, n), got = down(be, p.got, n);
        compare(what, want, got, abs, rel);
    }

    static void compare(String what, float[] want, float[] got, double abs, double rel) {
        for (int i = 0; i < want.length; i++) {
            boolean ok = abs == EXACT ? Float.floatToIntBits(want[i]) == Float.floatToIntBits(got[i])
                    : Math.abs(got[i] - want[i]) <= abs + rel * Math.abs(want[i]);
            if (!ok) {
                fail(String.format("%s [%d]: want %s, got %s (%s; seed %d)", what, i, want[i], got[i],
                        abs == EXACT ? "bitwise" : "tolerance " + abs + " + " + rel + " x |want|", SEED));
            }
        }
    }

    // ---- memory ----

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "cuda"})
    void memory(String name) {
        Backend be = subject(name);
        float[] a = random(1003);
        Tensor t = be.allocate(1000);
        assertArrayEquals(new float[1000], down(be, t, 1000), "allocate zero-fills");
        be.upload(a, 3, t, 1000);
        float[] back = down(be, t, 1000);
        for (int i = 0; i < 1000; i++) {
            assertEquals(a[i + 3], back[i]);
        }
        Tensor c = be.allocate(1000);
        be.copy(t, c, 999);
        float[] copied = down(be, c, 1000);
        assertEquals(back[998], copied[998]);
        assertEquals(0f, copied[999]);
        be.fill(c, 501, -2.25f);
        float[] filled = down(be, c, 1000);
        assertEquals(-2.25f, filled[500]);
        assertEquals(back[501], filled[501]);
    }

    // ---- linear algebra ----

    /** "cuda-own-gemm": the GEMM kernel used where libcublas.so.12 does not load. */
    @ParameterizedTest
    @ValueSource(strings = {"cpu", "cuda", "cuda-own-gemm"})
    void gemmAllTransposeForms(String name) {
        Backend be = subject(name);
        int m = 37, n = 29, k = 153;
        for (boolean ta : new boolean[]{false, true}) {
            for (boolean tb : new boolean[]{false, true}) {
                Pair a = both(be, random(m * k)), b = both(be, random(k * n)), c = both(be, random(m * n));
                REF.gemm(ta, tb, m, n, k, 1.5f, a.ref, b.ref, 0.5f, c.ref);
                be.gemm(ta, tb, m, n, k, 1.5f, a.got, b.got, 0.5f, c.got);
                // summation order: |error| <~ k eps sum|a b|, sum|a b| <= 1.5 k / 4 on average
                check("gemm ta=" + ta + " tb=" + tb, be, c, m * n, 1e-4, 1e-5);
            }
        }
        // beta 0 must ignore C (even NaN there)
        Pair a = both(be, random(m * k)), b = both(be, random(k * n));
        float[] nan = new float[m * n];
        java.util.Arrays.fill(nan, Float.NaN);
        Pair c = both(be, nan);
        REF.gemm(false, false, m, n, k, 1f, a.ref, b.ref, 0f, c.ref);
        be.gemm(false, false, m, n, k, 1f, a.got, b.got, 0f, c.got);
        check("gemm beta 0", be, c, m * n, 1e-4, 1e-5);
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "cuda"})
    void elementwiseAndSums(String name) {
        Backend be = subject(name);
        int n = 70_001;
        Pair x = both(be, random(n)), y = both(be, random(n)), out = zeros(be, n);
        REF.axpy(n, 0.37f, x.ref, y.ref);
        be.axpy(n, 0.37f, x.got, y.got);
        check("axpy", be, y, n, EXACT, 0);
        REF.scale(n - 5, -1.7f, y.ref);
        be.scale(n - 5, -1.7f, y.got);
        check("scale", be, y, n, EXACT, 0);
        REF.add(n, x.ref, y.ref, out.ref);
        be.add(n, x.got, y.got, out.got);
        check("add", be, out, n, EXACT, 0);

        int rows = 300, cols = 233;
        Pair m = both(be, random(rows * cols)), sr = zeros(be, cols), sc = zeros(be, rows), bias = both(be, random(cols));
        REF.sumRows(m.ref, rows, cols, sr.ref);
        be.sumRows(m.got, rows, cols, sr.got);
        check("sumRows", be, sr, cols, EXACT, 0);
        REF.sumColumns(m.ref, rows, cols, sc.ref);
        be.sumColumns(m.got, rows, cols, sc.got);
        check("sumColumns", be, sc, rows, 1e-6, 1e-6);
        REF.addRowBias(m.ref, rows, cols, bias.ref);
        be.addRowBias(m.got, rows, cols, bias.got);
        check("addRowBias", be, m, rows * cols, EXACT, 0);
        Pair t = zeros(be, rows * cols);
        REF.transpose(m.ref, rows, cols, t.ref);
        be.transpose(m.got, rows, cols, t.got);
        check("transpose", be, t, rows * cols, EXACT, 0);
    }

    // ---- convolution lowering ----

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "cuda"})
    void im2colCol2imAndLayouts(String name) {
        Backend be = subject(name);
        int batch = 3;
        for (ConvGeometry g : new ConvGeometry[]{new ConvGeometry(3, 11, 9, 5, 3, 2, 1), new ConvGeometry(2, 12, 12, 4, 5, 1, 0),
                new ConvGeometry(4, 8, 8, 8, 3, 1, 1)}) {
            int colsSize = g.patchSize() * batch * g.positions(), inSize = batch * g.inSize();
            Pair x = both(be, random(inSize)), cols = zeros(be, colsSize), dx = both(be, random(inSize));
            REF.im2col(x.ref, batch, g, cols.ref);
            be.im2col(x.got, batch, g, cols.got);
            check("im2col " + g, be, cols, colsSize, EXACT, 0);
            Pair dcols = both(be, random(colsSize));
            REF.col2im(dcols.ref, batch, g, dx.ref);
            be.col2im(dcols.got, batch, g, dx.got);
            check("col2im " + g, be, dx, inSize, EXACT, 0);
            int outSize = batch * g.outSize();
            Pair m = both(be, random(outSize)), imgs = zeros(be, outSize), bias = both(be, random(g.outChannels()));
            REF.channelMajorToImages(m.ref, batch, g.outChannels(), g.positions(), bias.ref, imgs.ref);
            be.channelMajorToImages(m.got, batch, g.outChannels(), g.positions(), bias.got, imgs.got);
            check("channelMajorToImages + bias", be, imgs, outSize, EXACT, 0);
            REF.channelMajorToImages(m.ref, batch, g.outChannels(), g.positions(), null, imgs.ref);
            be.channelMajorToImages(m.got, batch, g.outChannels(), g.positions(), null, imgs.got);
            check("channelMajorToImages", be, imgs, outSize, EXACT, 0);
            Pair back = zeros(be, outSize);
            REF.imagesToChannelMajor(imgs.ref, batch, g.outChannels(), g.positions(), back.ref);
            be.imagesToChannelMajor(imgs.got, batch, g.outChannels(), g.positions(), back.got);
            check("imagesToChannelMajor", be, back, outSize, EXACT, 0);
        }
    }

    // ---- activations and pooling ----

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "cuda"})
    void reluAndPooling(String name) {
        Backend be = subject(name);
        int n = 40_000;
        Pair x = both(be, random(n)), y = zeros(be, n), dy = both(be, random(n)), dx = zeros(be, n);
        REF.reluForward(x.ref, y.ref, n);
        be.reluForward(x.got, y.got, n);
        check("relu", be, y, n, EXACT, 0);
        REF.reluBackward(y.ref, dy.ref, dx.ref, n);
        be.reluBackward(y.got, dy.got, dx.got, n);
        check("relu backward", be, dx, n, EXACT, 0);
        int batch = 4;
        // ReLU outputs as pooling inputs: windows with ties at zero, as in a network
        for (PoolGeometry g : new PoolGeometry[]{new PoolGeometry(3, 9, 10, 2, 2), new PoolGeometry(2, 11, 11, 3, 2),
                new PoolGeometry(2, 7, 7, 3, 1)}) {
            int in = batch * g.inSize(), out = batch * g.outSize();
            float[] xs = random(in);
            for (int i = 0; i < in; i++) {
                xs[i] = Math.max(xs[i], 0f);
            }
            Pair px = both(be, xs), py = zeros(be, out), pdy = both(be, random(out)), pdx = both(be, random(in));
            REF.maxPoolForward(px.ref, batch, g, py.ref);
            be.maxPoolForward(px.got, batch, g, py.got);
            check("maxpool " + g, be, py, out, EXACT, 0);
            REF.maxPoolBackward(px.ref, py.ref, pdy.ref, batch, g, pdx.ref);
            be.maxPoolBackward(px.got, py.got, pdy.got, batch, g, pdx.got);
            check("maxpool backward " + g, be, pdx, in, EXACT, 0);
            REF.avgPoolForward(px.ref, batch, g, py.ref);
            be.avgPoolForward(px.got, batch, g, py.got);
            check("avgpool " + g, be, py, out, EXACT, 0);
            REF.avgPoolBackward(pdy.ref, batch, g, pdx.ref);
            be.avgPoolBackward(pdy.got, batch, g, pdx.got);
            check("avgpool backward " + g, be, pdx, in, EXACT, 0);
        }
    }

    // ---- batch norm ----

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "cuda"})
    void batchNorm(String name) {
        Backend be = subject(name);
        int batch = 6, channels = 5, spatial = 49, n = batch * channels * spatial;
        float[] xs = random(n, -2f, 3f);
        Pair x = both(be, xs), gamma = both(be, random(channels, 0.5f, 1.5f)), beta = both(be, random(channels)),
                rm = both(be, random(channels)), rv = both(be, random(channels, 0.5f, 2f)), sm = zeros(be, channels),
                si = zeros(be, channels), y = zeros(be, n);
        REF.batchNormTrain(x.ref, batch, channels, spatial, gamma.ref, beta.ref, 1e-5f, 0.1f, rm.ref, rv.ref, sm.ref, si.ref, y.ref);
        be.batchNormTrain(x.got, batch, channels, spatial, gamma.got, beta.got, 1e-5f, 0.1f, rm.got, rv.got, sm.got, si.got, y.got);
        // double sums in another order: the float results agree to a few ulps
        check("batchNormTrain mean", be, sm, channels, 1e-7, 1e-6);
        check("batchNormTrain invStd", be, si, channels, 0, 1e-6);
        check("batchNormTrain runMean", be, rm, channels, 1e-7, 1e-6);
        check("batchNormTrain runVar", be, rv, channels, 0, 1e-6);
        check("batchNormTrain y", be, y, n, 1e-5, 1e-5);
        REF.batchNormEval(x.ref, batch, channels, spatial, gamma.ref, beta.ref, 1e-5f, rm.ref, rv.ref, y.ref);
        be.batchNormEval(x.got, batch, channels, spatial, gamma.got, beta.got, 1e-5f, rm.got, rv.got, y.got);
        check("batchNormEval (inputs as close as batchNormTrain left them)", be, y, n, 1e-5, 1e-5);
        Pair rmSame = both(be, random(channels)), rvSame = both(be, random(channels, 0.5f, 2f));
        REF.batchNormEval(x.ref, batch, channels, spatial, gamma.ref, beta.ref, 1e-5f, rmSame.ref, rvSame.ref, y.ref);
        be.batchNormEval(x.got, batch, channels, spatial, gamma.got, beta.got, 1e-5f, rmSame.got, rvSame.got, y.got);
        check("batchNormEval", be, y, n, EXACT, 0);
        // backward from the same saved statistics on both sides
        float[] mean = down(REF, sm.ref, channels), inv = down(REF, si.ref, channels);
        Pair smSame = both(be, mean), siSame = both(be, inv), dy = both(be, random(n)), dx = zeros(be, n),
                dg = zeros(be, channels), db = zeros(be, channels);
        REF.batchNormBackward(x.ref, dy.ref, batch, channels, spatial, gamma.ref, smSame.ref, siSame.ref, dx.ref, dg.ref, db.ref);
        be.batchNormBackward(x.got, dy.got, batch, channels, spatial, gamma.got, smSame.got, siSame.got, dx.got, dg.got, db.got);
        check("batchNormBackward dGamma", be, dg, channels, 1e-5, 1e-5);
        check("batchNormBackward dBeta", be, db, channels, 1e-5, 1e-5);
        check("batchNormBackward dx", be, dx, n, 1e-5, 1e-4);
        REF.batchNormBackward(x.ref, dy.ref, batch, channels, spatial, gamma.ref, smSame.ref, siSame.ref, null, dg.ref, db.ref);
        be.batchNormBackward(x.got, dy.got, batch, channels, spatial, gamma.got, smSame.got, siSame.got, null, dg.got, db.got);
        check("batchNormBackward without dx", be, dg, channels, 1e-5, 1e-5);
    }

    // ---- crossbars ----

    /** 70 inputs over 32-row tiles (3 row tiles, the last partial), 19 outputs over 8-output tiles (3). */
    static CrossbarParams chip(boolean aggregate, boolean bitSerial, int adcBits) {
        return new CrossbarParams(32, 8, 4, bitSerial, adcBits, 0.25, 2.0, true, 0.3, 0.2, aggregate);
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "cuda"})
    void crossbarAggregate(String name) {
        Backend be = subject(name);
        crossbar(be, chip(true, true, 8), 1e-4);
        crossbar(be, chip(true, false, 8), 1e-4);
        crossbar(be, new CrossbarParams(32, 8, 0, false, 0, 0.25, 0, false, 0, 0.2, true), 1e-4);
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "cuda"})
    void crossbarExact(String name) {
        Backend be = subject(name);
        crossbar(be, chip(false, true, 8), 1e-4);
        crossbar(be, chip(false, false, 8), 1e-4);
    }

    /** The sensing modes: differential, and single-ended with the G_min offset cancelled (g_min 1 uS). */
    @ParameterizedTest
    @ValueSource(strings = {"cpu", "cuda"})
    void crossbarExactSensing(String name) {
        Backend be = subject(name);
        crossbar(be, new CrossbarParams(32, 8, 4, true, 8, 0.1, 2.0, true, 0.3, 0.2, false, true, false, 1.0), 1e-4);
        crossbar(be, new CrossbarParams(32, 8, 4, false, 8, 0.1, 2.0, true, 0.3, 0.2, false, true, false, 1.0), 1e-4);
        crossbar(be, new CrossbarParams(32, 8, 4, true, 8, 0.25, 2.0, true, 0.3, 0.2, false, false, true, 1.0), 1e-4);
    }

    /** The clipping sample of aggregate reads: the same vectors, draws and counts on both backends. */
    @ParameterizedTest
    @ValueSource(strings = {"cpu", "cuda"})
    void crossbarClipSample(String name) {
        Backend be = subject(name);
        for (CrossbarParams p : new CrossbarParams[]{chip(true, true, 8),
                new CrossbarParams(32, 8, 4, true, 8, 0.05, 2.0, true, 0.3, 0.2, true, true, false, 1.0)}) {
            int out = 19, k = 70, n = 300;
            Pair tgp = both(be, random(out * k, 1f, 40f)), tgn = both(be, random(out * k, 1f, 40f)),
                    ts = both(be, random(p.rowTiles(k) * p.columnTiles(out), 0.01f, 0.05f)), tx = both(be, random(k * n));
            long[] want = new long[3], got = new long[3];
            REF.crossbarClipSample(p, tgp.ref, tgn.ref, ts.ref, out, k, tx.ref, n, 37, SEED, 78, 9L << 40, want);
            be.crossbarClipSample(p, tgp.got, tgn.got, ts.got, out, k, tx.got, n, 37, SEED, 78, 9L << 40, got);
            assertTrue(want[0] > 0 && want[1] > 0, "the sample saturates: " + java.util.Arrays.toString(want) + " " + p + " " + java.util.Arrays.toString(down(REF, tx.ref, 8)));
            assertEquals(want[0], got[0], "conversions");
            // a current within float rounding of a code boundary may round the other way on the other backend
            assertEquals(want[1], got[1], 1 + want[0] / 1000, "saturated");
            assertEquals(want[2], got[2], 1 + want[0] / 1000, "below zero");
        }
    }

    /**
     * One crossbar read of both backends with the same devices, inputs (mixed signs; some vectors
     * all positive) and Philox counters. Aggregate: the noise is the same draw on both, so outputs agree
     * to the product's summation order (rel). Exact: the ADC can round a current that lies within float
     * rounding of a code boundary the other way, one code in one conversion; at most 2% of the outputs
     * may differ by more than rel, and none by more than a few codes.
     */
    static void crossbar(Backend be, CrossbarParams p, double rel) {
        int out = 19, k = 70, n = 300;
        float[] gp = random(out * k, 1f, 40f), gn = random(out * k, 1f, 40f);
        float[] scales = random(p.rowTiles(k) * p.columnTiles(out), 0.01f, 0.05f);
        float[] x = random(k * n);
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < n; j += 3) {
                x[i * n + j] = Math.abs(x[i * n + j]);
            }
        }
        Pair tgp = both(be, gp), tgn = both(be, gn), ts = both(be, scales), tx = both(be, x), y = zeros(be, out * n);
        long counter = 5L << 40, first = 1234;
        long[] wantCounts = new long[3], gotCounts = new long[3];
        REF.crossbarForward(p, tgp.ref, tgn.ref, ts.ref, out, k, tx.ref, n, y.ref, SEED, 77, counter, first, wantCounts);
        be.crossbarForward(p, tgp.got, tgn.got, ts.got, out, k, tx.got, n, y.got, SEED, 77, counter, first, gotCounts);
        assertEquals(wantCounts[0], gotCounts[0], "conversions counted");
        assertEquals(wantCounts[1], gotCounts[1], 1 + wantCounts[0] / 1000, "saturated conversions");
        assertEquals(wantCounts[2], gotCounts[2], 1 + wantCounts[0] / 1000, "conversions below zero");
        float[] want = down(REF, y.ref, out * n), got = down(be, y.got, out * n);
        double scaleMax = 0;
        for (float s : scales) {
            scaleMax = Math.max(scaleMax, s);
        }
        double magnitude = 0;
        for (float v : want) {
            magnitude = Math.max(magnitude, Math.abs(v));
        }
        double tol = rel * magnitude;
        if (p.aggregateReads()) {
            compare("crossbar aggregate " + p, want, got, tol, 0);
            return;
        }
        // one ADC code of one tile read, back in output units (full scale at most 1, divided by the voltage)
        double code = scaleMax * p.adcLsbUa() / p.readVoltage();
        int off = 0;
        for (int i = 0; i < want.length; i++) {
            double d = Math.abs(got[i] - want[i]);
            if (d > tol) {
                off++;
                assertTrue(d <= 4 * code + tol, String.format("crossbar exact [%d]: want %s, got %s (seed %d)", i, want[i], got[i], SEED));
            }
        }
        assertTrue(off <= want.length / 50, off + " of " + want.length + " outputs differ beyond " + tol + " (seed " + SEED + ")");
    }

    // ---- loss ----

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "cuda"})
    void softmaxAndArgmax(String name) {
        Backend be = subject(name);
        int batch = 130, classes = 10;
        Pair z = both(be, random(batch * classes, -6f, 6f)), g = zeros(be, batch * classes);
        int[] labels = new int[batch];
        for (int b = 0; b < batch; b++) {
            labels[b] = (int) ((SEED + 7L * b) % classes);
        }
        int[] pw = new int[batch], pg = new int[batch];
        double lw = REF.softmaxCrossEntropy(z.ref, labels, batch, classes, g.ref, pw);
        double lg = be.softmaxCrossEntropy(z.got, labels, batch, classes, g.got, pg);
        assertEquals(lw, lg, 1e-12 * Math.abs(lw), "loss (seed " + SEED + ")");
        assertArrayEquals(pw, pg, "predictions");
        check("dLogits", be, g, batch * classes, 1e-9, 1e-6);
        REF.argmaxRows(z.ref, batch, classes, pw);
        be.argmaxRows(z.got, batch, classes, pg);
        assertArrayEquals(pw, pg, "argmax");
    }

    // ---- optimizers ----

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "cuda"})
    void optimizers(String name) {
        Backend be = subject(name);
        int n = 50_003;
        Pair w = both(be, random(n)), g = both(be, random(n, -0.1f, 0.1f)), buf = both(be, random(n)), d = zeros(be, n);
        for (boolean first : new boolean[]{true, false}) {
            for (float momentum : new float[]{0f, 0.9f}) {
                REF.sgdDelta(n, w.ref, g.ref, buf.ref, 0.05f, momentum, 1e-4f, first, d.ref);
                be.sgdDelta(n, w.got, g.got, buf.got, 0.05f, momentum, 1e-4f, first, d.got);
                check("sgd delta", be, d, n, EXACT, 0);
                check("sgd momentum buffer", be, buf, n, EXACT, 0);
            }
        }
        Pair m = both(be, random(n, -0.01f, 0.01f)), v = both(be, random(n, 0f, 0.001f));
        for (int step = 1; step <= 3; step++) {
            REF.adamwDelta(n, w.ref, g.ref, m.ref, v.ref, 0.004f, 0.9f, 0.999f, 1e-8f, 0.01f, step, d.ref);
            be.adamwDelta(n, w.got, g.got, m.got, v.got, 0.004f, 0.9f, 0.999f, 1e-8f, 0.01f, step, d.got);
            check("adamw delta step " + step, be, d, n, EXACT, 0);
            check("adamw m", be, m, n, EXACT, 0);
            check("adamw v", be, v, n, EXACT, 0);
        }
    }

    // ---- random numbers ----

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "cuda"})
    void randomFillsDrawTheSameNumbers(String name) {
        Backend be = subject(name);
        for (int n : new int[]{1, 7, 4099, 200_001}) {
            Pair u = zeros(be, n), z = zeros(be, n);
            REF.fillUniform(u.ref, n, -0.3f, 0.7f, SEED, 9);
            be.fillUniform(u.got, n, -0.3f, 0.7f, SEED, 9);
            check("fillUniform n=" + n, be, u, n, EXACT, 0);
            REF.fillNormal(z.ref, n, 0.1f, 2.5f, SEED, (1L << 32) + 3);
            be.fillNormal(z.got, n, 0.1f, 2.5f, SEED, (1L << 32) + 3);
            check("fillNormal n=" + n, be, z, n, EXACT, 0);
        }
    }

    // ---- CUDA only ----

    @Test
    void cudaPeakDeviceMemoryCountsLiveAllocations() {
        CudaBackend be = (CudaBackend) subject("cuda");
        Tensor big = be.allocate(1 << 20);
        // the peak is never below what is live now, and the 4 MiB tensor is live
        assertTrue(be.peakDeviceBytes() >= 4L * big.size(), "a 4 MiB tensor is counted: " + be.peakDeviceBytes());
        assertEquals(-1, REF.peakDeviceBytes(), "the CPU backend has no device memory");
    }

    // ---- the mixed-precision update ----

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "cuda"})
    void thresholdAccumulateListsTheReferencesWritesInIndexOrder(String name) {
        Backend be = subject(name);
        int out = 21, k = 75, tileRows = 32, tileOutputs = 8, size = out * k;
        TileGrid grid = new TileGrid(out, k, tileRows, tileOutputs);
        int tiles = grid.tiles();
        for (boolean direct : new boolean[]{false, true}) {
            float[] delta = random(size, -0.02f, 0.02f), acc = random(size, -0.03f, 0.03f), wfp = random(size);
            for (int i = 0; i < size; i += 5) {
                delta[i] = 0f; // no update: untouched
            }
            float[] thr = random(tiles, 0.01f, 0.04f);
            float[] accWant = acc.clone(), wfpWant = wfp.clone();
            WriteList want = new WriteList(), got = new WriteList();
            ThresholdAccumulate.apply(grid, delta, accWant, wfpWant, thr, direct, want);
            Tensor d = put(be, delta), a = put(be, acc), w = put(be, wfp);
            be.thresholdAccumulate(grid, d, a, w, thr, direct, got);
            assertEquals(want.updates(), got.updates(), "updates");
            assertTrue(want.count() > 0 && want.count() < (direct ? size : size / 2), "a test with some writes");
            assertArrayEquals(Arrays.copyOf(want.indexArray(), want.count()), Arrays.copyOf(got.indexArray(), got.count()),
                    "written weights, in index order");
            compare("targets", Arrays.copyOf(want.targetArray(), want.count()),
                    Arrays.copyOf(got.targetArray(), got.count()), EXACT, 0);
            compare("accumulated", accWant, down(be, a, size), EXACT, 0);
            compare("w_fp", wfpWant, down(be, w, size), EXACT, 0);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "cuda"})
    void tileSumsTileScalingAndScatterMatchTheReference(String name) {
        Backend be = subject(name);
        int out = 70, k = 300, tileRows = 128, tileOutputs = 32, size = out * k;
        TileGrid grid = new TileGrid(out, k, tileRows, tileOutputs);
        int tiles = grid.tiles();
        float[] grad = random(size), gPos = random(size, 1f, 7f), gNeg = random(size, 1f, 7f);
        double[] want = new double[tiles], got = new double[tiles];
        ThresholdAccumulate.tileSums(grid, grad, gPos, gNeg, want);
        be.tileSums(grid, put(be, grad), put(be, gPos), put(be, gNeg), got);
        for (int t = 0; t < tiles; t++) {
            // double sums of up to 4,096 products in another order
            assertEquals(want[t], got[t], 1e-9 * (1 + Math.abs(want[t])), "tile " + t + " (seed " + SEED + ")");
        }
        float[] factors = random(tiles, 0.9f, 1.1f), x = random(size), xWant = x.clone();
        ThresholdAccumulate.scaleByTile(grid, xWant, factors);
        Tensor xt = put(be, x);
        be.scaleByTile(grid, xt, factors);
        compare("scaled by tile", xWant, down(be, xt, size), EXACT, 0);
        int[] idx = {size - 1, 0, 17, 4242};
        float[] vals = random(4);
        be.scatter(idx, vals, 3, xt); // the count, not the array length, says how many
        float[] after = xWant.clone();
        for (int j = 0; j < 3; j++) {
            after[idx[j]] = vals[j];
        }
        compare("scatter", after, down(be, xt, size), EXACT, 0);
    }
}
