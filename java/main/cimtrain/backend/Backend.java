package cimtrain.backend;

import java.util.List;

/**
 * The operations layers, losses and optimizers need, and nothing else. Layers and training code only
 * call these; they never look inside a {@link Tensor}. The CPU backend is the reference: every other
 * implementation is tested against it with the same inputs.
 *
 * <p>Conventions: matrices are row-major; images are NCHW; sizes are explicit arguments, so buffers may
 * be larger than the region an operation uses. Random numbers come from Philox keyed by
 * (seed, stream, element index), so every backend draws the same values.
 */
public interface Backend extends AutoCloseable {

    /** Short name ("cpu", "cuda"), as run folders record it. */
    String name();

    /** What does this backend's GEMMs: the CPU's BLAS ("JNIBLAS", "VectorBLAS"), cuBLAS or the own kernel. */
    String gemmName();

    /** Whether tensors live in GPU memory, so that {@link #peakDeviceBytes()} measures them. */
    default boolean onGpu() {
        return false;
    }

    /** Human-readable lines for {@code cimtrain info}: devices, libraries, threads. */
    List<String> describe();

    // ---- memory ----

    /** A zero-filled buffer of {@code size} floats. */
    Tensor allocate(long size);

    /** Copies {@code src[srcOffset..srcOffset+n)} into {@code dst[0..n)}. */
    void upload(float[] src, int srcOffset, Tensor dst, int n);

    /** Copies {@code src[0..n)} into {@code dst[0..n)}. */
    default void upload(float[] src, Tensor dst, int n) {
        upload(src, 0, dst, n);
    }

    /** Copies {@code src[0..n)} into {@code dst[0..n)}. */
    void download(Tensor src, float[] dst, int n);

    /** dst[0..n) = src[0..n). */
    void copy(Tensor src, Tensor dst, long n);

    /** t[0..n) = value. */
    void fill(Tensor t, long n, float value);

    // ---- linear algebra ----

    /**
     * C(m x n) = alpha * op(A) * op(B) + beta * C, row-major, where op(A) is m x k (A is k x m when
     * transA) and op(B) is k x n (B is n x k when transB).
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Tensor a, Tensor b,
              float beta, Tensor c);

    /** y[0..n) += alpha * x[0..n). */
    void axpy(long n, float alpha, Tensor x, Tensor y);

    /** x[0..n) *= alpha. */
    void scale(long n, float alpha, Tensor x);

    /** out[0..n) = a[0..n) + b[0..n). */
    void add(long n, Tensor a, Tensor b, Tensor out);

    /** out[j] = sum over rows i of m[i * cols + j] (the bias gradient of a row-major batch). */
    void sumRows(Tensor m, int rows, int cols, Tensor out);

    /** out[i] = sum over columns j of m[i * cols + j] (the bias gradient of a channel-major batch). */
    void sumColumns(Tensor m, int rows, int cols, Tensor out);

    /** m[i * cols + j] += bias[j]. */
    void addRowBias(Tensor m, int rows, int cols, Tensor bias);

    // ---- convolution lowering ----

    /**
     * Unrolls a batch of NCHW images into the column matrix cols (patchSize x (batch * positions)),
     * row-major: row r = (channel, ky, kx) in the weights' order, column j = b * positions + p. Each
     * column is the input vector a crossbar sees for one output position.
     */
    void im2col(Tensor x, int batch, ConvGeometry g, Tensor cols);

    /** The adjoint of im2col: sums column-matrix gradients back into NCHW (dx is overwritten). */
    void col2im(Tensor cols, int batch, ConvGeometry g, Tensor dx);

    /**
     * Channel-major m (channels x (batch * positions)) to NCHW y(b, c, p), adding bias[c] when bias is
     * non-null.
     */
    void channelMajorToImages(Tensor m, int batch, int channels, int positions, Tensor bias, Tensor y);

    /** The inverse layout change: NCHW dy(b, c, p) to channel-major (channels x (batch * positions)). */
    void imagesToChannelMajor(Tensor dy, int batch, int channels, int positions, Tensor m);

    // ---- activations and pooling ----

    void reluForward(Tensor x, Tensor y, long n);

    /** dx = dy where y > 0, else 0. */
    void reluBackward(Tensor y, Tensor dy, Tensor dx, long n);

    void maxPoolForward(Tensor x, int batch, PoolGeometry g, Tensor y);

    /** Routes each output gradient to the first maximal input of its window (dx is overwritten). */
    void maxPoolBackward(Tensor x, Tensor y, Tensor dy, int batch, PoolGeometry g, Tensor dx);

    void avgPoolForward(Tensor x, int batch, PoolGeometry g, Tensor y);

