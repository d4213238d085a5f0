package cimtrain.backend;

/**
 * The aggregate read model's noise ({@link CrossbarParams#aggregateReads}): per output and input vector
 * one normal whose variance sums, over the row tiles, each tile's devices' read noise and its
 * conversions' noise and rounding. The one place this formula is written for Java (CPU:
 * {@code backend.cpu.CpuCrossbar}; CUDA: {@code backend.cuda.CudaBackend} passes {@link #readVar} and
 * {@link #conversionVar} to {@code xb_aggregate_finish} in {@code kernels/crossbar.cu}, whose sum
 * mirrors {@link #tileVariance} and {@link #sigma} operation for operation, so that both give the same bits).
 *
 * @param readVar       (read noise x V)^2, uA^2 per unit of squared row amplitude
 * @param conversionVar per column of a pair: both conversions single-ended, half of the difference's
 *                      one differential ({@link CrossbarParams#aggregateConversionVar})
 */
public record AggregateReadNoise(float readVar, float conversionVar) {

    public static AggregateReadNoise of(CrossbarParams p) {
        float v = (float) p.readVoltage();
        return new AggregateReadNoise((float) Math.pow(p.readNoiseUs() * v, 2),
                (float) p.aggregateConversionVar(p.dacLevels()));
    }

    /** No noise at all: the reads are the product. */
    public boolean silent() {
        return readVar == 0f && conversionVar == 0f;
    }

    /**
     * One row tile's share of an output's variance, uA^2 x scale^2: both columns of the pair (hence 2),
     * read noise over the squared amplitudes the vector put on the tile's rows, and one conversion per
     * pass (vectors with negative values take a second pass, with conversions of their own).
     *
     * @param scale   the tile's scale factor
     * @param squares the vector's squared amplitudes summed over the tile's rows and reads
     * @param passes  1, or 2 for a vector with negative values
     */
    public float tileVariance(float scale, float squares, float passes) {
        float s2 = 2 * scale * scale;
        return s2 * (readVar * squares + passes * conversionVar);
    }

    /** The standard deviation in weight x input units, from the variance summed over the row tiles. */
    public static float sigma(float variance, float fullScale, float volt) {
        return (float) Math.sqrt(variance) * fullScale / volt;
    }
}
