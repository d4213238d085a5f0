package cimtrain.cli;

import cimtrain.backend.cpu.CpuBackend;
import cimtrain.data.DataSplit;
import cimtrain.data.Dataset;
import cimtrain.hardware.Hardware;
import cimtrain.hardware.HardwareSpec;
import cimtrain.tile.Chip;
import cimtrain.model.ModelSpec;
import cimtrain.model.Models;
import cimtrain.nn.Network;
import cimtrain.nn.Shape;
import cimtrain.train.EpochMetrics;
import cimtrain.train.RunFolder;
import cimtrain.train.TrainConfig;
import cimtrain.train.Trainer;
import cimtrain.util.Json;
import cimtrain.util.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

/** {@code cimtrain train}: one training run into its own run folder. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a network and evaluate it on the test set after every epoch.",
                "Writes config.json, metrics.csv (one line per epoch) and, when finished, summary.json to the run folder.",
                "Example: cimtrain train --model lenet-paper --dataset mnist-10k --epochs 13 --batch 64 --optimizer adamw --lr 0.004 --seed 0"})
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "NAME|FILE",
            description = "A network under models/networks/ (see 'cimtrain models') or a path to a .yaml file.")
    String model;

    @Option(names = "--width", defaultValue = "1.0", description = "Width multiplier for every layer but the last. Default: ${DEFAULT-VALUE}.")
    double width;

    @Mixin
    DataArgs data;

    @Option(names = "--mode", defaultValue = "fp32", paramLabel = "fp32|mp|direct",
            description = {"fp32: software baseline. mp: the paper's mixed precision (forward on the crossbars, digital backward,",
                    "updates accumulated and written when they reach the threshold). direct: every update written at once. Default: ${DEFAULT-VALUE}."})
    String mode;

    @Option(names = "--hardware", defaultValue = "paper-chip", paramLabel = "NAME|FILE",
            description = "Chip for the mp and direct modes (see models/hardware/). Default: ${DEFAULT-VALUE}.")
    String hardware;

    @Option(names = "--epochs", defaultValue = "10", description = "Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--batch", defaultValue = "64", description = "Minibatch size. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--optimizer", defaultValue = "adamw", paramLabel = "adamw|sgd", description = "Default: ${DEFAULT-VALUE}.")
    String optimizer;

    @Option(names = "--lr", defaultValue = "0.001", description = "Learning rate. Default: ${DEFAULT-VALUE}.")
    float lr;

    @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum. Default: ${DEFAULT-VALUE}.")
    float momentum;

    @Option(names = "--weight-decay", defaultValue = "-1", paramLabel = "WD",
            description = "Weight decay (default: 0.01 for adamw as in PyTorch, 0 for sgd).")
    float weightDecay;

    @Option(names = "--schedule", defaultValue = "constant", paramLabel = "constant|plateau|cosine",
            description = "Learning-rate schedule; plateau halves the rate after --patience epochs without test gain. Default: ${DEFAULT-VALUE}.")
    String schedule;

    @Option(names = "--patience", defaultValue = "5", description = "Epochs without gain before plateau halves the rate. Default: ${DEFAULT-VALUE}.")
    int patience;

    @Option(names = "--seed", defaultValue = "0", description = "Seeds weights and shuffling. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--eval-batch", defaultValue = "256", description = "Batch size for evaluation. Default: ${DEFAULT-VALUE}.")
    int evalBatch;

    @Option(names = "--threads", defaultValue = "0", description = "CPU worker threads (0: all cores).")
    int threads;

    @Option(names = "--out", paramLabel = "DIR", description = "Run folder (default: runs/MODEL-DATASET-MODE-sSEED-TIME).")
    Path out;

    @Option(names = "--json", description = "End stdout with one JSON line summarising the run.")
    boolean json;

    @Override
    public Integer call() {
        float wd = weightDecay >= 0 ? weightDecay : (optimizer.equals("sgd") ? 0f : 0.01f);
        TrainConfig cfg = new TrainConfig(model, width, data.dataset, mode, epochs, batch, optimizer, lr, momentum, wd,
                schedule, patience, seed, evalBatch);
        if (threads < 0) {
            throw new UserError("--threads must be >= 0, got " + threads);
        }
        // everything the run needs is loaded and checked before the run folder exists
        ModelSpec spec = Models.load(model);
        HardwareSpec hw = cfg.onChip() ? Hardware.load(hardware) : null;
        DataSplit split = data.load();
        Dataset train = split.train();
        Shape dataShape = new Shape(train.channels, train.height, train.width);
        if (!dataShape.equals(spec.input)) {
            throw new UserError("model " + spec.name + " takes " + spec.input + " inputs but " + data.dataset + " images are "
                    + dataShape + " (use --image-size " + spec.input.height() + " and --channels " + spec.input.channels() + ")");
        }
        Path dir = out != null ? out : Paths.get("runs", String.format("%s-%s-%s-s%d-%s", spec.name, data.dataset, mode, seed,
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));

        int nThreads = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        // on-chip modes run one replica: both would read and program the same devices
        try (CpuBackend be = new CpuBackend(nThreads, cfg.onChip() ? 1 : CpuBackend.DEFAULT_REPLICAS);
             Network net = new Network(spec.name, be, () -> spec.build(width), spec.input, Math.max(batch, evalBatch), seed)) {
            Chip chip = cfg.onChip() ? Chip.place(net, hw, mode.equals("direct"), seed) : null;
            RunFolder run = RunFolder.create(dir);
            Trainer trainer = new Trainer(cfg, net);
            Map<String, Object> config = new LinkedHashMap<>();
            config.put("model", spec.name);
            config.put("model_source", spec.source);
            config.put("width", width);
            config.put("dataset", data.dataset);
            config.put("train_samples", train.size());
            config.put("test_samples", split.test().size());
            config.put("input", List.of(dataShape.channels(), dataShape.height(), dataShape.width()));
            config.put("mode", mode);
            if (hw != null) {
                config.put("hardware", hw.name());
                config.put("hardware_spec", hw);
            }
            config.put("epochs", epochs);
            config.put("batch", batch);
            config.put("optimizer", trainer.optimizer().describe());
            config.put("lr", lr);
            config.put("schedule", trainer.schedule().describe());
            config.put("seed", seed);
            config.put("backend", be.name());
            config.put("blas", be.blasName());
            config.put("threads", nThreads);
            config.put("parameters", net.parameterCount());
            config.put("macs_per_sample", net.macsPerSample());
            run.writeConfig(config);
            System.out.printf(Locale.ROOT, "training %s (%,d parameters) on %s (%,d train / %,d test), mode %s, %s, run folder %s%n",
                    spec.name, net.parameterCount(), data.dataset, train.size(), split.test().size(), mode, be.blasName(), dir);

            List<EpochMetrics> history;
            try {
                history = trainer.run(train, split.test(), m -> {
                    run.appendMetrics(m);
                    System.out.printf(Locale.ROOT, "epoch %d/%d  loss %.4f  train %.2f%%  test %.2f%%  lr %.3g  %.1fs  %,.0f samples/s%n",
                            m.epoch(), epochs, m.trainLoss(), 100 * m.trainAccuracy(), 100 * m.testAccuracy(), m.lr(),
                            m.trainSeconds(), m.samplesPerSecond());
                });
            } catch (Trainer.TrainingDiverged e) {
                run.markFailed(e.getMessage());
                System.err.println("cimtrain: training failed: " + e.getMessage());
                return 1;
            }
            EpochMetrics last = history.get(history.size() - 1);
            double trainSeconds = history.stream().mapToDouble(EpochMetrics::trainSeconds).sum();
            double best = history.stream().mapToDouble(EpochMetrics::testAccuracy).max().orElse(0);
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("model", spec.name);
            summary.put("dataset", data.dataset);
            summary.put("mode", mode);
            summary.put("epochs", epochs);
            summary.put("seed", seed);
            summary.put("batch", batch);
            summary.put("width", width);
            summary.put("test_accuracy", last.testAccuracy());
            summary.put("best_test_accuracy", best);
            summary.put("final_train_loss", last.trainLoss());
            summary.put("train_seconds", round(trainSeconds, 3));
            summary.put("train_samples_per_s", round((double) train.size() * epochs / trainSeconds, 1));
            if (chip != null) {
                Map<String, Object> writes = chip.writeStatistics();
                run.writeJson("writes.json", writes);
                summary.put("hardware", hw.name());
                summary.put("writes_per_weight_mean", writes.get("writes_per_weight_mean"));
                summary.put("writes_per_weight_max", writes.get("writes_per_weight_max"));
                summary.put("write_reduction", writes.get("write_reduction"));
            }
            summary.put("backend", be.name());
            summary.put("blas", be.blasName());
            summary.put("run_dir", dir.toString());
            run.writeSummary(summary);
            System.out.printf(Locale.ROOT, "done: test accuracy %.2f%% after %d epochs, %.1f s training, %,.0f samples/s%n",
                    100 * last.testAccuracy(), epochs, trainSeconds, train.size() * epochs / trainSeconds);
            if (json) {
                System.out.println(Json.line(summary));
            }
        }
        return 0;
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
