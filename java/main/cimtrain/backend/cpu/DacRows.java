package cimtrain.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The input side of the aggregate crossbar read, one row of input values at a time across a block of
 * input vectors: each vector's range, and the DAC codes with what each row adds to the read noise's
 * variance. These loops touch every input element of every analog layer, so they use the Vector API;
 * lanes and the scalar tail compute the same float operations in the same order, so the results do not
 * depend on the vector width of the machine.
 */
final class DacRows {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private DacRows() {
    }

    /**
     * Per vector j in [0, width): the largest value max[j] and the smallest min[j] (start at 0) of the
     * rows i in [0, rows), x[offset + i * stride + j]. Four rows share one pass over max and min: this pass
     * is the first to read the unrolled inputs, and it ran at a third of the DAC's speed row by row.
     */
    static void ranges(float[] x, int offset, int stride, int rows, int width, float[] max, float[] min) {
        int i = 0;
        for (; i + 4 <= rows; i += 4) {
            fourRows(x, offset + i * stride, stride, width, max, min);
        }
        for (; i < rows; i++) {
            oneRow(x, offset + i * stride, width, max, min);
        }
    }

    private static void fourRows(float[] x, int o, int stride, int width, float[] max, float[] min) {
        int o1 = o + stride, o2 = o1 + stride, o3 = o2 + stride;
        int j = 0;
        for (; j <= width - F.length(); j += F.length()) {
            FloatVector a = FloatVector.fromArray(F, x, o + j), b = FloatVector.fromArray(F, x, o1 + j);
            FloatVector c = FloatVector.fromArray(F, x, o2 + j), d = FloatVector.fromArray(F, x, o3 + j);
            FloatVector.fromArray(F, max, j).max(a.max(b)).max(c.max(d)).intoArray(max, j);
            FloatVector.fromArray(F, min, j).min(a.min(b)).min(c.min(d)).intoArray(min, j);
        }
        for (; j < width; j++) {
            max[j] = Math.max(max[j], Math.max(Math.max(x[o + j], x[o1 + j]), Math.max(x[o2 + j], x[o3 + j])));
            min[j] = Math.min(min[j], Math.min(Math.min(x[o + j], x[o1 + j]), Math.min(x[o2 + j], x[o3 + j])));
        }
    }

    private static void oneRow(float[] x, int offset, int width, float[] max, float[] min) {
        int j = 0;
        for (; j <= width - F.length(); j += F.length()) {
            FloatVector v = FloatVector.fromArray(F, x, offset + j);
            FloatVector.fromArray(F, max, j).max(v).intoArray(max, j);
            FloatVector.fromArray(F, min, j).min(v).intoArray(min, j);
        }
        for (; j < width; j++) {
            float v = x[offset + j];
            max[j] = Math.max(max[j], v);
            min[j] = Math.min(min[j], v);
        }
    }

    /** Adding 2^23 to a float in [0, 2^22) rounds it to an integer (half to even), held in the low mantissa bits. */
    private static final float MAGIC = 0x1p23f;
    private static final int MANTISSA = 0x7FFFFF;
    private static final int MAGIC_BITS = Float.floatToRawIntBits(MAGIC);
    /** Below this many levels codes round with {@link #MAGIC}. */
    static final int FAST_LEVELS = 1 << 22;
    /** Below this many levels a bit-serial code's spread bits (< 2^23) turn back into a float with MAGIC too. */
    private static final int FAST_SERIAL_LEVELS = 1 << 12;

    /**
     * The DAC code of an amplitude a in [0, 1]: a x levels rounded half to even (Math.rint), as a float.
     * Float addition of 2^23 does the rounding: the JDK 17 Vector API has no fast float-to-int conversion.
     */
    static float code(float a, int levels) {
        return levels < FAST_LEVELS ? (a * levels + MAGIC) - MAGIC : (float) Math.rint((double) a * levels);
    }

