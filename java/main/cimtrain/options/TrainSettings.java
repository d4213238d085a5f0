package cimtrain.options;

import cimtrain.train.Mode;
import cimtrain.train.TrainConfig;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * The options of {@code cimtrain train}, described once, below the command line: {@code train} mixes them
 * in, and a sweep reads them (which plan fields there are, and the check of a job's arguments) without
 * importing the command line.
 */
public final class TrainSettings {
    /** The class a sweep starts, as {@code java -cp ... MAIN_CLASS train ARGS}, to run one job. */
    public static final String MAIN_CLASS = "cimtrain.cli.Main";
    /** The command these options belong to. */
    public static final String COMMAND = "train";

    @Option(names = "--model", paramLabel = "NAME|FILE",
            description = "A network under models/networks/ (see 'cimtrain models') or a path to a .yaml file. Required unless --resume.")
    public String model;

    @Option(names = "--width", defaultValue = "1.0", description = "Width multiplier for every layer but the last. Default: ${DEFAULT-VALUE}.")
    public double width;

    @Mixin
    public DataArgs data;

    @Option(names = "--mode", defaultValue = "fp32", paramLabel = "fp32|mp|mp-pulse|direct|qat",
            description = "fp32: software baseline. mp: the paper's mixed precision (forward on the crossbars, digital backward, "
                    + "updates accumulated and written with write-and-verify when they reach the threshold). "
                    + "mp-pulse: updates accumulated and written as n = trunc(acc / eps) pulses through the device response of "
                    + "the hardware's 'pulse' section (e.g. --hardware paper-table1-pulse). direct: every update written at once. "
                    + "qat: software training with weights fake-quantised to the chip's levels (no noise). Default: ${DEFAULT-VALUE}.")
    public String mode;

    @Option(names = "--hardware", defaultValue = "paper-chip", paramLabel = "NAME|FILE",
            description = "Chip for the mp and direct modes (see models/hardware/). Default: ${DEFAULT-VALUE}.")
    public String hardware;

    @Option(names = "--epochs", defaultValue = "10", description = "Default: ${DEFAULT-VALUE}.")
    public int epochs;

    @Option(names = "--batch", defaultValue = "64", description = "Minibatch size. Default: ${DEFAULT-VALUE}.")
    public int batch;

    @Option(names = "--steps-per-epoch", defaultValue = "0", paramLabel = "N",
            description = "Batches per epoch (0: one pass over the training set). More than one pass draws further "
                    + "seeded shuffles, as the paper's 400 random batches per epoch do. Default: ${DEFAULT-VALUE}.")
    public int stepsPerEpoch;

    @Option(names = "--optimizer", defaultValue = "adamw", paramLabel = "adamw|sgd", description = "Default: ${DEFAULT-VALUE}.")
    public String optimizer;

    @Option(names = "--lr", defaultValue = "0.001", description = "Learning rate. Default: ${DEFAULT-VALUE}.")
    public float lr;

    @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum. Default: ${DEFAULT-VALUE}.")
    public float momentum;

    @Option(names = "--weight-decay", defaultValue = "-1", paramLabel = "WD",
            description = "Weight decay (default: 0.01 for adamw as in PyTorch, 0 for sgd).")
    public float weightDecay;

    @Option(names = "--schedule", defaultValue = "constant", paramLabel = "constant|plateau|cosine",
            description = "Learning-rate schedule; plateau halves the rate after --patience epochs without test gain. Default: ${DEFAULT-VALUE}.")
    public String schedule;

    @Option(names = "--patience", defaultValue = "5", description = "Epochs without gain before plateau halves the rate. Default: ${DEFAULT-VALUE}.")
    public int patience;

    @Option(names = "--seed", defaultValue = "0", description = "Seeds weights and shuffling. Default: ${DEFAULT-VALUE}.")
    public long seed;

    @Option(names = "--eval-batch", defaultValue = "256", description = "Batch size for evaluation. Default: ${DEFAULT-VALUE}.")
    public int evalBatch;

    @Option(names = "--read-model", defaultValue = "auto", paramLabel = "auto|exact|aggregate",
            description = "How crossbar reads are simulated: exact (every bit-serial read and ADC conversion) or "
                    + "aggregate (one product and one noise draw per output with the reads' combined variance; faithful "
                    + "when ADC noise >= 0.5 LSB, ignores ADC saturation). auto: aggregate where faithful, exact for each layer whose sampled reads saturate the "
                    + "ADC more than 0.1%% of the time (in its first 4 batches, or in any later probe once training wrote it). "
                    + "Default: ${DEFAULT-VALUE}.")
    public String readModel;

    @Option(names = "--threads", defaultValue = "0", description = "CPU worker threads (0: all cores).")
    public int threads;

    @Mixin
    public BackendOption backend;

    @Option(names = "--out", paramLabel = "DIR", description = "Run folder (default: runs/MODEL-DATASET-MODE-sSEED-TIME).")
    public Path out;

    @Option(names = "--json", description = "End stdout with one JSON line summarising the run.")
    public boolean json;

    @Option(names = "--resume", paramLabel = "RUN_DIR",
            description = "Continue an interrupted run from its checkpoint (written after every epoch): same weights, "
                    + "devices, optimizer state, noise and data order as if it had not stopped (a run stopped before "
                    + "its first epoch ended starts again from the beginning, same seed). Every other option comes from "
                    + "the checkpoint: only --threads, --backend and --json may be given with --resume.")
    public Path resume;

    /**
     * The run's configuration from these options (checked by {@link TrainConfig}); a negative weight decay
     * means the optimizer's default (0.01 for adamw as in PyTorch, 0 for sgd).
     */
    public TrainConfig config() {
        // NaN is not negative and goes on to be refused
        float wd = weightDecay < 0 ? (optimizer.equals("sgd") ? 0f : 0.01f) : weightDecay;
        return new TrainConfig(model, width, data.dataset, Mode.of(mode), epochs, batch, optimizer, lr, momentum, wd,
                schedule, patience, seed, evalBatch, stepsPerEpoch, readModel);
    }
}