    void avgPoolBackward(Tensor dy, int batch, PoolGeometry g, Tensor dx);

    // ---- batch normalisation over (N, H, W) per channel ----

    /**
     * Training-mode batch norm: normalises with the batch statistics, saves mean and 1/std for the
     * backward pass, and updates the running statistics: run = (1 - momentum) * run + momentum * batch
     * (running variance unbiased, as PyTorch does).
     */
    void batchNormTrain(Tensor x, int batch, int channels, int spatial, Tensor gamma, Tensor beta,
                        float eps, float momentum, Tensor runMean, Tensor runVar,
                        Tensor saveMean, Tensor saveInvStd, Tensor y);

    /** Evaluation-mode batch norm with the running statistics. */
    void batchNormEval(Tensor x, int batch, int channels, int spatial, Tensor gamma, Tensor beta,
                       float eps, Tensor runMean, Tensor runVar, Tensor y);

    /** Gradients of training-mode batch norm; dx may be null when the input needs no gradient. */
    void batchNormBackward(Tensor x, Tensor dy, int batch, int channels, int spatial, Tensor gamma,
                           Tensor saveMean, Tensor saveInvStd, Tensor dx, Tensor dGamma, Tensor dBeta);

    // ---- crossbars ----

    /**
     * One layer's analog matrix-vector products across all its tiles. Each input vector (a column of x,
     * k x n, as im2col makes them) is scaled by its own largest |value| (the DAC's full scale, chosen
     * digitally per vector: aihwkit's abs-max noise management) and quantised by the DAC; each block of
     * {@code tileRows} rows drives the conductances gPos and gNeg (out x k, microsiemens) of one tile;
     * each column's current, with fresh read noise, is converted by the ADC; the differential pair is
     * subtracted and the tiles' partial sums added digitally, each tile's times its scale factor
     * tileScale per tile ({@link TileGrid#tileOf}) (weight units per microsiemens). Inputs of both
     * signs take a second pass with the negated inputs (only for vectors that have negative values).
     * Writes y (out x n) in weight x input units.
     *
     * <p>With {@link CrossbarParams#aggregateReads()} false every read is simulated: one read per input
     * bit (bit-serial), each column converted separately; the read noise of the devices of a column and
     * the ADC's own noise are independent Gaussians added to the column current before conversion, so
     * each conversion draws one normal with their combined variance (exact in distribution). With it
     * true, see {@link CrossbarParams}: one product with the devices' weights and one normal per output
     * with the variance of all the reads' noise and rounding together.
     *
     * <p>Random numbers: input vector j of the call is vector {@code firstColumn + j} of the batch. In the
     * exact model its draws are elements [counter + (firstColumn + j) * D, counter + (firstColumn + j + 1)
     * * D) of Philox (seed, stream), D = {@link #crossbarDrawsPerColumn}; in the aggregate model output o
     * draws element counter + firstColumn + j of Philox (seed, stream + (o + 1) 2^32). So the noise of a
     * vector does not depend on how a batch is split between replicas or threads, or on the backend.
     * Callers keep streams below 2^32 (the outputs' streams lie above) and counter + draws below 2^63.
     */
    default void crossbarForward(CrossbarParams p, Tensor gPos, Tensor gNeg, Tensor tileScale, int out, int k, Tensor x,
                                 int n, Tensor y, long seed, long stream, long counter, long firstColumn) {
        crossbarForward(p, gPos, gNeg, tileScale, out, k, x, n, y, seed, stream, counter, firstColumn, null);
    }

    /**
     * {@link #crossbarForward} that also counts the ADC's conversions when {@code clipCounts} is not null
     * (exact model only; the aggregate model converts nothing one by one): adds to clipCounts[0] the
     * conversions made, to [1] those whose current lay above the top code, to [2] those below the bottom
     * code (0 single-ended, -maxCode differential), whether or not the ADC clips.
     */
    void crossbarForward(CrossbarParams p, Tensor gPos, Tensor gNeg, Tensor tileScale, int out, int k, Tensor x,
                         int n, Tensor y, long seed, long stream, long counter, long firstColumn, long[] clipCounts);

    /**
     * The clipping of a sample of a call's reads: {@code samples} input vectors of x (k x n), vectors
     * j * n / samples for j below samples, read with the exact model (the result is discarded), their
     * conversions counted into clipCounts as {@link #crossbarForward} does. What the aggregate model
     * measures its ADC saturation with.
     */
    void crossbarClipSample(CrossbarParams p, Tensor gPos, Tensor gNeg, Tensor tileScale, int out, int k, Tensor x,
                            int n, int samples, long seed, long stream, long counter, long[] clipCounts);

