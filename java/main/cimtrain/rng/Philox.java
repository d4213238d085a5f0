package cimtrain.rng;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.FMA;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.SQRT;
import static jdk.incubator.vector.VectorOperators.XOR;

/**
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11): a counter-based
 * generator. The i-th number of a stream is a pure function of (seed, stream, i), so any backend (CPU
 * threads in any order, a CUDA kernel with one thread per element) draws exactly the same bits.
 *
 * <p>Layout used throughout cimtrain: key = the 64-bit seed; counter words = (block lo, block hi,
 * stream lo, stream hi), where block = element index / 4 and each block yields four 32-bit words
 * w0..w3. Uniform element i is word i % 4 of block i / 4 through {@link #toUniform}.
 *
 * Over 400 lines: the generator, its uniform and normal transforms and their bulk fills, kept in one
 * place because the CUDA kernels mirror exactly this file.
 *
 * <h2>Normals</h2>
 * Element i of a normal stream comes from block i / 4 by Box-Muller on the word pairs (w0, w1) and
 * (w2, w3): in each pair (a, b), a gives the radius and b the angle, element 4k + 2p is r cos(theta) and
 * element 4k + 2p + 1 is r sin(theta). Everything is float (binary32, round to nearest even) so that a
 * CUDA kernel can reproduce every bit. In the steps below {@code fma(x, y, z)} is a fused multiply-add
 * (one rounding: Java {@code Math.fma}, CUDA {@code fmaf}) and every other {@code *}, {@code +},
 * {@code -} is rounded on its own. <b>FMA contraction matters</b>: nvcc fuses {@code a * b + c} by
 * default, so a port must write the unfused steps as {@code __fmul_rn} / {@code __fadd_rn} /
 * {@code __fsub_rn} (or build with {@code -fmad=false}); {@code sqrtf} must be the correctly rounded one
 * (the default {@code -prec-sqrt=true}). Integer shifts are logical ({@code >>>}, unsigned in CUDA)
 * except where marked arithmetic; the int-to-float conversions are exact. The constants are exact
 * floats, written as hex literals in the source.
 * <pre>{@code
 * radius from word a:
 *   u  = (float) ((a >>> 8) + 1) * 0x1p-24f            // in (0, 1], exact
 *   ix = bits(u)
 *   e  = (ix - 0x3F3504F3) >> 23                      // ARITHMETIC shift; 0x3F3504F3 = bits(sqrt(1/2))
 *   x  = fromBits(ix - (e << 23)) - 1f                // u = 2^e (1 + x), 1 + x in [sqrt(1/2), sqrt(2)), exact
 *   z  = x * x
 *   y  = fma(LOG_P0, x, LOG_P1); y = fma(y, x, LOG_P2); ... y = fma(y, x, LOG_P8)   // Horner, 8 fmas
 *   y  = (y * x) * z
 *   y  = fma((float) e, LN2_LO, y)
 *   y  = fma(z, -0.5f, y)
 *   l  = x + y
 *   l  = fma((float) e, LN2_HI, l)                    // l = ln(u) (Cephes logf; LN2_HI + LN2_LO = ln 2)
 *   r  = sqrt(l * -2f)                                // -0 when u = 1; |r| <= 5.77
 * angle theta = 2 pi (b >>> 8) / 2^24 from word b, as t in [-pi/4, pi/4) plus q quarter turns:
 *   s  = (b >>> 8) + 0x200000
 *   q  = (s >>> 22) & 3
 *   t  = (float) ((s & 0x3FFFFF) - 0x200000) * ANGLE  // ANGLE = (float) pi * 2^-23
 *   t2 = t * t
 *   sn = fma(fma(fma(SIN_P3, t2, SIN_P2), t2, SIN_P1), t2 * t, t)                    // sin t (Cephes sinf)
 *   cs = fma(fma(fma(COS_P3, t2, COS_P2), t2, COS_P1), t2 * t2, fma(t2, -0.5f, 1f))  // cos t (Cephes cosf)
 *   d  = (bits(cs) ^ bits(sn)) & -(q & 1)            // odd quadrants swap sin and cos
 *   cos theta = fromBits(bits(cs) ^ d ^ (((q + 1) & 2) << 30))   // the sign flips of quadrants 1, 2
 *   sin theta = fromBits(bits(sn) ^ d ^ ((q & 2) << 30))         // and of quadrants 2, 3
 * normals: r * cos theta, r * sin theta; with mean and std: mean + std * n (a product, then a sum)
 * }</pre>
 * Against double-precision Box-Muller on the same words the error is at most 1.6e-7 (1 + |n|) (PhiloxTest
 * checks every radius and every angle); the 24-bit uniforms cap |n| at sqrt(48 ln 2) = 5.77, which
 * P(|z| &gt; 5.77) ~ 8e-9 makes harmless.
 *
 * <h2>Speed</h2>
 * Long ranges run {@code LANES} blocks at once with the Vector API, one block per lane (the round
 * function is a handful of lane-wise integer operations), then turn the words into floats, then
 * interleave the lanes back into stream order. The vector code performs exactly the float operations of
 * the scalar path, so the numbers do not depend on the machine's vector width or on how a range is split.
 * A JVM's first numbers take the scalar path while the vector code would still be slow (see
 * {@code WARM_UP_AFTER}).
 */
