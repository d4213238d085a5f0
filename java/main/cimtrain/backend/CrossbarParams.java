package cimtrain.backend;

/**
 * What a crossbar read needs to know about the periphery and the devices, in the units the kernels use
 * (microsiemens, microamperes, volts). Built from a hardware description by the tile layer.
 *
 * @param tileRows      inputs per tile: partial sums are converted per block of this many rows
 * @param tileOutputs   outputs (column pairs) per tile: the tile scale factors change every this many outputs
 * @param dacBits       input resolution; 0 = exact inputs
 * @param bitSerial     one read per input bit, shifted and added digitally after the ADC
 * @param adcBits       output resolution; 0 = exact read-out
 * @param adcLsbUa      one ADC step, microamperes
 * @param adcNoiseLsb   sigma of the conversion noise, in LSB
 * @param adcClip       currents outside [0, full scale] saturate
 * @param readNoiseUs   sigma of each device's conductance on each read, microsiemens
 * @param readVoltage   the voltage of a full input on a row, volts
 * @param aggregateReads simulate a layer's reads in aggregate rather than one by one: the product of the
 *                      DAC-quantised inputs with the devices' weights (exact: the bit-serial reads of a
 *                      vector, shifted and added, are that product) plus, per output, one Gaussian with
 *                      the variance of everything the individual reads would add to it: read noise of
 *                      the devices, ADC noise and ADC rounding (as uniform noise of LSB^2 / 12 per
 *                      conversion). Rounding behaves as independent uniform noise when the noise before
 *                      the ADC is at least about half an LSB (Widrow's quantisation theorem), so this
 *                      is offered only then; it does not model ADC saturation (see
 *                      {@link #aggregateValid}).
 */
public record CrossbarParams(int tileRows, int tileOutputs, int dacBits, boolean bitSerial, int adcBits, double adcLsbUa,
                             double adcNoiseLsb, boolean adcClip, double readNoiseUs, double readVoltage,
                             boolean aggregateReads) {

    /** Reads per input vector and sign: one per DAC bit when bit-serial, else one. */
    public int reads() {
        return bitSerial && dacBits > 0 ? dacBits : 1;
    }

    /**
     * Whether the aggregate read model is faithful in mean and variance: the ADC's noise dithers its
     * rounding (at least 0.5 LSB), or there is no ADC rounding at all.
     */
    public boolean aggregateValid() {
        return adcBits == 0 || adcNoiseLsb >= 0.5;
    }

    /** The same periphery with the other read model. */
    public CrossbarParams withAggregateReads(boolean aggregate) {
        return new CrossbarParams(tileRows, tileOutputs, dacBits, bitSerial, adcBits, adcLsbUa, adcNoiseLsb, adcClip,
                readNoiseUs, readVoltage, aggregate);
    }

    /** Tiles along the inputs of a k-input layer. */
    public int rowTiles(int k) {
        return (k + tileRows - 1) / tileRows;
    }

    /** Tiles along the outputs of an out-output layer. */
    public int columnTiles(int out) {
        return (out + tileOutputs - 1) / tileOutputs;
    }

    /** Full-scale current of the ADC. */
    public double adcFullScaleUa() {
        return adcLsbUa * ((1L << adcBits) - 1);
    }

    /**
     * Sum over the bit-serial reads of a vector of (read weight)^2, the weight of read r being
     * 2^r / levels: how the per-conversion noise of the reads adds up in the shifted sum.
     */
    public double readWeightSquares(int levels) {
        if (reads() == 1) {
            return 1;
        }
        double sum = 0;
        for (int r = 0; r < reads(); r++) {
            double w = (double) (1 << r) / levels;
            sum += w * w;
        }
        return sum;
    }
}
