package cimtrain.train;

import cimtrain.data.Dataset;
import cimtrain.hardware.HardwareSpec;
import cimtrain.nn.Network;
import cimtrain.tile.Chip;
import cimtrain.tile.CrossbarLayer;
import cimtrain.util.Statistics;

import java.util.List;

/**
 * A trained model moved to fresh simulated chips: each chip gets new programming errors, device spread
 * and stuck devices (its own seed), the model's weights are programmed onto it (with the tile scale
 * factors the model was trained with, when it was trained on a chip of the same geometry), the devices
 * optionally drift, and the test set is read through them with fresh read noise.
 */
public final class ChipEvaluation {
    private ChipEvaluation() {
    }

    /** One evaluation: per-chip accuracies and their summary. */
    public record Result(double[] accuracies, long[] seeds, double mean, double std, double ci95Low, double ci95High,
                         java.util.Map<String, Object> clipping) {
        public Result(double[] accuracies, long[] seeds, double mean, double std, double ci95Low, double ci95High) {
            this(accuracies, seeds, mean, std, ci95Low, ci95High, null);
        }

        /** The same with the ADC's clipping over all its chips (see Chip.clipStatistics). */
        public Result withClipping(java.util.Map<String, Object> c) {
            return new Result(accuracies, seeds, mean, std, ci95Low, ci95High, c);
        }
    }

    /**
     * @param net       the network holding the trained weights (W_FP for a chip-trained model)
     * @param scales    tile scale factors per crossbar layer from training, or null for a new mapping
     * @param firstSeed chip c is made with seed firstSeed + c
     */
    public static Result run(Network net, HardwareSpec hw, List<float[]> scales, boolean aggregateReads, Dataset test,
                             int evalBatch, int chips, long firstSeed, double driftSeconds, double driftNu) {
        return run(net, hw, scales, aggregateReads, test, evalBatch, chips, firstSeed, driftSeconds, driftNu, null);
    }

    /**
     * @param recalibration when not null, each chip re-estimates the batch-norm statistics before it is
     *                      tested; the network's own statistics are restored afterwards
     */
    public static Result run(Network net, HardwareSpec hw, List<float[]> scales, boolean aggregateReads, Dataset test,
                             int evalBatch, int chips, long firstSeed, double driftSeconds, double driftNu,
                             BatchNormRecalibration recalibration) {
        return run(net, hw, scales, aggregateReads, false, test, evalBatch, chips, firstSeed, driftSeconds, driftNu,
                recalibration);
    }

    /**
     * @param auto read model auto: each chip's layers start with the aggregate model and go on with the
     *             exact one where its first reads saturate the ADC (see CrossbarLayer.enableAutoReadModel);
     *             the result carries the clipping measured over all chips and, when auto, one line saying
     *             what auto chose on the first chip ("read_model_choice")
     */
    public static Result run(Network net, HardwareSpec hw, List<float[]> scales, boolean aggregateReads, boolean auto,
                             Dataset test, int evalBatch, int chips, long firstSeed, double driftSeconds,
                             double driftNu, BatchNormRecalibration recalibration) {
        java.util.Map<String, Object> clipping = null;
        String choice = null;
        List<String> warnings = new java.util.ArrayList<>();
        double[] acc = new double[chips];
        long[] seeds = new long[chips];
        // recalibration overwrites the statistics the model was trained with; only then are they saved
        float[][] trainedStats = recalibration == null ? null : net.batchNormStats();
        try {
            for (int c = 0; c < chips; c++) {
                seeds[c] = firstSeed + c;
                Chip chip = placeNewChip(net, hw, seeds[c], aggregateReads, scales, driftSeconds, driftNu);
                if (auto && aggregateReads) {
                    chip.enableAutoReadModel();
                }
                if (recalibration != null) {
                    recalibration.apply(net, seeds[c]);
                }
                acc[c] = Trainer.evaluate(net, test, evalBatch);
                // recalibration's reads are counted too: they are reads of the chip
                clipping = Chip.addClipStatistics(clipping, chip.clipStatistics(false));
                String warning = chip.saturationWarning();
                if (warning != null && warnings.size() < 1) {
                    warnings.add("chip seed " + seeds[c] + ": " + warning);
                }
                if (choice == null && auto) {
                    choice = chip.autoReport();
                }
            }
        } finally {
            if (trainedStats != null) {
                net.restoreBatchNormStats(trainedStats);
            }
        }
        if (clipping != null && (choice != null || !warnings.isEmpty())) {
            clipping = new java.util.LinkedHashMap<>(clipping);
            if (choice != null) {
                clipping.put("read_model_choice", choice);
            }
            if (!warnings.isEmpty()) {
                clipping.put("saturation_warning", warnings.get(0));
            }
        }
        return summarise(acc, seeds).withClipping(clipping);
    }

    /**
     * The trained model programmed onto a fresh chip with the given seed (see {@link Chip#placeTrained}), its
     * devices then drifted for driftSeconds; the network reads this chip from now on.
     */
    static Chip placeNewChip(Network net, HardwareSpec hw, long seed, boolean aggregateReads, List<float[]> scales,
                             double driftSeconds, double driftNu) {
        Chip chip = Chip.placeTrained(net, hw, seed, aggregateReads, scales);
        for (CrossbarLayer xb : chip.crossbars()) {
            xb.drift(driftSeconds, driftNu);
        }
        return chip;
    }

