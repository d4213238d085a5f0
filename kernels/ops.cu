// The digital operations of the CUDA backend, each the twin of a method of
// java/main/cimtrain/backend/cpu/CpuBackend.java (named in its comment). Built with -fmad=false: every
// product and sum is rounded on its own, as in Java, so elementwise kernels give the CPU's bits.
// Sizes are ints (tensors hold at most 2^31 floats, as on the CPU); loops are grid-stride.
#include "common.cuh"
#include "philox.cuh"

extern "C" {

// ---- memory and elementwise (fill, axpy, scale, add) ----

__global__ void fill_f32(float* t, long long n, float v) {
    GRID_LOOP(i, n) t[i] = v;
}

__global__ void axpy_f32(long long n, float alpha, const float* x, float* y) {
    GRID_LOOP(i, n) y[i] = y[i] + alpha * x[i];
}

__global__ void scale_f32(long long n, float alpha, float* x) {
    GRID_LOOP(i, n) x[i] = x[i] * alpha;
}

__global__ void add_f32(long long n, const float* a, const float* b, float* out) {
    GRID_LOOP(i, n) out[i] = a[i] + b[i];
}

// ---- GEMM fallback (when cuBLAS does not load): C = alpha op(A) op(B) + beta C, row-major ----
// gemm_f32: the first, simple kernel, kept as the yardstick gemm_f32_tiled is measured against (the
// device check times both): 16 x 16 output tiles through shared memory, one output per thread; each
// product is a fused multiply-add (fmaf, explicit).

#define GT 16
__global__ void gemm_f32(int transA, int transB, int m, int n, int k, float alpha, const float* a,
                         const float* b, float beta, float* c) {
    __shared__ float as[GT][GT + 1];
    __shared__ float bs[GT][GT + 1];
    int row = blockIdx.y * GT + threadIdx.y, col = blockIdx.x * GT + threadIdx.x;
    float acc = 0.0f;
    for (int p0 = 0; p0 < k; p0 += GT) {
        int pa = p0 + threadIdx.x;   // A(row, pa)
        int pb = p0 + threadIdx.y;   // B(pb, col)
        float av = 0.0f, bv = 0.0f;
        if (row < m && pa < k) av = transA ? a[(long long) pa * m + row] : a[(long long) row * k + pa];
        if (pb < k && col < n) bv = transB ? b[(long long) col * k + pb] : b[(long long) pb * n + col];
        as[threadIdx.y][threadIdx.x] = av;
        bs[threadIdx.y][threadIdx.x] = bv;
        __syncthreads();
        for (int q = 0; q < GT; q++) acc = fmaf(as[threadIdx.y][q], bs[q][threadIdx.x], acc);
        __syncthreads();
    }
    if (row < m && col < n) {
        long long idx = (long long) row * n + col;
        c[idx] = beta == 0.0f ? alpha * acc : alpha * acc + beta * c[idx];
    }
}

// The GEMM used when cuBLAS does not load: register-tiled. A block of GEMM_THREADS threads computes a
// 128 x 128 tile of C, each thread 8 x 8 outputs (rows ty + 16 i, columns tx + 16 j: neighbouring threads
// write neighbouring columns) from 8-deep slices of A and B in shared memory, double-buffered: the next
// slice is read from global memory into registers while the current one is multiplied, and one barrier
// per slice suffices. Each output sums its products in order p = 0, 1, ..., k - 1 with fmaf, exactly as
// gemm_f32 does (slices padded with zeros add nothing), so the two kernels give the same bits.
#define GEMM_BM 128
#define GEMM_BN 128
#define GEMM_BK 8
#define GEMM_THREADS 256
__global__ void gemm_f32_tiled(int transA, int transB, int m, int n, int k, float alpha, const float* a,
                               const float* b, float beta, float* c) {
    __shared__ float as[2][GEMM_BK][GEMM_BM];
    __shared__ float bs[2][GEMM_BK][GEMM_BN];
    KERNEL_REQUIRE(blockDim.x == GEMM_THREADS && blockDim.y == 1);
    int tid = threadIdx.x, tx = tid % 16, ty = tid / 16;
    int row0 = blockIdx.y * GEMM_BM, col0 = blockIdx.x * GEMM_BN;
    // each thread loads 4 elements of each slice: element e = tid + 256 q, laid out so that neighbouring
    // threads read neighbouring addresses of the row-major (or transposed) operand
    float ra[4], rb[4];
    int ar[4], ap[4], bp[4], bc[4];
    for (int q = 0; q < 4; q++) {
        int e = tid + GEMM_THREADS * q;
        if (transA) { ap[q] = e / GEMM_BM; ar[q] = e % GEMM_BM; } else { ar[q] = e / GEMM_BK; ap[q] = e % GEMM_BK; }
        if (transB) { bc[q] = e / GEMM_BK; bp[q] = e % GEMM_BK; } else { bp[q] = e / GEMM_BN; bc[q] = e % GEMM_BN; }
    }
    float acc[8][8];
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 8; j++) acc[i][j] = 0.0f;
    int slices = (k + GEMM_BK - 1) / GEMM_BK;
    bool active = row0 + ty < m && col0 + tx < n;  // a thread with no output in C only loads and waits
    for (int q = 0; q < 4; q++) {  // slice 0
        int row = row0 + ar[q], p = ap[q];
        ra[q] = row < m && p < k ? (transA ? a[(long long) p * m + row] : a[(long long) row * k + p]) : 0.0f;
        int col = col0 + bc[q], pb = bp[q];
        rb[q] = pb < k && col < n ? (transB ? b[(long long) col * k + pb] : b[(long long) pb * n + col]) : 0.0f;
    }
    for (int q = 0; q < 4; q++) {
        as[0][ap[q]][ar[q]] = ra[q];
        bs[0][bp[q]][bc[q]] = rb[q];
    }
    __syncthreads();
    for (int s = 0; s < slices; s++) {
        int cur = s & 1;
        if (s + 1 < slices) {
            int p0 = (s + 1) * GEMM_BK;
            for (int q = 0; q < 4; q++) {
                int row = row0 + ar[q], p = p0 + ap[q];
                ra[q] = row < m && p < k ? (transA ? a[(long long) p * m + row] : a[(long long) row * k + p]) : 0.0f;
                int col = col0 + bc[q], pb = p0 + bp[q];
                rb[q] = pb < k && col < n ? (transB ? b[(long long) col * k + pb] : b[(long long) pb * n + col]) : 0.0f;
            }
        }
        for (int p = 0; p < GEMM_BK && active; p++) {
            float av[8], bv[8];
            for (int i = 0; i < 8; i++) av[i] = as[cur][p][ty + 16 * i];
            for (int j = 0; j < 8; j++) bv[j] = bs[cur][p][tx + 16 * j];
            for (int i = 0; i < 8; i++)
                for (int j = 0; j < 8; j++) acc[i][j] = fmaf(av[i], bv[j], acc[i][j]);
        }
        if (s + 1 < slices) {
            for (int q = 0; q < 4; q++) {
                as[cur ^ 1][ap[q]][ar[q]] = ra[q];
                bs[cur ^ 1][bp[q]][bc[q]] = rb[q];
            }
        }
        __syncthreads();
    }
    for (int i = 0; i < 8; i++) {
        int row = row0 + ty + 16 * i;
        if (row >= m) break;
        for (int j = 0; j < 8; j++) {
            int col = col0 + tx + 16 * j;
            if (col < n) {
                long long idx = (long long) row * n + col;
                c[idx] = beta == 0.0f ? alpha * acc[i][j] : alpha * acc[i][j] + beta * c[idx];
            }
        }
    }
}

