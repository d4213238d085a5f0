package cimtrain.experiment;

import cimtrain.data.DataOptions;
import cimtrain.data.DataSplit;
import cimtrain.data.Dataset;
import cimtrain.data.DatasetRegistry;
import cimtrain.hardware.Hardware;
import cimtrain.hardware.HardwareSpec;
import cimtrain.model.ModelAnalysis;
import cimtrain.model.ModelSpec;
import cimtrain.model.Models;
import cimtrain.nn.Network;
import cimtrain.tile.Chip;
import cimtrain.tile.ChipMapping;
import cimtrain.tile.CostModel;
import cimtrain.train.BatchNormRecalibration;
import cimtrain.train.Checkpoint;
import cimtrain.train.ChipEvaluation;
import cimtrain.train.RunArguments;
import cimtrain.train.RunContext;
import cimtrain.train.RunFolder;
import cimtrain.train.TrainConfig;
import cimtrain.train.TrainRun;
import cimtrain.util.AtomicFiles;
import cimtrain.util.Json;
import cimtrain.util.PeakMemory;
import cimtrain.util.UserError;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

import static cimtrain.experiment.Records.num;
import static cimtrain.experiment.Records.readOrNull;

/**
 * Runs a {@link ScalingPlan} into a study folder: {@code runs/ID/} per training run (the train command's
 * run folder, plus memory.json and newchips.json), study.json with the settings. Everything finished is
 * kept: a run with a summary is reused, a run with only a checkpoint continues from it, a model already
 * moved to new chips is not moved again; so an interrupted study continues where it stopped.
 */
public final class ScalingStudy {
    static final String SETTINGS = "study.json";
    static final String MEMORY = "memory.json";
    static final String NEW_CHIPS = "newchips.json";
    /** newchips.json's entry for the first new chip read with the exact model (ADC saturation included). */
    static final String EXACT_READS = "exact_reads";
    /** Key in newchips.json: the same new chips, each after re-estimating batch-norm statistics on it. */
    static final String BN_RECALIBRATED = "bn_recalibrated";
    /** Batches of the run's training images each new chip recalibrates with (1,280 images at batch 64). */
    static final int RECALIBRATION_BATCHES = 20;

    private final ScalingPlan plan;
    private final Path dir;
    private final RunContext context;

    /** What one run gave: its summary, the new-chip evaluation and the peak memory of its training. */
    public record RunResult(StudyRun run, Map<String, Object> summary, Map<String, Object> newChips,
                            Map<String, Object> memory, long steps) {
    }

    /**
     * The study's results, run by run, each model's cost per image, the chip it was run on, and how many runs
     * this invocation trained or measured anew (0: every result was reused).
     */
    public record Results(List<RunResult> runs, Map<String, Map<String, Object>> cost, double seconds,
                          HardwareSpec hardware, int computed) {
    }

    /** The study folder holds a study with other settings: refused, before anything trains. */
    public static final class FolderHoldsAnotherStudy extends UserError {
        FolderHoldsAnotherStudy(String message) {
            super(message);
        }
    }

    /** Settings that only add or leave out runs: a study in a folder may be extended by them. */
    private static final java.util.Set<String> EXTENSIBLE = java.util.Set.of("seeds", "models");

    public ScalingStudy(ScalingPlan plan, Path dir, RunContext context) {
        this.plan = plan;
        this.dir = dir;
        this.context = context;
    }

    /**
     * Checks the settings against a study already in the folder and records them; before any training.
     * Other seeds or models only add or leave out runs (each run's folder is named by model, mode and seed,
     * and trains the same whatever else the study holds), so a study can be extended, e.g. from 1 seed to 3,
     * reusing its finished runs; any other difference is refused.
     */
    private void claimFolder() {
        Path file = dir.resolve(SETTINGS);
        String mine = Json.pretty(plan.settings());
        if (Files.isRegularFile(file)) {
            // compared as parsed text, so that number types (int or long) do not matter
            List<String> extended = new ArrayList<>();
            try {
                JsonNode theirs = Json.MAPPER.readTree(file.toFile()), ours = Json.MAPPER.readTree(mine);
                List<String> differ = new ArrayList<>();
                ours.fieldNames().forEachRemaining(k -> {
                    if (!ours.get(k).equals(theirs.get(k))) {
                        (EXTENSIBLE.contains(k) ? extended : differ).add(k + " " + theirs.get(k) + " there, " + ours.get(k) + " here");
                    }
                });
                if (!differ.isEmpty() || theirs.size() != ours.size()) {
                    throw new FolderHoldsAnotherStudy(dir + " holds a study with other settings (" + SETTINGS + ": "
                            + String.join("; ", differ) + ")");
                }
            } catch (IOException e) {
                throw new UserError(file + ": unreadable (" + e.getMessage().lines().findFirst().orElse("") + ")");
            }
            if (!extended.isEmpty()) {
                context.listener().progress("extending the study in " + dir + " (" + String.join("; ", extended)
                        + "): finished runs are reused");
                AtomicFiles.writeString(file, mine);
            }
            return;
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UserError("cannot create " + dir + ": " + e.getMessage());
        }
        AtomicFiles.writeString(file, mine);
    }

