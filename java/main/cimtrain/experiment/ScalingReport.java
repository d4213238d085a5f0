package cimtrain.experiment;

import cimtrain.train.Mode;
import cimtrain.experiment.ScalingFigures.ModeFigures;
import cimtrain.hardware.HardwareSpec;
import cimtrain.report.MarkdownTable;
import cimtrain.report.ReportHeader;
import cimtrain.train.ChipEvaluation;
import cimtrain.util.AtomicFiles;
import cimtrain.util.Json;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

import static cimtrain.experiment.Records.num;

/**
 * The study's own report: README.md (tables beside the paper's figures, and every cut of the budget
 * stated), with results.csv and results.json (ScalingFigures). The generic run report (plots, training
 * curves) is made beside it by the report machinery. Over 400 lines: one document of seven sections, a
 * method each, which would only scatter if split.
 */
public final class ScalingReport {
    /** The paper's figures (paper-spec.md): mp accuracy, software accuracy, Table 2 energy and latency. */
    private static final Map<String, String[]> PAPER = Map.of(
            "vgg8", new String[]{"86.51", "87.41 (0.9 above mp)", "0.023 mJ", "1.94 ms", "loses < 2 points"},
            "resnet18", new String[]{"93.18", "93.18 (same as mp)", "0.24 mJ", "4.9 ms", "loses almost nothing"});

    private final ScalingPlan plan;
    private final ScalingStudy.Results results;
    private final ScalingFigures figures;
    private final String command;
    private final String machine;
    private final String commit;

    public ScalingReport(ScalingPlan plan, ScalingStudy.Results results, String command, String machine, String commit) {
        this.plan = plan;
        this.results = results;
        this.figures = new ScalingFigures(plan, results);
        this.command = command;
        this.machine = machine;
        this.commit = commit;
    }

    /** Writes README.md, results.csv and results.json into the study folder; returns results.json's object. */
    public Map<String, Object> write(Path dir) {
        AtomicFiles.writeString(dir.resolve("results.csv"), figures.csv());
        Map<String, Object> json = figures.json();
        if (results.computed() == 0) {
            // a rerun that computed nothing keeps the time of the invocation that did the work
            Map<String, Object> before = Records.readOrNull(dir.resolve("results.json"));
            if (before != null && before.get("seconds") != null) {
                json.put("seconds", before.get("seconds"));
            }
        }
        AtomicFiles.writeString(dir.resolve("results.json"), Json.pretty(json));
        AtomicFiles.writeString(dir.resolve("README.md"), markdown(dir.resolve("README.md")));
        return json;
    }

    /** The answer: mp's gap to fp32 and write reduction, and what each mode loses on new chips, per model. */
    String answer() {
        List<String> gaps = new ArrayList<>(), moved = new ArrayList<>();
        boolean within = true, least = true;
        for (String model : plan.models()) {
            ModeFigures fp32 = figures.find(model, Mode.FP32), mp = figures.find(model, Mode.MP), qat = figures.find(model, Mode.QAT);
            if (fp32 == null || mp == null) {
                continue;
            }
            double gap = 100 * (mp.trained().mean() - fp32.trained().mean());
            within &= gap >= -2;
            gaps.add(String.format(Locale.ROOT, "%s %+.2f points, %.0fx fewer writes", model, gap, mp.reduction()));
            least &= mp.loss() < fp32.loss() && (qat == null || mp.loss() < qat.loss());
            moved.add(String.format(Locale.ROOT, "%s fp32 %+.2f, %smp %+.2f", model, -100 * fp32.loss(),
                    qat == null ? "" : String.format(Locale.ROOT, "qat %+.2f, ", -100 * qat.loss()), -100 * mp.loss()));
        }
        return "mp against fp32: " + String.join("; ", gaps) + (within ? " (within 2 points for every model)" : " (not "
                + "within 2 points for every model)") + ". On " + plan.budget().chips() + " new chips: "
                + String.join("; ", moved) + " points (" + (least ? "mp loses least for every model" : "mp does not lose "
                + "least for every model") + ")." + (plan.budget().name().equals(Budget.QUICK) ? " The quick budget only; "
                + "the full budget (full width, CIFAR-10, 100 epochs) is another run." : "");
    }

