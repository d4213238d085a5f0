package cimtrain.cli;

import cimtrain.data.DataOptions;
import cimtrain.data.DataSplit;
import cimtrain.data.Dataset;
import cimtrain.data.DatasetRegistry;
import cimtrain.hardware.Hardware;
import cimtrain.hardware.HardwareSpec;
import cimtrain.model.ModelSpec;
import cimtrain.model.Models;
import cimtrain.options.DataArgs;
import cimtrain.options.TrainSettings;
import cimtrain.train.Checkpoint;
import cimtrain.train.RunArguments;
import cimtrain.train.RunFolder;
import cimtrain.train.TrainConfig;
import cimtrain.train.TrainRun;
import cimtrain.train.Trainer;
import cimtrain.util.Json;
import cimtrain.util.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code cimtrain train}: one training run into its own run folder. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a network and evaluate it on the test set after every epoch.",
                "Writes config.json, metrics.csv (one line per epoch) and, when finished, summary.json to the run folder.",
                "Example: cimtrain train --model lenet-paper --dataset mnist-10k --epochs 13 --batch 64 --optimizer adamw --lr 0.004 --seed 0"})
public final class TrainCommand implements Callable<Integer> {
    /** Every option (a sweep reads the same descriptor). */
    @Mixin
    TrainSettings options;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec commandSpec;

    /** The options --resume takes; any other would be ignored, so it is refused. */
    private static final java.util.Set<String> RESUME_OPTIONS = java.util.Set.of("--resume", "--threads", "--backend", "--json");

    @Override
    public Integer call() {
        if (options.threads < 0) {
            throw new UserError("--threads must be >= 0, got " + options.threads);
        }
        options.backend.select();
        if (options.resume != null) {
            for (picocli.CommandLine.Model.OptionSpec o : commandSpec.commandLine().getParseResult().matchedOptions()) {
                if (!RESUME_OPTIONS.contains(o.longestName())) {
                    throw new UserError(o.longestName() + " cannot be given with --resume: the run continues with the "
                            + "options it was started with (only --threads, --backend and --json may change)");
                }
            }
            return resumeRun();
        }
        if (options.model == null) {
            throw new UserError("--model is required (or --resume RUN_DIR)");
        }
        TrainConfig cfg = options.config();
        // everything the run needs is loaded and checked before the run folder exists
        ModelSpec spec = Models.load(options.model);
        HardwareSpec hw = cfg.needsHardware() ? Hardware.load(options.hardware) : null;
        DataArgs data = options.data;
        DataSplit split = data.load();
        checkInputs(spec, split, data.dataset, cfg);
        Path dir = options.out != null ? options.out : Paths.get("runs", String.format("%s-%s-%s-s%d-%s", spec.name,
                data.dataset, cfg.mode(), cfg.seed(), LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));

        RunArguments args = new RunArguments(cfg, options.model, cfg.needsHardware() ? options.hardware : null,
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
        Path resume = options.resume;
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
        int nThreads = options.threads > 0 ? options.threads : Runtime.getRuntime().availableProcessors();
        Map<String, Object> summary;
        try {
            summary = TrainRun.execute(args, spec, args.config().dataset(), split, hw, dir,
                    ConsoleListener.context(options.backend, nThreads), resuming, 0);
        } catch (Trainer.TrainingDiverged e) {
            System.err.println("cimtrain: training failed: " + e.getMessage());
            return 1;
        }
        if (options.json) {
            System.out.println(Json.line(summary));
        }
        return 0;
    }
}
