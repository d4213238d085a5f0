package cimtrain.backend.cpu;

import cimtrain.backend.AggregateReadNoise;
import cimtrain.backend.Backend;
import cimtrain.backend.CrossbarParams;
import cimtrain.backend.TileGrid;
import cimtrain.rng.Philox;
import dev.ludovic.netlib.blas.BLAS;

import java.util.Arrays;

/**
 * The CPU reference of {@link Backend#crossbarForward}: the exact read model (every bit-serial read and
 * every conversion) and the aggregate one. Input vectors are independent, so work is cut into blocks of
 * {@link #COLUMN_BLOCK} vectors counted from the first vector of the call: the cut never depends on the
 * thread count, and neither do the results.
 */
final class CpuCrossbar {
    /** Input vectors per unit of work. */
    static final int COLUMN_BLOCK = 256;
    /** The most normals an exact read draws ahead for one block (4 MB). */
    static final int BULK_DRAWS = 1 << 20;

    private final BLAS blas;
    private final Parallel parallel;

    CpuCrossbar(BLAS blas, Parallel parallel) {
        this.blas = blas;
        this.parallel = parallel;
    }

    /** What one call knows, shared by its blocks. */
    private record Call(CrossbarParams p, float[] gp, float[] gn, float[] scales, int out, int k, float[] xs, int n,
                        float[] ys, long seed, long stream, long counter, long firstColumn, float[] gDiff,
                        TileGrid grid) {
        /** The scale factor of the tile holding rows of row tile t and output o. */
        float scale(int t, int o) {
            return scales[grid.tile(t, o)];
        }
    }