// ---- sums and biases ----

// sumRows: out[j] = sum_i m[i * cols + j], in double, rows in order (the CPU's order: same bits)
__global__ void sum_rows(const float* m, int rows, int cols, float* out) {
    GRID_LOOP(j, cols) {
        double acc = 0.0;
        for (int i = 0; i < rows; i++) acc += m[(long long) i * cols + j];
        out[j] = (float) acc;
    }
}

// sumColumns: one block per row, double partial sums (order differs from the CPU: within double rounding)
__global__ void sum_columns(const float* m, int rows, int cols, float* out) {
    __shared__ double part[REDUCE_THREADS];
    KERNEL_REQUIRE(blockDim.x == REDUCE_THREADS);
    int i = blockIdx.x;
    double acc = 0.0;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) acc += m[(long long) i * cols + j];
    part[threadIdx.x] = acc;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) part[threadIdx.x] += part[threadIdx.x + s];
        __syncthreads();
    }
    if (threadIdx.x == 0) out[i] = (float) part[0];
}

__global__ void add_row_bias(float* m, int rows, int cols, const float* bias) {
    GRID_LOOP(e, (long long) rows * cols) m[e] = m[e] + bias[e % cols];
}

__global__ void transpose_f32(const float* a, int rows, int cols, float* out) {
    GRID_LOOP(e, (long long) rows * cols) {
        long long i = e / cols, j = e % cols;
        out[j * rows + i] = a[e];
    }
}