    private String markdown(Path readme) {
        Budget b = plan.budget();
        StringBuilder md = new StringBuilder();
        md.append(ReportHeader.opening("Scaling study: " + String.join(", ", plan.models()) + " on the simulated chip vs fp32",
                "Does mp scale to " + String.join(" and ", plan.models()) + " (within 2 points of fp32), and does it lose "
                        + "least when the models move to new chips? The " + b.name() + " budget: width " + b.width()
                        + ", " + plan.dataset() + ".", answer()));
        String when = ReportHeader.when(commit);
        String fresh = ReportHeader.madeBy(command, when) + ", " + machine + ", " + backendsUsed() + "; the study took "
                + String.format(Locale.ROOT, "%.0f s", results.seconds())
                + " in this invocation (runs reused from an earlier one are not counted).";
        md.append(ReportHeader.madeBy(readme, fresh, results.computed() == 0, "`" + command + "` on " + when
                + ", which trained and measured nothing: every result above was reused.")).append("\n\n");
        md.append("Every model is trained as fp32 (software), mp (the paper's mixed precision on `").append(plan.hardware())
                .append("`: forward on the crossbars, digital backward, updates accumulated and written with write-and-verify "
                        + "when they reach the threshold) and qat (software, weights rounded to the chip's levels), with the "
                        + "paper's recipe: AdamW, lr 0.003 halved after a number of epochs without test gain (below), batch 64. "
                        + "Seeds 0..")
                .append(plan.seeds() - 1).append(". Crossbar reads use the ").append(plan.readModel()).append(" read model.\n\n");
        md.append("## Data and budget\n\n").append(dataStatement()).append("\n\n").append(budgetSection());
        md.append("## Accuracy and writes\n\n").append(accuracySection());
        md.append("## Moved to new chips\n\n").append(newChipSection()).append(recalibrationSection());
        md.append("\n## What the study shows\n\n").append(showsSection());
        md.append("\n## Cost of an image\n\n").append(costSection());
        md.append("\n## Memory\n\n").append(memorySection());
        return md.toString();
    }

    /** The budget beside the paper's settings, and why VGG-8 trains longer within the quick one. */
    private String budgetSection() {
        Budget b = plan.budget();
        MarkdownTable t = new MarkdownTable("setting", "here (`" + b.name() + "`)", "the paper");
        t.row("network width", b.width() + (b.width() == 1.0 ? " (full)" : " of every layer but the last"), "full");
        t.row("training images", perModel(m -> {
            int n = b.trainLimit(m);
            return n == 0 ? "all" : String.format(Locale.ROOT, "the first %,d", n);
        }), "all 50,000 (CIFAR-10)");
        t.row("test images (per epoch and on new chips)",
                b.testLimit() == 0 ? "all" : String.format(Locale.ROOT, "the first %,d", b.testLimit()), "all 10,000");
        t.row("epochs", perModel(m -> String.valueOf(b.epochs(m))), "100");
        t.row("epochs without test gain before the rate halves", b.patience(), "5");
        t.row("training runs per mode", plan.seeds(), "10");
        t.row("new chips per trained model", b.chips(), "10");
        String text = t + "\n";
        if (!b.perModel().isEmpty() && b.name().equals(Budget.QUICK)) {
            text += "Within the quick budget VGG-8, about a third of ResNet-18's cost per image, trains on more images "
                    + "for more epochs: the mixed-precision runs move a weight only once its accumulated updates reach a "
                    + "level, and a few hundred steps stop them far from convergence (see the archived studies in "
                    + "`eval-reports/README.md` and the record in `CHANGELOG.md`).\n\n";
        }
        return text;
    }

