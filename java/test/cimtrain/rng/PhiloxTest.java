package cimtrain.rng;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
