package cimtrain.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The report's main table: every group beside the fp32 baseline of its model and dataset, as CSV (full
 * precision, empty cells for what a run does not record) and as display cells for Markdown and HTML.
 */
final class ComparisonTable {
    static final List<String> HEADERS = List.of("group", "seeds", "test accuracy % (mean \u00b1 std)",
            "95% CI of the mean (%)", "delta to fp32 (points)", "writes per weight (mean / max)", "write reduction", "energy per image (\u00b5J)");

    private final RunGroups groups;

    ComparisonTable(RunGroups groups) {
        this.groups = groups;
    }

    /** comparison.csv: one line per group. */
    String csv() {
        List<String> head = new ArrayList<>(List.of("model", "dataset", "mode", "hardware"));
        head.addAll(groups.swept());
        head.addAll(List.of("runs", "seeds", "accuracy_mean_pct", "accuracy_std_pct", "accuracy_ci95_low_pct",
                "accuracy_ci95_high_pct", "fp32_accuracy_mean_pct", "delta_to_fp32_points", "writes_per_weight_mean",
                "writes_per_weight_std", "writes_per_weight_ci95_low", "writes_per_weight_ci95_high", "writes_per_weight_max",
                "write_reduction_mean", "write_reduction_std", "energy_per_image_uj_mean", "energy_per_image_uj_std",
                "energy_per_image_uj_ci95_low", "energy_per_image_uj_ci95_high"));
        StringBuilder out = new StringBuilder(String.join(",", head)).append('\n');
        for (RunGroup g : groups.groups()) {
            List<String> cells = new ArrayList<>(List.of(g.model(), g.dataset(), g.mode(), g.hardware() == null ? "" : g.hardware()));
            groups.swept().forEach(p -> cells.add(g.swept().getOrDefault(p, "")));
            Stats acc = g.accuracyPercent(), writes = g.writesPerWeight(), red = g.writeReduction(), energy = g.energyPerImageUj();
            RunGroup base = groups.baselineOf(g);
            cells.add(Integer.toString(g.runs().size()));
            cells.add(g.seeds().stream().map(String::valueOf).collect(Collectors.joining(";")));
            // the confidence interval is empty for a single seed, like the standard deviation
            cells.addAll(List.of(num(acc.mean()), num(acc.std()), num(acc.ci95Low()), num(acc.ci95High()),
                    base == null ? "" : num(base.accuracyPercent().mean()),
                    base == null ? "" : num(acc.mean() - base.accuracyPercent().mean()),
                    num(writes.mean()), num(writes.std()), num(writes.ci95Low()), num(writes.ci95High()),
                    num(g.writesPerWeightMax()), num(red.mean()), num(red.std()),
                    num(energy.mean()), num(energy.std()), num(energy.ci95Low()), num(energy.ci95High())));
            out.append(cells.stream().map(ComparisonTable::csvCell).collect(Collectors.joining(","))).append('\n');
        }
        return out.toString();
    }

    /** runs.csv: one line per run, the values the groups summarise. */
    String runsCsv() {
        List<String> head = new ArrayList<>(List.of("model", "dataset", "mode", "hardware"));
        head.addAll(groups.swept());
        head.addAll(List.of("seed", "test_accuracy", "writes_per_weight_mean", "writes_per_weight_max",
                "write_reduction", "energy_per_image_j", "energy_source", "run_dir"));
        StringBuilder out = new StringBuilder(String.join(",", head)).append('\n');
        for (RunGroup g : groups.groups()) {
            for (RunRecord r : g.runs()) {
                List<String> cells = new ArrayList<>(List.of(r.model(), r.dataset(), r.mode(),
                        r.hardware() == null ? "" : r.hardware()));
                groups.swept().forEach(p -> cells.add(g.swept().getOrDefault(p, "")));
                cells.addAll(List.of(Long.toString(r.seed()), num(r.testAccuracy()), num(r.writesMean()),
                        num(r.writesMax()), num(r.writeReduction()),
                        r.energy() == null ? "" : num(r.energy().perImageJ()),
                        r.energy() == null ? "" : r.energy().source(), ReportText.shown(r.dir())));
                out.append(cells.stream().map(ComparisonTable::csvCell).collect(Collectors.joining(","))).append('\n');
            }
        }
        return out.toString();
    }

    /** The display cells of each group, in {@link #HEADERS} order. */
    List<List<String>> displayRows() {
        List<List<String>> rows = new ArrayList<>();
        for (RunGroup g : groups.groups()) {
            Stats acc = g.accuracyPercent();
            RunGroup base = groups.baselineOf(g);
            String delta = base == null ? "-" : String.format(Locale.ROOT, "%+.2f", acc.mean() - base.accuracyPercent().mean());
            Stats writes = g.writesPerWeight();
            String writesCell = writes.present()
                    ? String.format(Locale.ROOT, "%.1f / %.0f", writes.mean(), g.writesPerWeightMax()) : "-";
            Stats red = g.writeReduction();
            String redCell = !red.present() ? "-"
                    : String.format(Locale.ROOT, red.mean() < 10 ? "%.1fx" : "%.0fx", red.mean());
            String seeds = g.seeds().stream().map(String::valueOf).collect(Collectors.joining(", "))
                    + (g.runs().size() > g.seeds().size() ? " (" + g.runs().size() + " runs)" : "");
            rows.add(List.of(g.label(), seeds,
                    accuracyCell(acc), ciCell(acc), delta, writesCell, redCell, energyCell(g.energyPerImageUj())));
        }
        return rows;
    }

    /** "mean ± std" in percent; one seed has no spread to show. */
    private static String accuracyCell(Stats s) {
        String mean = String.format(Locale.ROOT, "%.2f", s.mean());
        return Double.isNaN(s.std()) ? mean : mean + " \u00b1 " + String.format(Locale.ROOT, "%.2f", s.std());
    }

    /** "[low, high]" in percent; one seed gives no interval. */
    private static String ciCell(Stats s) {
        return Double.isNaN(s.ci95HalfWidth()) ? "-"
                : String.format(Locale.ROOT, "[%.2f, %.2f]", s.ci95Low(), s.ci95High());
    }

    /** Energy in microjoules to 4 significant digits, the seeds' spread only where they differ. */
    private static String energyCell(Stats s) {
        if (!s.present()) {
            return "-";
        }
        String mean = Format.significant(s.mean(), 4);
        return Double.isNaN(s.std()) || s.std() == 0 ? mean : mean + " \u00b1 " + Format.significant(s.std(), 2);
    }

    private static String num(Double v) {
        return v == null || v.isNaN() ? "" : Double.toString(v);
    }

    private static String csvCell(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