    /**
     * Trains, moves to new chips and prices every run. The data and hardware are loaded, and the folder
     * checked, before anything is written.
     */
    public Results execute() {
        long start = System.nanoTime();
        HardwareSpec hw = Hardware.load(plan.hardware());
        HardwareSpec costHw = Hardware.load(plan.costHardware());
        DataSplit split = loadData();
        claimFolder();
        List<StudyRun> runs = plan.runs();
        RunCache cache = new RunCache(dir, context.listener());
        // before anything trains: a finished run made on another version of the chip is refused, not reused
        for (StudyRun run : runs) {
            cache.requireSameHardware(run.id(), hardwareOf(run, hw));
        }
        List<RunResult> results = new ArrayList<>();
        int computed = 0;
        for (int i = 0; i < runs.size(); i++) {
            StudyRun run = runs.get(i);
            context.listener().progress(String.format(Locale.ROOT, "== run %d/%d: %s", i + 1, runs.size(), run.id()));
            ModelSpec spec = Models.load(run.model());
            Path runDir = cache.dir(run.id());
            Map<String, Object> before = readOrNull(runDir.resolve(NEW_CHIPS));
            RunCache.Run trained = cache.trainOrReuse(run.id(), spec, hardwareOf(run, hw), false, true,
                    (folder, resume) -> train(run, spec, hw, split, folder, resume));
            Map<String, Object> summary = trained.summary();
            Map<String, Object> memory = readOrNull(runDir.resolve(MEMORY));
            Map<String, Object> moved = readOrNull(runDir.resolve(NEW_CHIPS));
            if (moved == null) {
                moved = moveToNewChips(runDir, spec, hw, split.test());
                AtomicFiles.writeString(runDir.resolve(NEW_CHIPS), Json.pretty(moved));
            }
            if (Chip.saturationNote(hw) != null && !moved.containsKey(EXACT_READS)) {
                moved.put(EXACT_READS, exactReads(runDir, spec, hw, split.test()));
                AtomicFiles.writeString(runDir.resolve(NEW_CHIPS), Json.pretty(moved));
            }
            if (!moved.containsKey(BN_RECALIBRATED) && hasBatchNorm(spec)) {
                if (Files.isRegularFile(runDir.resolve(Checkpoint.FILE))) {
                    moved.put(BN_RECALIBRATED, recalibrated(runDir, run, spec, hw, split));
                    AtomicFiles.writeString(runDir.resolve(NEW_CHIPS), Json.pretty(moved));
                } else {
                    context.listener().progress(runDir + " has no checkpoint to recalibrate batch norm with on new chips; "
                            + "delete the run's folder to train it again");
                }
            }
            context.listener().progress(String.format(Locale.ROOT, "%s: %.2f%% trained, %.2f%% on %d new chips", run.id(),
                    100 * num(summary, "test_accuracy"), 100 * num(moved, "accuracy_mean"), plan.budget().chips()));
            if (trained.trained() || !moved.equals(before)) {
                computed++;  // trained, or tested on new chips (or in exact reads, or recalibrated) by this invocation
            }
            Map<String, Object> config = readOrNull(runDir.resolve("config.json"));
            long steps = (long) (num(config, "steps_per_epoch") * num(config, "epochs"));
            results.add(new RunResult(run, summary, moved, memory, steps));
        }
        Map<String, Map<String, Object>> cost = new LinkedHashMap<>();
        for (String model : plan.models()) {
            cost.put(model, cost(Models.load(model), costHw));
        }
        return new Results(results, cost, (System.nanoTime() - start) / 1e9, hw, computed);
    }