    private String accuracySection() {
        MarkdownTable t = new MarkdownTable("model", "mode", "test accuracy %", "delta to fp32 (points)",
                "writes per weight (mean / max)", "training steps", "steps per write", "write reduction", "the paper");
        for (ModeFigures f : figures.modes()) {
            String[] paper = PAPER.get(f.model());
            String paperCell = paper == null ? "-" : switch (f.mode()) {
                case FP32 -> paper[1];
                case MP -> paper[0] + "; < 100 writes per weight, ~1000x fewer writes";
                default -> "-";
            };
            boolean writes = !Double.isNaN(f.writesMean());
            t.row(f.model(), f.mode(), meanSpread(f.trained()), f.mode() == Mode.FP32 ? "-"
                            : String.format(Locale.ROOT, "%+.2f", 100 * (f.trained().mean() - figures.fp32Mean(f.model()))),
                    writes ? String.format(Locale.ROOT, "%.1f / %.0f", f.writesMean(), f.writesMax()) : "-",
                    writes ? String.format(Locale.ROOT, "%,d", f.steps()) : "-",
                    writes ? String.format(Locale.ROOT, "%.0f", f.steps() / f.writesMean()) : "-",
                    writes ? String.format(Locale.ROOT, "%.0fx", f.reduction()) : "-", paperCell);
        }
        return t + "\nTest accuracy: final epoch, on the chip for mp (fresh read noise on every read), in software for fp32 "
                + "and qat; mean +- sample standard deviation over seeds where there are several. Writes per weight: "
                + "write-and-verify operations on a weight's device pair after the initial mapping. Steps per write: the "
                + "training steps divided by the mean writes per weight. Write reduction: the non-zero optimizer updates "
                + "(what writing every update would write) divided by the writes made.\n\n";
    }

    /** The new-chip test per model and mode, with the ADC's saturation and the exact-read check where measured. */
    private String newChipSection() {
        Budget b = plan.budget();
        StringBuilder md = new StringBuilder();
        md.append("Each trained model is programmed onto the same ").append(b.chips()).append(" fresh `").append(plan.hardware())
                .append("` chips (chip seeds ").append(ScalingPlan.FIRST_CHIP_SEED).append("..")
                .append(ScalingPlan.FIRST_CHIP_SEED + b.chips() - 1)
                .append(": new programming error, fresh read noise on every read) and tested. mp models are programmed to "
                        + "their high-precision copy W_FP with the tile scale factors they were trained with; fp32 and qat "
                        + "models are mapped anew, each tile's largest weight at 1/inference_headroom of the range (")
                .append(BigDecimal.valueOf(results.hardware().scale().inferenceHeadroom())
                        .stripTrailingZeros().toPlainString()).append(").\n\n");
        boolean exact = results.runs().stream().anyMatch(r -> r.newChips().containsKey(ScalingStudy.EXACT_READS));
        boolean clipped = results.runs().stream().anyMatch(r -> r.newChips().get("adc_saturated_fraction") != null);
        List<String> headers = new ArrayList<>(List.of("model", "trained as", "trained accuracy %",
                "on new chips % (mean +- std over chips)", "change (points)", "the paper"));
        if (clipped) {
            headers.add("ADC conversions saturated on new chips %");
        }
        if (exact) {
            headers.add("first new chip, exact reads %");
        }
        MarkdownTable t = new MarkdownTable(headers);
        for (ModeFigures f : figures.modes()) {
            String[] paper = PAPER.get(f.model());
            double[] chips = figures.chipAccuracies(f.model(), f.mode());
            ChipEvaluation.Result all = ChipEvaluation.summarise(chips, new long[chips.length]);
            List<String> cells = new ArrayList<>(List.of(f.model(), f.mode().label(),
                    percent(f.trained().mean()),
                    String.format(Locale.ROOT, "%.2f +- %.2f", 100 * all.mean(), 100 * all.std()),
                    String.format(Locale.ROOT, "%+.2f", -100 * f.loss()),
                    paper == null ? "-" : f.mode() == Mode.MP ? paper[4] : "loses much accuracy"));
            if (clipped) {
                double sat = figures.runsOf(f.model(), f.mode()).stream().map(r -> r.newChips().get("adc_saturated_fraction"))
                        .filter(Objects::nonNull).mapToDouble(o -> ((Number) o).doubleValue()).average().orElse(Double.NaN);
                cells.add(Double.isNaN(sat) ? "-" : String.format(Locale.ROOT, "%.3g", 100 * sat));
            }
            if (exact) {
                cells.add(percent(figures.exactMean(f.model(), f.mode())));
            }
            t.row(cells);
        }
        md.append(t);
        if (exact) {
            md.append(saturationNote());
        }
        return md.toString();
    }

