package cimtrain.train;

import cimtrain.rng.Philox;
import dev.ludovic.netlib.blas.BLAS;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The machine's SGEMM rate through the BLAS cimtrain's CPU backend calls (dev.ludovic.netlib, native
 * OpenBLAS where libblas.so.3 resolves to it, held single-threaded by OPENBLAS_NUM_THREADS=1), and the
 * arithmetic that relates a network's throughput to it. With {@code threads} above one, that many Java
 * threads each multiply their own matrices at the same time and their rates are added: the most the
 * cores together reach with the BLAS run as cimtrain runs it (one BLAS thread per worker).
 */
public final class SgemmRate {
    private SgemmRate() {
    }

    /** FLOP per sample of a forward pass: a multiply and an add per MAC. */
    public static final int FORWARD_FLOP_PER_MAC = 2;
    /**
     * FLOP per sample of a training step: forward, then backward's input gradient and weight gradient,
     * each counted at the forward's MACs (3 x 2 FLOP per MAC; the first layer's input gradient, which is
     * not needed, is counted too, and elementwise work, the loss and the optimizer are not).
     */
    public static final int TRAINING_FLOP_PER_MAC = 6;

    /** GFLOP/s of {@code samplesPerS} samples a second at {@code flopPerMac} x {@code macsPerSample} FLOP each. */
    public static double gflops(long macsPerSample, int flopPerMac, double samplesPerS) {
        return (double) flopPerMac * macsPerSample * samplesPerS / 1e9;
    }

    /** {@code gflops} as a fraction of {@code sgemmGflops}; NaN where there is no SGEMM rate to compare with. */
    public static double fraction(double gflops, double sgemmGflops) {
        return sgemmGflops > 0 ? gflops / sgemmGflops : Double.NaN;
    }

    /**
     * GFLOP/s of row-major C (m x n) = A (m x k) B (k x n), with {@code threads} threads each multiplying
     * its own matrices for about {@code seconds} after two untimed products, added together.
     */
    public static double measure(int threads, int m, int n, int k, double seconds) {
        if (threads < 1 || m < 1 || n < 1 || k < 1 || !(seconds > 0)) {
            throw new IllegalArgumentException("threads, m, n, k and seconds must be positive");
        }
        BLAS blas = BLAS.getInstance();
        double[] rates = new double[threads];
        CountDownLatch ready = new CountDownLatch(threads), start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread w = new Thread(() -> {
                float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
                Philox.fillUniform(1, 2L * id, a, 0, 0, a.length, -1f, 1f);
                Philox.fillUniform(1, 2L * id + 1, b, 0, 0, b.length, -1f, 1f);
                Runnable product = () -> blas.sgemm("N", "N", n, m, k, 1f, b, 0, n, a, 0, k, 0f, c, 0, n);
                product.run();
                product.run();
                ready.countDown();
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                long t0 = System.nanoTime();
                int done = Throughput.stepsFor(product, seconds);
                rates[id] = 2.0 * m * n * k * done / (System.nanoTime() - t0);
            }, "sgemm-rate-" + t);
            w.setDaemon(true);
            workers.add(w);
            w.start();
        }
        try {
            ready.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while measuring SGEMM", e);
        }
        start.countDown();
        for (Thread w : workers) {
            try {
                w.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while measuring SGEMM", e);
            }
        }
        double sum = 0;
        for (double r : rates) {
            sum += r;
        }
        return sum;
    }
}
