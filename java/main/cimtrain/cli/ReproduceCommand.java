package cimtrain.cli;

import cimtrain.data.DataOptions;
import cimtrain.options.BackendOption;
import cimtrain.train.Mode;
import cimtrain.data.DataSplit;
import cimtrain.data.DatasetRegistry;
import cimtrain.experiment.LenetReproduction;
import cimtrain.experiment.RobustnessReproduction;
import cimtrain.experiment.Table2Reproduction;
import cimtrain.hardware.Hardware;
import cimtrain.hardware.HardwareSpec;
import cimtrain.model.ModelSpec;
import cimtrain.model.Models;
import cimtrain.train.ChipEvaluation;
import cimtrain.train.TrainConfig;
import cimtrain.util.Home;
import cimtrain.util.Json;
import cimtrain.util.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code cimtrain reproduce EXPERIMENT}: checks the options and runs one of the seed paper's experiments
 * (cimtrain.experiment: LenetReproduction, RobustnessReproduction, Table2Reproduction; the scaling study has
 * its own subcommand), then prints its figures as one JSON line when asked.
 */
@Command(name = "reproduce", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Reproduce an experiment of the seed paper (Wu et al., arXiv:2305.14547).",
                "lenet: lenet-paper on mnist-10k with the paper's recipe (AdamW, lr 0.004, batch 64, 13 epochs) on",
                "paper-chip in modes fp32, mp, direct and qat; writes README.md and results.csv to --out",
                "(default eval-reports/lenet-mnist).",
                "robustness: lenet-paper trained as fp32, qat and mp (same recipe), each model then programmed onto",
                "--chips fresh chips and tested (default eval-reports/robustness).",
                "table2: the paper's inference cost table beside the cost model's (default eval-reports/table2).",
                "scaling: VGG-8 and ResNet-18 as fp32, mp and qat, moved to new chips (its own options: reproduce scaling --help)."},
        subcommands = {ScalingCommand.class})
public final class ReproduceCommand implements Callable<Integer> {
    @Parameters(paramLabel = "EXPERIMENT", arity = "0..1", description = "lenet, robustness, table2 or scaling")
    String experiment;

    @Option(names = "--seeds", defaultValue = "3", description = "Seeds 0..K-1 per mode. Default: ${DEFAULT-VALUE}.")
    int seeds;

    @Option(names = "--modes", split = ",", defaultValue = "fp32,mp,direct,qat", description = "Default: ${DEFAULT-VALUE}.")
    List<String> modes;

    @Option(names = "--epochs", defaultValue = "13", description = "Default: ${DEFAULT-VALUE} (the paper's).")
    int epochs;

    @Option(names = "--read-model", defaultValue = "auto", paramLabel = "auto|exact|aggregate",
            description = "How crossbar reads are simulated (see train --help). Default: ${DEFAULT-VALUE}.")
    String readModel;

    @Option(names = "--hardware", defaultValue = "paper-chip", description = "Default: ${DEFAULT-VALUE}.")
    String hardware;

    @Option(names = "--steps-per-epoch", defaultValue = "400",
            description = "Batches per epoch: the paper's 400 random batches (0: one pass over the 8,000 digits). Default: ${DEFAULT-VALUE}.")
    int stepsPerEpoch;

    @Option(names = "--chips", defaultValue = "10", description = "robustness: fresh chips per trained model. Default: ${DEFAULT-VALUE}.")
    int chips;

    @Option(names = "--programming-error", paramLabel = "S",
            description = "robustness: write error of the new chips, level spacings (default: the hardware's own).")
    Double programmingError;

    @Option(names = "--out", paramLabel = "DIR", description = "Report folder (default: eval-reports/EXPERIMENT).")
    Path out;

    @Option(names = "--threads", defaultValue = "0", description = "CPU worker threads (0: all cores).")
    int threads;

    @Option(names = "--json", description = "End stdout with one JSON line holding each mode's figures.")
    boolean json;

    @picocli.CommandLine.Mixin
    BackendOption backend;

    @Override
    public Integer call() throws IOException {
        backend.select();
        if (experiment == null) {
            throw new UserError("name an experiment: lenet, robustness, table2 or scaling (see 'cimtrain reproduce --help')");
        }
        if (!List.of("lenet", "robustness", "table2").contains(experiment)) {
            throw new UserError("unknown experiment '" + experiment + "' (known: lenet, robustness, table2, scaling)");
        }
        if (experiment.equals("table2")) {
            Path dir = out != null ? out : Home.root().resolve("eval-reports/table2");
            Files.createDirectories(dir);
            Map<String, Object> models = Table2Reproduction.run(dir, Hardware.load(hardware), 8,
                    "cimtrain reproduce table2 --hardware " + hardware + outOption(), new ConsoleListener(backend));
            if (json) {
                System.out.println(Json.line(Map.of("experiment", "table2", "models", models)));
            }
            return 0;
        }
        if (chips < 1) {
            throw new UserError("--chips must be at least 1");
        }
        if (seeds < 1 || epochs < 1) {
            throw new UserError("--seeds and --epochs must be at least 1");
        }
        for (String m : modes) {
            if (!Mode.labels().contains(m)) {
                throw new UserError("--modes: unknown mode '" + m + "' (known: " + String.join(", ", Mode.labels()) + ")");
            }
        }
        ModelSpec spec = Models.load(LenetReproduction.MODEL);
        HardwareSpec hw = Hardware.load(hardware);
        DataSplit split = DatasetRegistry.load(LenetReproduction.DATASET, null, DataOptions.NONE);
        int nThreads = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        if (experiment.equals("robustness")) {
            Path dir = out != null ? out : Home.root().resolve("eval-reports/robustness");
            HardwareSpec newChips = ChipEvaluation.withOverrides(hw, programmingError, null, null, null);
            String command = "cimtrain reproduce robustness --seeds " + seeds + " --chips " + chips + " --epochs " + epochs
                    + " --steps-per-epoch " + stepsPerEpoch + " --hardware " + hardware
                    + (programmingError != null ? " --programming-error " + programmingError : "") + " --read-model " + readModel
                    + outOption();
            Map<String, Object> byMode = new RobustnessReproduction(seeds, chips, epochs, stepsPerEpoch, hw, newChips,
                    readModel, command).run(dir, spec, split, ConsoleListener.context(backend, nThreads));
            if (json) {
                System.out.println(Json.line(Map.of("experiment", "robustness", "modes", byMode)));
            }
            return 0;
        }
        Path dir = out != null ? out : Home.root().resolve("eval-reports/lenet-mnist");
        String command = "cimtrain reproduce lenet --seeds " + seeds + " --modes " + String.join(",", modes) + " --epochs "
                + epochs + " --steps-per-epoch " + stepsPerEpoch + " --hardware " + hardware + " --read-model " + readModel
                + outOption();
        Map<String, Object> byMode = new LenetReproduction(modes.stream().map(Mode::of).toList(), seeds, epochs, stepsPerEpoch, hw, readModel,
                command).run(dir, spec, split, ConsoleListener.context(backend, nThreads));
        if (json) {
            System.out.println(Json.line(Map.of("experiment", "lenet", "modes", byMode)));
        }
        return 0;
    }

    /** The --out option as the report's command line should show it: none for the default folder. */
    private String outOption() {
        if (out == null) {
            return "";
        }
        Path abs = out.toAbsolutePath().normalize();
        Path root = Home.root().toAbsolutePath().normalize();
        return " --out " + (abs.startsWith(root) ? root.relativize(abs) : abs);
    }
}
