package cimtrain.report;

import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.IntStream;

/** The report's charts, drawn by XChart; each is made only when the runs hold its data. */
final class ReportCharts {
    private static final int WIDTH = 900, HEIGHT = 520;

    private ReportCharts() {
    }

    static List<Plot> all(RunGroups groups) {
        Headless.ensure();
        List<Plot> plots = new ArrayList<>();
        addIfAny(plots, trainingCurves(groups));
        addIfAny(plots, writesHistogram(groups));
        for (String param : groups.swept()) {
            addIfAny(plots, accuracyVs(groups, param));
            addIfAny(plots, figureVs(groups, param, WRITES));
            addIfAny(plots, figureVs(groups, param, ENERGY));
        }
        addIfAny(plots, energyBreakdown(groups));
        return plots;
    }

    private static void addIfAny(List<Plot> plots, Plot p) {
        if (p != null) {
            plots.add(p);
        }
    }

    /** Test accuracy after each epoch, the mean over seeds, one line per group. */
    static Plot trainingCurves(RunGroups groups) {
        XYChart chart = xyChart("Test accuracy during training (mean over seeds)", "epoch", "test accuracy (%)");
        for (RunGroup g : groups.groups()) {
            List<Double> curve = g.meanCurvePercent();
            if (!curve.isEmpty()) {
                chart.addSeries(g.label(), IntStream.rangeClosed(1, curve.size()).boxed().toList(), curve);
            }
        }
        chart.getStyler().setXAxisDecimalPattern("0");
        return chart.getSeriesCollection().isEmpty() ? null
                : ChartFiles.render(chart, "training-curves", "Test accuracy after each epoch, mean over seeds");
    }

    /** The share of weights in each writes-per-weight bin, one bar series per on-chip group. */
    static Plot writesHistogram(RunGroups groups) {
        CategoryChart chart = categoryChart("Writes per weight (mean over seeds)", "writes per weight",
                "weights (%)");
        List<String> bins = null;
        for (RunGroup g : groups.groups()) {
            WritesHistogram any = g.anyHistogram();
            double[] percent = g.meanHistogramPercent();
            if (any == null || percent == null || (bins != null && !bins.equals(any.labels()))) {
                continue; // bins that differ from the first group's cannot share the axis
            }
            bins = any.labels();
            chart.addSeries(g.label(), bins, java.util.Arrays.stream(percent).boxed().toList());
        }
        return bins == null ? null
                : ChartFiles.render(chart, "writes-histogram", "Writes per weight during training, share of weights per bin");
    }

    /**
     * A figure the sweep plots draw against a swept parameter: the words and file name for it, how a group
     * gives it, and whether the fp32 baseline is drawn beside the chip modes (writes and energy have none).
     */
    record Figure(String file, String title, String axis, String caption, Function<RunGroup, Stats> stats,
                  boolean baseline) {
    }

    static final Figure ACCURACY = new Figure("accuracy", "Test accuracy", "test accuracy (%)", "Final test accuracy",
            RunGroup::accuracyPercent, true);
    static final Figure WRITES = new Figure("writes", "Writes per weight", "writes per weight (mean over weights)",
            "Writes per weight (mean over the weights) during training", RunGroup::writesPerWeight, false);
    static final Figure ENERGY = new Figure("energy", "Energy per inference image", "energy per image (\u00b5J)",
            "Energy per inference image", RunGroup::energyPerImageUj, false);

    /** Test accuracy against one swept parameter, with the fp32 baseline beside the chip modes. */
    static Plot accuracyVs(RunGroups groups, String param) {
        return figureVs(groups, param, ACCURACY);
    }