public final class Philox {
    private static final int M0 = 0xD2511F53;
    private static final int M1 = 0xCD9E8D57;
    private static final long M0L = M0 & 0xFFFFFFFFL;
    private static final long M1L = M1 & 0xFFFFFFFFL;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;
    private static final float TWO_POW_MINUS_24 = 0x1p-24f;

    // logf (Cephes): ln(1 + x) = x - x^2 / 2 + x^3 P(x) on [sqrt(1/2) - 1, sqrt(2) - 1]
    private static final int SQRT_HALF_BITS = 0x3F3504F3;
    private static final float LOG_P0 = 0x1.204376p-4f;   //  7.0376836292e-2
    private static final float LOG_P1 = -0x1.d7a37p-4f;   // -1.1514610310e-1
    private static final float LOG_P2 = 0x1.de4a34p-4f;   //  1.1676998740e-1
    private static final float LOG_P3 = -0x1.fcba9ep-4f;  // -1.2420140846e-1
    private static final float LOG_P4 = 0x1.23d37ep-3f;   //  1.4249322787e-1
    private static final float LOG_P5 = -0x1.555cap-3f;   // -1.6668057665e-1
    private static final float LOG_P6 = 0x1.999d58p-3f;   //  2.0000714765e-1
    private static final float LOG_P7 = -0x1.fffff8p-3f;  // -2.4999993993e-1
    private static final float LOG_P8 = 0x1.555554p-2f;   //  3.3333331174e-1
    // ln 2 in two parts: e * LN2_HI is exact (LN2_HI has 9 significant bits), LN2_LO adds the rest
    private static final float LN2_HI = 0x1.63p-1f;       //  0.693359375
    private static final float LN2_LO = -0x1.bd0106p-13f; // -2.12194440e-4
    // sinf, cosf (Cephes) on [-pi/4, pi/4]
    private static final float SIN_P1 = -0x1.555546p-3f;  // -1.6666654611e-1
    private static final float SIN_P2 = 0x1.11073cp-7f;   //  8.3321608736e-3
    private static final float SIN_P3 = -0x1.9943f2p-13f; // -1.9515295891e-4
    private static final float COS_P1 = 0x1.55554ap-5f;   //  4.166664568298827e-2
    private static final float COS_P2 = -0x1.6c0c34p-10f; // -1.388731625493765e-3
    private static final float COS_P3 = 0x1.99eb9cp-16f;  //  2.443315711809948e-5
    /** One step of the 24-bit angle in radians: 2 pi / 2^24 = pi * 2^-23, from pi rounded to float. */
    private static final float ANGLE = 0x1.921fb6p-22f;
    private static final int HALF_QUADRANT = 1 << 21;
    private static final int QUADRANT_MASK = (1 << 22) - 1;

    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    /** Blocks computed at once, one per vector lane. */
    static final int LANES = INTS.length();
    /** Elements per vector step: four words from each of the LANES blocks. */
    private static final int GROUP = 4 * LANES;
    /**
     * Elements per pass of the vector path (a whole number of groups): words, then floats, then stream
     * order, each a loop over the chunk, so the scratch stays in L1 and each loop hoists its constants.
     */
    private static final int CHUNK = 16 * GROUP;
    /** Interleaving assumes a lane count divisible by 4 (any real vector unit: 128 bits or more). */
    private static final boolean VECTOR = LANES % 4 == 0 && FLOATS.length() == LANES;
    // Interleaving: output vector k of a group holds element k * LANES + l in lane l, which is word
    // l % 4 of lane (block) k * LANES / 4 + l / 4: SPREAD_k moves each block's value to its four lanes,
    // WORD_j picks the lanes that take word j.
    private static final VectorShuffle<Float> SPREAD_0 = spread(0), SPREAD_1 = spread(1),
            SPREAD_2 = spread(2), SPREAD_3 = spread(3);
    private static final VectorMask<Float> WORD_1 = word(1), WORD_2 = word(2), WORD_3 = word(3);