    /** The study's training runs as {@code cimtrain report} shows them, into DIR/report/; returns that folder. */
    public Path buildRunsReport() {
        return RunsReport.build(dir, "Scaling study: the training runs of " + String.join(", ", plan.models()) + " on "
                + plan.dataset(), context.listener());
    }

    /** The dataset at 32x32 with the network's channels, cut to the budget's training and test images. */
    DataSplit loadData() {
        int channels = Models.load(plan.models().get(0)).input.channels();
        for (String m : plan.models()) {
            if (Models.load(m).input.channels() != channels) {
                throw new UserError("the study's models take different input channels; run them as separate studies");
            }
        }
        Budget b = plan.budget();
        DataSplit split = DatasetRegistry.load(plan.dataset(), plan.dataDir(),
                new DataOptions(ScalingPlan.IMAGE_SIZE, DataOptions.PAD, channels, b.trainLimit(plan.models())));
        Dataset test = split.test();
        if (b.testLimit() > 0 && b.testLimit() < test.size()) {
            test = test.subset(test.name, IntStream.range(0, b.testLimit()).toArray());
        }
        return new DataSplit(split.train(), test);
    }

    /** The chip a run trains on: none (null) for software training. */
    private HardwareSpec hardwareOf(StudyRun run, HardwareSpec hw) {
        return plan.hardwareOf(run) == null ? null : hw;
    }

    /** Trains a run (continuing from its checkpoint when {@code resume}) and records its peak memory. */
    private Map<String, Object> train(StudyRun run, ModelSpec spec, HardwareSpec hw, DataSplit split, Path runDir,
                                      boolean resume) {
        TrainConfig cfg = plan.config(run);
        HardwareSpec runHw = hardwareOf(run, hw);
        RunArguments args = new RunArguments(cfg, spec.name, runHw == null ? null : plan.hardware(),
                plan.dataDir() == null ? null : plan.dataDir().toAbsolutePath().toString(), ScalingPlan.IMAGE_SIZE,
                DataOptions.PAD, spec.input.channels(), plan.budget().trainLimit(run.model()));
        boolean resumedBefore = Files.isRegularFile(runDir.resolve(MEMORY));
        PeakMemory peak = PeakMemory.start();
        Map<String, Object> summary = TrainRun.execute(args, spec, plan.dataset(),
                new DataSplit(trainingImages(run, split), split.test()), runHw, runDir, context, resume, 0);
        AtomicFiles.writeString(runDir.resolve(MEMORY), Json.pretty(memoryRecord(peak.peak(), resumedBefore, summary)));
        return summary;
    }

    /** The run's training images: the first ones, as --train-limit takes them (the data was loaded for the model that needs most). */
    private Dataset trainingImages(StudyRun run, DataSplit split) {
        int limit = plan.budget().trainLimit(run.model());
        Dataset train = split.train();
        return limit > 0 && limit < train.size() ? cimtrain.data.Transforms.limit(train, limit) : train;
    }

    /** The run's trained model on the first {@code chips} new chips; batch norm recalibrated on each when asked. */
    private NewChipTest onNewChips(Path runDir, ModelSpec spec, HardwareSpec hw, Dataset test, boolean aggregate, int chips,
                                   BatchNormRecalibration recalibration) {
        return NewChipTest.run(runDir, spec, plan.budget().width(), hw, aggregate, plan.readModel().equals(Chip.AUTO), test,
                chips, ScalingPlan.FIRST_CHIP_SEED, context, recalibration);
    }

    /** The trained model programmed onto fresh chips (new programming error each) and tested on them. */
    private Map<String, Object> moveToNewChips(Path runDir, ModelSpec spec, HardwareSpec hw, Dataset test) {
        boolean aggregate = Chip.aggregateReads(plan.readModel(), hw);
        NewChipTest moved = onNewChips(runDir, spec, hw, test, aggregate, plan.budget().chips(), null);
        ChipEvaluation.Result r = moved.result();
        boolean keptScales = moved.keptScales();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hardware", hw.name());
        m.put("programming_error_levels", hw.device().programmingError());
        m.put("read_noise_levels", hw.device().readNoise());
        m.put("read_model", aggregate && plan.readModel().equals(Chip.AUTO) ? Chip.AUTO
                : aggregate ? Chip.AGGREGATE : Chip.EXACT);
        if (r.clipping() != null) {
            m.put("adc_saturated_fraction", r.clipping().get("saturated_fraction"));
            m.put("adc_clipping", r.clipping());
        }
        m.put("kept_trained_scales", keptScales);
        m.put("test_samples", test.size());
        m.put("chip_seeds", r.seeds());
        m.put("accuracies", r.accuracies());
        m.put("accuracy_mean", r.mean());
        m.put("accuracy_std", r.std());
        m.put("ci95_low", r.ci95Low());
        m.put("ci95_high", r.ci95High());
        return m;
    }