    /**
     * A figure against one swept parameter: one line per group of runs that differ only in that parameter,
     * each point the mean over seeds with the 95% confidence interval of the mean as error bar (none for a
     * single seed). Only groups that record the figure are drawn; null when none does. Accuracy is also
     * drawn against a parameter that is not a number (as bars); writes and energy only against numbers.
     */
    static Plot figureVs(RunGroups groups, String param, Figure fig) {
        Chart<?, ?> chart = figureChart(groups, param, fig);
        return chart == null ? null : ChartFiles.render(chart, fig.file() + "-vs-" + param.replaceAll("[^A-Za-z0-9_-]", "-"),
                fig.caption() + " against the swept parameter " + param);
    }

    /** The chart of {@link #figureVs}, not yet drawn; null when no group records the figure. */
    static Chart<?, ?> figureChart(RunGroups groups, String param, Figure fig) {
        Map<String, Map<String, RunGroup>> lines = new LinkedHashMap<>();
        Set<String> values = new TreeSet<>(RunGroups::compareValues);
        for (RunGroup g : groups.groups()) {
            String v = g.swept().get(param);
            if (v != null && fig.stats().apply(g).present()) {
                lines.computeIfAbsent(lineLabel(g, param), k -> new LinkedHashMap<>()).put(v, g);
                values.add(v);
            }
        }
        if (values.isEmpty()) {
            return null;
        }
        boolean numeric = values.stream().allMatch(v -> RunGroups.numeric(v) != null);
        if (!numeric && !fig.baseline()) {
            return null;
        }
        String title = fig.title() + " vs. " + param + " (mean over seeds, bars: 95% CI)";
        // the software baseline does not depend on the chip: drawn flat beside the modes that do, unless
        // the fp32 runs were swept too (a training setting) and so are lines of the plot themselves
        List<RunGroup> baselines = !fig.baseline() ? List.of() : baselinesOf(groups, lines);
        if (!numeric) {
            return byCategory(title, param, fig, lines, List.copyOf(values), baselines);
        }
        XYChart chart = xyChart(title, param, fig.axis());
        double yLow = Double.POSITIVE_INFINITY, yHigh = 0;
        for (var line : lines.entrySet()) {
            List<Double> x = new ArrayList<>(), y = new ArrayList<>(), err = new ArrayList<>();
            for (RunGroup g : line.getValue().values().stream()
                    .sorted((a, b) -> RunGroups.compareValues(a.swept().get(param), b.swept().get(param))).toList()) {
                Stats s = fig.stats().apply(g);
                x.add(RunGroups.numeric(g.swept().get(param)));
                y.add(s.mean());
                err.add(errorBar(s));
                yLow = Math.min(yLow, s.mean() - errorBar(s));
                yHigh = Math.max(yHigh, s.mean() + errorBar(s));
            }
            chart.addSeries(line.getKey(), x, y, err);
        }
        double lo = values.stream().mapToDouble(RunGroups::numeric).min().orElse(0);
        double hi = values.stream().mapToDouble(RunGroups::numeric).max().orElse(0);
        for (RunGroup base : baselines) {
            double mean = fig.stats().apply(base).mean();
            XYSeries s = chart.addSeries(base.label() + " (baseline)", List.of(lo, hi), List.of(mean, mean));
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(Color.GRAY);
        }
        chart.getStyler().setxAxisTickLabelsFormattingFunction(v -> Format.significant(v, 4));
        // a sweep over decades (noise levels, sizes) reads better on a log axis
        chart.getStyler().setXAxisLogarithmic(lo > 0 && hi / lo >= 100);
        // so do writes that differ by orders of magnitude between modes (direct against mp)
        chart.getStyler().setYAxisLogarithmic(!fig.baseline() && yLow > 0 && yHigh / yLow >= 100);
        chart.getStyler().setErrorBarsColorSeriesColor(true);
        return chart;
    }