// ---- convolution lowering ----

// cols (patch x (batch * positions)): one thread per element, a copy or a padding zero
__global__ void im2col_f32(const float* x, int batch, int ch, int h, int w, int k, int s, int pad, int oh, int ow,
                           float* cols) {
    long long positions = (long long) oh * ow, ld = batch * positions, total = (long long) ch * k * k * ld;
    GRID_LOOP(e, total) {
        int r = (int) (e / ld);
        long long col = e % ld;
        int b = (int) (col / positions), p = (int) (col % positions);
        int c = r / (k * k), ky = (r / k) % k, kx = r % k;
        int oy = p / ow, ox = p % ow;
        int iy = oy * s - pad + ky, ix = ox * s - pad + kx;
        cols[e] = (iy >= 0 && iy < h && ix >= 0 && ix < w) ? x[(((long long) b * ch + c) * h + iy) * w + ix] : 0.0f;
    }
}

// col2im as a gather: each input element sums its patch entries in the CPU's order (ky, kx ascending)
__global__ void col2im_f32(const float* cols, int batch, int ch, int h, int w, int k, int s, int pad, int oh,
                           int ow, float* dx) {
    long long positions = (long long) oh * ow, ld = batch * positions, total = (long long) batch * ch * h * w;
    GRID_LOOP(e, total) {
        int ix = (int) (e % w), iy = (int) ((e / w) % h), c = (int) ((e / ((long long) w * h)) % ch);
        int b = (int) (e / ((long long) w * h * ch));
        float acc = 0.0f;
        for (int ky = 0; ky < k; ky++) {
            int ty = iy + pad - ky;
            if (ty < 0 || ty % s != 0 || ty / s >= oh) continue;
            int oy = ty / s;
            for (int kx = 0; kx < k; kx++) {
                int tx = ix + pad - kx;
                if (tx < 0 || tx % s != 0 || tx / s >= ow) continue;
                int ox = tx / s;
                int r = (c * k + ky) * k + kx;
                acc = acc + cols[(long long) r * ld + (long long) b * positions + oy * ow + ox];
            }
        }
        dx[e] = acc;
    }
}

__global__ void channel_major_to_images(const float* m, int batch, int channels, int positions, const float* bias,
                                        float* y) {
    long long total = (long long) batch * channels * positions, ld = (long long) batch * positions;
    GRID_LOOP(e, total) {
        int p = (int) (e % positions), c = (int) ((e / positions) % channels), b = (int) (e / ((long long) positions * channels));
        float v = m[c * ld + (long long) b * positions + p];
        y[e] = bias ? v + bias[c] : v;
    }
}

__global__ void images_to_channel_major(const float* dy, int batch, int channels, int positions, float* m) {
    long long total = (long long) batch * channels * positions, ld = (long long) batch * positions;
    GRID_LOOP(e, total) {
        int p = (int) (e % positions), c = (int) ((e / positions) % channels), b = (int) (e / ((long long) positions * channels));
        m[c * ld + (long long) b * positions + p] = dy[e];
    }
}

// ---- activations and pooling ----

__global__ void relu_forward(const float* x, float* y, long long n) {
    GRID_LOOP(i, n) y[i] = jmax(x[i], 0.0f);
}