    /**
     * The Vector API is fast only once C2 has compiled the code: interpreted or C1-compiled it runs some
     * 100 times slower than the scalar path, and getting it compiled takes 10 to 20 thousand vector groups,
     * 0.5 s (uniforms) to 2.5 s (normals) of warm-up. So a JVM draws its first WARM_UP_AFTER numbers of
     * each kind the scalar way (4M, some 20 lenet-paper batches on a chip): short runs and most tests never pay
     * for the warm-up, and long runs pay it once. After that, until a timed group shows compiled speed,
     * each chunk sends one group the vector way (to get it compiled) and the rest the scalar way; a JVM
     * that cannot compile the vector code gives up after GIVE_UP timed groups. The numbers are the same
     * whichever way they are computed.
     */
    private static final long WARM_UP_AFTER = 1L << 22;
    private static final int GIVE_UP = 1 << 17;
    /** Nanoseconds per element under which a vector group counts as compiled (C2: 2 to 4; C1: thousands). */
    private static final long COMPILED_NS = 10;

    /** How far the vector path of one kind of number has come (see WARM_UP_AFTER). */
    static final class Path {
        /** Numbers drawn so far while not compiled (racy, as is tries: a heuristic needs no more). */
        private long drawn;
        private int tries;
        /** Whether a timed group ran at compiled speed; tests set it to force the vector path. */
        volatile boolean compiled;

        /** Whether a range of n numbers from a vector group on should take the vector path. */
        boolean wanted(long n) {
            return compiled || tries < GIVE_UP && (drawn += n) > WARM_UP_AFTER;
        }

        void timed(long nanos) {
            if (nanos < GROUP * COMPILED_NS) {
                compiled = true;
            } else {
                tries++;
            }
        }
    }

    static final Path NORMALS = new Path(), UNIFORMS = new Path();

    private Philox() {
    }

    private static VectorShuffle<Float> spread(int k) {
        return VectorShuffle.fromOp(FLOATS, l -> k * LANES / 4 + l / 4);
    }