    void forward(CrossbarParams p, float[] gp, float[] gn, float[] scales, int out, int k, float[] xs, int n,
                 float[] ys, long seed, long stream, long counter, long firstColumn, long[] clipCounts) {
        float[] gDiff = null;
        if (!p.aggregateReads() && p.differential()) {
            // differential sensing reads I+ - I- only: one product per read with G+ - G-, not two
            gDiff = new float[out * k];
            for (int i = 0; i < gDiff.length; i++) {
                gDiff[i] = gp[i] - gn[i];
            }
        }
        Call c = new Call(p, gp, gn, scales, out, k, xs, n, ys, seed, stream, counter, firstColumn, gDiff,
                p.grid(out, k));
        float[] wDev = p.aggregateReads() ? deviceWeights(c) : null;
        int blocks = (n + COLUMN_BLOCK - 1) / COLUMN_BLOCK;
        parallel.forRange(blocks, 1, (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                int j0 = b * COLUMN_BLOCK, j1 = Math.min(n, j0 + COLUMN_BLOCK);
                if (wDev != null) {
                    aggregateBlock(c, wDev, j0, j1);
                } else {
                    long[] counts = exactBlock(c, j0, j1);
                    if (clipCounts != null) {
                        synchronized (clipCounts) {
                            for (int q = 0; q < 3; q++) {
                                clipCounts[q] += counts[q];
                            }
                        }
                    }
                }
            }
        });
    }

    /** The DAC's full scale of each vector (its largest |value|) and whether it has negative values. */
    private static void vectorRanges(Call c, int j0, int j1, float[] fullScale, boolean[] negative) {
        int width = j1 - j0;
        Arrays.fill(fullScale, 0, width, 0f);
        Arrays.fill(negative, 0, width, false);
        for (int i = 0; i < c.k; i++) {
            int row = i * c.n;
            for (int j = j0; j < j1; j++) {
                float v = c.xs[row + j];
                fullScale[j - j0] = Math.max(fullScale[j - j0], Math.abs(v));
                negative[j - j0] |= v < 0f;
            }
        }
    }

    /** DAC code magnitude of |v| in a vector of full scale fs: an integer in [0, levels], or |v| / fs exactly. */
    private static float code(float v, float inverseFullScale, int levels) {
        float a = Math.min(Math.abs(v) * inverseFullScale, 1f);
        return levels > 0 ? DacRows.code(a, levels) : a;
    }

    // ---- aggregate ----

    /** w (out x k) = each tile's scale x (G+ - G-): the weights the devices hold, weight units per uS x uS. */
    private static float[] deviceWeights(Call c) {
        float[] w = new float[c.out * c.k];
        int tileRows = c.grid.tileRows;
        for (int o = 0; o < c.out; o++) {
            // one scale per row tile of this output, the inner loop plain (it runs every forward call)
            for (int t = 0, r0 = 0; r0 < c.k; t++, r0 += tileRows) {
                float scale = c.scale(t, o);
                int from = o * c.k + r0, to = o * c.k + Math.min(c.k, r0 + tileRows);
                for (int idx = from; idx < to; idx++) {
                    w[idx] = scale * (c.gp[idx] - c.gn[idx]);
                }
            }
        }
        return w;
    }

    /** Scratch of one worker for one block, reused from call to call (blocks are processed one at a time). */
    private static final class Scratch {
        float[] max = new float[0], min = new float[0], fullScale = new float[0], inverse = new float[0];
        float[] amplitude = new float[0], squares = new float[0], mean = new float[0], var = new float[0];
        float[] z = new float[0];

        static float[] fit(float[] a, int size) {
            return a.length >= size ? a : new float[size];
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private void aggregateBlock(Call c, float[] wDev, int j0, int j1) {
        CrossbarParams p = c.p;
        int width = j1 - j0, k = c.k, out = c.out, n = c.n;
        int levels = p.dacLevels();
        int tiles = c.grid.rowTiles();
        Scratch s = SCRATCH.get();
        float[] max = s.max = Scratch.fit(s.max, width), min = s.min = Scratch.fit(s.min, width);
        Arrays.fill(max, 0, width, 0f);
        Arrays.fill(min, 0, width, 0f);
        DacRows.ranges(c.xs, j0, n, k, width, max, min);
        float[] fullScale = s.fullScale = Scratch.fit(s.fullScale, width);
        float[] inverse = s.inverse = Scratch.fit(s.inverse, width);
        for (int j = 0; j < width; j++) {
            fullScale[j] = Math.max(max[j], -min[j]);
            inverse[j] = fullScale[j] > 0f ? 1f / fullScale[j] : 0f;
        }
        // the DAC, and per tile and vector the sum over its rows and the reads of (read weight x the
        // amplitude the read puts on the row)^2: the read noise's variance in units of one full read
        float[] amplitude = s.amplitude = Scratch.fit(s.amplitude, k * width);
        float[] squares = s.squares = Scratch.fit(s.squares, tiles * width);
        Arrays.fill(squares, 0, tiles * width, 0f);
        for (int i = 0; i < k; i++) {
            DacRows.quantize(c.xs, i * n + j0, inverse, width, levels, p.reads() > 1, amplitude, i * width, squares,
                    (i / p.tileRows()) * width);
        }
        // the mean: every read of the vector, shifted and added, is the product with the quantised inputs
        float[] mean = s.mean = Scratch.fit(s.mean, out * width);
        blas.sgemm("N", "N", width, out, k, 1f, amplitude, 0, width, wDev, 0, k, 0f, mean, 0, width);
        for (int o = 0; o < out; o++) {
            int row = o * n + j0, m0 = o * width;
            for (int j = 0; j < width; j++) {
                c.ys[row + j] = fullScale[j] * mean[m0 + j];
            }
        }
        addNoise(c, s, tiles, j0, width);
    }

    /**
     * The reads' noise: per column tile and vector its variance, in microamperes squared (each tile's
     * G+ and G- columns, each with its devices' read noise and its conversions' noise and rounding),
     * times the tiles' scale factors squared; then one normal per output and vector. Output o draws from
     * its own Philox stream (stream + (o + 1) 2^32), element counter + the vector's index in the batch,
     * so that a block's draws for one output are one contiguous range.
     */
    private static void addNoise(Call c, Scratch s, int tiles, int j0, int width) {
        CrossbarParams p = c.p;
        float v = (float) p.readVoltage();
        AggregateReadNoise noise = AggregateReadNoise.of(p);
        if (noise.silent()) {
            return;
        }
        int columnTiles = c.grid.columnTiles();
        float[] var = s.var = Scratch.fit(s.var, width);
        float[] z = s.z = Scratch.fit(s.z, width);
        for (int ct = 0; ct < columnTiles; ct++) {
            Arrays.fill(var, 0, width, 0f);
            for (int t = 0; t < tiles; t++) {
                float scale = c.scale(t, ct * p.tileOutputs());
                int q0 = t * width;
                for (int j = 0; j < width; j++) {
                    var[j] += noise.tileVariance(scale, s.squares[q0 + j], s.min[j] < 0f ? 2f : 1f);
                }
            }
            for (int j = 0; j < width; j++) {
                // from microamperes back to weight x input units
                var[j] = AggregateReadNoise.sigma(var[j], s.fullScale[j], v);
            }
            int o1 = Math.min(c.out, (ct + 1) * p.tileOutputs());
            for (int o = ct * p.tileOutputs(); o < o1; o++) {
                long first = c.counter + c.firstColumn + j0;
                Philox.fillNormal(c.seed, c.stream + ((o + 1L) << 32), z, 0, first, first + width, 0f, 1f);
                int row = o * c.n + j0;
                for (int j = 0; j < width; j++) {
                    c.ys[row + j] += var[j] * z[j];
                }
            }
        }
    }

    // ---- exact ----

    /** @return the block's conversions, and those above the top code and below the bottom one */
    private long[] exactBlock(Call c, int j0, int j1) {
        CrossbarParams p = c.p;
        int width = j1 - j0, k = c.k, out = c.out, n = c.n;
        int levels = p.dacLevels();
        int reads = p.reads();
        int tiles = c.grid.rowTiles();
        float v = (float) p.readVoltage();
        int maxCode = p.adcMaxCode();
        int minCode = p.differential() ? -maxCode : 0;
        boolean differential = p.differential();
        float offset = p.offsetCancel() ? (float) (v * p.gMinUs()) : 0f;
        float lsb = (float) p.adcLsbUa();
        long conversions = 0, above = 0, below = 0;
        boolean noisy = p.readNoiseUs() > 0 || p.adcNoiseLsb() > 0;
        double readVar = p.exactReadVar();
        double adcVar = p.exactAdcVar();
        float[] fullScale = new float[width];
        boolean[] negative = new boolean[width];
        vectorRanges(c, j0, j1, fullScale, negative);
        float[] inverse = new float[width];
        for (int j = 0; j < width; j++) {
            inverse[j] = fullScale[j] > 0f ? 1f / fullScale[j] : 0f;
        }
        long perColumn = Backend.crossbarDrawsPerColumn(p, out, k);
        float[] codes = new float[k * width];
        float[] plane = new float[k * width];
        int[] bits = reads > 1 ? new int[k * width] : null;
        float[] factor = new float[out];
        float[] sigma = new float[width];
        float[] sigmaDiff = new float[width];
        float[] driven = new float[width];
        float[] iPos = new float[out * width];
        float[] iNeg = new float[out * width];
        float[] acc = new float[out * width];
        float[] z = new float[2 * out];
        // a vector's draws for all reads and tiles of one pass are one range of its stream: drawn at once
        // where they fit (short ranges take the scalar path of Philox), element for element the same normals
        int perPass = reads * tiles * 2 * out;
        float[] zPass = noisy && (long) width * perPass <= BULK_DRAWS ? new float[width * perPass] : null;
        for (int pass = 0; pass < 2; pass++) {
            float sign = pass == 0 ? 1f : -1f;
            boolean any = false;
            for (int j = 0; j < width; j++) {
                any |= pass == 0 || negative[j];
            }
            if (!any) {
                break;
            }
            if (zPass != null) {
                for (int j = 0; j < width; j++) {
                    if (pass == 0 || negative[j]) {
                        long first = c.counter + (c.firstColumn + j0 + j) * perColumn + (long) pass * perPass;
                        Philox.fillNormal(c.seed, c.stream, zPass, j * perPass, first, first + perPass, 0f, 1f);
                    }
                }
            }
            // the DAC: integer codes in [0, levels] of this sign's part of each input, or exact amplitudes
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < width; j++) {
                    float x = sign * c.xs[i * n + j0 + j];
                    codes[i * width + j] = x > 0f ? code(x, inverse[j], levels) : 0f;
                }
            }
            if (reads > 1) {
                for (int e = 0; e < k * width; e++) {
                    bits[e] = (int) codes[e];
                }
            }
            for (int r = 0; r < reads; r++) {
                // what one read applies to the rows: one bit of each code, or the whole amplitude
                float weight = reads > 1 ? (float) (1 << r) / levels : 1f;
                if (reads > 1) {
                    for (int e = 0; e < k * width; e++) {
                        plane[e] = (bits[e] >> r) & 1;
                    }
                } else {
                    for (int e = 0; e < k * width; e++) {
                        plane[e] = levels > 0 ? codes[e] / levels : codes[e];
                    }
                }
                for (int t = 0; t < tiles; t++) {
                    int r0 = t * p.tileRows(), rows = Math.min(p.tileRows(), k - r0);
                    // column currents in uA: V x G (uS) x amplitude, for this tile's rows
                    if (differential) {
                        // I+ - I- directly (iNeg stays 0)
                        blas.sgemm("N", "N", width, out, rows, v, plane, r0 * width, width, c.gDiff, r0, k, 0f, iPos, 0,
                                width);
                    } else {
                        blas.sgemm("N", "N", width, out, rows, v, plane, r0 * width, width, c.gp, r0, k, 0f, iPos, 0,
                                width);
                        blas.sgemm("N", "N", width, out, rows, v, plane, r0 * width, width, c.gn, r0, k, 0f, iNeg, 0,
                                width);
                    }
                    if (noisy) {
                        // a column's read noise grows with the squared amplitudes on the tile's rows
                        Arrays.fill(sigma, 0f);
                        for (int i = r0; i < r0 + rows; i++) {
                            for (int j = 0; j < width; j++) {
                                float a = plane[i * width + j];
                                sigma[j] += a * a;
                            }
                        }
                        for (int j = 0; j < width; j++) {
                            // differential: both columns' read noise, one conversion's noise
                            sigmaDiff[j] = (float) Math.sqrt(2 * readVar * sigma[j] + adcVar);
                            sigma[j] = (float) Math.sqrt(readVar * sigma[j] + adcVar);
                        }
                    }
                    if (offset != 0f) {
                        // the G_min baseline of the rows this read drives: V g_min sum of the amplitudes
                        Arrays.fill(driven, 0f);
                        for (int i = r0; i < r0 + rows; i++) {
                            for (int j = 0; j < width; j++) {
                                driven[j] += plane[i * width + j];
                            }
                        }
                        for (int j = 0; j < width; j++) {
                            driven[j] *= offset;
                        }
                    }
                    long slot = (((long) pass * reads + r) * tiles + t) * out * 2;
                    for (int o = 0; o < out; o++) {
                        factor[o] = sign * weight * c.scale(t, o);
                    }
                    float[] zs = zPass != null ? zPass : z;
                    for (int j = 0; j < width; j++) {
                        if (pass == 1 && !negative[j]) {
                            continue;
                        }
                        // this column's draws for read r on tile t: 2 per output (G+ and G-; differential: one used)
                        int zo = zPass != null ? j * perPass + (r * tiles + t) * 2 * out : 0;
                        if (noisy && zPass == null) {
                            long first = c.counter + (c.firstColumn + j0 + j) * perColumn + slot;
                            Philox.fillNormal(c.seed, c.stream, z, 0, first, first + 2L * out, 0f, 1f);
                        }
                        for (int o = 0; o < out; o++) {
                            int idx = o * width + j;
                            float ip = iPos[idx], in = iNeg[idx], read;
                            if (differential) {
                                // I+ - I- with both columns' read noise and the conversion's noise (draw 2 o)
                                float d = ip - in;
                                if (noisy) {
                                    d += sigmaDiff[j] * zs[zo + 2 * o];
                                }
                                if (maxCode > 0) {
                                    float code = Math.round(d / lsb);
                                    conversions++;
                                    if (code > maxCode) {
                                        above++;
                                    } else if (code < minCode) {
                                        below++;
                                    }
                                    if (p.adcClip()) {
                                        code = Math.min(Math.max(code, minCode), maxCode);
                                    }
                                    d = code * lsb;
                                }
                                read = d;
                            } else {
                                if (offset != 0f) {
                                    ip -= driven[j];
                                    in -= driven[j];
                                }
                                if (noisy) {
                                    ip += sigma[j] * zs[zo + 2 * o];
                                    in += sigma[j] * zs[zo + 2 * o + 1];
                                }
                                if (maxCode > 0) {
                                    float cp = Math.round(ip / lsb), cn = Math.round(in / lsb);
                                    conversions += 2;
                                    above += (cp > maxCode ? 1 : 0) + (cn > maxCode ? 1 : 0);
                                    below += (cp < 0f ? 1 : 0) + (cn < 0f ? 1 : 0);
                                    if (p.adcClip()) {
                                        cp = Math.min(Math.max(cp, 0f), maxCode);
                                        cn = Math.min(Math.max(cn, 0f), maxCode);
                                    }
                                    ip = cp * lsb;
                                    in = cn * lsb;
                                }
                                read = ip - in;
                            }
                            acc[idx] += factor[o] * read;
                        }
                    }
                }
            }
        }
        // back from currents (uA = uS x V) to weight x input units
        for (int o = 0; o < out; o++) {
            for (int j = 0; j < width; j++) {
                c.ys[o * n + j0 + j] = acc[o * width + j] * fullScale[j] / v;
            }
        }
        return new long[]{conversions, above, below};
    }
}