    private String saturationNote() {
        String why = results.runs().stream().map(r -> r.newChips().get(ScalingStudy.EXACT_READS))
                .filter(Objects::nonNull).map(o -> String.valueOf(((Map<?, ?>) o).get("why"))).findFirst().orElse("");
        HardwareSpec.AdcSpec adc = results.hardware().adc();
        return "\n**ADC saturation.** " + why + " in the worst case. This chip senses "
                + (adc.differential() ? "differentially (I+ - I- converted once over [-full scale, +full scale])"
                : adc.offsetCancel() ? "single-ended with the G_min offset cancelled"
                : "single-ended (each column over [0, full scale], G_min baseline included)")
                + ". The read model (" + plan.readModel() + ") and the measured clipping: with `auto`, "
                + "a layer whose first 4 batches, or in training any later probe of 4 sampled batches, saturate more "
                + "than 0.1% of the ADC's conversions is read exactly from there on (a run's `exact_from_batch`), "
                + "the others with the aggregate model, whose clipping is measured on a sample of exact reads "
                + "(each run's `clipping.csv` and `summary.json`). The saturated column gives the fraction of "
                + "the new chips' conversions beyond the ADC's range; the last column reads the first new "
                + "chip with the exact model in every layer (every bit-serial read converted one by one, "
                + "clipped at the range's ends): where it agrees with the new-chip figures within their "
                + "spread, the aggregate reads left nothing out that matters.\n";
    }

    /** Per model: mp against fp32 and the 2-point goal, what each mode loses on new chips, and the writes. */
    private String showsSection() {
        StringBuilder md = new StringBuilder();
        for (String model : plan.models()) {
            ModeFigures fp32 = figures.find(model, Mode.FP32), mp = figures.find(model, Mode.MP), qat = figures.find(model, Mode.QAT);
            if (fp32 == null || mp == null || qat == null) {
                continue;
            }
            double gap = 100 * (mp.trained().mean() - fp32.trained().mean());
            md.append(String.format(Locale.ROOT, "- **%s**: mp is %.2f points %s fp32 (%s the 2-point goal); moved to new chips "
                            + "fp32 changes by %+.2f, qat by %+.2f, mp by %+.2f points (%s); each weight was written %.1f times "
                            + "on average in %,d steps, one write per %.0f steps, %.0fx fewer writes than writing every update.%n",
                    model, Math.abs(gap), gap < 0 ? "below" : "above", Math.abs(gap) <= 2 ? "within" : "outside",
                    -100 * fp32.loss(), -100 * qat.loss(), -100 * mp.loss(),
                    mpLosesLeast(fp32.loss(), qat.loss(), mp.loss()),
                    mp.writesMean(), mp.steps(), mp.steps() / mp.writesMean(), mp.reduction()));
            double rf = figures.recalibratedMean(model, Mode.FP32), rq = figures.recalibratedMean(model, Mode.QAT),
                    rm = figures.recalibratedMean(model, Mode.MP);
            if (!Double.isNaN(rf) && !Double.isNaN(rq) && !Double.isNaN(rm)) {
                double lf = fp32.trained().mean() - rf, lq = qat.trained().mean() - rq, lm = mp.trained().mean() - rm;
                md.append(String.format(Locale.ROOT, "  With batch norm recalibrated on each new chip (not in the paper) "
                                + "fp32 changes by %+.2f, qat by %+.2f, mp by %+.2f points (%s).%n", -100 * lf, -100 * lq, -100 * lm,
                        mpLosesLeast(lf, lq, lm)));
            }
        }
        return md.toString();
    }

