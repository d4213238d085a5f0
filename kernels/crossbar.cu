// Crossbar reads and the threshold-accumulate update of the CUDA backend. Twins:
// java/main/cimtrain/backend/cpu/CpuCrossbar.java (exact and aggregate read models, same Philox
// counters and streams), DacRows.java (the DAC), and cimtrain.backend.ThresholdAccumulate (the update).
// Each launch covers every tile of a layer: threads run over (output, input vector) or (tile, vector).
// Built with -fmad=false, like ops.cu.
#include "common.cuh"
#include "philox.cuh"

// DacRows.code: a (in [0, 1]) x levels rounded half to even, as a float; adding 2^23 rounds below 2^22 levels
__device__ __forceinline__ float dac_code(float a, int levels) {
    if (levels < (1 << 22)) {
        return (a * (float) levels + 0x1p23f) - 0x1p23f;
    }
    return (float) rint((double) a * levels);
}

// DacRows.spread: bit r of c to bit 2r
__device__ __forceinline__ unsigned spread_bits(unsigned c) {
    c = (c | (c << 8)) & 0x00FF00FFu;
    c = (c | (c << 4)) & 0x0F0F0F0Fu;
    c = (c | (c << 2)) & 0x33333333u;
    return (c | (c << 1)) & 0x55555555u;
}

// Java's Math.round(float) as a float: floor(x + 1/2) computed exactly (ties up), NaN to 0, int range
__device__ __forceinline__ float java_round(float x) {
    if (x != x) return 0.0f;
    float r = rintf(x);
    if (x - r == 0.5f) r = r + 1.0f;
    return fminf(fmaxf(r, -2147483648.0f), 2147483647.0f);
}