__global__ void relu_backward(const float* y, const float* dy, float* dx, long long n) {
    GRID_LOOP(i, n) dx[i] = dy[i] * (__float_as_uint(y[i]) != 0u ? 1.0f : 0.0f);
}

__global__ void maxpool_forward(const float* x, int planes, int h, int w, int k, int s, int oh, int ow, float* y) {
    GRID_LOOP(o, (long long) planes * oh * ow) {
        int ox = (int) (o % ow), oy = (int) ((o / ow) % oh);
        long long plane = o / ((long long) oh * ow);
        const float* xs = x + plane * h * w + (long long) oy * s * w + ox * s;
        if (k == 2 && s == 2) {
            y[o] = jmax(jmax(xs[0], xs[1]), jmax(xs[w], xs[w + 1]));
            continue;
        }
        float best = -INFINITY;
        for (int ky = 0; ky < k; ky++)
            for (int kx = 0; kx < k; kx++) best = jmax(best, xs[ky * w + kx]);
        y[o] = best;
    }
}

// 2 x 2, stride 2 (the CPU's branch-free path; dx zeroed first): the first maximal element of a
// window takes the gradient, the last one takes it when no other equals the maximum
__global__ void maxpool_backward_2x2(const float* x, const float* y, const float* dy, int planes, int h, int w,
                                     int oh, int ow, float* dx) {
    GRID_LOOP(o, (long long) planes * oh * ow) {
        int ox = (int) (o % ow), oy = (int) ((o / ow) % oh);
        long long plane = o / ((long long) oh * ow);
        long long i = plane * h * w + (long long) oy * 2 * w + ox * 2;
        float m = y[o], g = dy[o];
        int ea = (x[i] - m) == 0.0f, eb = (x[i + 1] - m) == 0.0f, ec = (x[i + w] - m) == 0.0f;
        int fb = eb & !ea, fc = ec & !(ea | eb), fd = 1 - (ea | eb | ec);
        dx[i] = g * (float) ea;
        dx[i + 1] = g * (float) fb;
        dx[i + w] = g * (float) fc;
        dx[i + w + 1] = g * (float) fd;
    }
}

// any other window: a gather over the windows holding each input, in output order
__global__ void maxpool_backward(const float* x, const float* y, const float* dy, int planes, int h, int w, int k,
                                 int s, int oh, int ow, float* dx) {
    GRID_LOOP(e, (long long) planes * h * w) {
        int ix = (int) (e % w), iy = (int) ((e / w) % h);
        long long plane = e / ((long long) h * w);
        const float* xp = x + plane * h * w;
        float acc = 0.0f;
        int oy0 = iy - k + 1 > 0 ? (iy - k + 1 + s - 1) / s : 0, ox0 = ix - k + 1 > 0 ? (ix - k + 1 + s - 1) / s : 0;
        for (int oy = oy0; oy < oh && oy * s <= iy; oy++) {
            for (int ox = ox0; ox < ow && ox * s <= ix; ox++) {
                long long o = plane * oh * ow + (long long) oy * ow + ox;
                float best = y[o];
                // the first maximal element of this window, in (ky, kx) order
                int first = -1;
                for (int ky = 0; ky < k && first < 0; ky++)
                    for (int kx = 0; kx < k; kx++)
                        if (xp[(oy * s + ky) * w + ox * s + kx] == best) { first = (oy * s + ky) * w + ox * s + kx; break; }
                if (first == iy * w + ix) acc = acc + dy[o];
            }
        }
        dx[e] = acc;
    }
}

__global__ void avgpool_forward(const float* x, int planes, int h, int w, int k, int s, int oh, int ow, float inv,
                                float* y) {
    GRID_LOOP(o, (long long) planes * oh * ow) {
        int ox = (int) (o % ow), oy = (int) ((o / ow) % oh);
        long long plane = o / ((long long) oh * ow);
        const float* xs = x + plane * h * w + (long long) oy * s * w + ox * s;
        float sum = 0.0f;
        for (int ky = 0; ky < k; ky++)
            for (int kx = 0; kx < k; kx++) sum = sum + xs[ky * w + kx];
        y[o] = sum * inv;
    }
}