    @SuppressWarnings("unchecked")
    private String costSection() {
        StringBuilder s = new StringBuilder();
        s.append("From the mapping of each network onto `").append(plan.costHardware()).append("` (whose per-operation "
                        + "figures the paper gives: energy and time of one full-tile VMM) by the cost model of `cimtrain cost`; `")
                .append(plan.hardware()).append("` gives no per-operation figures. Per inference image; pipelined with 8 copies "
                        + "of every layer's tiles.\n\n");
        MarkdownTable t = new MarkdownTable("model", "width", "devices", "crossbars", "tile ops", "energy per image", "latency",
                "pipelined", "pipelined + 8 copies", "the paper (Table 2)");
        for (var e : results.cost().entrySet()) {
            String[] paper = PAPER.get(e.getKey());
            for (var w : e.getValue().entrySet()) {
                Map<String, Object> c = (Map<String, Object>) w.getValue();
                t.row(e.getKey(), c.get("width"), count(c, "devices"), count(c, "crossbars"), count(c, "tile_ops"),
                        String.format(Locale.ROOT, "%.3f uJ", 1e6 * num(c, "energy_per_image_j")),
                        milliseconds(c, "latency_per_image_s"), milliseconds(c, "pipelined_latency_s"),
                        milliseconds(c, "pipelined_with_copies_latency_s"),
                        paper == null || num(c, "width") != 1.0 ? "-" : paper[2] + ", " + paper[3]);
            }
        }
        s.append(t).append("\nThe paper's VGG-8 and ResNet-18 rows do not follow from its per-tile figures with the usual CIFAR "
                + "widths (its assumptions are not given; see `eval-reports/table2/`), so the full-width rows here are the "
                + "cost model's, not a reproduction of them.\n");
        return s.toString();
    }

    private static String count(Map<String, Object> m, String key) {
        return String.format(Locale.ROOT, "%,d", (long) num(m, key));
    }

    private static String milliseconds(Map<String, Object> m, String seconds) {
        return String.format(Locale.ROOT, "%.3f ms", 1e3 * num(m, seconds));
    }

    /** Peak memory of every run's training, and where the run folders and files are. */
    private String memorySection() {
        boolean gpu = results.runs().stream().anyMatch(r -> !Double.isNaN(num(r.memory(), "gpu_peak_bytes")));
        MarkdownTable t = new MarkdownTable("run", "backend", "peak heap (MiB)", "peak resident (MiB)",
                "peak GPU memory (MiB)", "train samples/s");
        for (ScalingStudy.RunResult r : results.runs()) {
            t.row(r.run().id(), backendOf(r), mib(r.memory(), "peak_heap_bytes"), mib(r.memory(), "peak_rss_bytes"),
                    mib(r.memory(), "gpu_peak_bytes"), String.format(Locale.ROOT, "%,.0f", num(r.summary(), "train_samples_per_s")));
        }
        return "Peak Java heap (sum of the heap pools' peaks) and peak resident set of the process while each run "
                + "trained; the resident set also holds heap committed for earlier runs of the same process, so it "
                + "overstates later runs. "
                + (gpu ? "Peak GPU memory: the most the CUDA backend's tensors held at once during the run (the "
                        + "driver's own context is not counted).\n\n"
                        : "No GPU was used (CPU backend), so no GPU memory is recorded.\n\n")
                + t
                + "\nEvery run folder (config, metrics per epoch, checkpoint, writes, the new-chip figures in newchips.json, "
                + "memory.json) is under `runs/`; `results.csv` has one line per run, `results.json` the figures per model "
                + "and mode; `report/` holds the plots and tables made from the run folders by `cimtrain report`.\n";
    }

