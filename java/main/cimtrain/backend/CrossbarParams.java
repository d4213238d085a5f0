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
 * @param differential  the ADC converts each pair's current difference I+ - I- once, over
 *                      [-maxCode, maxCode] LSB (maxCode = 2^(adcBits-1) - 1), instead of each column on its
 *                      own over [0, 2^adcBits - 1] LSB; adcLsbUa is the step of the mode in use
 * @param offsetCancel  single-ended: V x gMinUs x (sum of the amplitudes applied to the tile's rows) is
 *                      subtracted from each column's current before its conversion
 * @param gMinUs        the devices' lowest conductance, microsiemens (the offset that offsetCancel removes)
 */
public record CrossbarParams(int tileRows, int tileOutputs, int dacBits, boolean bitSerial, int adcBits, double adcLsbUa,
                             double adcNoiseLsb, boolean adcClip, double readNoiseUs, double readVoltage,
                             boolean aggregateReads, boolean differential, boolean offsetCancel, double gMinUs) {

    /** Single-ended sensing without offset cancelling (each column converted on its own over [0, full scale]). */
    public CrossbarParams(int tileRows, int tileOutputs, int dacBits, boolean bitSerial, int adcBits, double adcLsbUa,
                          double adcNoiseLsb, boolean adcClip, double readNoiseUs, double readVoltage,
                          boolean aggregateReads) {
        this(tileRows, tileOutputs, dacBits, bitSerial, adcBits, adcLsbUa, adcNoiseLsb, adcClip, readNoiseUs,
                readVoltage, aggregateReads, false, false, 0);
    }

    /** The largest code magnitude of a conversion; 0 without an ADC. */
    public int adcMaxCode() {
        if (adcBits == 0) {
            return 0;
        }
        return differential ? (1 << (adcBits - 1)) - 1 : (1 << adcBits) - 1;
    }

    /**
     * The conversion variance per column of a pair that the aggregate model adds per read (uA^2), before
     * the reads' weights: (noise^2 + LSB^2 / 12) for each of the two single-ended conversions; one
     * conversion of the difference when differential, so half of it per column.
     */
    public double aggregateConversionVar(int levels) {
        if (adcBits == 0) {
            return 0;
        }
        double lsb = adcLsbUa;
        double one = Math.pow(adcNoiseLsb * lsb, 2) + lsb * lsb / 12;
        return (differential ? one / 2 : one) * readWeightSquares(levels);
    }

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
                readNoiseUs, readVoltage, aggregate, differential, offsetCancel, gMinUs);
    }

    /** Tiles along the inputs of a k-input layer. */
    public int rowTiles(int k) {
        return TileGrid.rowTiles(k, tileRows);
    }

    /** Tiles along the outputs of an out-output layer. */
    public int columnTiles(int out) {
        return TileGrid.columnTiles(out, tileOutputs);
    }

    /** The tiles of an out x k layer under this periphery. */
    public TileGrid grid(int out, int k) {
        return new TileGrid(out, k, tileRows, tileOutputs);
    }

    /** The DAC's top code (2^dacBits - 1); 0 for exact inputs. */
    public int dacLevels() {
        return dacBits > 0 ? (1 << dacBits) - 1 : 0;
    }

    /**
     * Exact model: the variance of one column's read noise per unit of squared row amplitude, uA^2
     * ((read noise x V)^2, the voltage as the float the kernels hold).
     */
    public double exactReadVar() {
        return Math.pow(readNoiseUs * (float) readVoltage, 2);
    }

    /** Exact model: the variance of one conversion's noise, uA^2 (the LSB as the float the kernels hold). */
    public double exactAdcVar() {
        return Math.pow(adcNoiseLsb * (float) adcLsbUa, 2);
    }

    /** Full-scale current of the ADC (the top of [0, full] single-ended, of [-full, full] differential). */
    public double adcFullScaleUa() {
        return adcLsbUa * adcMaxCode();
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

    /** How many of a call's n input vectors a clipping sample reads: at most {@code samples}; 0 when there is nothing to read. */
    public static int clipSamples(int samples, int n, int out) {
        return out == 0 ? 0 : Math.max(0, Math.min(samples, n));
    }
}
