package cimtrain.train;

import cimtrain.backend.Backend;
import cimtrain.data.DataSplit;
import cimtrain.data.Dataset;
import cimtrain.hardware.HardwareSpec;
import cimtrain.model.ModelSpec;
import cimtrain.nn.Network;
import cimtrain.tile.Chip;
import cimtrain.tile.CostModel;
import cimtrain.tile.FakeQuantization;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One training run from checked inputs to a finished run folder (used by train and reproduce), on a
 * backend from the context's factory, telling the context's listener what it does.
 */
public final class TrainRun {
    private TrainRun() {
    }

    /**
     * Trains and evaluates, writing config.json, metrics.csv, writes.json (on-chip modes), cost.json
     * (every mode with a chip: {@code cimtrain cost --json} for this network, chip and run) and finally
     * summary.json into {@code dir}, which must not hold files yet.
     *
     * @return the summary
     * @throws Trainer.TrainingDiverged after marking the run folder failed
     */
    public static Map<String, Object> execute(TrainConfig cfg, ModelSpec spec, String dataset, DataSplit split,
                                              HardwareSpec hw, Path dir, RunContext context) {
        RunArguments args = new RunArguments(cfg, spec.name, hw == null ? null : hw.name(), null, 0, "pad", 0, 0);
        return execute(args, spec, dataset, split, hw, dir, context, false, 0);
    }

