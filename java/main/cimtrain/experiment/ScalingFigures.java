package cimtrain.experiment;

import cimtrain.train.Mode;
import cimtrain.train.ChipEvaluation;
import cimtrain.util.Statistics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static cimtrain.experiment.Records.num;

/**
 * The scaling study's figures from its results: each model and mode over its seeds (ModeFigures), and the
 * two files that hold them, results.csv (one line per run) and results.json (per model and mode).
 */
final class ScalingFigures {
    /** Figures of one model trained in one mode, over its seeds. */
    record ModeFigures(String model, Mode mode, ChipEvaluation.Result trained, ChipEvaluation.Result moved,
                       double writesMean, double writesMax, double reduction, long steps, double peakHeap, double peakRss) {
        double loss() {
            return trained.mean() - moved.mean();
        }
    }

    private final ScalingPlan plan;
    private final ScalingStudy.Results results;
    private final List<ModeFigures> modes = new ArrayList<>();

    ScalingFigures(ScalingPlan plan, ScalingStudy.Results results) {
        this.plan = plan;
        this.results = results;
        for (String model : plan.models()) {
            for (Mode mode : ScalingPlan.MODES) {
                List<ScalingStudy.RunResult> rs = runsOf(model, mode);
                if (!rs.isEmpty()) {
                    modes.add(figures(model, mode, rs));
                }
            }
        }
    }

    private static ModeFigures figures(String model, Mode mode, List<ScalingStudy.RunResult> rs) {
        double[] trained = rs.stream().mapToDouble(r -> num(r.summary(), "test_accuracy")).toArray();
        double[] moved = rs.stream().mapToDouble(r -> num(r.newChips(), "accuracy_mean")).toArray();
        long[] seeds = rs.stream().mapToLong(r -> r.run().seed()).toArray();
        double writes = rs.stream().mapToDouble(r -> num(r.summary(), "writes_per_weight_mean")).average().orElse(Double.NaN);
        double max = rs.stream().mapToDouble(r -> num(r.summary(), "writes_per_weight_max")).max().orElse(Double.NaN);
        double red = rs.stream().mapToDouble(r -> num(r.summary(), "write_reduction")).average().orElse(Double.NaN);
        double heap = rs.stream().mapToDouble(r -> num(r.memory(), "peak_heap_bytes")).max().orElse(Double.NaN);
        double rss = rs.stream().mapToDouble(r -> num(r.memory(), "peak_rss_bytes")).max().orElse(Double.NaN);
        return new ModeFigures(model, mode, ChipEvaluation.summarise(trained, seeds), ChipEvaluation.summarise(moved, seeds),
                writes, max, red, rs.get(0).steps(), heap, rss);
    }

    /** Every model and mode that has runs, model by model in the plan's order. */
    List<ModeFigures> modes() {
        return modes;
    }

    /** A model's figures in a mode, or null when it has no runs. */
    ModeFigures find(String model, Mode mode) {
        return modes.stream().filter(f -> f.model().equals(model) && f.mode() == mode).findFirst().orElse(null);
    }

    /** The fp32 runs' mean test accuracy of a model (NaN without fp32 runs). */
    double fp32Mean(String model) {
        ModeFigures fp32 = find(model, Mode.FP32);
        return fp32 == null ? Double.NaN : fp32.trained().mean();
    }

    /** A model's runs in a mode, seed by seed. */
    List<ScalingStudy.RunResult> runsOf(String model, Mode mode) {
        return results.runs().stream().filter(r -> r.run().model().equals(model) && r.run().mode() == mode).toList();
    }

    /** Every new chip's accuracy over a model's runs in a mode. */
    double[] chipAccuracies(String model, Mode mode) {
        return runsOf(model, mode).stream().flatMapToDouble(r -> Arrays.stream(toDoubles(r.newChips().get("accuracies"))))
                .toArray();
    }

    /** Mean over a model's runs in a mode of the first new chip read exactly; NaN where no run has it. */
    double exactMean(String model, Mode mode) {
        return runsOf(model, mode).stream().mapToDouble(r -> exactAccuracy(r.newChips())).average().orElse(Double.NaN);
    }

    /** Mean over a model's runs in a mode of the recalibrated new-chip accuracy; NaN unless every run has it. */
    double recalibratedMean(String model, Mode mode) {
        double[] v = runsOf(model, mode).stream().mapToDouble(r -> recalibratedAccuracy(r.newChips())).toArray();
        return v.length == 0 ? Double.NaN : Statistics.mean(v); // one NaN makes the mean NaN
    }