__global__ void avgpool_backward(const float* dy, int planes, int h, int w, int k, int s, int oh, int ow, float inv,
                                 float* dx) {
    GRID_LOOP(e, (long long) planes * h * w) {
        int ix = (int) (e % w), iy = (int) ((e / w) % h);
        long long plane = e / ((long long) h * w);
        float acc = 0.0f;
        int oy0 = iy - k + 1 > 0 ? (iy - k + 1 + s - 1) / s : 0, ox0 = ix - k + 1 > 0 ? (ix - k + 1 + s - 1) / s : 0;
        for (int oy = oy0; oy < oh && oy * s <= iy; oy++)
            for (int ox = ox0; ox < ow && ox * s <= ix; ox++)
                acc = acc + dy[plane * oh * ow + (long long) oy * ow + ox] * inv;
        dx[e] = acc;
    }
}

// ---- batch norm: one block of REDUCE_THREADS threads per channel, double partial sums ----

__device__ double block_sum(double v, double* part) {
    part[threadIdx.x] = v;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (threadIdx.x < s) part[threadIdx.x] += part[threadIdx.x + s];
        __syncthreads();
    }
    double r = part[0];
    __syncthreads();
    return r;
}

__global__ void batchnorm_train(const float* x, int batch, int channels, int spatial, const float* gamma,
                                const float* beta, float eps, float momentum, float* runMean, float* runVar,
                                float* saveMean, float* saveInvStd, float* y) {
    __shared__ double part[REDUCE_THREADS];
    KERNEL_REQUIRE(blockDim.x == REDUCE_THREADS);
    int c = blockIdx.x;
    long long count = (long long) batch * spatial;
    double sum = 0.0;
    for (long long e = threadIdx.x; e < count; e += blockDim.x)
        sum += x[((e / spatial) * channels + c) * spatial + e % spatial];
    double mean = block_sum(sum, part) / count;
    double sq = 0.0;
    for (long long e = threadIdx.x; e < count; e += blockDim.x) {
        double dv = x[((e / spatial) * channels + c) * spatial + e % spatial] - mean;
        sq += dv * dv;
    }
    sq = block_sum(sq, part);
    double var = sq / count;
    float invStd = (float) (1.0 / sqrt(var + (double) eps));
    float scale = gamma[c] * invStd, shift = beta[c] - (float) mean * scale;
    if (threadIdx.x == 0) {
        saveMean[c] = (float) mean;
        saveInvStd[c] = invStd;
        double unbiased = count > 1 ? sq / (count - 1) : var;
        // Java: (1 - momentum) * run is float, the momentum * batch term double
        runMean[c] = (float) ((double) ((1.0f - momentum) * runMean[c]) + (double) momentum * mean);
        runVar[c] = (float) ((double) ((1.0f - momentum) * runVar[c]) + (double) momentum * unbiased);
    }
    for (long long e = threadIdx.x; e < count; e += blockDim.x) {
        long long idx = ((e / spatial) * channels + c) * spatial + e % spatial;
        y[idx] = x[idx] * scale + shift;
    }
}

__global__ void batchnorm_eval(const float* x, int batch, int channels, int spatial, const float* gamma,
                               const float* beta, float eps, const float* runMean, const float* runVar, float* y) {
    GRID_LOOP(idx, (long long) batch * channels * spatial) {
        int c = (int) ((idx / spatial) % channels);
        float scale = (float) ((double) gamma[c] / sqrt((double) (runVar[c] + eps)));
        float shift = beta[c] - runMean[c] * scale;
        y[idx] = x[idx] * scale + shift;
    }
}

