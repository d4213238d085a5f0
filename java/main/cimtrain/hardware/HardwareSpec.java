package cimtrain.hardware;

/**
 * One chip: its tiles, devices, converters, scale factors, write rule and (optionally, null when the
 * file has no {@code pulse:} section) the pulse response of its devices. Loaded from
 * models/hardware/NAME.yaml by {@link Hardware}; every field, its unit and its default are documented
 * on the records below and in models/hardware/README.md.
 */
public record HardwareSpec(String name, String description, String source, TileSpec tile, String mapping,
                           DeviceSpec device, DacSpec dac, AdcSpec adc, double readVoltage, ScaleSpec scale,
                           WriteSpec write, PulseSpec pulse, CostSpec cost) {

    /** A chip without cost figures (all zero: not given). */
    public HardwareSpec(String name, String description, String source, TileSpec tile, String mapping,
                        DeviceSpec device, DacSpec dac, AdcSpec adc, double readVoltage, ScaleSpec scale,
                        WriteSpec write, PulseSpec pulse) {
        this(name, description, source, tile, mapping, device, dac, adc, readVoltage, scale, write, pulse, CostSpec.NONE);
    }

    /** A chip without a pulse model ({@code pulse} null): the constructor of the sections before it existed. */
    public HardwareSpec(String name, String description, String source, TileSpec tile, String mapping,
                        DeviceSpec device, DacSpec dac, AdcSpec adc, double readVoltage, ScaleSpec scale,
                        WriteSpec write) {
        this(name, description, source, tile, mapping, device, dac, adc, readVoltage, scale, write, null);
    }

    /**
     * Energy and time of the chip's operations, for the cost model ({@code cimtrain cost}); 0 = not given
     * (the figure is then left out of the totals, and the output says so).
     *
     * @param tileOpEnergyNj   one full-tile VMM: all rows driven with a bit-serial input, every column
     *                         converted by the shared ADCs, nanojoules
     * @param tileOpLatencyUs  the same, microseconds
     * @param writeEnergyNj    one device write (write-and-verify), nanojoules
     * @param writeLatencyUs   the same, microseconds (writes of one tile assumed sequential)
     * @param digitalOpEnergyPj one digital add of partial sums, picojoules
     */
    public record CostSpec(double tileOpEnergyNj, double tileOpLatencyUs, double writeEnergyNj, double writeLatencyUs,
                           double digitalOpEnergyPj) {
        public static final CostSpec NONE = new CostSpec(0, 0, 0, 0, 0);
    }

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
     * @param sensing     {@link #SINGLE_ENDED} (each column of a pair converted on its own over
     *                    [0, full scale], subtracted digitally) or {@link #DIFFERENTIAL_SENSING} (the pair's
     *                    current difference I+ - I- converted once over [-full scale, +full scale]).
     *                    Default single-ended.
     * @param offsetCancel single-ended only: the G_min baseline of the driven rows (V x g_min x the sum of
     *                    the applied amplitudes) is subtracted from each column's current before the ADC
     *                    (a reference current), so the ADC sees only what the devices hold above g_min.
     *                    Default false.
     */
    public record AdcSpec(int bits, double fullScaleUa, double noiseLsb, boolean clip, String sensing,
                          boolean offsetCancel) {
        public static final String SINGLE_ENDED = "single-ended";
        public static final String DIFFERENTIAL_SENSING = "differential";

        /** Single-ended without offset cancelling: the sensing of the sections written before it was a field. */
        public AdcSpec(int bits, double fullScaleUa, double noiseLsb, boolean clip) {
            this(bits, fullScaleUa, noiseLsb, clip, SINGLE_ENDED, false);
        }

        public boolean differential() {
            return DIFFERENTIAL_SENSING.equals(sensing);
        }

        /**
         * One ADC step, microamperes: full scale / (2^bits - 1) single-ended (codes 0 .. 2^bits - 1);
         * full scale / (2^(bits-1) - 1) differential (codes -(2^(bits-1) - 1) .. 2^(bits-1) - 1, zero a code).
         */
        public double lsbUa() {
            if (bits == 0) {
                return 0;
            }
            return differential() ? fullScaleUa / ((1 << (bits - 1)) - 1) : fullScaleUa / ((1 << bits) - 1);
        }

        /** The largest code magnitude: 2^bits - 1 single-ended, 2^(bits-1) - 1 differential; 0 without an ADC. */
        public int maxCode() {
            if (bits == 0) {
                return 0;
            }
            return differential() ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
        }
    }

    /**
     * Digital scale factors that map a crossbar's read-out back to weight units.
     *
     * @param granularity "crossbar" (one factor per tile) or "layer". Default crossbar.
     * @param trainable   the factor is learned from the digital weight gradient (the weight a tile
     *                    holds is factor x (G+ - G-), so dL/dfactor = sum over its weights of dL/dw x
     *                    (G+ - G-)), with Adam on log(factor) so that each step changes it by about
     *                    {@code learningRate} at most, whatever its size. The high-precision copy of
     *                    its weights follows the factor. Default false: fixed at the initial mapping.
     * @param headroom    the initial mapping puts a tile's largest weight at 1/headroom of the
     *                    conductance range, leaving room for weights to grow before they saturate.
     *                    Default 1.5.
     * @param inferenceHeadroom the same for a model programmed onto a chip after training, to be read and
     *                    not trained (an fp32- or qat-trained model moved to the chip, {@code evaluate},
     *                    {@code export} onto a new chip): no update will follow, so by default its largest
     *                    weight fills the range (1) and it gets all the levels; qat rounds to this grid.
     *                    A chip-trained model keeps its trained scale factors instead. Default 1.
     * @param learningRate relative step of a trainable factor per update. Default 1e-4: the factors have
     *                    no weight decay (growing them sharpens the softmax), and at 1e-3 mp training of
     *                    lenet-paper diverged.
     */
    public record ScaleSpec(String granularity, boolean trainable, double headroom, double inferenceHeadroom,
                            double learningRate) {
    }

    /**
     * When and how devices are written during training.
     *
     * @param thresholdLevels a device is written only when its accumulated update reaches this many level
     *                        spacings (the paper: one step of the programming granularity). Default 1.
     * @param maxTrials       set-reset trials of write-and-verify; after the last the device keeps
     *                        what it reached. Default 2.
     * @param clipTarget      a write's target beyond what its tile can hold (scale x conductance range)
     *                        is clipped to the range's end, and W_FP takes the clipped value, so that the
     *                        digital backward pass sees the weight the devices hold (write-and-verify
     *                        cannot verify an unreachable target). false: W_FP takes the requested
     *                        target while the devices saturate. Default false.
     */
    public record WriteSpec(double thresholdLevels, int maxTrials, boolean clipTarget) {
        /** Without target clipping. */
        public WriteSpec(double thresholdLevels, int maxTrials) {
            this(thresholdLevels, maxTrials, false);
        }
    }

    /**
     * How the devices respond to single programming pulses, for the n-pulse mixed-precision write rule
     * (mode mp-pulse, aihwkit's MixedPrecisionCompound): the optional {@code pulse:} section. The
     * models are in {@code cimtrain.tile.pulse}; their conventions are documented there and in
     * models/hardware/README.md.
     *
     * @param model              {@link #LINEAR_STEP}, {@link #SOFT_BOUNDS} or {@link #TABLE}. Required.
     * @param stepUs             the nominal step of one pulse, microsiemens: linear-step, every pulse;
     *                           soft-bounds, an up pulse from g_min (and a down pulse from g_max); table,
     *                           nothing (the curves give the steps). Default: one level spacing of the
     *                           device (linear-step, soft-bounds) or the table's mean up step (table).
     * @param granularityUs      the write rule's eps in microsiemens (aihwkit's MixedPrecision
     *                           granularity): a weight gets n = trunc(chi / eps) pulses, eps =
     *                           granularity x the tile's scale. Default stepUs. (A soft-bounds device
     *                           moves stepUs / 2 per pulse at mid-range, its symmetric point; set
     *                           granularity there for the accounting to match the devices.)
     * @param asymmetry          up/down asymmetry a (aihwkit's up_down): up steps are step * (1 + a),
     *                           down steps step * (1 - a); in [-1, 1]. Default 0. Not for table (the
     *                           curves carry their own asymmetry).
     * @param deviceStepSpread   device-to-device spread: sigma of a fixed per-device factor 1 + s * z on
     *                           its step (clamped at 0). Default 0.
     * @param cycleNoise         cycle-to-cycle noise: each pulse's step is multiplied by 1 + c * z with a
     *                           fresh standard normal z. Default 0.
     * @param table              the CSV file of measured curves as written in the hardware file (table
     *                           model only), else null
     * @param curve              the loaded table (table model only), else null
     * @param maxPulsesPerUpdate at most this many pulses per weight and update, the rest stays accumulated;
     *                           0 = no cap. Default 0.
     */
    public record PulseSpec(String model, double stepUs, double granularityUs, double asymmetry,
                            double deviceStepSpread, double cycleNoise, String table, MeasuredCurve curve,
                            int maxPulsesPerUpdate) {
        /** dG = +-step (times the device and cycle factors), clipped to [g_min, g_max]. */
        public static final String LINEAR_STEP = "linear-step";
        /** aihwkit's SoftBoundsDevice: the step shrinks linearly to 0 at the bound it moves towards. */
        public static final String SOFT_BOUNDS = "soft-bounds";
        /** Measured conductance-vs-pulse curves from a CSV file. */
        public static final String TABLE = "table";
        public static final java.util.List<String> MODELS = java.util.List.of(LINEAR_STEP, SOFT_BOUNDS, TABLE);
    }
}