    private static double recalibratedAccuracy(Map<String, Object> newChips) {
        Object e = newChips.get(ScalingStudy.BN_RECALIBRATED);
        return e instanceof Map<?, ?> m && m.get("accuracy_mean") instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static double exactAccuracy(Map<String, Object> newChips) {
        Object e = newChips.get(ScalingStudy.EXACT_READS);
        return e instanceof Map<?, ?> m && m.get("accuracy") instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /** A list of numbers as read from JSON, or the array a fresh evaluation holds. */
    private static double[] toDoubles(Object values) {
        if (values instanceof double[] d) {
            return d;
        }
        return ((List<?>) values).stream().mapToDouble(o -> ((Number) o).doubleValue()).toArray();
    }

    /** results.csv: one line per run. */
    String csv() {
        StringBuilder s = new StringBuilder("model,mode,seed,width,test_accuracy,new_chip_accuracy_mean,new_chip_accuracy_std,"
                + "writes_per_weight_mean,writes_per_weight_max,write_reduction,train_seconds,train_samples_per_s,"
                + "peak_heap_bytes,peak_rss_bytes,exact_reads_accuracy,bn_recalibrated_accuracy_mean\n");
        for (ScalingStudy.RunResult r : results.runs()) {
            double exact = exactAccuracy(r.newChips());
            double recal = recalibratedAccuracy(r.newChips());
            s.append(String.format(Locale.ROOT, "%s,%s,%d,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s%n", r.run().model(), r.run().mode(),
                    r.run().seed(), plan.budget().width(), r.summary().get("test_accuracy"), r.newChips().get("accuracy_mean"),
                    r.newChips().get("accuracy_std"), blank(r.summary().get("writes_per_weight_mean")),
                    blank(r.summary().get("writes_per_weight_max")), blank(r.summary().get("write_reduction")),
                    r.summary().get("train_seconds"), r.summary().get("train_samples_per_s"),
                    r.memory() == null ? "" : blank(r.memory().get("peak_heap_bytes")),
                    r.memory() == null ? "" : blank(r.memory().get("peak_rss_bytes")), Double.isNaN(exact) ? "" : exact,
                    Double.isNaN(recal) ? "" : recal));
        }
        return s.toString();
    }

    /** results.json's object: the settings, per model each mode's figures and the cost, and the study's time. */
    Map<String, Object> json() {
        Map<String, Object> models = new LinkedHashMap<>();
        for (String model : plan.models()) {
            Map<String, Object> byMode = new LinkedHashMap<>();
            double fp32 = fp32Mean(model);
            for (ModeFigures f : modes) {
                if (f.model().equals(model)) {
                    byMode.put(f.mode().label(), json(f, fp32));
                }
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("modes", byMode);
            entry.put("cost", results.cost().get(model));
            models.put(model, entry);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("experiment", "scaling");
        out.put("settings", plan.settings());
        out.put("models", models);
        out.put("seconds", Math.round(results.seconds()));
        return out;
    }

    private Map<String, Object> json(ModeFigures f, double fp32) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seeds", f.trained().accuracies().length);
        m.put("accuracy_mean", f.trained().mean());
        m.put("accuracy_std", f.trained().std());
        m.put("gap_to_fp32", f.trained().mean() - fp32);
        m.put("new_chip_accuracy_mean", f.moved().mean());
        m.put("loss_on_new_chips", f.loss());
        if (!Double.isNaN(f.writesMean())) {
            m.put("writes_per_weight_mean", f.writesMean());
            m.put("writes_per_weight_max", f.writesMax());
            m.put("write_reduction", f.reduction());
            m.put("steps", f.steps());
        }
        m.put("peak_heap_bytes", f.peakHeap());
        double exact = exactMean(f.model(), f.mode());
        if (!Double.isNaN(exact)) {
            m.put("exact_reads_accuracy", exact);
        }
        double recal = recalibratedMean(f.model(), f.mode());
        if (!Double.isNaN(recal)) {
            m.put("new_chip_bn_recalibrated_accuracy_mean", recal);
            m.put("loss_on_new_chips_bn_recalibrated", f.trained().mean() - recal);
        }
        return m;
    }

    private static Object blank(Object o) {
        return o == null ? "" : o;
    }
}
