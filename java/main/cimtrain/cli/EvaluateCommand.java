package cimtrain.cli;

import cimtrain.backend.Backend;
import cimtrain.data.DataOptions;
import cimtrain.data.DataSplit;
import cimtrain.data.DatasetRegistry;
import cimtrain.hardware.Hardware;
import cimtrain.hardware.HardwareSpec;
import cimtrain.model.ModelSpec;
import cimtrain.model.Models;
import cimtrain.nn.Network;
import cimtrain.options.BackendOption;
import cimtrain.tile.Chip;
import cimtrain.train.BatchNormRecalibration;
import cimtrain.train.Checkpoint;
import cimtrain.train.ChipEvaluation;
import cimtrain.train.LayerSensitivity;
import cimtrain.train.RunArguments;
import cimtrain.train.RunFolder;
import cimtrain.util.Home;
import cimtrain.util.Json;
import cimtrain.util.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Move a trained model to N fresh simulated chips (new programming error, device spread and stuck",
                "devices on each) and report its test accuracy: per chip, mean, standard deviation and 95%% confidence",
                "interval. Writes chips.csv and summary.json to --out.",
                "Example: cimtrain evaluate --checkpoint runs/X/checkpoint.h5 --chips 10 --programming-error 0.5"})
public final class EvaluateCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, paramLabel = "FILE", description = "A checkpoint.h5 of a training run.")
    Path checkpoint;

    @Option(names = "--chips", defaultValue = "10", paramLabel = "N", description = "Fresh chips. Default: ${DEFAULT-VALUE}.")
    int chips;

    @Option(names = "--hardware", paramLabel = "NAME|FILE",
            description = "The chips (default: the hardware the model was trained on, paper-chip for fp32 models).")
    String hardware;

    @Option(names = "--programming-error", paramLabel = "S", description = "Override: write error sigma, level spacings.")
    Double programmingError;

    @Option(names = "--read-noise", paramLabel = "S", description = "Override: read noise sigma, level spacings.")
    Double readNoise;

    @Option(names = "--stuck-at", paramLabel = "P", description = "Override: fraction of stuck devices.")
    Double stuckAt;

    @Option(names = "--adc-bits", paramLabel = "B", description = "Override: ADC resolution.")
    Integer adcBits;

    @Option(names = "--test-limit", defaultValue = "0", paramLabel = "N",
            description = "Test on the first N test images only (0: all). Default: ${DEFAULT-VALUE}.")
    int testLimit;

    @Option(names = "--drift-seconds", defaultValue = "0", paramLabel = "T",
            description = "Read the chips T seconds after programming, conductances drifting as G (T / 1 s)^-nu.")
    double driftSeconds;

    @Option(names = "--drift-nu", defaultValue = "0", paramLabel = "NU",
            description = "Drift exponent (the paper gives none; 0: no drift). Default: ${DEFAULT-VALUE}.")
    double driftNu;

    @Option(names = "--seed", defaultValue = "1000", description = "Chip c is made with seed S + c. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--read-model", defaultValue = "auto", paramLabel = "auto|exact|aggregate",
            description = "How crossbar reads are simulated (see train --help). Default: ${DEFAULT-VALUE}.")
    String readModel;

    @Option(names = "--targets", defaultValue = "w_fp", paramLabel = "w_fp|devices",
            description = "What a chip-trained model's new chips are programmed to: w_fp, its high-precision copy "
                    + "(the digital weights); devices, what its training chip's devices held at the end (that chip's "
                    + "programming errors included). Models trained off-chip have only w_fp. Default: ${DEFAULT-VALUE}.")
    String targets;

    @Option(names = "--mapping", defaultValue = "trained", paramLabel = "trained|new",
            description = "How a chip-trained model's weights are mapped to conductances on the new chips: trained, with "
                    + "the tile scale factors it was trained with (where the chips have its training chip's tiles); new, "
                    + "mapped anew like a model trained off-chip, each tile's largest weight at 1/inference_headroom of "
                    + "the range. Off-chip models are always mapped anew. Default: ${DEFAULT-VALUE}.")
    String mapping;

    @Option(names = "--recalibrate-bn", defaultValue = "0", paramLabel = "N",
            description = "Before testing on each chip, re-estimate the batch-norm running statistics from N batches of "
                    + "training images read through that chip (forward only, nothing written; the seed paper describes "
                    + "no such step). 0: keep the statistics measured in training. Default: ${DEFAULT-VALUE}.")
    int recalibrateBn;

    @Option(names = "--per-layer",
            description = "Also find which crossbar layer's programming errors cost accuracy: each chip is read with no "
                    + "programming error, then with one layer's at a time (the others error-free). Writes layers.csv; "
                    + "costs a test pass per layer and chip.")
    boolean perLayer;

    @Option(names = "--out", paramLabel = "DIR", description = "Result folder (default: runs/evaluate-TIME).")
    Path out;

    @Option(names = "--threads", defaultValue = "0", description = "CPU worker threads (0: all cores).")
    int threads;

    @picocli.CommandLine.Mixin
    BackendOption backend;

    @Option(names = "--json", description = "End stdout with one JSON line: chips, accuracy_mean, accuracy_std, ci95_low, ci95_high, ...")
    boolean json;

    @Override
    public Integer call() {
        if (chips < 1 || threads < 0 || recalibrateBn < 0) {
            throw new UserError("--chips must be at least 1, --threads and --recalibrate-bn >= 0");
        }
        if (!(driftSeconds >= 0) || !(driftNu >= 0) || Double.isInfinite(driftSeconds) || Double.isInfinite(driftNu)) {
            throw new UserError("--drift-seconds and --drift-nu must be numbers >= 0, got " + driftSeconds + " and " + driftNu);
        }
        if (perLayer && recalibrateBn > 0) {
            throw new UserError("--per-layer and --recalibrate-bn cannot be combined: the per-layer test keeps the trained "
                    + "batch-norm statistics");
        }
        if (!targets.equals("w_fp") && !targets.equals("devices")) {
            throw new UserError("--targets must be w_fp or devices, got '" + targets + "'");
        }
        if (!mapping.equals("trained") && !mapping.equals("new")) {
            throw new UserError("--mapping must be trained or new, got '" + mapping + "'");
        }
        backend.select();
        RunArguments args = Checkpoint.arguments(checkpoint);
        if (targets.equals("devices") && !args.config().onChip()) {
            throw new UserError("--targets devices needs a model trained on a chip; " + checkpoint + " was trained in mode "
                    + args.config().mode());
        }
        ModelSpec spec = Models.load(args.model());
        String hwName = hardware != null ? hardware : args.hardware() != null ? args.hardware() : "paper-chip";
        HardwareSpec hw = ChipEvaluation.withOverrides(Hardware.load(hwName), programmingError, readNoise, stuckAt, adcBits);
        Chip.aggregateReads(readModel, hw);
        DataSplit split = DatasetRegistry.load(args.config().dataset(), args.dataDir() == null ? null : Paths.get(args.dataDir()),
                new DataOptions(args.imageSize(), args.fit(), args.channels(), args.trainLimit()));
        if (testLimit < 0) {
            throw new UserError("--test-limit must be 0 (all) or positive, got " + testLimit);
        }
        if (testLimit > 0 && testLimit < split.test().size()) {
            split = new DataSplit(split.train(), split.test().subset(split.test().name, java.util.stream.IntStream
                    .range(0, testLimit).toArray()));
        }
        Path dir = out != null ? out : Paths.get("runs", "evaluate-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Map<String, Object> summary = evaluate(checkpoint, args, spec, hw, split, dir);
        if (json) {
            System.out.println(Json.line(summary));
        }
        return 0;
    }

    /** Runs {@link LayerSensitivity}, prints its table and writes layers.csv; returns its summary. */
    private Map<String, Object> perLayer(Network net, HardwareSpec hw, List<float[]> scales, boolean aggregateReads,
                                         DataSplit split, int evalBatch, Path dir, ChipEvaluation.Result all) {
        System.out.printf(Locale.ROOT, "per layer: each of the %d chips read without programming error, then with one "
                + "layer's at a time%n", chips);
        LayerSensitivity.Result s = LayerSensitivity.run(net, hw, scales, aggregateReads, split.test(),
                evalBatch, chips, seed, driftSeconds, driftNu);
        StringBuilder csv = new StringBuilder("layer,weights,accuracy_mean,cost_points\n");
        csv.append("none,0,").append(s.errorFreeMean()).append(",0\n");
        List<Map<String, Object>> layers = new java.util.ArrayList<>();
        System.out.printf(Locale.ROOT, "  %-40s %10s %9s %7s%n", "programming error in", "weights", "accuracy", "cost");
        System.out.printf(Locale.ROOT, "  %-40s %10s %8.2f%% %7s%n", "no layer", "-", 100 * s.errorFreeMean(), "-");
        for (int l = 0; l < s.layers().size(); l++) {
            String name = s.layers().get(l);
            csv.append('"').append(name.replace("\"", "'")).append("\",").append(s.weights()[l]).append(',')
                    .append(s.oneLayerMean(l)).append(',').append(100 * s.cost(l)).append('\n');
            System.out.printf(Locale.ROOT, "  %-40s %,10d %8.2f%% %+7.2f%n", name, s.weights()[l], 100 * s.oneLayerMean(l),
                    -100 * s.cost(l));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("layer", name);
            m.put("weights", s.weights()[l]);
            m.put("accuracy_mean", s.oneLayerMean(l));
            m.put("cost_points", 100 * s.cost(l));
            layers.add(m);
        }
        System.out.printf(Locale.ROOT, "  %-40s %10s %8.2f%% %+7.2f%n", "every layer (the new chips above)", "-",
                100 * all.mean(), 100 * (all.mean() - s.errorFreeMean()));
        cimtrain.util.AtomicFiles.writeString(dir.resolve("layers.csv"), csv.toString());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error_free_accuracy_mean", s.errorFreeMean());
        m.put("layers", layers);
        return m;
    }

    private Map<String, Object> evaluate(Path ckpt, RunArguments args, ModelSpec spec, HardwareSpec hw, DataSplit split, Path dir) {
        int nThreads = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        int evalBatch = args.config().evalBatch();
        try (Backend be = backend.chosen().create(nThreads);
             Network net = new Network(spec.name, be, () -> spec.build(args.config().width()), spec.input, evalBatch, 0)) {
            Checkpoint.loadNetwork(ckpt, net);
            List<float[]> scales = Checkpoint.tileScales(ckpt);
            boolean scalesFit = ChipEvaluation.scalesFit(scales, net, hw);
            boolean keepScales = scalesFit && mapping.equals("trained");
            if (targets.equals("devices")) {
                if (!scalesFit) {
                    throw new UserError("--targets devices needs chips with the training chip's tiles (" + args.hardware()
                            + "'s geometry); " + hw.name() + " has other tiles");
                }
                ChipEvaluation.useDeviceValues(net, ckpt, Hardware.load(args.hardware()), args.config().mode(),
                        args.config().seed());
            }
            if (recalibrateBn > 0 && !net.hasBatchNorm()) {
                throw new UserError("--recalibrate-bn: " + spec.name + " has no batch-norm layer to recalibrate");
            }
            BatchNormRecalibration recalibration = recalibrateBn > 0
                    ? new BatchNormRecalibration(split.train(), recalibrateBn, args.config().batch()) : null;
            // the inputs agree: now the result folder, and the lines that say how it will run
            ConsoleListener console = new ConsoleListener(backend);
            try (RunFolder folder = RunFolder.create(dir, console)) {
            console.accepted();
            System.out.printf(Locale.ROOT, "evaluating %s (trained in mode %s) on %d fresh %s chips (%s)%n", spec.name,
                    args.config().mode(), chips, hw.name(), keepScales ? "with the scale factors it was trained with"
                            : "mapped anew: largest weight of each tile at 1/inference_headroom of the range");
            boolean aggregateReads = Chip.aggregateReads(readModel, hw);
            ChipEvaluation.RangeUse use = ChipEvaluation.rangeUsed(net, hw, aggregateReads, keepScales ? scales : null);
            System.out.printf(Locale.ROOT, "each tile's largest weight needs %.2f of the conductance range on average "
                    + "(%.2f-%.2f over %d tiles); %.2f%% of the weights lie beyond their tile's range%n", use.mean(),
                    use.min(), use.max(), use.tiles(), 100 * use.beyondFraction());
            boolean auto = readModel.equals(Chip.AUTO);
            ChipEvaluation.Result r = ChipEvaluation.run(net, hw, keepScales ? scales : null, aggregateReads, auto,
                    split.test(), evalBatch, chips, seed, driftSeconds, driftNu, recalibration);
            Object choice = r.clipping() == null ? null : r.clipping().get("read_model_choice");
            if (choice != null) {
                System.err.println("cimtrain: " + choice + " (first chip)");
            }
            Object warning = r.clipping() == null ? null : r.clipping().get("saturation_warning");
            if (warning != null) {
                System.err.println("cimtrain: " + warning);
            }
            StringBuilder csv = new StringBuilder("chip,seed,test_accuracy\n");
            for (int c = 0; c < chips; c++) {
                csv.append(c).append(',').append(r.seeds()[c]).append(',').append(r.accuracies()[c]).append('\n');
                System.out.printf(Locale.ROOT, "chip %d (seed %d): %.2f%%%n", c, r.seeds()[c], 100 * r.accuracies()[c]);
            }
            cimtrain.util.AtomicFiles.writeString(dir.resolve("chips.csv"), csv.toString());
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("checkpoint", ckpt.toString());
            summary.put("model", spec.name);
            summary.put("trained_mode", args.config().mode());
            summary.put("backend", be.name());
            summary.put("hardware", hw.name());
            summary.put("hardware_spec", hw);
            summary.put("kept_trained_scales", keepScales);
            summary.put("mapping", keepScales ? "trained" : "new");
            summary.put("range_used_mean", use.mean());
            summary.put("range_used_min", use.min());
            summary.put("range_used_max", use.max());
            summary.put("weights_beyond_range_fraction", use.beyondFraction());
            summary.put("targets", targets);
            summary.put("recalibrate_bn_batches", recalibrateBn);
            summary.put("drift_seconds", driftSeconds);
            summary.put("drift_nu", driftNu);
            summary.put("chips", chips);
            // the whole test split: a training run's --test-limit is not applied here
            summary.put("test_samples", split.test().size());
            summary.put("accuracy_mean", r.mean());
            summary.put("accuracy_std", r.std());
            summary.put("ci95_low", r.ci95Low());
            summary.put("ci95_high", r.ci95High());
            summary.put("accuracies", r.accuracies());
            summary.put("read_model", auto && aggregateReads ? Chip.AUTO : aggregateReads ? Chip.AGGREGATE : Chip.EXACT);
            if (r.clipping() != null) {
                summary.put("adc_saturated_fraction", r.clipping().get("saturated_fraction"));
                summary.put("adc_clipping", r.clipping());
            }
            if (perLayer) {
                summary.put("per_layer", perLayer(net, hw, keepScales ? scales : null, aggregateReads, split, evalBatch,
                        dir, r));
            }
            summary.put("run_dir", Home.recorded(dir));
            folder.writeSummary(summary);
            System.out.printf(Locale.ROOT, "test accuracy on %d new chips (%,d test images): %.2f%% +- %.2f (95%% CI %.2f-%.2f%%)%n",
                    chips, split.test().size(), 100 * r.mean(), 100 * r.std(), 100 * r.ci95Low(), 100 * r.ci95High());
            return summary;
            }
        }
    }
}
