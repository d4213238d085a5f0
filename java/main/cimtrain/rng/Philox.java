package cimtrain.rng;

/**
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11): a counter-based
 * generator. The i-th number of a stream is a pure function of (seed, stream, i), so any backend (CPU
 * threads in any order, a CUDA kernel with one thread per element) draws exactly the same bits.
 *
 * <p>Layout used throughout cimtrain: key = the 64-bit seed; counter words = (block lo, block hi,
 * stream lo, stream hi), where block = element index / 4 and each block yields four 32-bit words.
 */
public final class Philox {
    private static final int M0 = 0xD2511F53;
    private static final int M1 = 0xCD9E8D57;
    private static final long M0L = M0 & 0xFFFFFFFFL;
    private static final long M1L = M1 & 0xFFFFFFFFL;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;
    private static final float TWO_POW_MINUS_24 = 1f / (1 << 24);

    private Philox() {
    }

    /**
     * Computes the block of four 32-bit words for (seed, stream, block) into {@code out[0..3]}.
     */
    public static void block(long seed, long stream, long block, int[] out) {
        int c0 = (int) block, c1 = (int) (block >>> 32), c2 = (int) stream, c3 = (int) (stream >>> 32);
        int k0 = (int) seed, k1 = (int) (seed >>> 32);
        for (int round = 0; round < 10; round++) {
            long p0 = M0L * (c0 & 0xFFFFFFFFL);
            long p1 = M1L * (c2 & 0xFFFFFFFFL);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            c1 = (int) p1;
            c3 = (int) p0;
            c0 = n0;
            c2 = n2;
            k0 += W0;
            k1 += W1;
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }

    /** Maps 32 random bits to a float uniform in [0, 1) using the top 24 bits (exact in float). */
    public static float toUniform(int bits) {
        return (bits >>> 8) * TWO_POW_MINUS_24;
    }

    /** Maps 32 random bits to a float uniform in (0, 1], safe for log(). */
    public static float toUniformOpenZero(int bits) {
        return ((bits >>> 8) + 1) * TWO_POW_MINUS_24;
    }

    /**
     * Fills {@code out[from..to)} with uniforms in [lo, hi): element i of the stream is
     * word (i % 4) of block (i / 4).
     */
    public static void fillUniform(long seed, long stream, float[] out, int offset, long from, long to,
                                   float lo, float hi) {
        int[] w = new int[4];
        float span = hi - lo;
        long i = from;
        while (i < to) {
            long blk = i >>> 2;
            block(seed, stream, blk, w);
            for (int j = (int) (i & 3); j < 4 && i < to; j++, i++) {
                out[offset + (int) (i - from)] = lo + span * toUniform(w[j]);
            }
        }
    }

    /**
     * Fills {@code out[from..to)} with normals N(mean, std^2). Element i comes from block i / 4 with
     * Box-Muller: words (0,1) give elements 0 (cos) and 1 (sin), words (2,3) give elements 2 and 3.
     */
    public static void fillNormal(long seed, long stream, float[] out, int offset, long from, long to,
                                  float mean, float std) {
        int[] w = new int[4];
        float[] n = new float[4];
        long i = from;
        // a partial first block, element by element
        while (i < to && (i & 3) != 0) {
            block(seed, stream, i >>> 2, w);
            boxMuller(w, n);
            out[offset + (int) (i - from)] = mean + std * n[(int) (i & 3)];
            i++;
        }
        // whole blocks: four normals per Philox call
        for (; i + 4 <= to; i += 4) {
            block(seed, stream, i >>> 2, w);
            boxMuller(w, n);
            int o = offset + (int) (i - from);
            out[o] = mean + std * n[0];
            out[o + 1] = mean + std * n[1];
            out[o + 2] = mean + std * n[2];
            out[o + 3] = mean + std * n[3];
        }
        for (; i < to; i++) {
            block(seed, stream, i >>> 2, w);
            boxMuller(w, n);
            out[offset + (int) (i - from)] = mean + std * n[(int) (i & 3)];
        }
    }

    /** Turns four random words into four standard normals (two Box-Muller pairs). */
    public static void boxMuller(int[] w, float[] n) {
        for (int p = 0; p < 4; p += 2) {
            double r = Math.sqrt(-2.0 * Math.log(toUniformOpenZero(w[p])));
            // the angle 2 pi u from the top 24 bits: quadrant from the top two, the rest a fraction of
            // a right angle for the polynomials below (Math.sin and Math.cos cost 4x more here)
            int bits = w[p + 1] >>> 8;
            int quadrant = bits >>> 22;
            double phi = (bits & 0x3FFFFF) * (Math.PI / 2 / (1 << 22));
            double sin = sinQuarter(phi), cos = sinQuarter(Math.PI / 2 - phi);
            double c, s;
            switch (quadrant) {
                case 0 -> { c = cos; s = sin; }
                case 1 -> { c = -sin; s = cos; }
                case 2 -> { c = -cos; s = -sin; }
                default -> { c = sin; s = -cos; }
            }
            n[p] = (float) (r * c);
            n[p + 1] = (float) (r * s);
        }
    }

    /** sin(x) for x in [0, pi/2]: Taylor series to x^13, error below 6e-8 (under float's resolution). */
    static double sinQuarter(double x) {
        double x2 = x * x;
        return x * (1 + x2 * (-1.0 / 6 + x2 * (1.0 / 120 + x2 * (-1.0 / 5040 + x2 * (1.0 / 362880
                + x2 * (-1.0 / 39916800 + x2 * (1.0 / 6227020800L)))))));
    }
}