    private static CategoryChart byCategory(String title, String param, Figure fig, Map<String, Map<String, RunGroup>> lines,
                                            List<String> values, List<RunGroup> baselines) {
        CategoryChart chart = categoryChart(title, param, fig.axis());
        // every series over every value, null where a line has no point: XChart draws a category chart's
        // bars by index, and a series with fewer values than the first threw out of its painter
        lines.forEach((label, points) -> chart.addSeries(label, values,
                values.stream().map(v -> points.containsKey(v) ? (Number) fig.stats().apply(points.get(v)).mean() : null).toList(),
                values.stream().map(v -> points.containsKey(v) ? (Number) errorBar(fig.stats().apply(points.get(v))) : null).toList()));
        // the baseline, the same at every value, as a grey bar beside the chip modes' bars
        for (RunGroup base : baselines) {
            Stats b = fig.stats().apply(base);
            CategorySeries s = chart.addSeries(base.label() + " (baseline)", values, values.stream().map(v -> b.mean()).toList(),
                    values.stream().map(v -> errorBar(b)).toList());
            s.setFillColor(Color.GRAY);
        }
        return chart;
    }

    /** The half width of the 95% confidence interval; no bar (0) for a single seed. */
    private static double errorBar(Stats s) {
        double h = s.ci95HalfWidth();
        return Double.isNaN(h) ? 0 : h;
    }

    /** Energy per image of every group that records it, stacked by part (layer). */
    static Plot energyBreakdown(RunGroups groups) {
        List<RunGroup> withEnergy = groups.groups().stream().filter(g -> g.energyPerImageUj().present()).toList();
        if (withEnergy.isEmpty()) {
            return null;
        }
        Set<String> parts = new LinkedHashSet<>();
        withEnergy.forEach(g -> parts.addAll(g.meanEnergyPartsUj().keySet()));
        CategoryChart chart = categoryChart("Energy per inference image (mean over seeds)", "", "energy (\u00b5J)");
        chart.getStyler().setStacked(true);
        List<String> labels = withEnergy.stream().map(RunGroup::label).toList();
        for (String part : parts) {
            chart.addSeries(part, labels, withEnergy.stream()
                    .map(g -> g.meanEnergyPartsUj().getOrDefault(part, 0.0)).toList());
        }
        return ChartFiles.render(chart, "energy-breakdown", "Energy per inference image by part, as the runs' cost figures give it");
    }

    /** A group's name in a sweep plot: its label without the parameter the x axis already shows. */
    private static String lineLabel(RunGroup g, String param) {
        return g.label().replace(", " + param + "=" + g.swept().get(param), "");
    }

    /** The fp32 groups the plotted groups are compared with, in table order, but for those plotted themselves. */
    private static List<RunGroup> baselinesOf(RunGroups groups, Map<String, Map<String, RunGroup>> lines) {
        Set<RunGroup> plotted = Collections.newSetFromMap(new IdentityHashMap<>());
        lines.values().forEach(m -> plotted.addAll(m.values()));
        Set<RunGroup> bases = Collections.newSetFromMap(new IdentityHashMap<>());
        plotted.stream().map(groups::baselineOf).filter(Objects::nonNull).forEach(bases::add);
        return groups.groups().stream().filter(b -> bases.contains(b) && !plotted.contains(b)).toList();
    }

    private static XYChart xyChart(String title, String x, String y) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(x).yAxisTitle(y).build();
        style(chart.getStyler());
        chart.getStyler().setMarkerSize(6);
        return chart;
    }

    private static CategoryChart categoryChart(String title, String x, String y) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(x)
                .yAxisTitle(y).build();
        style(chart.getStyler());
        chart.getStyler().setXAxisLabelRotation(20);
        return chart;
    }

    private static void style(AxesChartStyler s) {
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotGridLinesColor(new Color(220, 220, 220));
        s.setLegendBorderColor(new Color(200, 200, 200));
        // XChart's default pattern drops the leading zero (".06")
        s.setYAxisDecimalPattern("0.###");
        // below the plot, where no line or bar can hide under it, however many groups there are
        s.setLegendPosition(Styler.LegendPosition.OutsideS);
        s.setLegendLayout(Styler.LegendLayout.Horizontal);
    }
}