__global__ void batchnorm_backward(const float* x, const float* dy, int batch, int channels, int spatial,
                                   const float* gamma, const float* saveMean, const float* saveInvStd, float* dx,
                                   float* dGamma, float* dBeta) {
    __shared__ double part[REDUCE_THREADS];
    KERNEL_REQUIRE(blockDim.x == REDUCE_THREADS);
    int c = blockIdx.x;
    long long count = (long long) batch * spatial;
    float mean = saveMean[c], inv = saveInvStd[c];
    double sumDy = 0.0, sumDyXhat = 0.0;
    for (long long e = threadIdx.x; e < count; e += blockDim.x) {
        long long idx = ((e / spatial) * channels + c) * spatial + e % spatial;
        float g = dy[idx];
        sumDy += g;
        sumDyXhat += g * (x[idx] - mean) * inv;
    }
    sumDy = block_sum(sumDy, part);
    sumDyXhat = block_sum(sumDyXhat, part);
    if (threadIdx.x == 0) {
        dGamma[c] = (float) sumDyXhat;
        dBeta[c] = (float) sumDy;
    }
    if (dx == nullptr) return;
    float k = gamma[c] * inv / (float) count;
    float mDy = (float) sumDy, mDyXhat = (float) sumDyXhat, fc = (float) count;
    for (long long e = threadIdx.x; e < count; e += blockDim.x) {
        long long idx = ((e / spatial) * channels + c) * spatial + e % spatial;
        float xhat = (x[idx] - mean) * inv;
        dx[idx] = k * (fc * dy[idx] - mDy - xhat * mDyXhat);
    }
}

// ---- loss ----

// one thread per row: the CPU's loop (float max, double exp sums); loss per row to rowLoss
__global__ void softmax_xent(const float* z, const int* labels, int batch, int classes, float* grad, double* rowLoss,
                             int* predictions) {
    GRID_LOOP(b, batch) {
        const float* zs = z + b * classes;
        float max = zs[0];
        int arg = 0;
        for (int j = 1; j < classes; j++) if (zs[j] > max) { max = zs[j]; arg = j; }
        double sum = 0.0;
        for (int j = 0; j < classes; j++) sum += exp((double) (zs[j] - max));
        int y = labels[b];
        KERNEL_REQUIRE(y >= 0 && y < classes);  // the host checks too (Backend.checkLabels)
        rowLoss[b] = log(sum) - (double) (zs[y] - max);
        float invB = 1.0f / batch;
        for (int j = 0; j < classes; j++) {
            float p = (float) (exp((double) (zs[j] - max)) / sum);
            grad[b * classes + j] = (p - (j == y ? 1.0f : 0.0f)) * invB;
        }
        predictions[b] = arg;
    }
}

__global__ void argmax_rows(const float* z, int batch, int classes, int* predictions) {
    GRID_LOOP(b, batch) {
        const float* zs = z + b * classes;
        int arg = 0;
        for (int j = 1; j < classes; j++) if (zs[j] > zs[arg]) arg = j;
        predictions[b] = arg;
    }
}

// ---- optimizers ----

__global__ void sgd_delta(long long n, const float* w, const float* g, float* buf, float lr, float momentum,
                          float weightDecay, int firstStep, float* delta) {
    GRID_LOOP(i, n) {
        float grad = g[i] + weightDecay * w[i];
        float v = momentum == 0.0f ? grad : (firstStep ? grad : momentum * buf[i] + grad);
        buf[i] = v;
        delta[i] = -lr * v;
    }
}

// c2 = sqrt(1 - beta2^step) and stepSize = lr / (1 - beta1^step) come from the host, as on the CPU
__global__ void adamw_delta(long long n, const float* w, const float* g, float* m, float* v, float lr, float beta1,
                            float beta2, float eps, float weightDecay, float c2, float stepSize, float* delta) {
    GRID_LOOP(i, n) {
        float grad = g[i];
        float mi = beta1 * m[i] + (1.0f - beta1) * grad;
        float vi = beta2 * v[i] + (1.0f - beta2) * grad * grad;
        m[i] = mi;
        v[i] = vi;
        float denom = sqrtf(vi) / c2 + eps;
        delta[i] = -lr * weightDecay * w[i] - stepSize * mi / denom;
    }
}

// ---- random fills (Philox, element i = word i % 4 of block i / 4) ----

__global__ void fill_uniform(float* t, long long n, float lo, float span, unsigned long long seed,
                             unsigned long long stream) {
    GRID_LOOP(i, n) t[i] = lo + span * cim::uniform_at(seed, stream, (uint64_t) i);
}

__global__ void fill_normal(float* t, long long n, float mean, float std, unsigned long long seed,
                            unsigned long long stream) {
    GRID_LOOP(i, n) t[i] = mean + std * cim::normal_at(seed, stream, (uint64_t) i);
}

}  // extern "C"
