package cimtrain.backend.cpu;

import cimtrain.backend.Backend;
import cimtrain.backend.CrossbarParams;
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

    private final BLAS blas;
    private final Parallel parallel;

    CpuCrossbar(BLAS blas, Parallel parallel) {
        this.blas = blas;
        this.parallel = parallel;
    }

    /** What one call knows, shared by its blocks. */
    private record Call(CrossbarParams p, float[] gp, float[] gn, float[] scales, int out, int k, float[] xs, int n,
                        float[] ys, long seed, long stream, long counter, long firstColumn) {
        int columnTiles() {
            return p.columnTiles(out);
        }

        /** The scale factor of the tile holding rows of row tile t and output o. */
        float scale(int t, int o) {
            return scales[t * columnTiles() + o / p.tileOutputs()];
        }
    }

    void forward(CrossbarParams p, float[] gp, float[] gn, float[] scales, int out, int k, float[] xs, int n,
                 float[] ys, long seed, long stream, long counter, long firstColumn) {
        Call c = new Call(p, gp, gn, scales, out, k, xs, n, ys, seed, stream, counter, firstColumn);
        float[] wDev = p.aggregateReads() ? deviceWeights(c) : null;
        int blocks = (n + COLUMN_BLOCK - 1) / COLUMN_BLOCK;
        parallel.forRange(blocks, 1, (b0, b1) -> {
            for (int b = b0; b < b1; b++) {
                int j0 = b * COLUMN_BLOCK, j1 = Math.min(n, j0 + COLUMN_BLOCK);
                if (wDev != null) {
                    aggregateBlock(c, wDev, j0, j1);
                } else {
                    exactBlock(c, j0, j1);
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
        for (int o = 0; o < c.out; o++) {
            for (int i = 0; i < c.k; i++) {
                int idx = o * c.k + i;
                w[idx] = c.scale(i / c.p.tileRows(), o) * (c.gp[idx] - c.gn[idx]);
            }
        }
        return w;
    }

    private void aggregateBlock(Call c, float[] wDev, int j0, int j1) {
        CrossbarParams p = c.p;
        int width = j1 - j0, k = c.k, out = c.out, n = c.n;
        int levels = p.dacBits() > 0 ? (1 << p.dacBits()) - 1 : 0;
        float[] max = new float[width], min = new float[width];
        for (int i = 0; i < k; i++) {
            DacRows.ranges(c.xs, i * n + j0, width, max, min);
        }
        float[] fullScale = new float[width], inverse = new float[width];
        for (int j = 0; j < width; j++) {
            fullScale[j] = Math.max(max[j], -min[j]);
            inverse[j] = fullScale[j] > 0f ? 1f / fullScale[j] : 0f;
        }
        // the DAC, and per tile and vector the sum over its rows and the reads of (read weight x the
        // amplitude the read puts on the row)^2: the read noise's variance in units of one full read
        int tiles = p.rowTiles(k);
        float[] amplitude = new float[k * width];
        float[] squares = new float[tiles * width];
        for (int i = 0; i < k; i++) {
            DacRows.quantize(c.xs, i * n + j0, inverse, width, levels, p.reads() > 1, amplitude, i * width, squares,
                    (i / p.tileRows()) * width);
        }
        // the mean: every read of the vector, shifted and added, is the product with the quantised inputs
        float[] mean = new float[out * width];
        blas.sgemm("N", "N", width, out, k, 1f, amplitude, 0, width, wDev, 0, k, 0f, mean, 0, width);
        // the noise, in microamperes squared per column and conversion
        double v = p.readVoltage();
        double readVar = Math.pow(p.readNoiseUs() * v, 2);
        double lsb = p.adcLsbUa();
        double conversionVar = p.adcBits() > 0 ? Math.pow(p.adcNoiseLsb() * lsb, 2) + lsb * lsb / 12 : 0;
        double readWeights = readWeightSquares(p, levels);
        boolean noisy = readVar > 0 || conversionVar > 0;
        int columnTiles = c.columnTiles();
        float[] sd = new float[columnTiles * width];
        float[] z = new float[out * width];
        if (noisy) {
            long first = c.counter + (c.firstColumn + j0) * (long) out;
            Philox.fillNormal(c.seed, c.stream, z, 0, first, first + (long) out * width, 0f, 1f);
            for (int ct = 0; ct < columnTiles; ct++) {
                for (int j = 0; j < width; j++) {
                    int passes = min[j] < 0f ? 2 : 1;
                    double var = 0;
                    // each tile: G+ and G- columns, each with its devices' read noise and its conversions'
                    for (int t = 0; t < tiles; t++) {
                        double tileVar = 2 * (readVar * squares[t * width + j] + passes * readWeights * conversionVar);
                        double s = c.scales[t * columnTiles + ct];
                        var += s * s * tileVar;
                    }
                    // from microamperes back to weight x input units
                    sd[ct * width + j] = (float) (Math.sqrt(var) * fullScale[j] / v);
                }
            }
        }
        for (int o = 0; o < out; o++) {
            int row = o * n + j0, m0 = o * width, s0 = (o / p.tileOutputs()) * width;
            for (int j = 0; j < width; j++) {
                c.ys[row + j] = fullScale[j] * mean[m0 + j] + sd[s0 + j] * z[j * out + o];
            }
        }
    }

    /** Sum over the reads of a vector of (read weight)^2: how the per-conversion noise adds up. */
    private static double readWeightSquares(CrossbarParams p, int levels) {
        if (p.reads() == 1) {
            return 1;
        }
        double sum = 0;
        for (int r = 0; r < p.reads(); r++) {
            double w = (double) (1 << r) / levels;
            sum += w * w;
        }
        return sum;
    }

    // ---- exact ----

    private void exactBlock(Call c, int j0, int j1) {
        CrossbarParams p = c.p;
        int width = j1 - j0, k = c.k, out = c.out, n = c.n;
        int levels = p.dacBits() > 0 ? (1 << p.dacBits()) - 1 : 0;
        int reads = p.reads();
        int tiles = p.rowTiles(k);
        float v = (float) p.readVoltage();
        int maxCode = p.adcBits() > 0 ? (1 << p.adcBits()) - 1 : 0;
        float lsb = (float) p.adcLsbUa();
        boolean noisy = p.readNoiseUs() > 0 || p.adcNoiseLsb() > 0;
        double readVar = Math.pow(p.readNoiseUs() * v, 2);
        double adcVar = Math.pow(p.adcNoiseLsb() * lsb, 2);
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
        float[] sigma = new float[width];
        float[] iPos = new float[out * width];
        float[] iNeg = new float[out * width];
        float[] acc = new float[out * width];
        float[] z = new float[2 * out];
        for (int pass = 0; pass < 2; pass++) {
            float sign = pass == 0 ? 1f : -1f;
            boolean any = false;
            for (int j = 0; j < width; j++) {
                any |= pass == 0 || negative[j];
            }
            if (!any) {
                break;
            }
            // the DAC: integer codes in [0, levels] of this sign's part of each input, or exact amplitudes
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < width; j++) {
                    float x = sign * c.xs[i * n + j0 + j];
                    codes[i * width + j] = x > 0f ? code(x, inverse[j], levels) : 0f;
                }
            }
            for (int r = 0; r < reads; r++) {
                // what one read applies to the rows: one bit of each code, or the whole amplitude
                float weight = reads > 1 ? (float) (1 << r) / levels : 1f;
                for (int e = 0; e < k * width; e++) {
                    plane[e] = reads > 1 ? ((int) codes[e] >> r) & 1 : levels > 0 ? codes[e] / levels : codes[e];
                }
                for (int t = 0; t < tiles; t++) {
                    int r0 = t * p.tileRows(), rows = Math.min(p.tileRows(), k - r0);
                    // column currents in uA: V x G (uS) x amplitude, for this tile's rows
                    blas.sgemm("N", "N", width, out, rows, v, plane, r0 * width, width, c.gp, r0, k, 0f, iPos, 0, width);
                    blas.sgemm("N", "N", width, out, rows, v, plane, r0 * width, width, c.gn, r0, k, 0f, iNeg, 0, width);
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
                            sigma[j] = (float) Math.sqrt(readVar * sigma[j] + adcVar);
                        }
                    }
                    long slot = (((long) pass * reads + r) * tiles + t) * out * 2;
                    for (int j = 0; j < width; j++) {
                        if (pass == 1 && !negative[j]) {
                            continue;
                        }
                        if (noisy) {
                            long first = c.counter + (c.firstColumn + j0 + j) * perColumn + slot;
                            Philox.fillNormal(c.seed, c.stream, z, 0, first, first + 2L * out, 0f, 1f);
                        }
                        for (int o = 0; o < out; o++) {
                            int idx = o * width + j;
                            float ip = iPos[idx], in = iNeg[idx];
                            if (noisy) {
                                ip += sigma[j] * z[2 * o];
                                in += sigma[j] * z[2 * o + 1];
                            }
                            if (maxCode > 0) {
                                ip = adc(ip, lsb, maxCode, p.adcClip());
                                in = adc(in, lsb, maxCode, p.adcClip());
                            }
                            acc[idx] += sign * weight * c.scale(t, o) * (ip - in);
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
    }

    /** One ADC conversion of a current to its code's current: round to the LSB, saturate if clipping. */
    private static float adc(float current, float lsb, int maxCode, boolean clip) {
        float code = Math.round(current / lsb);
        if (clip) {
            code = Math.min(Math.max(code, 0f), maxCode);
        }
        return code * lsb;
    }
}
