package cimtrain.hardware;

/**
 * One chip: its tiles, devices, converters, scale factors and write rule. Loaded from
 * models/hardware/NAME.yaml by {@link Hardware}; every field, its unit and its default are documented
 * on the records below and in models/hardware/README.md.
 */
public record HardwareSpec(String name, String description, String source, TileSpec tile, String mapping,
                           DeviceSpec device, DacSpec dac, AdcSpec adc, double readVoltage, ScaleSpec scale,
                           WriteSpec write) {

    /** Signed weights as a pair of devices in adjacent columns, w ~ G+ - G-. */
    public static final String DIFFERENTIAL = "differential";
    /** Signed weights as one device per weight against one shared reference column per tile. */
    public static final String REFERENCE = "reference";

    /** Columns of the array one weight column (one output) occupies. */
    public int columnsPerOutput() {
        return mapping.equals(DIFFERENTIAL) ? 2 : 1;
    }

    /** Outputs (weight columns) that fit on one tile. */
    public int outputsPerTile() {
        return mapping.equals(DIFFERENTIAL) ? tile.columns() / 2 : tile.columns() - 1;
    }

    /** True when nothing is quantised or noisy: the chip computes exactly what fp32 computes. */
    public boolean ideal() {
        return device.levels() == 0 && device.readNoise() == 0 && device.programmingError() == 0
                && device.deviceSpread() == 0 && device.stuckAtFraction() == 0 && dac.bits() == 0 && adc.bits() == 0
                && adc.noiseLsb() == 0;
    }

    /**
     * Crossbar array size.
     *
     * @param rows    word lines (inputs) per tile; default 64
     * @param columns bit lines per tile; default 64
     */
    public record TileSpec(int rows, int columns) {
    }

    /**
     * The memristor.
     *
     * @param levels           programmable conductance levels between gMin and gMax; 0 = continuous
     *                         (no quantisation). Default 16.
     * @param gMinUs           lowest conductance, microsiemens. Default 1.
     * @param gMaxUs           highest conductance, microsiemens. Default 7.
     * @param readNoise        sigma of the conductance noise of each read, in units of the level spacing
     *                         (gMax - gMin) / (levels - 1), drawn fresh on every read. Default 0.
     * @param programmingError sigma of the error of each write, in level spacings. Default 0.
     * @param deviceSpread     device-to-device spread: sigma of a fixed per-device relative gain on its
     *                         conductance (0.05 = 5%). Default 0.
     * @param stuckAtFraction  fraction of devices stuck at gMin or gMax (half each), never programmable.
     *                         Default 0.
     */
    public record DeviceSpec(int levels, double gMinUs, double gMaxUs, double readNoise, double programmingError,
                             double deviceSpread, double stuckAtFraction) {
        /** Level spacing in microsiemens; for continuous devices the same range over 15 steps (4-bit). */
        public double levelSpacingUs() {
            return (gMaxUs - gMinUs) / (levels > 1 ? levels - 1 : 15);
        }
    }

    /**
     * The input digital-to-analog converter.
     *
     * @param bits      input resolution (signed inputs use one more sign pass); 0 = exact inputs. Default 8.
     * @param bitSerial inputs applied one bit per cycle (8 one-bit pulses for 8 bits) and the partial
     *                  results shifted and added digitally, as on the paper's chip. Default true.
     */
    public record DacSpec(int bits, boolean bitSerial) {
    }

    /**
     * The output analog-to-digital converter that reads each tile's column currents.
     *
     * @param bits        resolution; 0 = exact read-out. Default 8.
     * @param fullScaleUa current at the top code, microamperes: each column is converted over
     *                    [0, full] (the two columns of a differential pair separately, subtracted
     *                    digitally). Default 70.
     * @param noiseLsb    sigma of the conversion noise, in least significant bits. Default 0.
     * @param clip        currents beyond full scale saturate at the top code. Default true.
     */
    public record AdcSpec(int bits, double fullScaleUa, double noiseLsb, boolean clip) {
        public double lsbUa() {
            return bits == 0 ? 0 : fullScaleUa / ((1 << bits) - 1);
        }
    }

    /**
     * Digital scale factors that map a crossbar's read-out back to weight units.
     *
     * @param granularity "crossbar" (one factor per tile) or "layer". Default crossbar.
     * @param trainable   the factor is learned with the other digital parameters. Default false.
     *                    (Not implemented yet: factors are fixed at the initial mapping.)
     * @param headroom    the initial mapping puts a tile's largest weight at 1/headroom of the
     *                    conductance range, leaving room for weights to grow before they saturate.
     *                    Default 1.5.
     */
    public record ScaleSpec(String granularity, boolean trainable, double headroom) {
    }

    /**
     * When and how devices are written during training.
     *
     * @param thresholdLevels a device is written only when its accumulated update reaches this many level
     *                        spacings (the paper: one step of the programming granularity). Default 1.
     * @param maxTrials       set-reset trials of write-and-verify; after the last the device keeps
     *                        what it reached. Default 2.
     */
    public record WriteSpec(double thresholdLevels, int maxTrials) {
    }
}