    /** out (cols x rows) = the transpose of a (rows x cols). */
    void transpose(Tensor a, int rows, int cols, Tensor out);

    // ---- the mixed-precision update of crossbar weights (tile.ThresholdWriteRule) ----

    /**
     * One threshold-accumulate step over every tile of a layer's out x k weights, in place on this
     * backend's tensors ({@link ThresholdAccumulate#apply} on host arrays is the reference): the weights
     * to be written come back in ascending index order with their targets, so that the host programs
     * them (and draws their write noise) in the same order on every backend. Only those cross to the
     * host, not the whole matrix.
     *
     * @param tileThreshold per tile ({@link TileGrid#tileOf}), weight units
     */
    void thresholdAccumulate(TileGrid grid, Tensor delta, Tensor accumulated, Tensor wfp, float[] tileThreshold,
                             boolean direct, WriteList written);

    /** Per tile, the double sum of grad x (gPos - gNeg) over its weights ({@link ThresholdAccumulate#tileSums}). */
    void tileSums(TileGrid grid, Tensor grad, Tensor gPos, Tensor gNeg, double[] sums);

    /** x[i] *= factors[tile of weight i] ({@link ThresholdAccumulate#scaleByTile}). */
    void scaleByTile(TileGrid grid, Tensor x, float[] factors);

    /** dst[indices[j]] = values[j] for j below count (the few devices a training step wrote). */
    void scatter(int[] indices, float[] values, int count, Tensor dst);

    /**
     * Every label of a batch names a class: both backends check before computing the loss (a label out of
     * range would read another row's logits on the CPU, and past the matrix on a GPU).
     */
    static void checkLabels(int[] labels, int batch, int classes) {
        for (int b = 0; b < batch; b++) {
            if (labels[b] < 0 || labels[b] >= classes) {
                throw new IllegalArgumentException("label " + labels[b] + " of example " + b + " is not one of the "
                        + classes + " classes");
            }
        }
    }

    /** Random numbers one input vector of a {@link #crossbarForward} call draws (aggregate: one per output). */
    static long crossbarDrawsPerColumn(CrossbarParams p, int out, int k) {
        if (p.aggregateReads()) {
            return out;
        }
        long tiles = p.rowTiles(k);
        // per sign pass (inputs of either sign), read, tile and output: one draw for each of G+ and G-
        return 2 * p.reads() * tiles * (long) out * 2;
    }

    // ---- loss ----

    /**
     * Softmax cross-entropy, mean over the batch. Writes dLogits = (softmax - onehot) / batch, and
     * the predicted class of each row to {@code predictions} when it is non-null.
     *
     * @return the mean loss
     */
    double softmaxCrossEntropy(Tensor logits, int[] labels, int batch, int classes, Tensor dLogits,
                               int[] predictions);

    /** The arg-max class of each row of logits (evaluation). */
    void argmaxRows(Tensor logits, int batch, int classes, int[] predictions);

    // ---- optimizers: compute the update, the caller decides how it is applied ----

    /**
     * SGD with momentum and (coupled) weight decay, as PyTorch: g' = g + wd * w;
     * buf = momentum * buf + g' (buf = g' on the first step); delta = -lr * buf.
     */
    void sgdDelta(long n, Tensor w, Tensor g, Tensor buf, float lr, float momentum, float weightDecay,
                  boolean firstStep, Tensor delta);

    /**
     * AdamW (Loshchilov and Hutter) as PyTorch: m, v moments; delta = -lr * (mhat / (sqrt(vhat) + eps)
     * + wd * w) with bias corrections for 1-based {@code step}.
     */
    void adamwDelta(long n, Tensor w, Tensor g, Tensor m, Tensor v, float lr, float beta1, float beta2,
                    float eps, float weightDecay, int step, Tensor delta);

    // ---- random numbers (Philox, see cimtrain.rng.Philox) ----

    void fillUniform(Tensor t, long n, float lo, float hi, long seed, long stream);

    void fillNormal(Tensor t, long n, float mean, float std, long seed, long stream);

    // ---- execution ----

    /**
     * How many replicas a network without batch norm should be split into (see Network). A property of
     * the backend, never of the thread count, so that results do not depend on it.
     */
    default int dataParallelReplicas() {
        return 1;
    }

    /** Runs independent tasks (one per replica), concurrently where the backend can; returns when all are done. */
    default void runConcurrently(List<Runnable> tasks) {
        tasks.forEach(Runnable::run);
    }

    /**
     * The most device memory this backend's allocations held at once, in bytes, or -1 where tensors live
     * in host memory (the CPU backend: the JVM's own peaks measure it).
     */
    default long peakDeviceBytes() {
        return -1;
    }

    @Override
    default void close() {
    }
}