    /**
     * One row of inputs x[offset + j] through the DAC: the signed quantised amplitude in [-1, 1] into
     * amplitude[ampOffset + j], and what the row adds to the vector's read-noise variance (in units of
     * one full-amplitude read) added to variance[varOffset + j].
     *
     * <p>Codes: c = {@link #code}(min(|x| / fullScale, 1), levels). Bit-serial, read r applies bit r of c
     * with weight 2^r / levels, so the row adds sum_r (2^r / levels)^2 bit_r(c), which is c's bits spread
     * to even positions (bit r to bit 2r) over levels^2. One read of the whole amplitude adds
     * (c / levels)^2. Without a DAC (levels 0) the amplitude is exact.
     *
     * @param inverse 1 / each vector's full scale (0 for an all-zero vector)
     */
    static void quantize(float[] x, int offset, float[] inverse, int width, int levels, boolean bitSerial,
                         float[] amplitude, int ampOffset, float[] variance, int varOffset) {
        int j = 0;
        if (levels == 0) {
            j = exactLanes(x, offset, inverse, width, amplitude, ampOffset, variance, varOffset);
        } else if (bitSerial && levels < FAST_SERIAL_LEVELS) {
            j = serialLanes(x, offset, inverse, width, levels, amplitude, ampOffset, variance, varOffset);
        } else if (!bitSerial && levels < FAST_LEVELS) {
            j = wholeLanes(x, offset, inverse, width, levels, amplitude, ampOffset, variance, varOffset);
        }
        float invL = levels > 0 ? 1f / levels : 1f;
        float invL2 = invL * invL;
        for (; j < width; j++) {
            float v = x[offset + j];
            float a = Math.min(Math.abs(v) * inverse[j], 1f);
            float amp, var;
            if (levels > 0) {
                float c = code(a, levels);
                amp = c * invL;
                var = bitSerial ? spread((int) c) * invL2 : amp * amp;
            } else {
                amp = a;
                var = a * a;
            }
            amplitude[ampOffset + j] = v < 0f ? -amp : amp;
            variance[varOffset + j] += var;
        }
    }

    // The lane loops below are small methods of their own so that C2 inlines every Vector API call in
    // them (inlined into a larger caller they ran boxed, 50x slower). Each returns where it stopped.

    private static int serialLanes(float[] x, int offset, float[] inverse, int width, int levels, float[] amplitude,
                                   int ampOffset, float[] variance, int varOffset) {
        float invL = 1f / levels, invL2 = invL * invL;
        boolean wide = levels > 0xFF;
        int j = 0;
        for (; j <= width - F.length(); j += F.length()) {
            FloatVector v = FloatVector.fromArray(F, x, offset + j);
            FloatVector shifted = v.abs().mul(FloatVector.fromArray(F, inverse, j)).min(1f).mul((float) levels).add(MAGIC);
            FloatVector amp = shifted.sub(MAGIC).mul(invL);
            IntVector c = ((IntVector) shifted.reinterpretAsInts()).and(MANTISSA);
            FloatVector spread = (FloatVector) spread(c, wide).or(MAGIC_BITS).reinterpretAsFloats();
            amp.blend(amp.neg(), v.lt(0f)).intoArray(amplitude, ampOffset + j);
            FloatVector.fromArray(F, variance, varOffset + j).add(spread.sub(MAGIC).mul(invL2))
                    .intoArray(variance, varOffset + j);
        }
        return j;
    }

    private static int wholeLanes(float[] x, int offset, float[] inverse, int width, int levels, float[] amplitude,
                                  int ampOffset, float[] variance, int varOffset) {
        float invL = 1f / levels;
        int j = 0;
        for (; j <= width - F.length(); j += F.length()) {
            FloatVector v = FloatVector.fromArray(F, x, offset + j);
            FloatVector amp = v.abs().mul(FloatVector.fromArray(F, inverse, j)).min(1f).mul((float) levels).add(MAGIC)
                    .sub(MAGIC).mul(invL);
            amp.blend(amp.neg(), v.lt(0f)).intoArray(amplitude, ampOffset + j);
            FloatVector.fromArray(F, variance, varOffset + j).add(amp.mul(amp)).intoArray(variance, varOffset + j);
        }
        return j;
    }

    private static int exactLanes(float[] x, int offset, float[] inverse, int width, float[] amplitude, int ampOffset,
                                  float[] variance, int varOffset) {
        int j = 0;
        for (; j <= width - F.length(); j += F.length()) {
            FloatVector v = FloatVector.fromArray(F, x, offset + j);
            FloatVector a = v.abs().mul(FloatVector.fromArray(F, inverse, j)).min(1f);
            a.blend(a.neg(), v.lt(0f)).intoArray(amplitude, ampOffset + j);
            FloatVector.fromArray(F, variance, varOffset + j).add(a.mul(a)).intoArray(variance, varOffset + j);
        }
        return j;
    }

    /** Bit r of c moved to bit 2r, for c below 2^16 (bit-serial DACs have at most 16 bits). */
    static int spread(int c) {
        c = (c | (c << 8)) & 0x00FF00FF;
        c = (c | (c << 4)) & 0x0F0F0F0F;
        c = (c | (c << 2)) & 0x33333333;
        return (c | (c << 1)) & 0x55555555;
    }

    /** {@link #spread(int)} lane-wise; codes below 2^8 (wide false) skip the first step, a no-op for them. */
    private static IntVector spread(IntVector c, boolean wide) {
        if (wide) {
            c = c.or(c.lanewise(VectorOperators.LSHL, 8)).and(0x00FF00FF);
        }
        c = c.or(c.lanewise(VectorOperators.LSHL, 4)).and(0x0F0F0F0F);
        c = c.or(c.lanewise(VectorOperators.LSHL, 2)).and(0x33333333);
        return c.or(c.lanewise(VectorOperators.LSHL, 1)).and(0x55555555);
    }
}