    private static VectorMask<Float> word(int j) {
        boolean[] lanes = new boolean[FLOATS.length()];
        for (int l = 0; l < lanes.length; l++) {
            lanes[l] = l % 4 == j;
        }
        return VectorMask.fromArray(FLOATS, lanes, 0);
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
     * Fills {@code out[offset + (i - from)]} for i in [from, to) with uniforms in [lo, hi): element i
     * of the stream is {@code lo + (hi - lo) * toUniform(word i % 4 of block i / 4)}.
     */
    public static void fillUniform(long seed, long stream, float[] out, int offset, long from, long to,
                                   float lo, float hi) {
        fill(false, seed, stream, out, offset, from, to, lo, hi - lo);
    }

    /**
     * Fills {@code out[offset + (i - from)]} for i in [from, to) with normals N(mean, std^2): element i
     * is {@code mean + std * n} with n element i % 4 of {@link #boxMuller} on block i / 4.
     */
    public static void fillNormal(long seed, long stream, float[] out, int offset, long from, long to,
                                  float mean, float std) {
        fill(true, seed, stream, out, offset, from, to, mean, std);
    }

    /** One thread's chunk of words and floats for the vector path (ranges are often short: reuse them). */
    private static final class Scratch {
        final int[] words = new int[CHUNK];
        final float[] floats = new float[CHUNK];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * Both fills: {@code a + b * x} with x the standard normal or the uniform of each element (a, b =
     * mean, std or lo, hi - lo). The ends of the range go block by block, whole groups the vector way.
     */
    private static void fill(boolean normal, long seed, long stream, float[] out, int offset, long from,
                             long to, float a, float b) {
        // element by element up to the first block boundary, where vector groups can start
        long i = Math.min(to, (from + 3) & ~3L);
        scalar(normal, seed, stream, out, offset, from, i, a, b);
        Path path = normal ? NORMALS : UNIFORMS;
        if (VECTOR && i + GROUP <= to && path.wanted(to - i)) {
            Scratch scratch = SCRATCH.get();
            int[] w = scratch.words;
            float[] f = scratch.floats;
            while (i + GROUP <= to) {
                int n = (int) Math.min(w.length, (to - i) / GROUP * GROUP);
                int o = offset + (int) (i - from);
                if (path.compiled) {
                    vector(normal, seed, stream, i, n, w, f, out, o, a, b);
                } else {
                    // warming up (see WARM_UP_AFTER): one group the vector way, timed, the rest scalar
                    long start = System.nanoTime();
                    vector(normal, seed, stream, i, GROUP, w, f, out, o, a, b);
                    path.timed(System.nanoTime() - start);
                    scalar(normal, seed, stream, out, o + GROUP, i + GROUP, i + n, a, b);
                }
                i += n;
            }
        }
        scalar(normal, seed, stream, out, offset + (int) (i - from), i, to, a, b);
    }

    /** Elements [from, to) to out[o ..], one block at a time. */
    private static void scalar(boolean normal, long seed, long stream, float[] out, int o, long from, long to,
                               float a, float b) {
        if (normal) {
            normalScalar(seed, stream, out, o, from, to, a, b);
        } else {
            uniformScalar(seed, stream, out, o, from, to, a, b);
        }
    }

    private static void uniformScalar(long seed, long stream, float[] out, int o, long from, long to,
                                      float lo, float span) {
        int[] w = new int[4];
        for (long i = from; i < to; ) {
            block(seed, stream, i >>> 2, w);
            do {
                out[o++] = lo + span * toUniform(w[(int) i & 3]);
                i++;
            } while (i < to && (i & 3) != 0);
        }
    }

    private static void normalScalar(long seed, long stream, float[] out, int o, long from, long to,
                                     float mean, float std) {
        int[] w = new int[4];
        float[] n = new float[4];
        for (long i = from; i < to; ) {
            block(seed, stream, i >>> 2, w);
            boxMuller(w, n);
            do {
                out[o++] = mean + std * n[(int) i & 3];
                i++;
            } while (i < to && (i & 3) != 0);
        }
    }

    /** Turns four random words into four standard normals (two Box-Muller pairs; see the class doc). */
    public static void boxMuller(int[] w, float[] n) {
        for (int p = 0; p < 4; p += 2) {
            float r = radius(w[p]);
            int s = (w[p + 1] >>> 8) + HALF_QUADRANT;
            int q = (s >>> 22) & 3;
            float t = ((s & QUADRANT_MASK) - HALF_QUADRANT) * ANGLE;
            float t2 = t * t;
            float sin = Math.fma(Math.fma(Math.fma(SIN_P3, t2, SIN_P2), t2, SIN_P1), t2 * t, t);
            float cos = Math.fma(Math.fma(Math.fma(COS_P3, t2, COS_P2), t2, COS_P1), t2 * t2, Math.fma(t2, -0.5f, 1f));
            // integer swaps and sign flips rather than branches: the vector code does the same lane-wise
            int sn = Float.floatToRawIntBits(sin), cs = Float.floatToRawIntBits(cos);
            int d = (cs ^ sn) & -(q & 1);
            n[p] = r * Float.intBitsToFloat(cs ^ d ^ (((q + 1) & 2) << 30));
            n[p + 1] = r * Float.intBitsToFloat(sn ^ d ^ ((q & 2) << 30));
        }
    }

    /** sqrt(-2 ln u) for u = toUniformOpenZero(a), with the float logarithm of the class doc. */
    private static float radius(int a) {
        int ix = Float.floatToRawIntBits(toUniformOpenZero(a));
        int e = (ix - SQRT_HALF_BITS) >> 23;
        float x = Float.intBitsToFloat(ix - (e << 23)) - 1f;
        float z = x * x;
        float y = LOG_P0;
        y = Math.fma(y, x, LOG_P1);
        y = Math.fma(y, x, LOG_P2);
        y = Math.fma(y, x, LOG_P3);
        y = Math.fma(y, x, LOG_P4);
        y = Math.fma(y, x, LOG_P5);
        y = Math.fma(y, x, LOG_P6);
        y = Math.fma(y, x, LOG_P7);
        y = Math.fma(y, x, LOG_P8);
        y = y * x * z;
        float fe = e;
        y = Math.fma(fe, LN2_LO, y);
        y = Math.fma(z, -0.5f, y);
        float l = Math.fma(fe, LN2_HI, x + y);
        // the float square root, correctly rounded (double rounding is exact for sqrt)
        return (float) Math.sqrt(l * -2f);
    }

    // ---- vector path: LANES blocks at once, structure of arrays ----

    /** Elements [i, i + n) to out[o ..], n a multiple of GROUP: words, then floats, then stream order. */
    private static void vector(boolean normal, long seed, long stream, long i, int n, int[] w, float[] f,
                               float[] out, int o, float a, float b) {
        blocks(seed, stream, i >>> 2, w, n);
        if (normal) {
            normals(w, f, n, a, b);
        } else {
            uniforms(w, f, n, a, b);
        }
        interleave(f, n, out, o);
    }

    /**
     * Philox for the n / 4 blocks from blk on (n a multiple of GROUP), LANES at once with block
     * blk + g / 4 + l in lane l of group g: word j of that block goes to {@code w[g + j * LANES + l]}.
     * The steps are those of {@link #block}.
     */
    private static void blocks(long seed, long stream, long blk, int[] w, int n) {
        for (int g = 0; g < n; g += GROUP, blk += LANES) {
            int lo = (int) blk;
            if (Integer.compareUnsigned(lo, -LANES) > 0) {
                // the low counter word wraps inside this group (once per 2^32 blocks): carrying into
                // the high word lane by lane is not worth the code, so go block by block
                int[] b = new int[4];
                for (int l = 0; l < LANES; l++) {
                    block(seed, stream, blk + l, b);
                    for (int j = 0; j < 4; j++) {
                        w[g + j * LANES + l] = b[j];
                    }
                }
                continue;
            }
            IntVector c0 = IntVector.broadcast(INTS, lo).addIndex(1);
            IntVector c1 = IntVector.broadcast(INTS, (int) (blk >>> 32));
            IntVector c2 = IntVector.broadcast(INTS, (int) stream);
            IntVector c3 = IntVector.broadcast(INTS, (int) (stream >>> 32));
            IntVector k0 = IntVector.broadcast(INTS, (int) seed);
            IntVector k1 = IntVector.broadcast(INTS, (int) (seed >>> 32));
            for (int round = 0; round < 10; round++) {
                // the Vector API has no unsigned high multiply: viewed as 64-bit lanes, the even and the
                // odd 32-bit lanes, zero-extended, multiply exactly (32 x 32 -> 64 bits); the high words of
                // the even products shift down into the even lanes, those of the odd ones stay in place
                IntVector hi0 = mulHi(c0, M0L), hi1 = mulHi(c2, M1L);
                IntVector lo0 = c0.mul(M0), lo1 = c2.mul(M1);
                c0 = hi1.lanewise(XOR, c1.lanewise(XOR, k0));
                c2 = hi0.lanewise(XOR, c3.lanewise(XOR, k1));
                c1 = lo1;
                c3 = lo0;
                k0 = k0.add(W0);
                k1 = k1.add(W1);
            }
            c0.intoArray(w, g);
            c1.intoArray(w, g + LANES);
            c2.intoArray(w, g + 2 * LANES);
            c3.intoArray(w, g + 3 * LANES);
        }
    }

    private static final long LOW_WORD = 0xFFFFFFFFL;
    private static final long HIGH_WORD = 0xFFFFFFFF00000000L;

    /** The high 32 bits of each lane's unsigned product with m (an unsigned 32-bit multiplier in a long). */
    private static IntVector mulHi(IntVector x, long m) {
        LongVector pairs = (LongVector) x.reinterpretAsLongs();
        LongVector even = pairs.and(LOW_WORD).mul(m), odd = pairs.lanewise(LSHR, 32).mul(m);
        return (IntVector) even.lanewise(LSHR, 32).or(odd.and(HIGH_WORD)).reinterpretAsInts();
    }

    /** f = lo + span * toUniform(w) for the first n words, lane-wise. */
    private static void uniforms(int[] w, float[] f, int n, float lo, float span) {
        for (int j = 0; j < n; j += LANES) {
            FloatVector u = (FloatVector) IntVector.fromArray(INTS, w, j).lanewise(LSHR, 8).convert(I2F, 0);
            u.mul(TWO_POW_MINUS_24).mul(span).add(lo).intoArray(f, j);
        }
    }

    /**
     * f = mean + std * (the normals of {@link #boxMuller}) for the first n words, laid out as
     * {@link #blocks} writes them: radius words at p, angle words at p + LANES, for p a multiple of
     * 2 * LANES. Package-private so that the test can feed it chosen words.
     */
    static void normals(int[] w, float[] f, int n, float mean, float std) {
        for (int p = 0; p < n; p += 2 * LANES) {
            // radius, as radius()
            IntVector a = IntVector.fromArray(INTS, w, p);
            FloatVector u = (FloatVector) a.lanewise(LSHR, 8).add(1).convert(I2F, 0);
            IntVector ix = u.mul(TWO_POW_MINUS_24).reinterpretAsInts();
            IntVector e = ix.sub(SQRT_HALF_BITS).lanewise(ASHR, 23);
            FloatVector x = ix.sub(e.lanewise(LSHL, 23)).reinterpretAsFloats().sub(1f);
            FloatVector z = x.mul(x);
            FloatVector y = x.fma(LOG_P0, LOG_P1);
            y = y.lanewise(FMA, x, LOG_P2);
            y = y.lanewise(FMA, x, LOG_P3);
            y = y.lanewise(FMA, x, LOG_P4);
            y = y.lanewise(FMA, x, LOG_P5);
            y = y.lanewise(FMA, x, LOG_P6);
            y = y.lanewise(FMA, x, LOG_P7);
            y = y.lanewise(FMA, x, LOG_P8);
            y = y.mul(x).mul(z);
            FloatVector fe = (FloatVector) e.convert(I2F, 0);
            y = fe.lanewise(FMA, LN2_LO, y);
            y = z.lanewise(FMA, -0.5f, y);
            FloatVector r = fe.lanewise(FMA, LN2_HI, x.add(y)).mul(-2f).lanewise(SQRT);
            // angle, as boxMuller()
            IntVector s = IntVector.fromArray(INTS, w, p + LANES).lanewise(LSHR, 8).add(HALF_QUADRANT);
            IntVector q = s.lanewise(LSHR, 22).and(3);
            FloatVector t = ((FloatVector) s.and(QUADRANT_MASK).sub(HALF_QUADRANT).convert(I2F, 0)).mul(ANGLE);
            FloatVector t2 = t.mul(t);
            IntVector sn = t2.fma(SIN_P3, SIN_P2).lanewise(FMA, t2, SIN_P1).fma(t2.mul(t), t).reinterpretAsInts();
            IntVector cs = t2.fma(COS_P3, COS_P2).lanewise(FMA, t2, COS_P1).fma(t2.mul(t2), t2.fma(-0.5f, 1f))
                    .reinterpretAsInts();
            IntVector d = cs.lanewise(XOR, sn).and(q.and(1).neg());
            IntVector cosSign = q.add(1).and(2).lanewise(LSHL, 30), sinSign = q.and(2).lanewise(LSHL, 30);
            FloatVector cos = cs.lanewise(XOR, d).lanewise(XOR, cosSign).reinterpretAsFloats();
            FloatVector sin = sn.lanewise(XOR, d).lanewise(XOR, sinSign).reinterpretAsFloats();
            r.mul(cos).mul(std).add(mean).intoArray(f, p);
            r.mul(sin).mul(std).add(mean).intoArray(f, p + LANES);
        }
    }

    /**
     * Writes the first n values of f, laid out as {@link #blocks} writes words, to out[o .. o + n) in
     * stream order: element 4 * block + word.
     */
    private static void interleave(float[] f, int n, float[] out, int o) {
        for (int g = 0; g < n; g += GROUP, o += GROUP) {
            FloatVector f0 = FloatVector.fromArray(FLOATS, f, g), f1 = FloatVector.fromArray(FLOATS, f, g + LANES);
            FloatVector f2 = FloatVector.fromArray(FLOATS, f, g + 2 * LANES);
            FloatVector f3 = FloatVector.fromArray(FLOATS, f, g + 3 * LANES);
            f0.rearrange(SPREAD_0).blend(f1.rearrange(SPREAD_0), WORD_1).blend(f2.rearrange(SPREAD_0), WORD_2)
                    .blend(f3.rearrange(SPREAD_0), WORD_3).intoArray(out, o);
            f0.rearrange(SPREAD_1).blend(f1.rearrange(SPREAD_1), WORD_1).blend(f2.rearrange(SPREAD_1), WORD_2)
                    .blend(f3.rearrange(SPREAD_1), WORD_3).intoArray(out, o + LANES);
            f0.rearrange(SPREAD_2).blend(f1.rearrange(SPREAD_2), WORD_1).blend(f2.rearrange(SPREAD_2), WORD_2)
                    .blend(f3.rearrange(SPREAD_2), WORD_3).intoArray(out, o + 2 * LANES);
            f0.rearrange(SPREAD_3).blend(f1.rearrange(SPREAD_3), WORD_1).blend(f2.rearrange(SPREAD_3), WORD_2)
                    .blend(f3.rearrange(SPREAD_3), WORD_3).intoArray(out, o + 3 * LANES);
        }
    }
}
