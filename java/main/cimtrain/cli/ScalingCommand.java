package cimtrain.cli;

import cimtrain.data.DatasetRegistry;
import cimtrain.options.BackendOption;
import cimtrain.experiment.Budget;
import cimtrain.experiment.ScalingPlan;
import cimtrain.experiment.ScalingReport;
import cimtrain.experiment.ScalingStudy;
import cimtrain.experiment.StudyRun;
import cimtrain.hardware.Hardware;
import cimtrain.model.Models;
import cimtrain.tile.Chip;
import cimtrain.train.TrainConfig;
import cimtrain.util.Home;
import cimtrain.util.Json;
import cimtrain.util.MachineInfo;
import cimtrain.util.SettingError;
import cimtrain.util.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code cimtrain reproduce scaling}: the paper's larger-network experiment. VGG-8 and ResNet-18 trained
 * as fp32, mp and qat on the Table 1 hardware, moved to new chips, priced per image, into one report.
 */
@Command(name = "scaling", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The paper's scaling study: each model trained as fp32, mp (on --hardware) and qat with the paper's",
                "recipe (AdamW, lr 0.003 halved after 5 epochs without test gain, batch 64), each trained model then",
                "moved to fresh chips, and the cost of an image; writes README.md, results.csv, results.json and",
                "report/ (plots) to --out. Interrupted studies continue where they stopped (run it again).",
                "Budgets: quick (width 0.125, the first 6,000 training and 2,000 test images, 12 epochs, patience 2,",
                "5 new chips; VGG-8, a third of ResNet-18's cost per image, trains for 20 epochs; under 30 minutes",
                "on 2 CPU cores per seed) or full (the paper's: full width, all images, 100",
                "epochs, patience 5, 10 chips; GPU work). --width, --epochs, --train-limit, --test-limit, --chips and",
                "--patience override a budget's figure (for every model).",
                "Example: cimtrain reproduce scaling --budget quick --dry-run"})
public final class ScalingCommand implements Callable<Integer> {
    @Option(names = "--models", split = ",", defaultValue = "vgg8,resnet18", paramLabel = "M[,M...]",
            description = "Networks (models/networks/). Default: ${DEFAULT-VALUE}.")
    List<String> models;

    @Option(names = "--dataset", paramLabel = "NAME",
            description = "Default: cifar10 when --data is given (the paper's), else fashion-mnist (Debian package) at 32x32.")
    String dataset;

    @Option(names = "--data", paramLabel = "DIR", description = "Folder holding the dataset's files (CIFAR-10 binary version).")
    Path data;

    @Option(names = "--budget", defaultValue = "quick", paramLabel = "quick|full", description = "Default: ${DEFAULT-VALUE}.")
    String budget;

    @Option(names = "--seeds", defaultValue = "1", description = "Training runs per model and mode (seeds 0..K-1). Default: ${DEFAULT-VALUE}.")
    int seeds;

    @Option(names = "--width", paramLabel = "W", description = "Override the budget's width multiplier.")
    Double width;

    @Option(names = "--epochs", paramLabel = "N", description = "Override the budget's epochs.")
    Integer epochs;

    @Option(names = "--train-limit", paramLabel = "N", description = "Override the budget's training images (0: all).")
    Integer trainLimit;

    @Option(names = "--test-limit", paramLabel = "N", description = "Override the budget's test images (0: all).")
    Integer testLimit;

    @Option(names = "--chips", paramLabel = "N", description = "Override the budget's new chips per trained model.")
    Integer chips;

    @Option(names = "--patience", paramLabel = "N", description = "Override the budget's epochs without gain before the rate halves.")
    Integer patience;

    @Option(names = "--hardware", defaultValue = "paper-table1",
            description = "Chip trained on and moved to. Default: ${DEFAULT-VALUE} (the paper's Table 1).")
    String hardware;

    @Option(names = "--cost-hardware", defaultValue = "paper-chip",
            description = "Chip whose per-operation figures price an image. Default: ${DEFAULT-VALUE}.")
    String costHardware;

    @Option(names = "--read-model", defaultValue = "auto", paramLabel = "auto|exact|aggregate",
            description = "How crossbar reads are simulated (see train --help). Default: ${DEFAULT-VALUE}.")
    String readModel;

    @Option(names = "--out", paramLabel = "DIR", description = "Study folder (default: eval-reports/scaling).")
    Path out;

    @Option(names = "--threads", defaultValue = "0", description = "CPU worker threads (0: all cores).")
    int threads;

    @picocli.CommandLine.Mixin
    BackendOption backend;

    @Option(names = "--dry-run", description = "List every run with its settings; train nothing.")
    boolean dryRun;

    @Option(names = "--json", description = "End stdout with one JSON line (the runs with --dry-run, else the figures).")
    boolean json;