extern "C" {

// Per input vector j (column of x, k x n): the DAC full scale (largest |value|), its inverse, and the
// smallest value (negative: a second pass). CpuCrossbar.vectorRanges / DacRows.ranges: a NaN input makes
// the full scale NaN, as Math.max does there.
__global__ void xb_ranges(const float* x, int k, int n, float* fullScale, float* inverse, float* minValue) {
    GRID_LOOP(j, n) {
        float fs = 0.0f, mn = 0.0f;
        for (int i = 0; i < k; i++) {
            float v = x[(long long) i * n + j];
            fs = jmax(fs, fabsf(v));
            mn = v < mn ? v : mn;
        }
        fullScale[j] = fs;
        inverse[j] = fs > 0.0f ? 1.0f / fs : 0.0f;
        minValue[j] = mn;
    }
}

// The DAC of the aggregate model (DacRows.quantize): per tile t and vector j, the signed quantised
// amplitudes of the tile's rows into amplitude (k x n) and what they add to the read-noise variance
// into squares (tiles x n), rows in order.
__global__ void xb_quantize(const float* x, int k, int n, int tileRows, int levels, int bitSerial,
                            const float* inverse, float* amplitude, float* squares) {
    int tiles = (k + tileRows - 1) / tileRows;
    float invL = levels > 0 ? 1.0f / (float) levels : 1.0f;
    float invL2 = invL * invL;
    GRID_LOOP(e, (long long) tiles * n) {
        int t = (int) (e / n);
        long long j = e % n;
        float inv = inverse[j], sq = 0.0f;
        int i1 = min(k, (t + 1) * tileRows);
        for (int i = t * tileRows; i < i1; i++) {
            float v = x[(long long) i * n + j];
            float a = jmin(fabsf(v) * inv, 1.0f);
            float amp, var;
            if (levels > 0) {
                float c = dac_code(a, levels);
                amp = c * invL;
                var = bitSerial ? (float) (int) spread_bits((unsigned) (int) c) * invL2 : amp * amp;
            } else {
                amp = a;
                var = a * a;
            }
            amplitude[(long long) i * n + j] = v < 0.0f ? -amp : amp;
            sq = sq + var;
        }
        squares[e] = sq;
    }
}

// w (out x k) = the scale of each weight's tile x (G+ - G-). Tile numbering, here and in every kernel
// below: rowTile x columnTiles + columnTile, as TileGrid.tileOf (java/main/cimtrain/backend/TileGrid.java)
__global__ void xb_device_weights(const float* gp, const float* gn, const float* scales, int out, int k, int tileRows,
                                  int tileOutputs, float* w) {
    int columnTiles = (out + tileOutputs - 1) / tileOutputs;
    GRID_LOOP(e, (long long) out * k) {
        int o = (int) (e / k), i = (int) (e % k);
        w[e] = scales[(i / tileRows) * columnTiles + o / tileOutputs] * (gp[e] - gn[e]);
    }
}

// After the product mean = w x amplitude (in y): y = fullScale x mean, plus (when noisy) one normal per
// output and vector with the variance of all the vector's reads (CpuCrossbar.addNoise): output o draws
// element counter + firstColumn + j of stream (stream + (o + 1) 2^32). The variance is the sum over row
// tiles of AggregateReadNoise.tileVariance and sd is AggregateReadNoise.sigma
// (java/main/cimtrain/backend/AggregateReadNoise.java), the same float operations in the same order.
__global__ void xb_aggregate_finish(float* y, int out, int n, int k, int tileRows, int tileOutputs,
                                    const float* scales, const float* fullScale, const float* minValue,
                                    const float* squares, int noisy, float readVar, float conversionVar, float volt,
                                    unsigned long long seed, unsigned long long stream, unsigned long long counter,
                                    unsigned long long firstColumn) {
    int tiles = (k + tileRows - 1) / tileRows, columnTiles = (out + tileOutputs - 1) / tileOutputs;
    GRID_LOOP(e, (long long) out * n) {
        int o = (int) (e / n);
        long long j = e % n;
        float fs = fullScale[j];
        float v = fs * y[e];
        if (noisy) {
            int ct = o / tileOutputs;
            float passes = minValue[j] < 0.0f ? 2.0f : 1.0f;
            float var = 0.0f;
            for (int t = 0; t < tiles; t++) {
                // AggregateReadNoise.tileVariance(scale, squares, passes)
                float scale = scales[t * columnTiles + ct], s2 = 2.0f * scale * scale;
                var = var + s2 * (readVar * squares[(long long) t * n + j] + passes * conversionVar);
            }
            float sd = sqrtf(var) * fs / volt;
            float z = cim::normal_at(seed, stream + ((unsigned long long) (o + 1) << 32), counter + firstColumn + j);
            v = v + sd * z;
        }
        y[e] = v;
    }
}

// The columns of a sample of x (k x n): dst (k x samples) column j = x's column j n / samples
// (CpuBackend.crossbarClipSample).
__global__ void xb_gather_columns(const float* x, int k, int n, int samples, float* dst) {
    GRID_LOOP(e, (long long) k * samples) {
        long long i = e / samples, j = e % samples;
        dst[e] = x[i * n + (j * n) / samples];
    }
}

// The exact read model (CpuCrossbar.exactBlock), one thread per (output o, vector j): for each sign pass,
// bit-serial read and row tile, the G+ and G- column currents of the tile's rows, each with one normal
// (read noise of the column's devices and ADC noise together), through the ADC, subtracted, times
// the tile's scale and the read's weight, summed. Draws: element counter + (firstColumn + j) D + slot
// + 2 o (G+) and + 1 (G-) of stream, slot = ((pass reads + r) tiles + t) 2 out, D = draws per vector.
// differential: I+ - I- with both columns' read noise and one conversion's noise (draw 2 o) converted
// once over [-maxCode, maxCode]; offset (V g_min, single-ended with offset cancelling, else 0): times the
// sum of the applied amplitudes, subtracted from each column before its conversion. counts (or null):
// conversions, codes above maxCode, codes below the bottom code (summed per block, then one atomic each).
// readVar and adcVar: CrossbarParams.exactReadVar and exactAdcVar, as CpuCrossbar.exactBlock uses them.
__global__ void xb_exact(const float* x, const float* gp, const float* gn, const float* scales, int out, int k, int n,
                         int tileRows, int tileOutputs, int levels, int reads, float volt, int maxCode, float lsb,
                         int clip, int noisy, double readVar, double adcVar, const float* fullScale,
                         const float* inverse, const float* minValue, unsigned long long seed,
                         unsigned long long stream, unsigned long long counter, unsigned long long firstColumn,
                         unsigned long long perColumn, float* y, int differential, float offset,
                         unsigned long long* counts) {
    __shared__ unsigned long long blockCounts[3];
    if (threadIdx.x < 3) blockCounts[threadIdx.x] = 0ull;
    __syncthreads();
    unsigned long long conversions = 0ull, above = 0ull, below = 0ull;
    float minCode = differential ? -(float) maxCode : 0.0f;
    int tiles = (k + tileRows - 1) / tileRows, columnTiles = (out + tileOutputs - 1) / tileOutputs;
    GRID_LOOP(e, (long long) out * n) {
        int o = (int) (e / n);
        long long j = e % n;
        float inv = inverse[j];
        const float* gpo = gp + (long long) o * k;
        const float* gno = gn + (long long) o * k;
        float acc = 0.0f;
        for (int pass = 0; pass < 2; pass++) {
            if (pass == 1 && !(minValue[j] < 0.0f)) break;
            float sign = pass == 0 ? 1.0f : -1.0f;
            for (int r = 0; r < reads; r++) {
                float weight = reads > 1 ? (float) (1 << r) / (float) levels : 1.0f;
                for (int t = 0; t < tiles; t++) {
                    int i0 = t * tileRows, i1 = min(k, i0 + tileRows);
                    float ip = 0.0f, in = 0.0f, sig = 0.0f, driven = 0.0f;
                    for (int i = i0; i < i1; i++) {
                        float xv = sign * x[(long long) i * n + j];
                        float code = 0.0f;
                        if (xv > 0.0f) {
                            float a = jmin(fabsf(xv) * inv, 1.0f);
                            code = levels > 0 ? dac_code(a, levels) : a;
                        }
                        float plane = reads > 1 ? (float) (((int) code >> r) & 1)
                                                : (levels > 0 ? code / (float) levels : code);
                        if (differential) {
                            // I+ - I- only (CpuCrossbar: one product with G+ - G-)
                            ip = fmaf(plane, gpo[i] - gno[i], ip);
                        } else {
                            ip = fmaf(plane, gpo[i], ip);
                            in = fmaf(plane, gno[i], in);
                        }
                        sig = sig + plane * plane;
                        driven = driven + plane;
                    }
                    ip = volt * ip;
                    in = volt * in;
                    float read;
                    float z0 = 0.0f, z1 = 0.0f;
                    if (noisy) {
                        unsigned long long slot = ((unsigned long long) (pass * reads + r) * tiles + t) * out * 2;
                        cim::normal2_at(seed, stream, counter + (firstColumn + j) * perColumn + slot + 2ull * o, &z0, &z1);
                    }
                    if (differential) {
                        float d = ip - in;
                        if (noisy) {
                            d = d + (float) sqrt(2.0 * readVar * (double) sig + adcVar) * z0;
                        }
                        if (maxCode > 0) {
                            float code = java_round(d / lsb);
                            conversions++;
                            if (code > (float) maxCode) above++;
                            else if (code < minCode) below++;
                            if (clip) code = fminf(fmaxf(code, minCode), (float) maxCode);
                            d = code * lsb;
                        }
                        read = d;
                    } else {
                        if (offset != 0.0f) {
                            float base = driven * offset;
                            ip = ip - base;
                            in = in - base;
                        }
                        if (noisy) {
                            float sigma = (float) sqrt(readVar * (double) sig + adcVar);
                            ip = ip + sigma * z0;
                            in = in + sigma * z1;
                        }
                        if (maxCode > 0) {
                            float cp = java_round(ip / lsb), cn = java_round(in / lsb);
                            conversions += 2ull;
                            above += (cp > (float) maxCode ? 1ull : 0ull) + (cn > (float) maxCode ? 1ull : 0ull);
                            below += (cp < 0.0f ? 1ull : 0ull) + (cn < 0.0f ? 1ull : 0ull);
                            if (clip) {
                                cp = fminf(fmaxf(cp, 0.0f), (float) maxCode);
                                cn = fminf(fmaxf(cn, 0.0f), (float) maxCode);
                            }
                            ip = cp * lsb;
                            in = cn * lsb;
                        }
                        read = ip - in;
                    }
                    acc = acc + sign * weight * scales[t * columnTiles + o / tileOutputs] * read;
                }
            }
        }
        y[e] = acc * fullScale[j] / volt;
    }
    if (counts != 0) {
        if (conversions > 0ull) {
            atomicAdd(&blockCounts[0], conversions);
            atomicAdd(&blockCounts[1], above);
            atomicAdd(&blockCounts[2], below);
        }
        __syncthreads();
        if (threadIdx.x < 3 && blockCounts[threadIdx.x] > 0ull) atomicAdd(&counts[threadIdx.x], blockCounts[threadIdx.x]);
    }
}

// The threshold-accumulate update of every tile of a layer (ThresholdAccumulate.apply): a non-zero
// update joins the weight's accumulator; a weight whose accumulated value reaches its tile's threshold (or
// every updated weight, direct) is appended to indices/targets (slot order is arbitrary: the host sorts
// by index, the order the write noise is drawn in), its accumulator resets and, unless direct, W_FP takes
// the target. counts[0]: non-zero updates (summed per block, one global atomic per block), counts[1]:
// listed writes. Only the listed weights go back to the host, not the matrix.
__global__ void threshold_accumulate(int out, int k, int tileRows, int tileOutputs, const float* delta,
                                     float* accumulated, float* wfp, const float* tileThreshold, int direct,
                                     int* indices, float* targets, unsigned long long* counts) {
    __shared__ unsigned long long blockUpdates;
    if (threadIdx.x == 0) blockUpdates = 0ull;
    __syncthreads();
    int columnTiles = (out + tileOutputs - 1) / tileOutputs;
    unsigned long long mine = 0ull;
    GRID_LOOP(i, (long long) out * k) {
        float d = delta[i];
        if (d != 0.0f) {
            mine++;
            float a = accumulated[i] + d;
            int o = (int) (i / k), c = (int) (i % k);
            float thr = tileThreshold[(c / tileRows) * columnTiles + o / tileOutputs]; // TileGrid.tileOf(i)
            if (direct || !(fabsf(a) < thr)) {
                float target = wfp[i] + a;
                unsigned long long slot = atomicAdd(&counts[1], 1ull);
                indices[slot] = (int) i;
                targets[slot] = target;
                if (!direct) wfp[i] = target;
                a = 0.0f;
            }
            accumulated[i] = a;
        }
    }
    atomicAdd(&blockUpdates, mine);
    __syncthreads();
    if (threadIdx.x == 0 && blockUpdates > 0ull) atomicAdd(&counts[0], blockUpdates);
}

// ThresholdAccumulate.tileSums: one block (REDUCE_THREADS threads) per tile, sums[t] = the double sum over
// the tile's weights of grad x (gPos - gNeg) (the gradient of a trainable tile scale, before the factor).
__global__ void tile_sums(int out, int k, int tileRows, int tileOutputs, const float* grad, const float* gPos,
                          const float* gNeg, double* sums) {
    __shared__ double part[REDUCE_THREADS];
    KERNEL_REQUIRE(blockDim.x == REDUCE_THREADS);
    int columnTiles = (out + tileOutputs - 1) / tileOutputs;
    int t = blockIdx.x, rt = t / columnTiles, ct = t % columnTiles; // the inverse of TileGrid.tile(rt, ct x tileOutputs)
    int c0 = rt * tileRows, c1 = min(k, c0 + tileRows), o0 = ct * tileOutputs, o1 = min(out, o0 + tileOutputs);
    int nc = c1 - c0;
    long long n = (long long) (o1 - o0) * nc;
    double s = 0.0;
    for (long long j = threadIdx.x; j < n; j += blockDim.x) {
        long long i = (long long) (o0 + (int) (j / nc)) * k + c0 + (int) (j % nc);
        s += (double) grad[i] * (double) (gPos[i] - gNeg[i]);
    }
    part[threadIdx.x] = s;
    __syncthreads();
    for (int w = blockDim.x / 2; w > 0; w >>= 1) {
        if (threadIdx.x < w) part[threadIdx.x] += part[threadIdx.x + w];
        __syncthreads();
    }
    if (threadIdx.x == 0) sums[t] = part[0];
}

// ThresholdAccumulate.scaleByTile: x[i] *= factors[tile of weight i].
__global__ void scale_by_tile(int out, int k, int tileRows, int tileOutputs, float* x, const float* factors) {
    int columnTiles = (out + tileOutputs - 1) / tileOutputs;
    GRID_LOOP(i, (long long) out * k) {
        int o = (int) (i / k), c = (int) (i % k);
        x[i] *= factors[(c / tileRows) * columnTiles + o / tileOutputs]; // TileGrid.tileOf(i)
    }
}

// dst[indices[j]] = values[j]: the devices a step wrote, without re-sending the whole layer.
__global__ void scatter_f32(int count, const int* indices, const float* values, float* dst) {
    GRID_LOOP(j, count) {
        dst[indices[j]] = values[j];
    }
}

}  // extern "C"
