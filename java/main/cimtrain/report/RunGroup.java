package cimtrain.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The runs that differ only by seed: same model, dataset, mode, chip and values of the swept hardware
 * parameters. Every figure is over the group's seeds (accuracies in percent, energies in microjoules). A
 * seed run more than once (a sweep axis that fp32 ignores gives identical fp32 jobs) counts once, with
 * the mean of its runs, so repeats do not shrink the spread.
 *
 * @param hardware the chip's base name; null for software runs
 * @param swept    the swept parameters' values for this group (dotted field path to JSON text)
 * @param label    how tables and legends name the group
 */
public record RunGroup(String model, String dataset, String mode, String hardware, Map<String, String> swept,
                       String label, List<RunRecord> runs) {

    public Stats accuracyPercent() {
        return overSeeds(r -> 100 * r.testAccuracy());
    }

    public Stats writesPerWeight() {
        return overSeeds(RunRecord::writesMean);
    }

    /** The most writes any weight took in any of the seeds; null when the mode writes nothing. */
    public Double writesPerWeightMax() {
        return runs.stream().map(RunRecord::writesMax).filter(Objects::nonNull).max(Double::compare).orElse(null);
    }

    public Stats writeReduction() {
        return overSeeds(RunRecord::writeReduction);
    }

    public Stats energyPerImageUj() {
        return overSeeds(r -> r.energy() == null ? null : 1e6 * r.energy().perImageJ());
    }

    /** The distinct seeds, in order. */
    public List<Long> seeds() {
        return runs.stream().map(RunRecord::seed).distinct().sorted().toList();
    }

    /** Mean and spread over seeds of a figure each run may record (null: not recorded). */
    private Stats overSeeds(Function<RunRecord, Double> figure) {
        Map<Long, List<Double>> bySeed = new TreeMap<>();
        runs.forEach(r -> bySeed.computeIfAbsent(r.seed(), k -> new ArrayList<>()).add(figure.apply(r)));
        return Stats.of(bySeed.values().stream().map(v -> {
            Stats s = Stats.of(v);
            return s.present() ? s.mean() : null;
        }).toList());
    }

    /** Test accuracy (percent) per epoch, the mean over the runs that reached that epoch. */
    public List<Double> meanCurvePercent() {
        int epochs = runs.stream().mapToInt(r -> r.curve().size()).max().orElse(0);
        List<Double> out = new ArrayList<>();
        for (int e = 0; e < epochs; e++) {
            final int epoch = e;
            out.add(Stats.of(runs.stream().map(r -> epoch < r.curve().size() ? 100 * r.curve().get(epoch) : null)
                    .toList()).mean());
        }
        return out;
    }

    /** The histogram of the first seed that has one, for its bin labels; null when none has. */
    public WritesHistogram anyHistogram() {
        return runs.stream().map(RunRecord::histogram).filter(Objects::nonNull).findFirst().orElse(null);
    }

    /** Per histogram bin, the mean over seeds of the percentage of weights in it; null without histograms. */
    public double[] meanHistogramPercent() {
        List<double[]> all = runs.stream().map(RunRecord::histogram).filter(Objects::nonNull)
                .map(WritesHistogram::percentages).toList();
        if (all.isEmpty()) {
            return null;
        }
        double[] mean = new double[all.get(0).length];
        for (double[] p : all) {
            if (p.length != mean.length) {
                return null; // seeds binned differently cannot be averaged
            }
            for (int i = 0; i < mean.length; i++) {
                mean[i] += p[i] / all.size();
            }
        }
        return mean;
    }

    /** Energy per image (microjoules) by part, the mean over the seeds that record energy. */
    public Map<String, Double> meanEnergyPartsUj() {
        List<EnergyFigures> figures = runs.stream().map(RunRecord::energy).filter(Objects::nonNull).toList();
        Map<String, Double> out = new LinkedHashMap<>();
        for (EnergyFigures f : figures) {
            Map<String, Double> parts = f.partsJ().isEmpty() ? Map.of("total", f.perImageJ()) : f.partsJ();
            parts.forEach((k, v) -> out.merge(k, 1e6 * v / figures.size(), Double::sum));
        }
        return out;
    }
}