    @Override
    public Integer call() {
        ScalingPlan plan = plan();
        Path dir = out != null ? out : Home.root().resolve("eval-reports/scaling");
        if (dryRun) {
            return dryRun(plan, dir);
        }
        backend.select();
        int nThreads = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        ScalingStudy study = new ScalingStudy(plan, dir, ConsoleListener.context(backend, nThreads));
        ScalingStudy.Results results;
        try {
            results = study.execute();
        } catch (ScalingStudy.FolderHoldsAnotherStudy e) {
            throw new UserError(e.getMessage() + "; use another --out, or delete the folder to start again", e);
        }
        String machine = MachineInfo.machine();
        Map<String, Object> figures = new ScalingReport(plan, results, command(), machine,
                MachineInfo.commit(Home.root())).write(dir);
        Path report = study.buildRunsReport();
        System.out.printf(Locale.ROOT, "study written to %s (README.md, results.csv, results.json; plots in %s)%n", dir, report);
        if (json) {
            System.out.println(Json.line(figures));
        }
        return 0;
    }

    /** Checks every input and builds the plan; nothing is written. */
    ScalingPlan plan() {
        if (seeds < 1) {
            throw new UserError("--seeds must be at least 1");
        }
        for (String m : models) {
            Models.load(m); // one clear line for an unknown network
        }
        if (models.isEmpty() || models.stream().distinct().count() != models.size()) {
            throw new UserError("--models must name each network once");
        }
        String ds = dataset != null ? dataset : data != null ? DatasetRegistry.CIFAR10 : DatasetRegistry.FASHION_MNIST;
        if (!DatasetRegistry.names().contains(ds)) {
            throw new UserError("unknown dataset '" + ds + "': known datasets are " + String.join(", ", DatasetRegistry.names()));
        }
        Hardware.load(hardware);
        Hardware.load(costHardware);
        if (!Chip.READ_MODELS.contains(readModel)) {
            throw new UserError("--read-model must be one of " + String.join(", ", Chip.READ_MODELS) + ", got '" + readModel + "'");
        }
        Budget b;
        try {
            b = Budget.of(budget).with(width, trainLimit, testLimit, epochs, chips, patience);
        } catch (SettingError e) {
            throw new UserError(e.message(setting -> "--" + setting.replace('_', '-')), e); // the budget's settings are this command's options
        }
        return new ScalingPlan(List.copyOf(models), ds, data, b, seeds, hardware, costHardware, readModel);
    }

    private int dryRun(ScalingPlan plan, Path dir) {
        Budget b = plan.budget();
        System.out.printf(Locale.ROOT, "scaling study (%s budget) into %s: %s at 32x32, width %s, %s test images, "
                        + "then %d new %s chips per trained model; cost on %s%n", b.name(), dir,
                plan.dataset(), b.width(), b.testLimit() == 0 ? "all" : String.valueOf(b.testLimit()), b.chips(),
                plan.hardware(), plan.costHardware());
        System.out.printf(Locale.ROOT, "%-4s %-22s %-9s %-5s %-5s %-13s %-7s %-6s %-6s %-8s %s%n", "#", "run", "model", "mode",
                "seed", "hardware", "images", "epochs", "batch", "lr", "schedule");
        List<Map<String, Object>> listed = new ArrayList<>();
        List<StudyRun> runs = plan.runs();
        for (int i = 0; i < runs.size(); i++) {
            StudyRun r = runs.get(i);
            TrainConfig c = plan.config(r);
            String hw = plan.hardwareOf(r) == null ? "-" : plan.hardwareOf(r);
            int images = b.trainLimit(r.model());
            System.out.printf(Locale.ROOT, "%-4d %-22s %-9s %-5s %-5d %-13s %-7s %-6d %-6d %-8s plateau/%d%n", i + 1, r.id(),
                    r.model(), r.mode(), r.seed(), hw, images == 0 ? "all" : String.valueOf(images), c.epochs(), c.batch(),
                    c.lr(), c.patience());
            Map<String, Object> m = plan.describe(r);
            listed.add(m);
        }
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("experiment", "scaling");
            o.put("dry_run", true);
            o.put("settings", plan.settings());
            o.put("runs", listed);
            System.out.println(Json.line(o));
        }
        return 0;
    }

    /** The command line that reproduces this study. */
    private String command() {
        StringBuilder s = new StringBuilder("cimtrain reproduce scaling --models ").append(String.join(",", models))
                .append(" --budget ").append(budget).append(" --seeds ").append(seeds);
        if (dataset != null) {
            s.append(" --dataset ").append(dataset);
        }
        if (data != null) {
            s.append(" --data ").append(data);
        }
        append(s, "--width", width);
        append(s, "--epochs", epochs);
        append(s, "--train-limit", trainLimit);
        append(s, "--test-limit", testLimit);
        append(s, "--chips", chips);
        append(s, "--patience", patience);
        if (!hardware.equals("paper-table1")) {
            s.append(" --hardware ").append(hardware);
        }
        if (!costHardware.equals("paper-chip")) {
            s.append(" --cost-hardware ").append(costHardware);
        }
        if (!backend.backend.equals("auto")) {
            s.append(" --backend ").append(backend.backend);
        }
        if (!readModel.equals("auto")) {
            s.append(" --read-model ").append(readModel);
        }
        if (out != null) {
            s.append(" --out ").append(out);
        }
        return s.toString();
    }

    private static void append(StringBuilder s, String option, Object value) {
        if (value != null) {
            s.append(' ').append(option).append(' ').append(value);
        }
    }
}
