package cimtrain.backend.cpu;

import cimtrain.backend.Backend;
import cimtrain.backend.ConvGeometry;
import cimtrain.backend.CrossbarParams;
import cimtrain.backend.PoolGeometry;
import cimtrain.backend.Tensor;
import cimtrain.backend.ThresholdAccumulate;
import cimtrain.backend.TileGrid;
import cimtrain.backend.WriteList;
import cimtrain.rng.Philox;
import cimtrain.util.MachineInfo;
import dev.ludovic.netlib.blas.BLAS;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The reference backend: plain Java loops over heap arrays, parallel over images or channels, and GEMM
 * through netlib's BLAS (native OpenBLAS when libblas.so.3 resolves to it, else the Java fallback).
 * Over 400 lines: one method per operation of the {@link cimtrain.backend.Backend} interface, the reference
 * the CUDA kernels are tested against; the crossbar read and the DAC live in their own classes.
 */
public final class CpuBackend implements Backend {
    /** Below this many elements an elementwise loop stays on one thread. */
    private static final int ELEMENT_GRAIN = 1 << 15;

    private final BLAS blas;
    private final Parallel parallel;
    private final int replicas;
    private final CpuCrossbar crossbar;

    /** The most worker threads a backend starts (each is an operating-system thread with its own stack). */
    public static final int MAX_THREADS = 1024;

    public CpuBackend() {
        this(Runtime.getRuntime().availableProcessors());
    }

    public CpuBackend(int threads) {
        this(threads, DEFAULT_REPLICAS);
    }

    /** @param replicas how many replicas networks without batch norm are split into (tests compare 1 and 2) */
    public CpuBackend(int threads, int replicas) {
        if (threads < 1 || threads > MAX_THREADS) {
            throw cimtrain.util.SettingError.of("threads", " must be in [1, " + MAX_THREADS + "] (0: all cores), got " + threads);
        }
        this.blas = BLAS.getInstance();
        this.parallel = new Parallel(threads);
        this.replicas = replicas;
        this.crossbar = new CpuCrossbar(blas, parallel);
    }

    private static float[] d(Tensor t) {
        return ((CpuTensor) t).data;
    }

    @Override
    public String name() {
        return "cpu";
    }

    /** The BLAS implementation in use, e.g. "JNIBLAS" (native) or "VectorBLAS" (Java). */
    public String blasName() {
        return blas.getClass().getSimpleName();
    }

    @Override
    public String gemmName() {
        return blasName();
    }

    public boolean nativeBlas() {
        return blasName().startsWith("JNI");
    }

