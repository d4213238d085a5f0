package cimtrain.rng;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PhiloxTest {
    /** Known-answer vectors of philox4x32_10 from the Random123 distribution (kat_vectors). */
    @Test
    void matchesRandom123KnownAnswers() {
        assertArrayEquals(new int[]{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
                raw(new int[]{0, 0, 0, 0}, new int[]{0, 0}));
        assertArrayEquals(new int[]{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
                raw(new int[]{-1, -1, -1, -1}, new int[]{-1, -1}));
        assertArrayEquals(new int[]{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
                raw(new int[]{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, new int[]{0xa4093822, 0x299f31d0}));
    }

    private static int[] raw(int[] ctr, int[] key) {
        long block = (ctr[0] & 0xFFFFFFFFL) | ((long) ctr[1] << 32);
        long stream = (ctr[2] & 0xFFFFFFFFL) | ((long) ctr[3] << 32);
        long seed = (key[0] & 0xFFFFFFFFL) | ((long) key[1] << 32);
        int[] out = new int[4];
        Philox.block(seed, stream, block, out);
        return out;
    }

    @Test
    void anySubrangeEqualsTheSameSliceOfTheWhole() {
        float[] whole = new float[103];
        Philox.fillNormal(7, 3, whole, 0, 0, 103, 0f, 1f);
        float[] part = new float[50];
        Philox.fillNormal(7, 3, part, 0, 37, 87, 0f, 1f);
        for (int i = 0; i < 50; i++) {
            assertEquals(whole[37 + i], part[i]);
        }
    }

    @Test
    void uniformAndNormalHaveTheirMoments() {
        int n = 400_000;
        float[] u = new float[n];
        Philox.fillUniform(1, 0, u, 0, 0, n, -1f, 3f);
        double mean = 0, var = 0;
        for (float v : u) {
            mean += v;
        }
        mean /= n;
        for (float v : u) {
            var += (v - mean) * (v - mean);
        }
        var /= n;
        // U(-1, 3): mean 1, variance 16/12; tolerances are ~5 standard errors
        assertEquals(1.0, mean, 0.01);
        assertEquals(16.0 / 12.0, var, 0.01);
        float[] g = new float[n];
        Philox.fillNormal(1, 1, g, 0, 0, n, 2f, 0.5f);
        mean = 0;
        var = 0;
        for (float v : g) {
            mean += v;
        }
        mean /= n;
        for (float v : g) {
            var += (v - mean) * (v - mean);
        }
        var /= n;
        assertEquals(2.0, mean, 0.004);
        assertEquals(0.25, var, 0.003);
    }

    @Test
    void streamsAndSeedsDiffer() {
        float[] a = new float[8], b = new float[8], c = new float[8];
        Philox.fillUniform(1, 0, a, 0, 0, 8, 0, 1);
        Philox.fillUniform(1, 1, b, 0, 0, 8, 0, 1);
        Philox.fillUniform(2, 0, c, 0, 0, 8, 0, 1);
        for (int i = 0; i < 8; i++) {
            org.junit.jupiter.api.Assertions.assertNotEquals(a[i], b[i]);
            org.junit.jupiter.api.Assertions.assertNotEquals(a[i], c[i]);
        }
    }

    // ---- the vector path and the float Box-Muller ----

    /** Runs body with the vector path on from the first group on (it normally waits for the JIT). */
    private static void withVectorPath(Runnable body) {
        boolean normals = Philox.NORMALS.compiled, uniforms = Philox.UNIFORMS.compiled;
        Philox.NORMALS.compiled = true;
        Philox.UNIFORMS.compiled = true;
        try {
            body.run();
        } finally {
            Philox.NORMALS.compiled = normals;
            Philox.UNIFORMS.compiled = uniforms;
        }
    }

    /** Uniform element i is lo + (hi - lo) * toUniform(word i % 4 of block i / 4), bit for bit. */
    @Test
    void uniformsAreWordsOfTheirBlocks() {
        withVectorPath(() -> {
            // an unaligned start, whole vector groups, a tail; and a range across the low counter word's wrap
            for (long from : new long[]{5, 4 * 0xFFFFFFF0L + 2}) {
                int n = 16 * 4 * Philox.LANES + 11;
                float[] u = new float[n];
                Philox.fillUniform(11, 3, u, 0, from, from + n, -1f, 2f);
                int[] w = new int[4];
                for (int k = 0; k < n; k++) {
                    long i = from + k;
                    Philox.block(11, 3, i >>> 2, w);
                    assertEquals(-1f + 3f * Philox.toUniform(w[(int) (i & 3)]), u[k], "element " + i);
                }
            }
        });
    }

    /**
     * Element i depends on (seed, stream, i) only: a range filled in one call (vector path), element by
     * element (scalar path) and in odd-sized pieces gives the same bits, so neither the vector width nor
     * how callers split ranges changes a number.
     */
    @Test
    void aRangeInOneCallEqualsItInPieces() {
        withVectorPath(() -> {
            for (boolean normal : new boolean[]{false, true}) {
                for (long from : new long[]{0, 3, 4 * 0xFFFFFFF0L + 1}) {
                    int n = 40 * Philox.LANES + 13;
                    float[] whole = new float[n];
                    fillInto(normal, whole, 0, from, from + n);
                    float[] single = new float[n];
                    for (int k = 0; k < n; k++) {
                        fillInto(normal, single, k, from + k, from + k + 1);
                    }
                    float[] pieces = new float[n];
                    int[] sizes = {1, 3, 4 * Philox.LANES + 1, 7, 5, 8 * Philox.LANES + 3, 2, 33};
                    for (int k = 0, p = 0; k < n; p++) {
                        int size = Math.min(sizes[p % sizes.length], n - k);
                        fillInto(normal, pieces, k, from + k, from + k + size);
                        k += size;
                    }
                    assertArrayEquals(whole, single, (normal ? "normal" : "uniform") + " from " + from);
                    assertArrayEquals(whole, pieces, (normal ? "normal" : "uniform") + " from " + from);
                }
            }
        });
    }

    private static void fillInto(boolean normal, float[] out, int offset, long from, long to) {
        if (normal) {
            Philox.fillNormal(21, 8, out, offset, from, to, 0.25f, 1.5f);
        } else {
            Philox.fillUniform(21, 8, out, offset, from, to, -0.5f, 0.75f);
        }
    }

    /**
     * The vector transform against boxMuller, bit for bit, on chosen words: the ends of the radius
     * (u = 1, so r = 0; u = 2^-24, the largest r), the quadrant boundaries of the angle, random words.
     */
    @Test
    void vectorNormalsEqualBoxMullerOnChosenWords() {
        List<int[]> blocks = new ArrayList<>();
        // u = 2^-24, 2 * 2^-24, 1, 1 - 2^-24, 1/2, just below and above sqrt(1/2) (where the log's reduction
        // switches exponent), 1/2 - 2^-24
        int[] radius = {0, 0x100, 0xFFFFFF00, 0xFFFFFEFF, 0x7FFFFF00, 0xB504F200, 0xB504F300, 0x7FFFFEFF};
        int[] angle = new int[4 * 8];
        for (int k = 0; k < 8; k++) {
            // bits (b >>> 8) around k * 2^21, where the reduction changes quadrant or sign
            for (int d = -1; d <= 2; d++) {
                angle[4 * k + d + 1] = ((k << 21) + d) << 8;
            }
        }
        for (int a : radius) {
            for (int b : angle) {
                blocks.add(new int[]{a, b, b ^ 0x80, a ^ 0x7F});
            }
        }
        for (int k = 0; k < 1000; k++) {
            int[] w = new int[4];
            Philox.block(5, 6, k, w);
            blocks.add(w);
        }
        int lanes = Philox.LANES, group = 4 * lanes;
        int n = (blocks.size() + lanes - 1) / lanes * group;
        int[] soa = new int[n];
        for (int k = 0; k < n / 4; k++) {
            int[] w = blocks.get(Math.min(k, blocks.size() - 1));
            for (int j = 0; j < 4; j++) {
                soa[k / lanes * group + j * lanes + k % lanes] = w[j];
            }
        }
        float[] f = new float[n];
        Philox.normals(soa, f, n, 0.25f, 1.5f);
        float[] expected = new float[4];
        for (int k = 0; k < n / 4; k++) {
            int[] w = blocks.get(Math.min(k, blocks.size() - 1));
            Philox.boxMuller(w, expected);
            for (int j = 0; j < 4; j++) {
                assertEquals(0.25f + 1.5f * expected[j], f[k / lanes * group + j * lanes + k % lanes],
                        "block " + k + " word " + j);
            }
        }
    }

    /**
     * The float Box-Muller against double precision on the same words, for every one of the 2^24 radius
     * values and every one of the 2^24 angle values: within 1e-6 (1 + |z|), tighter than the 1e-5
     * needed (the largest is 1.5e-7).
     */
    @Test
    void normalsMatchDoublePrecisionBoxMuller() {
        int[] w = new int[4];
        float[] n = new float[4];
        double worst = 0;
        for (int k = 0; k < 1 << 24; k += 2) {
            for (int p = 0; p < 2; p++) {
                // radius bits k + p; angle bits an odd multiple of them mod 2^24, which also takes every value
                w[2 * p] = (k + p) << 8;
                w[2 * p + 1] = ((k + p) * 0x9E3779B1) << 8;
            }
            Philox.boxMuller(w, n);
            for (int p = 0; p < 2; p++) {
                double r = Math.sqrt(-2 * Math.log(Philox.toUniformOpenZero(w[2 * p])));
                double theta = 2 * Math.PI * (w[2 * p + 1] >>> 8) / (1 << 24);
                double c = r * Math.cos(theta), s = r * Math.sin(theta);
                worst = Math.max(worst, Math.abs(n[2 * p] - c) / (1 + Math.abs(c)));
                worst = Math.max(worst, Math.abs(n[2 * p + 1] - s) / (1 + Math.abs(s)));
            }
        }
        assertTrue(worst < 1e-6, "largest error / (1 + |z|): " + worst);
    }

    /**
     * Ten million normals against N(0, 1): mean, variance and the two-sided tails beyond 2, 3 and 4
     * within 5 standard errors (the seed fixes the draw; the margin leaves room for another seed).
     */
    @Test
    void normalTailsMatchTheGaussian() {
        int n = 10_000_000;
        float[] z = new float[n];
        Philox.fillNormal(2024, 9, z, 0, 0, n, 0f, 1f);
        double sum = 0, sum2 = 0;
        long beyond2 = 0, beyond3 = 0, beyond4 = 0;
        for (float v : z) {
            sum += v;
            sum2 += (double) v * v;
            float a = Math.abs(v);
            beyond2 += a > 2 ? 1 : 0;
            beyond3 += a > 3 ? 1 : 0;
            beyond4 += a > 4 ? 1 : 0;
        }
        double mean = sum / n, var = sum2 / n - mean * mean;
        assertEquals(0, mean, 5 / Math.sqrt(n));
        assertEquals(1, var, 5 * Math.sqrt(2.0 / n));
        // P(|Z| > t) = erfc(t / sqrt 2)
        assertTail(0.04550026389635842, beyond2, n);
        assertTail(0.0026997960632601866, beyond3, n);
        assertTail(6.334248366623996e-05, beyond4, n);
    }

    private static void assertTail(double p, long count, int n) {
        double se = Math.sqrt(p * (1 - p) / n);
        assertEquals(p, count / (double) n, 5 * se, "tail probability " + p);
    }
}