    /**
     * The same, and more: {@code args} go into every checkpoint (written after each epoch); with
     * {@code resume} the run continues from the checkpoint in {@code dir}; {@code stopAfter} > 0 ends the
     * run after that many epochs as if it had been interrupted (no summary; returns null).
     */
    public static Map<String, Object> execute(RunArguments args, ModelSpec spec, String dataset, DataSplit split,
                                              HardwareSpec hw, Path dir, RunContext context, boolean resume, int stopAfter) {
        TrainConfig cfg = args.config();
        Dataset train = split.train();
        RunListener listener = context.listener();
        int threads = context.threads();
        try (Backend be = context.newBackend();
             Network net = new Network(spec.name, be, () -> spec.build(cfg.width()), spec.input,
                     Math.max(cfg.batch(), cfg.evalBatch()), cfg.seed())) {
            boolean aggregate = cfg.onChip() && Chip.aggregateReads(cfg.readModel(), hw);
            // with auto the layers measure their clipping and say what they chose (below); an explicit aggregate is noted
            String saturation = aggregate && !cfg.readModel().equals(Chip.AUTO) ? Chip.saturationNote(hw) : null;
            Chip chip = cfg.onChip() ? Chip.place(net, hw, cfg.mode().writeRule(), cfg.seed(), aggregate) : null;
            boolean auto = chip != null && aggregate && cfg.readModel().equals(Chip.AUTO);
            if (auto) {
                // said as soon as every layer has decided (within the first batches), and whenever a later
                // probe switches a layer to the exact model
                chip.enableAutoReadModel(listener::note);
            }
            if (cfg.mode() == Mode.QAT) {
                FakeQuantization.apply(net, hw);
            }
            // what cimtrain cost says of this network on this chip; made now, so a problem shows before training
            CostModel cost = hw == null ? null : CostModel.of(net, hw, CostModel.DEFAULT_COPIES);
            Trainer trainer = new Trainer(cfg, net, listener);
            try (RunFolder run = resume ? RunFolder.resume(dir) : RunFolder.create(dir, listener)) {
                List<EpochMetrics> done = List.of();
                if (resume) {
                    Map<String, Object> same = new LinkedHashMap<>();
                    same.put("model", spec.name);
                    same.put("width", cfg.width());
                    same.put("dataset", dataset);
                    same.put("mode", cfg.mode());
                    same.put("hardware", hw == null ? null : hw.name());
                    same.put("batch", cfg.batch());
                    same.put("seed", cfg.seed());
                    run.checkConfig(same);
                    done = Checkpoint.restore(dir.resolve(Checkpoint.FILE), net, trainer, chip);
                    run.rewriteMetrics(done);
                }
                // the input is accepted (a resumed run's checkpoint too): now the lines that say how it will run
                listener.accepted();
                if (saturation != null) {
                    listener.note("note: " + saturation);
                }
                if (resume) {
                    listener.progress(String.format(Locale.ROOT, "resuming %s after epoch %d of %d", dir, done.size(), cfg.epochs()));
                }
                Map<String, Object> config = new LinkedHashMap<>();
                config.put("model", spec.name);
                config.put("model_source", spec.source);
                config.put("width", cfg.width());
                config.put("dataset", dataset);
                config.put("train_samples", train.size());
                config.put("test_samples", split.test().size());
                config.put("input", List.of(train.channels, train.height, train.width));
                config.put("mode", cfg.mode());
                if (hw != null) {
                    config.put("hardware", hw.name());
                    config.put("hardware_spec", hw);
                    if (cfg.onChip()) {
                        config.put("read_model", auto ? Chip.AUTO : aggregate ? Chip.AGGREGATE : Chip.EXACT);
                        config.put("adc_saturation_modelled", !aggregate || auto);
                    }
                }
                config.put("epochs", cfg.epochs());
                int stepsPerEpoch = cfg.stepsPerEpoch() > 0 ? cfg.stepsPerEpoch() : (train.size() + cfg.batch() - 1) / cfg.batch();
                config.put("steps_per_epoch", stepsPerEpoch);
                config.put("batch", cfg.batch());
                config.put("optimizer", trainer.optimizer().describe());
                config.put("lr", cfg.lr());
                config.put("schedule", trainer.schedule().describe());
                config.put("seed", cfg.seed());
                config.put("backend", be.name());
                config.put("blas", be.gemmName());
                config.put("threads", threads);
                config.put("replicas", net.replicaCount());
                config.put("parameters", net.parameterCount());
                config.put("macs_per_sample", net.macsPerSample());
                if (!resume) {
                    run.writeConfig(config);
                    // the state before the first step: a run stopped before its first epoch ends resumes from the start
                    Checkpoint.write(dir.resolve(Checkpoint.FILE), args, net, trainer, chip, List.of());
                }
                listener.progress(String.format(Locale.ROOT, "training %s (%,d parameters) on %s (%,d train / %,d test), mode %s%s, %s, run folder %s",
                        spec.name, net.parameterCount(), dataset, train.size(), split.test().size(), cfg.mode(),
                        hw == null ? "" : " on " + hw.name(), be.gemmName(), dir));

                List<EpochMetrics> history;
                try {
                    List<EpochMetrics> sofar = new java.util.ArrayList<>(done);
                    history = trainer.run(train, split.test(), done, m -> {
                        sofar.add(m);
                        // the checkpoint first: metrics.csv is rewritten from it on resume
                        Checkpoint.write(dir.resolve(Checkpoint.FILE), args, net, trainer, chip, sofar);
                        run.appendMetrics(m);
                        if (chip != null) {
                            run.appendClipping(m.epoch(), chip.clipStatistics(true));
                        }
                        listener.progress(String.format(Locale.ROOT, "epoch %d/%d  loss %.4f  train %.2f%%  test %.2f%%  lr %.3g  %.1fs  %,.0f samples/s",
                                m.epoch(), cfg.epochs(), m.trainLoss(), 100 * m.trainAccuracy(), 100 * m.testAccuracy(), m.lr(),
                                m.trainSeconds(), m.samplesPerSecond()));
                        if (stopAfter > 0 && sofar.size() == stopAfter && sofar.size() < cfg.epochs()) {
                            throw new Stopped();
                        }
                    });
                } catch (Trainer.TrainingDiverged e) {
                    run.markFailed(e.getMessage());
                    throw e;
                } catch (Stopped e) {
                    return null;
                }
                EpochMetrics last = history.get(history.size() - 1);
                double trainSeconds = history.stream().mapToDouble(EpochMetrics::trainSeconds).sum();
                double best = history.stream().mapToDouble(EpochMetrics::testAccuracy).max().orElse(0);
                Map<String, Object> summary = new LinkedHashMap<>();
                summary.put("model", spec.name);
                summary.put("dataset", dataset);
                summary.put("mode", cfg.mode());
                summary.put("epochs", cfg.epochs());
                summary.put("seed", cfg.seed());
                summary.put("batch", cfg.batch());
                summary.put("width", cfg.width());
                summary.put("test_accuracy", last.testAccuracy());
                summary.put("best_test_accuracy", best);
                summary.put("final_train_loss", last.trainLoss());
                summary.put("train_seconds", round(trainSeconds, 3));
                long samplesPerEpoch = cfg.stepsPerEpoch() > 0 ? (long) cfg.stepsPerEpoch() * cfg.batch() : train.size();
                summary.put("train_samples_per_s", round((double) samplesPerEpoch * cfg.epochs() / trainSeconds, 1));
                if (hw != null) {
                    summary.put("hardware", hw.name());
                }
                CostModel.RunWrites made = null;
                if (chip != null) {
                    Map<String, Object> writes = chip.writeStatistics();
                    run.writeJson("writes.json", writes);
                    summary.put("writes_per_weight_mean", writes.get("writes_per_weight_mean"));
                    summary.put("writes_per_weight_max", writes.get("writes_per_weight_max"));
                    summary.put("write_reduction", writes.get("write_reduction"));
                    // the ADC's clipping over the whole run (training and test reads), per layer
                    Map<String, Object> clipping = chip.clipStatistics(false);
                    summary.put("read_model", auto ? Chip.AUTO : aggregate ? Chip.AGGREGATE : Chip.EXACT);
                    // what auto chose, as it stands at the end (a resumed run's layers decided before the stop too)
                    String choice = auto ? chip.autoReport() : null;
                    if (choice != null) {
                        summary.put("read_model_choice", choice);
                    }
                    summary.put("adc_saturated_fraction", clipping.get("saturated_fraction"));
                    String warning = chip.saturationWarning();
                    if (warning != null) {
                        summary.put("adc_saturation_warning", warning);
                        listener.note(warning);
                    }
                    summary.put("adc_clipping", clipping);
                    made = new CostModel.RunWrites(cimtrain.util.Home.recorded(dir), cfg.batch(), (long) stepsPerEpoch * cfg.epochs(),
                            ((Number) writes.get("writes")).doubleValue());
                }
                if (cost != null) {
                    // energy and latency per image, and per training step with this run's writes (qat writes nothing)
                    run.writeJson(RunFolder.COST, cost.summary(made));
                }
                summary.put("backend", be.name());
                summary.put("blas", be.gemmName());
                if (be.onGpu()) {
                    // the most GPU memory the backend's tensors held at once (this process's part of the run)
                    summary.put("gpu_peak_bytes", be.peakDeviceBytes());
                }
                summary.put("run_dir", cimtrain.util.Home.recorded(dir));
                run.writeSummary(summary);
                listener.progress(String.format(Locale.ROOT, "done: test accuracy %.2f%% after %d epochs, %.1f s training, %,.0f samples/s",
                        100 * last.testAccuracy(), cfg.epochs(), trainSeconds, samplesPerEpoch * cfg.epochs() / trainSeconds));
                return summary;
            }
        }
    }

    /** Ends a run early (stopAfter), as an interruption would. */
    private static final class Stopped extends RuntimeException {
        Stopped() {
            super(null, null, false, false);
        }
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