    /** Mean, sample standard deviation and the 95% confidence interval of the mean (Student's t); 0 spread for one value. */
    public static Result summarise(double[] acc, long[] seeds) {
        int n = acc.length;
        double mean = Statistics.mean(acc);
        double std = n > 1 ? Statistics.sampleStd(acc, mean) : 0;
        double half = n > 1 ? Statistics.ci95HalfWidth(n, std) : 0;
        return new Result(acc, seeds, mean, std, mean - half, mean + half);
    }

    /**
     * Replaces the network's weights (W_FP for an mp model) by what the devices of the chip it was trained
     * on held at the end, read back from its checkpoint: the training chip's programming errors included,
     * which training on that chip adapted to. Programming those values onto a new chip moves the function
     * the training chip computed, where programming W_FP moves the digital copy.
     *
     * @param trainedHw the hardware the model was trained on; {@code mode} and {@code seed} its run's
     */
    public static void useDeviceValues(Network net, java.nio.file.Path checkpoint, HardwareSpec trainedHw, Mode mode,
                                       long seed) {
        Chip trained = Chip.place(net, trainedHw, mode.writeRule(), seed, true);
        Checkpoint.restoreChip(checkpoint, trained);
        for (int l = 0; l < trained.crossbars().size(); l++) {
            trained.weights().get(l).write(trained.crossbars().get(l).effectiveWeights());
        }
    }

    /**
     * How much of the conductance range the tiles' largest weights need, over all tiles of all crossbar layers,
     * and the fraction of all weights beyond their tile's range.
     */
    public record RangeUse(int tiles, double mean, double min, double max, double beyondFraction) {
    }

    /**
     * The range the network's weights would use on a chip placed with these scales (null: mapped anew, where
     * every tile uses 1/inference_headroom). The network reads the probe chip afterwards; place a new one.
     */
    public static RangeUse rangeUsed(Network net, HardwareSpec hw, boolean aggregateReads, List<float[]> scales) {
        Chip probe = Chip.placeTrained(net, hw, 0, aggregateReads, scales);
        int tiles = 0;
        long weights = 0, beyond = 0;
        double sum = 0, min = Double.POSITIVE_INFINITY, max = 0;
        for (int l = 0; l < probe.crossbars().size(); l++) {
            float[] w = probe.weights().get(l).read();
            weights += w.length;
            beyond += probe.crossbars().get(l).beyondRange(w);
            for (float u : probe.crossbars().get(l).rangeUsed(w)) {
                tiles++;
                sum += u;
                min = Math.min(min, u);
                max = Math.max(max, u);
            }
        }
        return new RangeUse(tiles, sum / tiles, min, max, (double) beyond / weights);
    }

    /** Whether trained tile scales fit the chip (same tiles per layer); else the model is mapped anew. */
    public static boolean scalesFit(List<float[]> scales, Network net, HardwareSpec hw) {
        if (scales == null) {
            return false;
        }
        Chip probe = Chip.place(net, hw, Chip.MP, 0, true);
        List<CrossbarLayer> xbs = probe.crossbars();
        if (xbs.size() != scales.size()) {
            return false;
        }
        for (int l = 0; l < xbs.size(); l++) {
            if (xbs.get(l).tiles() != scales.get(l).length) {
                return false;
            }
        }
        return true;
    }

    private static void checkOverride(cimtrain.hardware.Setting range, String key, Double value) {
        String problem = value == null ? null : range.problem(value);
        if (problem != null) {
            throw cimtrain.util.SettingError.of(key, problem);
        }
    }

    /** The hardware with the evaluation's overrides (null: keep the file's value). */
    public static HardwareSpec withOverrides(HardwareSpec hw, Double programmingError, Double readNoise,
                                             Double stuckAt, Integer adcBits) {
        // the same range checks as the hardware file's fields, named as the overriding settings
        checkOverride(cimtrain.hardware.Setting.PROGRAMMING_ERROR, "programming-error", programmingError);
        checkOverride(cimtrain.hardware.Setting.READ_NOISE, "read-noise", readNoise);
        checkOverride(cimtrain.hardware.Setting.STUCK_AT_FRACTION, "stuck-at", stuckAt);
        checkOverride(cimtrain.hardware.Setting.ADC_BITS, "adc-bits", adcBits == null ? null : adcBits.doubleValue());
        HardwareSpec.DeviceSpec d = hw.device();
        HardwareSpec.DeviceSpec device = new HardwareSpec.DeviceSpec(d.levels(), d.gMinUs(), d.gMaxUs(),
                readNoise != null ? readNoise : d.readNoise(),
                programmingError != null ? programmingError : d.programmingError(), d.deviceSpread(),
                stuckAt != null ? stuckAt : d.stuckAtFraction());
        HardwareSpec.AdcSpec a = hw.adc();
        HardwareSpec.AdcSpec adc = new HardwareSpec.AdcSpec(adcBits != null ? adcBits : a.bits(), a.fullScaleUa(),
                a.noiseLsb(), a.clip(), a.sensing(), a.offsetCancel());
        return new HardwareSpec(hw.name(), hw.description(), hw.source(), hw.tile(), hw.mapping(), device, hw.dac(), adc,
                hw.readVoltage(), hw.scale(), hw.write(), hw.pulse(), hw.cost());
    }
}