    /**
     * The new-chip test repeated with batch-norm statistics re-estimated on each chip, for the models that
     * normalise; empty when no run has it.
     */
    private String recalibrationSection() {
        List<ModeFigures> with = figures.modes().stream()
                .filter(f -> !Double.isNaN(figures.recalibratedMean(f.model(), f.mode()))).toList();
        if (with.isEmpty()) {
            return "";
        }
        Map<?, ?> any = results.runs().stream().map(r -> r.newChips().get(ScalingStudy.BN_RECALIBRATED))
                .filter(o -> o instanceof Map<?, ?>).map(o -> (Map<?, ?>) o).findFirst().orElseThrow();
        MarkdownTable t = new MarkdownTable("model", "trained as", "trained accuracy %", "on new chips %",
                "recalibrated on new chips %", "change (points)");
        for (ModeFigures f : with) {
            double recal = figures.recalibratedMean(f.model(), f.mode());
            t.row(f.model(), f.mode(), percent(f.trained().mean()), percent(f.moved().mean()), percent(recal),
                    String.format(Locale.ROOT, "%+.2f", 100 * (recal - f.trained().mean())));
        }
        return "\n**Batch norm recalibrated on the new chip.** A model's batch-norm running statistics were measured "
                + "through the chip it trained on (or in software); a new chip's programming errors shift each channel's "
                + "mean and spread before normalisation, which those statistics then no longer cancel. Here each of the same "
                + "new chips first reads " + any.get("batches") + " batches of " + any.get("batch")
                + " of the run's own training images (forward only: no label used, no device written) and the "
                + "running statistics become their average (`cimtrain evaluate --recalibrate-bn N` does the same). "
                + "The seed paper describes no such step; the table above is its protocol.\n\n" + t;
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.2f", 100 * fraction);
    }

    /** One figure of the budget: the value when every model has the same, else "model: value" for each. */
    private String perModel(Function<String, String> figure) {
        List<String> values = plan.models().stream().map(figure).toList();
        if (values.stream().distinct().count() == 1) {
            return values.get(0);
        }
        List<String> cells = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            cells.add(plan.models().get(i) + ": " + values.get(i));
        }
        return String.join("; ", cells);
    }

    private String dataStatement() {
        return switch (plan.dataset()) {
            case "cifar10" -> "Dataset: CIFAR-10 from `" + plan.dataDir() + "`, as in the paper.";
            case "fashion-mnist" -> "Dataset: **Fashion-MNIST, not CIFAR-10** (the paper's): CIFAR-10 was not given "
                    + "(`--data DIR` with the CIFAR-10 binary files selects it), and Fashion-MNIST is a real 10-class "
                    + "image set at hand here (Debian's `dataset-fashion-mnist`). Its 28x28 grey images are centred on a "
                    + "32x32 black canvas and the grey channel copied to the three input channels the networks take. "
                    + "Accuracies are therefore not comparable with the paper's CIFAR-10 figures; the comparisons that "
                    + "carry over are mp against fp32, and each mode's loss on new chips.";
            default -> "Dataset: `" + plan.dataset() + "` at 32x32 (not the paper's CIFAR-10), so accuracies are not "
                    + "comparable with the paper's; mp against fp32 and the losses on new chips are.";
        };
    }

    /** The paper's robustness ordering, in words: both fp32 and qat lose more on new chips than mp. */
    private static String mpLosesLeast(double fp32Loss, double qatLoss, double mpLoss) {
        return fp32Loss > mpLoss && qatLoss > mpLoss ? "fp32 and qat lose more than mp"
                : "NOT both fp32 and qat losing more than mp";
    }

    private static String meanSpread(ChipEvaluation.Result r) {
        return r.accuracies().length > 1 ? String.format(Locale.ROOT, "%.2f +- %.2f", 100 * r.mean(), 100 * r.std())
                : percent(r.mean());
    }

    /** Which backend trained a run, as its summary records it. */
    private static String backendOf(ScalingStudy.RunResult r) {
        Object b = r.summary() == null ? null : r.summary().get("backend");
        return b == null ? "-" : b.toString();
    }

    /** "CPU backend", "CUDA backend" or both, from what the runs record (never assumed). */
    private String backendsUsed() {
        java.util.Set<String> used = new java.util.TreeSet<>();
        for (ScalingStudy.RunResult r : results.runs()) {
            String b = backendOf(r);
            if (!b.equals("-")) {
                used.add(b.equals("cuda") ? "CUDA" : b.toUpperCase(Locale.ROOT));
            }
        }
        return used.isEmpty() ? "backend not recorded" : String.join(" and ", used) + " backend";
    }

    private static String mib(Map<String, Object> m, String key) {
        double v = num(m, key);
        return Double.isNaN(v) || v < 0 ? "-" : String.format(Locale.ROOT, "%,.0f", v / (1 << 20));
    }
}