    private boolean hasBatchNorm(ModelSpec spec) {
        return ModelAnalysis.of(spec, plan.budget().width()).hasBatchNorm();
    }

    /**
     * The new-chip test again, each chip first re-estimating the batch-norm statistics from the run's own
     * training images read through it (BatchNormRecalibration; not a step the seed paper describes).
     */
    private Map<String, Object> recalibrated(Path runDir, StudyRun run, ModelSpec spec, HardwareSpec hw, DataSplit split) {
        var recalibration = new BatchNormRecalibration(trainingImages(run, split), RECALIBRATION_BATCHES,
                plan.config(run).batch());
        ChipEvaluation.Result r = onNewChips(runDir, spec, hw, split.test(), Chip.aggregateReads(plan.readModel(), hw),
                plan.budget().chips(), recalibration).result();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("batches", RECALIBRATION_BATCHES);
        m.put("batch", recalibration.batchSize());
        m.put("accuracies", r.accuracies());
        m.put("accuracy_mean", r.mean());
        m.put("accuracy_std", r.std());
        context.listener().progress(String.format(Locale.ROOT, "%s on %d new chips, batch norm recalibrated on each: %.2f%%",
                runDir.getFileName(), plan.budget().chips(), 100 * r.mean()));
        return m;
    }

    /**
     * The trained model on the first new chip, every read simulated exactly: where a column can draw more
     * than the ADC's full scale (Chip.saturationNote) this is what the aggregate model's figures leave out.
     */
    private Map<String, Object> exactReads(Path runDir, ModelSpec spec, HardwareSpec hw, Dataset test) {
        long start = System.nanoTime();
        ChipEvaluation.Result r = onNewChips(runDir, spec, hw, test, false, 1, null).result();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("chip_seed", ScalingPlan.FIRST_CHIP_SEED);
        m.put("read_model", Chip.EXACT);
        m.put("accuracy", r.mean());
        if (r.clipping() != null) {
            m.put("adc_saturated_fraction", r.clipping().get("saturated_fraction"));
        }
        m.put("seconds", Math.round((System.nanoTime() - start) / 1e8) / 10.0);
        m.put("why", Chip.saturationNote(hw));
        context.listener().progress(String.format(Locale.ROOT, "%s on chip %d with exact reads (ADC saturation included): %.2f%%",
                runDir.getFileName(), ScalingPlan.FIRST_CHIP_SEED, 100 * r.mean()));
        return m;
    }

    /** Cost of one image of the model (at the study's width and at full width) on the cost hardware. */
    private Map<String, Object> cost(ModelSpec spec, HardwareSpec costHw) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("study_width", costAt(spec, costHw, plan.budget().width()));
        if (plan.budget().width() != 1.0) {
            m.put("full_width", costAt(spec, costHw, 1.0));
        }
        return m;
    }

    private Map<String, Object> costAt(ModelSpec spec, HardwareSpec costHw, double width) {
        Map<String, Object> s = ModelAnalysis.of(spec, width).cost(costHw, 8).summary();
        s.remove("layers");
        s.put("width", width);
        return s;
    }

    private static Map<String, Object> memoryRecord(PeakMemory.Peak p, boolean resumedBefore, Map<String, Object> summary) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("peak_heap_bytes", p.heapBytes());
        m.put("peak_rss_bytes", p.rssBytes());
        m.put("rss_reset_before_run", p.rssSinceStart());
        Object gpu = summary == null ? null : summary.get("gpu_peak_bytes");
        m.put("backend", summary == null ? null : summary.get("backend"));
        m.put("gpu_peak_bytes", gpu);
        m.put("gpu_note", gpu != null ? "the most the backend's GPU tensors held at once"
                : "CPU backend: no GPU memory used");
        m.put("covers", resumedBefore ? "the last resumed part of the run" : "the training as run in this process");
        return m;
    }

}
