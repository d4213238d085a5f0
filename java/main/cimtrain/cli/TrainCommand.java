package cimtrain.cli;

import cimtrain.backend.cpu.CpuBackend;
import cimtrain.data.DataSplit;
import cimtrain.data.Dataset;
import cimtrain.hardware.Hardware;
import cimtrain.hardware.HardwareSpec;
import cimtrain.tile.Chip;
import cimtrain.data.DataOptions;
import cimtrain.data.DatasetRegistry;
import cimtrain.model.ModelSpec;
import cimtrain.train.Checkpoint;
import cimtrain.train.RunArguments;
import cimtrain.train.RunFolder;
import cimtrain.model.Models;
import cimtrain.nn.Network;
import cimtrain.nn.Shape;
import cimtrain.train.EpochMetrics;
import cimtrain.train.RunFolder;
import cimtrain.train.Mode;
import cimtrain.train.TrainConfig;
import cimtrain.train.TrainRun;
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
    @Option(names = "--model", paramLabel = "NAME|FILE",
            description = "A network under models/networks/ (see 'cimtrain models') or a path to a .yaml file. Required unless --resume.")
    String model;

    @Option(names = "--width", defaultValue = "1.0", description = "Width multiplier for every layer but the last. Default: ${DEFAULT-VALUE}.")
    double width;

    @Mixin
    DataArgs data;

    @Option(names = "--mode", defaultValue = "fp32", paramLabel = "fp32|mp|mp-pulse|direct|qat",
            description = "fp32: software baseline. mp: the paper's mixed precision (forward on the crossbars, digital backward, "
                    + "updates accumulated and written with write-and-verify when they reach the threshold). "
                    + "mp-pulse: updates accumulated and written as n = trunc(acc / eps) pulses through the device response of "
                    + "the hardware's 'pulse' section (e.g. --hardware paper-table1-pulse). direct: every update written at once. "
                    + "qat: software training with weights fake-quantised to the chip's levels (no noise). Default: ${DEFAULT-VALUE}.")
    String mode;

    @Option(names = "--hardware", defaultValue = "paper-chip", paramLabel = "NAME|FILE",
            description = "Chip for the mp and direct modes (see models/hardware/). Default: ${DEFAULT-VALUE}.")
    String hardware;

    @Option(names = "--epochs", defaultValue = "10", description = "Default: ${DEFAULT-VALUE}.")
    int epochs;

    @Option(names = "--batch", defaultValue = "64", description = "Minibatch size. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--steps-per-epoch", defaultValue = "0", paramLabel = "N",
            description = "Batches per epoch (0: one pass over the training set). More than one pass draws further "
                    + "seeded shuffles, as the paper's 400 random batches per epoch do. Default: ${DEFAULT-VALUE}.")
    int stepsPerEpoch;

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

    @Option(names = "--read-model", defaultValue = "auto", paramLabel = "auto|exact|aggregate",
            description = "How crossbar reads are simulated: exact (every bit-serial read and ADC conversion) or "
                    + "aggregate (one product and one noise draw per output with the reads' combined variance; faithful "
                    + "when ADC noise >= 0.5 LSB, ignores ADC saturation). auto: aggregate where faithful. Default: ${DEFAULT-VALUE}.")
    String readModel;

    @Option(names = "--threads", defaultValue = "0", description = "CPU worker threads (0: all cores).")
    int threads;

    @Mixin
    BackendOption backend;

    @Option(names = "--out", paramLabel = "DIR", description = "Run folder (default: runs/MODEL-DATASET-MODE-sSEED-TIME).")
    Path out;

    @Option(names = "--json", description = "End stdout with one JSON line summarising the run.")
    boolean json;

    @Option(names = "--resume", paramLabel = "RUN_DIR",
            description = "Continue an interrupted run from its checkpoint (written after every epoch): same weights, "
                    + "devices, optimizer state, noise and data order as if it had not stopped (a run stopped before "
                    + "its first epoch ended starts again from the beginning, same seed). Every other option comes from "
                    + "the checkpoint: only --threads, --backend and --json may be given with --resume.")
    Path resume;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec commandSpec;

    /** The options --resume takes; any other would be ignored, so it is refused. */
    private static final java.util.Set<String> RESUME_OPTIONS = java.util.Set.of("--resume", "--threads", "--backend", "--json");

    @Override
    public Integer call() {
        if (threads < 0) {
            throw new UserError("--threads must be >= 0, got " + threads);
        }
        backend.select();
        if (resume != null) {
            for (picocli.CommandLine.Model.OptionSpec o : commandSpec.commandLine().getParseResult().matchedOptions()) {
                if (!RESUME_OPTIONS.contains(o.longestName())) {
                    throw new UserError(o.longestName() + " cannot be given with --resume: the run continues with the "
                            + "options it was started with (only --threads, --backend and --json may change)");
                }
            }
            return resumeRun();
        }
        if (model == null) {
            throw new UserError("--model is required (or --resume RUN_DIR)");
        }
        // a negative weight decay means the optimizer's default; NaN goes on to be refused
        float wd = weightDecay < 0 ? (optimizer.equals("sgd") ? 0f : 0.01f) : weightDecay;
        TrainConfig cfg = new TrainConfig(model, width, data.dataset, Mode.of(mode), epochs, batch, optimizer, lr, momentum, wd,
                schedule, patience, seed, evalBatch, stepsPerEpoch, readModel);
        // everything the run needs is loaded and checked before the run folder exists
        ModelSpec spec = Models.load(model);
        HardwareSpec hw = cfg.needsHardware() ? Hardware.load(hardware) : null;
        DataSplit split = data.load();
        Dataset train = split.train();
        checkInputs(spec, split, data.dataset, cfg);
        Path dir = out != null ? out : Paths.get("runs", String.format("%s-%s-%s-s%d-%s", spec.name, data.dataset, mode, seed,
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));

        RunArguments args = new RunArguments(cfg, model, cfg.needsHardware() ? hardware : null,
                data.dataDir == null ? null : data.dataDir.toString(), data.size, data.fit, data.channels, data.trainLimit);
        return run(args, spec, hw, split, dir, false);
    }

    /**
     * The cross-checks of the inputs, before the run folder exists: the network against the data (input
     * shape, classes), the training split against the test split, the batch against the data.
     */
    static void checkInputs(ModelSpec spec, DataSplit split, String dataset, TrainConfig cfg) {
        Dataset train = split.train(), test = split.test();
        spec.checkAgainst(train, dataset, cfg.width());
        if (train.channels != test.channels || train.height != test.height || train.width != test.width
                || train.classes != test.classes) {
            throw new UserError(dataset + ": its training images (" + train.channels + "x" + train.height + "x" + train.width
                    + ", " + train.classes + " classes) and test images (" + test.channels + "x" + test.height + "x"
                    + test.width + ", " + test.classes + " classes) differ");
        }
        if (cfg.batch() > train.size()) {
            throw new UserError("--batch " + cfg.batch() + " is more than the " + train.size() + " training images of "
                    + dataset);
        }
    }

    /** Rebuilds the run from its checkpoint's arguments and continues it. */
    private Integer resumeRun() {
        RunFolder.checkResumable(resume);
        RunArguments args = Checkpoint.arguments(resume.resolve(Checkpoint.FILE));
        TrainConfig cfg = args.config();
        ModelSpec spec = Models.load(args.model());
        HardwareSpec hw = args.hardware() == null ? null : Hardware.load(args.hardware());
        DataSplit split = DatasetRegistry.load(cfg.dataset(), args.dataDir() == null ? null : Paths.get(args.dataDir()),
                new DataOptions(args.imageSize(), args.fit(), args.channels(), args.trainLimit()));
        checkInputs(spec, split, cfg.dataset(), cfg);
        return run(args, spec, hw, split, resume, true);
    }

    private Integer run(RunArguments args, ModelSpec spec, HardwareSpec hw, DataSplit split, Path dir, boolean resuming) {
        int nThreads = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        Map<String, Object> summary;
        try {
            summary = TrainRun.execute(args, spec, args.config().dataset(), split, hw, dir, backend.context(nThreads),
                    resuming, 0);
        } catch (Trainer.TrainingDiverged e) {
            System.err.println("cimtrain: training failed: " + e.getMessage());
            return 1;
        }
        if (json) {
            System.out.println(Json.line(summary));
        }
        return 0;
    }
}