    @Override
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        lines.add("backend: cpu, " + parallel.threads() + " worker threads, networks without batch norm split into "
                + replicas + " replicas per batch");
        lines.add("gemm: " + blasName() + (nativeBlas()
                ? " (native BLAS through libblas.so.3)"
                : " (pure-Java fallback; install libopenblas0-pthread for native BLAS)"));
        String blasThreads = System.getenv("OPENBLAS_NUM_THREADS");
        lines.add("OPENBLAS_NUM_THREADS=" + (blasThreads == null ? "(unset: OpenBLAS starts one thread per core, "
                + "which competes with cimtrain's workers; the ./cimtrain launcher sets 1)" : blasThreads));
        lines.add("OpenBLAS kernels: " + MachineInfo.openBlasCoreType() + " (OPENBLAS_CORETYPE), CPU vector set "
                + MachineInfo.vectorIsa());
        return lines;
    }

    @Override
    public void close() {
        parallel.shutdown();
    }

    /**
     * Two replicas: on two cores each runs a whole forward and backward pass on half the batch. Fixed
     * (not the core count) so that a run gives the same numbers with any --threads.
     */
    @Override
    public int dataParallelReplicas() {
        return replicas;
    }

    /** See {@link #dataParallelReplicas()}. */
    public static final int DEFAULT_REPLICAS = 2;

    @Override
    public void runConcurrently(List<Runnable> tasks) {
        parallel.forRange(tasks.size(), 1, (from, to) -> {
            for (int i = from; i < to; i++) {
                tasks.get(i).run();
            }
        });
    }

    // ---- memory ----

    /** The settings that size tensors, as whoever reports the error names them. */
    private static String smaller(java.util.function.UnaryOperator<String> name) {
        return name.apply("batch") + ", " + name.apply("eval-batch") + " or " + name.apply("width");
    }

    @Override
    public Tensor allocate(long size) {
        if (size > Integer.MAX_VALUE - 8) {
            throw new cimtrain.util.SettingError(name -> String.format(java.util.Locale.ROOT, "a tensor of %,d floats is "
                    + "needed; a CPU tensor holds at most 2^31 - 9 (use a smaller %s, or a smaller layer)", size, smaller(name)));
        }
        long max = Runtime.getRuntime().maxMemory();
        if (size * Float.BYTES > max) {
            throw new cimtrain.util.SettingError(name -> String.format(java.util.Locale.ROOT, "a tensor of %,d floats "
                    + "(%.1f GiB) is needed, more than the %.1f GiB Java may use here (use a smaller %s)",
                    size, size * 4.0 / (1L << 30), max / (double) (1L << 30), smaller(name)));
        }
        return new CpuTensor((int) size);
    }

    @Override
    public void upload(float[] src, int srcOffset, Tensor dst, int n) {
        System.arraycopy(src, srcOffset, d(dst), 0, n);
    }

    @Override
    public void download(Tensor src, float[] dst, int n) {
        System.arraycopy(d(src), 0, dst, 0, n);
    }

    @Override
    public void copy(Tensor src, Tensor dst, long n) {
        System.arraycopy(d(src), 0, d(dst), 0, (int) n);
    }

    @Override
    public void fill(Tensor t, long n, float value) {
        Arrays.fill(d(t), 0, (int) n, value);
    }

    // ---- linear algebra ----

    /** The most blocks a GEMM is cut into. */
    private static final int MAX_GEMM_PARTS = 8;

    /** Below this many multiply-adds a GEMM runs on the calling thread. */
    private static final long GEMM_PARALLEL_MACS = 1L << 20;

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Tensor a, Tensor b,
                     float beta, Tensor c) {
        if (m == 0 || n == 0) {
            return;
        }
        float[] as = d(a), bs = d(b), cs = d(c);
        int lda = transA ? m : k, ldb = transB ? k : n;
        // OpenBLAS runs single-threaded (the launcher sets OPENBLAS_NUM_THREADS=1): its own threads
        // busy-wait between calls and fight these workers for the cores. Instead a large product is
        // cut into independent blocks along its largest dimension. The cut depends on the shape only,
        // never on the thread count (BLAS rounds edge blocks differently), so results are the same
        // with any --threads; the workers share out the blocks.
        long macs = (long) m * n * k;
        int parts = (int) Math.min(MAX_GEMM_PARTS, macs / GEMM_PARALLEL_MACS);
        if (parts < 2) {
            block(transA, transB, m, n, k, alpha, as, 0, lda, bs, 0, ldb, beta, cs, 0, n);
        } else if (m >= n && m >= k / 8 && m >= parts) {
            parallel.forRange(parts, 1, (p0, p1) -> {
                for (int p = p0; p < p1; p++) {
                    int m0 = cut(m, p, parts), m1 = cut(m, p + 1, parts);
                    block(transA, transB, m1 - m0, n, k, alpha, as, transA ? m0 : m0 * k, lda, bs, 0, ldb,
                            beta, cs, m0 * n, n);
                }
            });
        } else if (n >= k / 8 && n >= parts) {
            parallel.forRange(parts, 1, (p0, p1) -> {
                for (int p = p0; p < p1; p++) {
                    int n0 = cut(n, p, parts), n1 = cut(n, p + 1, parts);
                    block(transA, transB, m, n1 - n0, k, alpha, as, 0, lda, bs, transB ? n0 * k : n0, ldb,
                            beta, cs, n0, n);
                }
            });
        } else {
            splitReduction(transA, transB, m, n, k, alpha, as, lda, bs, ldb, beta, cs, parts);
        }
    }

    private static int cut(int n, int p, int parts) {
        return (int) ((long) n * p / parts);
    }

    /**
     * A skinny product with a long inner dimension (a weight gradient summed over every position of a
     * batch): each worker sums its share of k into its own buffer, then the shares are added in a fixed
     * order, so the result does not depend on timing.
     */
    private void splitReduction(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] as,
                                int lda, float[] bs, int ldb, float beta, float[] cs, int parts) {
        float[][] partial = new float[parts][];
        parallel.forRange(parts, 1, (p0, p1) -> {
            for (int p = p0; p < p1; p++) {
                int k0 = cut(k, p, parts), k1 = cut(k, p + 1, parts);
                float[] out = new float[m * n];
                block(transA, transB, m, n, k1 - k0, alpha, as, transA ? k0 * m : k0, lda,
                        bs, transB ? k0 : k0 * n, ldb, 0f, out, 0, n);
                partial[p] = out;
            }
        });
        for (int i = 0; i < m * n; i++) {
            float sum = beta == 0f ? 0f : beta * cs[i];
            for (int p = 0; p < parts; p++) {
                sum += partial[p][i];
            }
            cs[i] = sum;
        }
    }

    /** One row-major block product through column-major BLAS (offsets and leading dimensions explicit). */
    private void block(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int offA, int lda,
                       float[] b, int offB, int ldb, float beta, float[] c, int offC, int ldc) {
        // a row-major C = op(A) op(B) is the column-major C^T = op(B)^T op(A)^T, and a row-major
        // matrix read as column-major is its transpose, so only the operand order swaps
        blas.sgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, alpha, b, offB, ldb, a, offA, lda,
                beta, c, offC, ldc);
    }

    @Override
    public void axpy(long n, float alpha, Tensor x, Tensor y) {
        float[] xs = d(x), ys = d(y);
        parallel.forRange((int) n, ELEMENT_GRAIN, (from, to) -> {
            for (int i = from; i < to; i++) {
                ys[i] += alpha * xs[i];
            }
        });
    }

    @Override
    public void scale(long n, float alpha, Tensor x) {
        float[] xs = d(x);
        for (int i = 0; i < n; i++) {
            xs[i] *= alpha;
        }
    }

    @Override
    public void add(long n, Tensor a, Tensor b, Tensor out) {
        float[] as = d(a), bs = d(b), os = d(out);
        parallel.forRange((int) n, ELEMENT_GRAIN, (from, to) -> {
            for (int i = from; i < to; i++) {
                os[i] = as[i] + bs[i];
            }
        });
    }

    @Override
    public void sumRows(Tensor m, int rows, int cols, Tensor out) {
        float[] ms = d(m), os = d(out);
        // accumulate in double: a bias gradient sums tens of thousands of positions
        double[] acc = new double[cols];
        for (int i = 0; i < rows; i++) {
            int base = i * cols;
            for (int j = 0; j < cols; j++) {
                acc[j] += ms[base + j];
            }
        }
        for (int j = 0; j < cols; j++) {
            os[j] = (float) acc[j];
        }
    }

    @Override
    public void sumColumns(Tensor m, int rows, int cols, Tensor out) {
        float[] ms = d(m), os = d(out);
        parallel.forRange(rows, 1, (r0, r1) -> {
            for (int i = r0; i < r1; i++) {
                // four independent partial sums: one serial chain of double adds is latency-bound
                double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
                int base = i * cols, j = 0;
                for (; j + 3 < cols; j += 4) {
                    a0 += ms[base + j];
                    a1 += ms[base + j + 1];
                    a2 += ms[base + j + 2];
                    a3 += ms[base + j + 3];
                }
                for (; j < cols; j++) {
                    a0 += ms[base + j];
                }
                os[i] = (float) ((a0 + a1) + (a2 + a3));
            }
        });
    }

    @Override
    public void addRowBias(Tensor m, int rows, int cols, Tensor bias) {
        float[] ms = d(m), bs = d(bias);
        for (int i = 0; i < rows; i++) {
            int base = i * cols;
            for (int j = 0; j < cols; j++) {
                ms[base + j] += bs[j];
            }
        }
    }

    // ---- convolution lowering ----

    // im2col and col2im loop over rows of the column matrix outside and images inside: consecutive
    // images then touch consecutive stretches of the (large) column matrix, while the images
    // themselves (small) stay in cache.

    @Override
    public void im2col(Tensor x, int batch, ConvGeometry g, Tensor cols) {
        float[] xs = d(x), cs = d(cols);
        int h = g.inHeight(), w = g.inWidth(), k = g.kernel(), s = g.stride(), pad = g.padding(),
                oh = g.outHeight(), ow = g.outWidth(), positions = g.positions(), inSize = g.inSize(),
                ld = batch * positions, rows = g.patchSize();
        parallel.forRange(batch, 1, (b0, b1) -> {
            for (int r = 0; r < rows; r++) {
                int ch = r / (k * k), ky = (r / k) % k, kx = r % k;
                int lo = firstInside(ow, w, pad, kx, s), hi = endInside(ow, w, pad, kx, s);
                for (int b = b0; b < b1; b++) {
                    int plane = b * inSize + ch * h * w;
                    int rowStart = r * ld + b * positions;
                    for (int oy = 0; oy < oh; oy++) {
                        int dst = rowStart + oy * ow;
                        int iy = oy * s - pad + ky;
                        if (iy < 0 || iy >= h) {
                            Arrays.fill(cs, dst, dst + ow, 0f);
                            continue;
                        }
                        int src = plane + iy * w - pad + kx;
                        if (lo > 0) {
                            Arrays.fill(cs, dst, dst + lo, 0f);
                        }
                        if (s == 1) {
                            System.arraycopy(xs, src + lo, cs, dst + lo, hi - lo);
                        } else {
                            for (int ox = lo; ox < hi; ox++) {
                                cs[dst + ox] = xs[src + ox * s];
                            }
                        }
                        if (hi < ow) {
                            Arrays.fill(cs, dst + hi, dst + ow, 0f);
                        }
                    }
                }
            }
        });
    }

    private static int ceilDiv(int a, int b) {
        return a <= 0 ? 0 : (a + b - 1) / b;
    }

    // The output columns ox whose input column ix = ox*s - pad + kx lies inside the image form the
    // range [firstInside, endInside): outside it a patch reads padding.

    private static int firstInside(int ow, int w, int pad, int kx, int s) {
        return Math.min(ow, ceilDiv(Math.max(0, pad - kx), s));
    }

    private static int endInside(int ow, int w, int pad, int kx, int s) {
        return Math.max(firstInside(ow, w, pad, kx, s), Math.min(ow, ceilDiv(w + pad - kx, s)));
    }

    @Override
    public void col2im(Tensor cols, int batch, ConvGeometry g, Tensor dx) {
        float[] cs = d(cols), xs = d(dx);
        int h = g.inHeight(), w = g.inWidth(), k = g.kernel(), s = g.stride(), pad = g.padding(),
                oh = g.outHeight(), ow = g.outWidth(), positions = g.positions(), inSize = g.inSize(),
                ld = batch * positions, rows = g.patchSize();
        // without padding every output position maps to a fixed offset in the image plane: one long
        // scatter-add over all positions instead of loops over short feature-map rows
        int[] positionOffset = new int[pad == 0 ? positions : 0];
        for (int p = 0; p < positionOffset.length; p++) {
            positionOffset[p] = (p / ow) * s * w + (p % ow) * s;
        }
        parallel.forRange(batch, 1, (b0, b1) -> {
            Arrays.fill(xs, b0 * inSize, b1 * inSize, 0f);
            for (int r = 0; r < rows; r++) {
                int ch = r / (k * k), ky = (r / k) % k, kx = r % k;
                int lo = firstInside(ow, w, pad, kx, s), hi = endInside(ow, w, pad, kx, s);
                for (int b = b0; b < b1; b++) {
                    int plane = b * inSize + ch * h * w;
                    int rowStart = r * ld + b * positions;
                    if (pad == 0) {
                        int base = plane + ky * w + kx;
                        for (int p = 0; p < positions; p++) {
                            xs[base + positionOffset[p]] += cs[rowStart + p];
                        }
                        continue;
                    }
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * s - pad + ky;
                        if (iy < 0 || iy >= h) {
                            continue;
                        }
                        int src = rowStart + oy * ow;
                        int dst = plane + iy * w - pad + kx;
                        if (s == 1) {
                            for (int ox = lo; ox < hi; ox++) {
                                xs[dst + ox] += cs[src + ox];
                            }
                        } else {
                            for (int ox = lo; ox < hi; ox++) {
                                xs[dst + ox * s] += cs[src + ox];
                            }
                        }
                    }
                }
            }
        });
    }

    @Override
    public void channelMajorToImages(Tensor m, int batch, int channels, int positions, Tensor bias, Tensor y) {
        float[] ms = d(m), ys = d(y);
        float[] bs = bias == null ? null : d(bias);
        int ld = batch * positions;
        parallel.forRange(batch, 1, (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                for (int ch = 0; ch < channels; ch++) {
                    int dst = (b * channels + ch) * positions;
                    int src = ch * ld + b * positions;
                    if (bs == null) {
                        System.arraycopy(ms, src, ys, dst, positions);
                    } else {
                        float add = bs[ch];
                        for (int p = 0; p < positions; p++) {
                            ys[dst + p] = ms[src + p] + add;
                        }
                    }
                }
            }
        });
    }

    @Override
    public void imagesToChannelMajor(Tensor dy, int batch, int channels, int positions, Tensor m) {
        float[] ys = d(dy), ms = d(m);
        int ld = batch * positions;
        parallel.forRange(batch, 1, (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                for (int ch = 0; ch < channels; ch++) {
                    System.arraycopy(ys, (b * channels + ch) * positions, ms, ch * ld + b * positions, positions);
                }
            }
        });
    }

    // ---- activations and pooling ----

    @Override
    public void reluForward(Tensor x, Tensor y, long n) {
        float[] xs = d(x), ys = d(y);
        parallel.forRange((int) n, ELEMENT_GRAIN, (from, to) -> {
            for (int i = from; i < to; i++) {
                // Math.max compiles without a branch (and vectorises); "v > 0 ? v : 0" mispredicts on
                // random signs and was 10x slower
                ys[i] = Math.max(xs[i], 0f);
            }
        });
    }

    @Override
    public void reluBackward(Tensor y, Tensor dy, Tensor dx, long n) {
        float[] ys = d(y), gs = d(dy), xs = d(dx);
        parallel.forRange((int) n, ELEMENT_GRAIN, (from, to) -> {
            for (int i = from; i < to; i++) {
                // branch-free mask: y is a ReLU output (+0 or positive), so y > 0 exactly when its bits
                // are non-zero
                int bits = Float.floatToRawIntBits(ys[i]);
                xs[i] = gs[i] * ((bits | -bits) >>> 31);
            }
        });
    }

    @Override
    public void maxPoolForward(Tensor x, int batch, PoolGeometry g, Tensor y) {
        float[] xs = d(x), ys = d(y);
        int h = g.inHeight(), w = g.inWidth(), oh = g.outHeight(), ow = g.outWidth(), k = g.size(),
                s = g.stride();
        boolean twoByTwo = k == 2 && s == 2;
        parallel.forRange(batch * g.channels(), 8, (p0, p1) -> {
            for (int plane = p0; plane < p1; plane++) {
                int xBase = plane * h * w;
                int o = plane * oh * ow;
                for (int oy = 0; oy < oh; oy++) {
                    int top = xBase + oy * s * w;
                    if (twoByTwo) {
                        // the common case, straight-line: Math.max has no branch to mispredict
                        for (int ox = 0, i = top; ox < ow; ox++, o++, i += 2) {
                            ys[o] = Math.max(Math.max(xs[i], xs[i + 1]), Math.max(xs[i + w], xs[i + w + 1]));
                        }
                        continue;
                    }
                    for (int ox = 0; ox < ow; ox++, o++) {
                        int start = top + ox * s;
                        float best = Float.NEGATIVE_INFINITY;
                        for (int ky = 0; ky < k; ky++) {
                            int r = start + ky * w;
                            for (int kx = 0; kx < k; kx++) {
                                best = Math.max(best, xs[r + kx]);
                            }
                        }
                        ys[o] = best;
                    }
                }
            }
        });
    }

    @Override
    public void maxPoolBackward(Tensor x, Tensor y, Tensor dy, int batch, PoolGeometry g, Tensor dx) {
        float[] xs = d(x), ys = d(y), gs = d(dy), dxs = d(dx);
        int h = g.inHeight(), w = g.inWidth(), oh = g.outHeight(), ow = g.outWidth(), k = g.size(),
                s = g.stride();
        boolean twoByTwo = k == 2 && s == 2;
        parallel.forRange(batch * g.channels(), 8, (p0, p1) -> {
            for (int plane = p0; plane < p1; plane++) {
                int xBase = plane * h * w;
                Arrays.fill(dxs, xBase, xBase + h * w, 0f);
                int o = plane * oh * ow;
                for (int oy = 0; oy < oh; oy++) {
                    int top = xBase + oy * s * w;
                    if (twoByTwo) {
                        for (int ox = 0, i = top; ox < ow; ox++, o++, i += 2) {
                            // windows do not overlap: the first maximal element takes the gradient,
                            // chosen with integer masks instead of branches (ties after ReLU are common)
                            float m = ys[o], grad = gs[o];
                            int ea = isZero(xs[i] - m), eb = isZero(xs[i + 1] - m), ec = isZero(xs[i + w] - m);
                            int fb = eb & ~ea, fc = ec & ~(ea | eb), fd = 1 - (ea | eb | ec);
                            dxs[i] = grad * ea;
                            dxs[i + 1] = grad * fb;
                            dxs[i + w] = grad * fc;
                            dxs[i + w + 1] = grad * fd;
                        }
                        continue;
                    }
                    for (int ox = 0; ox < ow; ox++, o++) {
                        int start = top + ox * s;
                        float best = ys[o];
                        search:
                        for (int ky = 0; ky < k; ky++) {
                            int r = start + ky * w;
                            for (int kx = 0; kx < k; kx++) {
                                if (xs[r + kx] == best) {
                                    dxs[r + kx] += gs[o];
                                    break search;
                                }
                            }
                        }
                    }
                }
            }
        });
    }

    /** 1 when v is +0 or -0, else 0, without a branch. */
    private static int isZero(float v) {
        int bits = Float.floatToRawIntBits(v) << 1; // drop the sign
        return 1 - ((bits | -bits) >>> 31);
    }

    @Override
    public void avgPoolForward(Tensor x, int batch, PoolGeometry g, Tensor y) {
        float[] xs = d(x), ys = d(y);
        int h = g.inHeight(), w = g.inWidth(), oh = g.outHeight(), ow = g.outWidth(), k = g.size(),
                s = g.stride();
        float inv = 1f / (k * k);
        parallel.forRange(batch * g.channels(), 8, (p0, p1) -> {
            for (int plane = p0; plane < p1; plane++) {
                int xBase = plane * h * w;
                int o = plane * oh * ow;
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++, o++) {
                        int start = xBase + oy * s * w + ox * s;
                        float sum = 0f;
                        for (int ky = 0; ky < k; ky++) {
                            int r = start + ky * w;
                            for (int kx = 0; kx < k; kx++) {
                                sum += xs[r + kx];
                            }
                        }
                        ys[o] = sum * inv;
                    }
                }
            }
        });
    }

    @Override
    public void avgPoolBackward(Tensor dy, int batch, PoolGeometry g, Tensor dx) {
        float[] gs = d(dy), dxs = d(dx);
        int h = g.inHeight(), w = g.inWidth(), oh = g.outHeight(), ow = g.outWidth(), k = g.size(),
                s = g.stride();
        float inv = 1f / (k * k);
        parallel.forRange(batch * g.channels(), 8, (p0, p1) -> {
            for (int plane = p0; plane < p1; plane++) {
                int xBase = plane * h * w;
                Arrays.fill(dxs, xBase, xBase + h * w, 0f);
                int o = plane * oh * ow;
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++, o++) {
                        int start = xBase + oy * s * w + ox * s;
                        float v = gs[o] * inv;
                        for (int ky = 0; ky < k; ky++) {
                            int r = start + ky * w;
                            for (int kx = 0; kx < k; kx++) {
                                dxs[r + kx] += v;
                            }
                        }
                    }
                }
            }
        });
    }

    // ---- batch normalisation ----

    /**
     * Channels whose sums run side by side in batch norm. Each channel's sum is one serial chain of
     * double additions in the order of its elements (so the bits do not depend on this); a single chain
     * waits on the adder's latency, four interleaved chains keep it busy.
     */
    private static final int BN_CHANNELS_AT_ONCE = 4;

    @Override
    public void batchNormTrain(Tensor x, int batch, int channels, int spatial, Tensor gamma, Tensor beta,
                               float eps, float momentum, Tensor runMean, Tensor runVar,
                               Tensor saveMean, Tensor saveInvStd, Tensor y) {
        float[] xs = d(x), ys = d(y), gs = d(gamma), bs = d(beta), rm = d(runMean), rv = d(runVar),
                sm = d(saveMean), si = d(saveInvStd);
        long count = (long) batch * spatial;
        int groups = (channels + BN_CHANNELS_AT_ONCE - 1) / BN_CHANNELS_AT_ONCE;
        parallel.forRange(groups, 1, (g0, g1) -> {
            double[] sum = new double[BN_CHANNELS_AT_ONCE], sq = new double[BN_CHANNELS_AT_ONCE];
            for (int g = g0; g < g1; g++) {
                int c0 = g * BN_CHANNELS_AT_ONCE, cn = Math.min(BN_CHANNELS_AT_ONCE, channels - c0);
                channelSums(xs, batch, channels, spatial, c0, cn, sum);
                for (int i = 0; i < cn; i++) {
                    sum[i] /= count; // the mean
                }
                channelSquares(xs, batch, channels, spatial, c0, cn, sum, sq);
                for (int i = 0; i < cn; i++) {
                    int c = c0 + i;
                    double mean = sum[i];
                    double var = sq[i] / count;
                    float invStd = (float) (1.0 / Math.sqrt(var + eps));
                    sm[c] = (float) mean;
                    si[c] = invStd;
                    double unbiased = count > 1 ? sq[i] / (count - 1) : var;
                    rm[c] = (float) ((1 - momentum) * rm[c] + momentum * mean);
                    rv[c] = (float) ((1 - momentum) * rv[c] + momentum * unbiased);
                    float scale = gs[c] * invStd, shift = bs[c] - (float) mean * scale;
                    scaleShiftChannel(xs, ys, batch, channels, spatial, c, scale, shift);
                }
            }
        });
    }

    /** sum[i] = the double sum of channel c0 + i's elements in order, for i below cn (at most four). */
    private static void channelSums(float[] xs, int batch, int channels, int spatial, int c0, int cn, double[] sum) {
        if (cn < BN_CHANNELS_AT_ONCE) {
            for (int c = 0; c < cn; c++) {
                double s = 0;
                for (int b = 0; b < batch; b++) {
                    int cb = (b * channels + c0 + c) * spatial;
                    for (int p = 0; p < spatial; p++) {
                        s += xs[cb + p];
                    }
                }
                sum[c] = s;
            }
            return;
        }
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (int b = 0; b < batch; b++) {
            int base = (b * channels + c0) * spatial;
            for (int p = 0; p < spatial; p++) {
                int e0 = base + p, e1 = e0 + spatial, e2 = e1 + spatial, e3 = e2 + spatial;
                s0 += xs[e0];
                s1 += xs[e1];
                s2 += xs[e2];
                s3 += xs[e3];
            }
        }
        sum[0] = s0;
        sum[1] = s1;
        sum[2] = s2;
        sum[3] = s3;
    }

    /** sq[i] = the double sum of (x - mean[i])^2 over channel c0 + i in order, for i below cn. */
    private static void channelSquares(float[] xs, int batch, int channels, int spatial, int c0, int cn,
                                       double[] mean, double[] sq) {
        if (cn < BN_CHANNELS_AT_ONCE) {
            for (int c = 0; c < cn; c++) {
                double q = 0, m = mean[c];
                for (int b = 0; b < batch; b++) {
                    int cb = (b * channels + c0 + c) * spatial;
                    for (int p = 0; p < spatial; p++) {
                        double dv = xs[cb + p] - m;
                        q += dv * dv;
                    }
                }
                sq[c] = q;
            }
            return;
        }
        double q0 = 0, q1 = 0, q2 = 0, q3 = 0;
        double m0 = mean[0], m1 = mean[1], m2 = mean[2], m3 = mean[3];
        for (int b = 0; b < batch; b++) {
            int base = (b * channels + c0) * spatial;
            for (int p = 0; p < spatial; p++) {
                int e0 = base + p, e1 = e0 + spatial, e2 = e1 + spatial, e3 = e2 + spatial;
                double d0 = xs[e0] - m0, d1 = xs[e1] - m1, d2 = xs[e2] - m2, d3 = xs[e3] - m3;
                q0 += d0 * d0;
                q1 += d1 * d1;
                q2 += d2 * d2;
                q3 += d3 * d3;
            }
        }
        sq[0] = q0;
        sq[1] = q1;
        sq[2] = q2;
        sq[3] = q3;
    }

    /** y = x * scale + shift over channel c of every image: batch norm's last step, in training and evaluation. */
    private static void scaleShiftChannel(float[] xs, float[] ys, int batch, int channels, int spatial, int c,
                                          float scale, float shift) {
        for (int b = 0; b < batch; b++) {
            int base = (b * channels + c) * spatial;
            for (int p = 0; p < spatial; p++) {
                ys[base + p] = xs[base + p] * scale + shift;
            }
        }
    }

    @Override
    public void batchNormEval(Tensor x, int batch, int channels, int spatial, Tensor gamma, Tensor beta,
                              float eps, Tensor runMean, Tensor runVar, Tensor y) {
        float[] xs = d(x), ys = d(y), gs = d(gamma), bs = d(beta), rm = d(runMean), rv = d(runVar);
        parallel.forRange(channels, 1, (c0, c1) -> {
            for (int c = c0; c < c1; c++) {
                float scale = (float) (gs[c] / Math.sqrt(rv[c] + eps));
                float shift = bs[c] - rm[c] * scale;
                scaleShiftChannel(xs, ys, batch, channels, spatial, c, scale, shift);
            }
        });
    }

    @Override
    public void batchNormBackward(Tensor x, Tensor dy, int batch, int channels, int spatial, Tensor gamma,
                                  Tensor saveMean, Tensor saveInvStd, Tensor dx, Tensor dGamma,
                                  Tensor dBeta) {
        float[] xs = d(x), gys = d(dy), gs = d(gamma), sm = d(saveMean), si = d(saveInvStd),
                dgs = d(dGamma), dbs = d(dBeta);
        float[] dxs = dx == null ? null : d(dx);
        long count = (long) batch * spatial;
        int groups = (channels + BN_CHANNELS_AT_ONCE - 1) / BN_CHANNELS_AT_ONCE;
        parallel.forRange(groups, 1, (g0, g1) -> {
            double[] sumDy = new double[BN_CHANNELS_AT_ONCE], sumDyXhat = new double[BN_CHANNELS_AT_ONCE];
            for (int g = g0; g < g1; g++) {
                int c0 = g * BN_CHANNELS_AT_ONCE, cn = Math.min(BN_CHANNELS_AT_ONCE, channels - c0);
                gradientSums(xs, gys, batch, channels, spatial, c0, cn, sm, si, sumDy, sumDyXhat);
                for (int i = 0; i < cn; i++) {
                    int c = c0 + i;
                    float mean = sm[c], inv = si[c];
                    dgs[c] = (float) sumDyXhat[i];
                    dbs[c] = (float) sumDy[i];
                    if (dxs == null) {
                        continue;
                    }
                    // dx = gamma * invStd / N * (N * dy - sum(dy) - xhat * sum(dy * xhat))
                    float k = (float) (gs[c] * inv / count);
                    float mDy = (float) sumDy[i], mDyXhat = (float) sumDyXhat[i];
                    for (int b = 0; b < batch; b++) {
                        int base = (b * channels + c) * spatial;
                        for (int p = 0; p < spatial; p++) {
                            float xhat = (xs[base + p] - mean) * inv;
                            dxs[base + p] = k * (count * gys[base + p] - mDy - xhat * mDyXhat);
                        }
                    }
                }
            }
        });
    }

    /**
     * Per channel c0 + i (i below cn, at most four): the double sums of dy and of dy * xhat in element
     * order, xhat = (x - mean) * invStd and the product dy * xhat taken in float, as one channel at a time.
     */
    private static void gradientSums(float[] xs, float[] gys, int batch, int channels, int spatial, int c0, int cn,
                                     float[] sm, float[] si, double[] sumDy, double[] sumDyXhat) {
        if (cn < BN_CHANNELS_AT_ONCE) {
            // a last group of fewer than four channels: one channel at a time
            for (int c = 0; c < cn; c++) {
                float m = sm[c0 + c], inv = si[c0 + c];
                double a = 0, h = 0;
                for (int b = 0; b < batch; b++) {
                    int cb = (b * channels + c0 + c) * spatial;
                    for (int p = 0; p < spatial; p++) {
                        float g = gys[cb + p];
                        a += g;
                        h += g * (xs[cb + p] - m) * inv;
                    }
                }
                sumDy[c] = a;
                sumDyXhat[c] = h;
            }
            return;
        }
        double a0 = 0, a1 = 0, a2 = 0, a3 = 0, h0 = 0, h1 = 0, h2 = 0, h3 = 0;
        float m0 = sm[c0], i0 = si[c0], m1 = sm[c0 + 1], i1 = si[c0 + 1];
        float m2 = sm[c0 + 2], i2 = si[c0 + 2], m3 = sm[c0 + 3], i3 = si[c0 + 3];
        for (int b = 0; b < batch; b++) {
            int base = (b * channels + c0) * spatial;
            for (int p = 0; p < spatial; p++) {
                int e0 = base + p, e1 = e0 + spatial, e2 = e1 + spatial, e3 = e2 + spatial;
                float g0 = gys[e0], g1 = gys[e1], g2 = gys[e2], g3 = gys[e3];
                a0 += g0;
                a1 += g1;
                a2 += g2;
                a3 += g3;
                h0 += g0 * (xs[e0] - m0) * i0;
                h1 += g1 * (xs[e1] - m1) * i1;
                h2 += g2 * (xs[e2] - m2) * i2;
                h3 += g3 * (xs[e3] - m3) * i3;
            }
        }
        sumDy[0] = a0;
        sumDy[1] = a1;
        sumDy[2] = a2;
        sumDy[3] = a3;
        sumDyXhat[0] = h0;
        sumDyXhat[1] = h1;
        sumDyXhat[2] = h2;
        sumDyXhat[3] = h3;
    }

    // ---- crossbars ----

    @Override
    public void crossbarForward(CrossbarParams p, Tensor gPos, Tensor gNeg, Tensor tileScale, int out, int k,
                                Tensor x, int n, Tensor y, long seed, long stream, long counter, long firstColumn,
                                long[] clipCounts) {
        crossbar.forward(p, d(gPos), d(gNeg), d(tileScale), out, k, d(x), n, d(y), seed, stream, counter, firstColumn,
                clipCounts);
    }

    @Override
    public void crossbarClipSample(CrossbarParams p, Tensor gPos, Tensor gNeg, Tensor tileScale, int out, int k,
                                   Tensor x, int n, int samples, long seed, long stream, long counter,
                                   long[] clipCounts) {
        samples = CrossbarParams.clipSamples(samples, n, out);
        if (samples == 0) {
            return;
        }
        float[] xs = d(x), sample = new float[k * samples];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < samples; j++) {
                sample[i * samples + j] = xs[i * n + (int) ((long) j * n / samples)];
            }
        }
        crossbar.forward(p.withAggregateReads(false), d(gPos), d(gNeg), d(tileScale), out, k, sample, samples,
                new float[out * samples], seed, stream, counter, 0, clipCounts);
    }

    @Override
    public void thresholdAccumulate(TileGrid grid, Tensor delta, Tensor accumulated, Tensor wfp, float[] tileThreshold,
                                    boolean direct, WriteList written) {
        ThresholdAccumulate.apply(grid, d(delta), d(accumulated), d(wfp), tileThreshold, direct,
                written);
    }

    @Override
    public void tileSums(TileGrid grid, Tensor grad, Tensor gPos, Tensor gNeg, double[] sums) {
        ThresholdAccumulate.tileSums(grid, d(grad), d(gPos), d(gNeg), sums);
    }

    @Override
    public void scaleByTile(TileGrid grid, Tensor x, float[] factors) {
        ThresholdAccumulate.scaleByTile(grid, d(x), factors);
    }

    @Override
    public void scatter(int[] indices, float[] values, int count, Tensor dst) {
        float[] a = d(dst);
        for (int j = 0; j < count; j++) {
            a[indices[j]] = values[j];
        }
    }

    @Override
    public void transpose(Tensor a, int rows, int cols, Tensor out) {
        float[] as = d(a), os = d(out);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                os[j * rows + i] = as[i * cols + j];
            }
        }
    }

    // ---- loss ----

    @Override
    public double softmaxCrossEntropy(Tensor logits, int[] labels, int batch, int classes, Tensor dLogits,
                                      int[] predictions) {
        Backend.checkLabels(labels, batch, classes);
        float[] zs = d(logits), gs = d(dLogits);
        double loss = 0;
        float invB = 1f / batch;
        for (int b = 0; b < batch; b++) {
            int base = b * classes;
            float max = zs[base];
            int arg = 0;
            for (int j = 1; j < classes; j++) {
                if (zs[base + j] > max) {
                    max = zs[base + j];
                    arg = j;
                }
            }
            double sum = 0;
            for (int j = 0; j < classes; j++) {
                sum += Math.exp(zs[base + j] - max);
            }
            int y = labels[b];
            loss += Math.log(sum) - (zs[base + y] - max);
            for (int j = 0; j < classes; j++) {
                float p = (float) (Math.exp(zs[base + j] - max) / sum);
                gs[base + j] = (p - (j == y ? 1f : 0f)) * invB;
            }
            if (predictions != null) {
                predictions[b] = arg;
            }
        }
        return loss / batch;
    }

    @Override
    public void argmaxRows(Tensor logits, int batch, int classes, int[] predictions) {
        float[] zs = d(logits);
        for (int b = 0; b < batch; b++) {
            int base = b * classes;
            int arg = 0;
            for (int j = 1; j < classes; j++) {
                if (zs[base + j] > zs[base + arg]) {
                    arg = j;
                }
            }
            predictions[b] = arg;
        }
    }

    // ---- optimizers ----

    @Override
    public void sgdDelta(long n, Tensor w, Tensor g, Tensor buf, float lr, float momentum, float weightDecay,
                         boolean firstStep, Tensor delta) {
        float[] ws = d(w), gs = d(g), bs = d(buf), ds = d(delta);
        parallel.forRange((int) n, ELEMENT_GRAIN, (from, to) -> {
            for (int i = from; i < to; i++) {
                float grad = gs[i] + weightDecay * ws[i];
                float v = momentum == 0f ? grad : (firstStep ? grad : momentum * bs[i] + grad);
                bs[i] = v;
                ds[i] = -lr * v;
            }
        });
    }

    @Override
    public void adamwDelta(long n, Tensor w, Tensor g, Tensor m, Tensor v, float lr, float beta1, float beta2,
                           float eps, float weightDecay, int step, Tensor delta) {
        float[] ws = d(w), gs = d(g), ms = d(m), vs = d(v), ds = d(delta);
        float c1 = (float) (1 - Math.pow(beta1, step));
        float c2 = (float) Math.sqrt(1 - Math.pow(beta2, step));
        float stepSize = lr / c1;
        parallel.forRange((int) n, ELEMENT_GRAIN, (from, to) -> {
            for (int i = from; i < to; i++) {
                float grad = gs[i];
                float mi = beta1 * ms[i] + (1 - beta1) * grad;
                float vi = beta2 * vs[i] + (1 - beta2) * grad * grad;
                ms[i] = mi;
                vs[i] = vi;
                float denom = (float) Math.sqrt(vi) / c2 + eps;
                ds[i] = -lr * weightDecay * ws[i] - stepSize * mi / denom;
            }
        });
    }

    // ---- random numbers ----

    @Override
    public void fillUniform(Tensor t, long n, float lo, float hi, long seed, long stream) {
        float[] ts = d(t);
        // chunks start on multiples of 4 so no two threads compute the same Philox block
        int blocks = (int) ((n + 3) / 4);
        parallel.forRange(blocks, 4096, (b0, b1) ->
                Philox.fillUniform(seed, stream, ts, b0 * 4, b0 * 4L, Math.min(n, b1 * 4L), lo, hi));
    }

    @Override
    public void fillNormal(Tensor t, long n, float mean, float std, long seed, long stream) {
        float[] ts = d(t);
        int blocks = (int) ((n + 3) / 4);
        parallel.forRange(blocks, 4096, (b0, b1) ->
                Philox.fillNormal(seed, stream, ts, b0 * 4, b0 * 4L, Math.min(n, b1 * 4L), mean, std));
    }
}
