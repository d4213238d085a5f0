package cimtrain.experiment;

import cimtrain.train.Mode;
import cimtrain.data.DataSplit;
import cimtrain.hardware.HardwareSpec;
import cimtrain.model.ModelSpec;
import cimtrain.train.Recipes;
import cimtrain.train.RunContext;
import cimtrain.train.TrainConfig;
import cimtrain.train.TrainRun;
import cimtrain.util.Statistics;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static cimtrain.experiment.Records.num;

/**
 * The seed paper's LeNet experiment on the embedded digits: lenet-paper trained with the paper's recipe
 * (Recipes.lenet) in every mode and seed, into one comparison table (LenetReport). Finished runs are reused
 * (RunCache), so an interrupted reproduction continues where it stopped.
 *
 * @param modes         the training modes, in the report's order
 * @param seeds         seeds 0..seeds-1 per mode
 * @param stepsPerEpoch batches per epoch (0: one pass over the 8,000 training digits)
 * @param command       the command line that makes this reproduction, for the report
 */
public record LenetReproduction(List<Mode> modes, int seeds, int epochs, int stepsPerEpoch, HardwareSpec hardware,
                                String readModel, String command) {
    /** The network the paper's LeNet experiment trains. */
    public static final String MODEL = "lenet-paper";
    /** The data it trains on here (the paper: full MNIST). */
    public static final String DATASET = "mnist-10k";

    /**
     * Trains or reuses every run into {@code dir}/runs; writes README.md, results.csv and report/.
     *
     * @return per mode: its figures over the seeds (the --json object)
     */
    public Map<String, Object> run(Path dir, ModelSpec spec, DataSplit split, RunContext context) {
        RunCache cache = new RunCache(dir, context.listener());
        Map<Mode, List<Map<String, Object>>> results = new LinkedHashMap<>();
        for (Mode mode : modes) {
            List<Map<String, Object>> runs = new ArrayList<>();
            for (int seed = 0; seed < seeds; seed++) {
                TrainConfig cfg = Recipes.lenet(mode, epochs, stepsPerEpoch, seed, readModel);
                HardwareSpec hw = cfg.needsHardware() ? hardware : null;
                runs.add(cache.trainOrReuse(mode + "-s" + seed, spec, hw, false, false,
                        (runDir, resume) -> TrainRun.execute(cfg, spec, DATASET, split, hw, runDir, context)).summary());
            }
            results.put(mode, runs);
        }
        Map<String, Object> byMode = aggregate(results);
        new LenetReport(this, results, byMode, cache.reused()).write(dir, context.listener());
        RunsReport.build(dir, "LeNet on MNIST: the seed paper's on-chip experiment, its runs", context.listener());
        return byMode;
    }

    /** Mean over a mode's seeds of a figure. */
    private static double mean(List<Map<String, Object>> runs, String key) {
        return Statistics.mean(values(runs, key));
    }

    private static double[] values(List<Map<String, Object>> runs, String key) {
        return runs.stream().mapToDouble(r -> num(r, key)).toArray();
    }

    /** Sample standard deviation, 0 for a single value (the report shows "+- 0.00" for one seed). */
    private static double std(double[] x) {
        return x.length > 1 ? Statistics.sampleStd(x, Statistics.mean(x)) : 0;
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
        return std(d) / Math.sqrt(d.length);
    }

    /** Each mode's figures over its seeds, with its gap to fp32. */
    private static Map<String, Object> aggregate(Map<Mode, List<Map<String, Object>>> results) {
        Map<String, Object> byMode = new LinkedHashMap<>();
        double fp32 = results.containsKey(Mode.FP32) ? mean(results.get(Mode.FP32), "test_accuracy") : Double.NaN;
        for (var e : results.entrySet()) {
            List<Map<String, Object>> runs = e.getValue();
            double[] acc = values(runs, "test_accuracy");
            double accMean = Statistics.mean(acc);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("seeds", runs.size());
            m.put("accuracy_mean", accMean);
            m.put("accuracy_std", std(acc));
            m.put("accuracy_per_seed", runs.stream().map(r -> r.get("test_accuracy")).toList());
            m.put("gap_to_fp32", Double.isNaN(fp32) ? null : accMean - fp32);
            double pairedSe = pairedGapStandardError(results.get(Mode.FP32), runs);
            m.put("gap_paired_se", Double.isNaN(pairedSe) || e.getKey() == Mode.FP32 ? null : pairedSe);
            if (runs.get(0).containsKey("writes_per_weight_mean")) {
                m.put("writes_per_weight_mean", mean(runs, "writes_per_weight_mean"));
                m.put("writes_per_weight_max", runs.stream().mapToDouble(r -> num(r, "writes_per_weight_max")).max().orElse(0));
                m.put("write_reduction", mean(runs, "write_reduction"));
            }
            m.put("train_samples_per_s", mean(runs, "train_samples_per_s"));
            if (runs.stream().allMatch(r -> r.get("adc_saturated_fraction") != null)) {
                m.put("adc_saturated_fraction", mean(runs, "adc_saturated_fraction"));
            }
            byMode.put(e.getKey().label(), m);
        }
        return byMode;
    }
}
