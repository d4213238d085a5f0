package cimtrain.report;

import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
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

    /** Test accuracy against one swept hardware parameter, with the seeds' spread as error bars. */
    static Plot accuracyVs(RunGroups groups, String param) {
        Map<String, Map<String, RunGroup>> lines = new LinkedHashMap<>();
        Set<String> values = new TreeSet<>(RunGroups::compareValues);
        for (RunGroup g : groups.groups()) {
            String v = g.swept().get(param);
            if (v != null) {
                lines.computeIfAbsent(lineLabel(g, param), k -> new LinkedHashMap<>()).put(v, g);
                values.add(v);
            }
        }
        if (values.isEmpty()) {
            return null;
        }
        String title = "Test accuracy vs. " + param + " (mean \u00b1 std over seeds)";
        String name = "accuracy-vs-" + param.replaceAll("[^A-Za-z0-9_-]", "-");
        String caption = "Final test accuracy against the swept parameter " + param;
        boolean numeric = values.stream().allMatch(v -> RunGroups.numeric(v) != null);
        if (!numeric) {
            return ChartFiles.render(accuracyByCategory(title, param, lines, List.copyOf(values)), name, caption);
        }
        XYChart chart = xyChart(title, param, "test accuracy (%)");
        lines.forEach((label, points) -> {
            List<Double> x = new ArrayList<>(), y = new ArrayList<>(), err = new ArrayList<>();
            points.values().stream().sorted((a, b) -> RunGroups.compareValues(a.swept().get(param), b.swept().get(param)))
                    .forEach(g -> {
                        x.add(RunGroups.numeric(g.swept().get(param)));
                        y.add(g.accuracyPercent().mean());
                        err.add(Double.isNaN(g.accuracyPercent().std()) ? 0 : g.accuracyPercent().std());
                    });
            chart.addSeries(label, x, y, err);
        });
        double lo = values.stream().mapToDouble(RunGroups::numeric).min().orElse(0);
        double hi = values.stream().mapToDouble(RunGroups::numeric).max().orElse(0);
        // the software baseline does not depend on the chip: a flat line across the swept range
        for (RunGroup base : baselinesOf(groups, lines)) {
            XYSeries s = chart.addSeries(base.label() + " (baseline)", List.of(lo, hi),
                    List.of(base.accuracyPercent().mean(), base.accuracyPercent().mean()));
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(Color.GRAY);
        }
        chart.getStyler().setxAxisTickLabelsFormattingFunction(v -> Format.significant(v, 4));
        // a sweep over decades (noise levels, sizes) reads better on a log axis
        chart.getStyler().setXAxisLogarithmic(lo > 0 && hi / lo >= 100);
        chart.getStyler().setErrorBarsColorSeriesColor(true);
        return ChartFiles.render(chart, name, caption);
    }

    private static CategoryChart accuracyByCategory(String title, String param, Map<String, Map<String, RunGroup>> lines,
                                                    List<String> values) {
        CategoryChart chart = categoryChart(title, param, "test accuracy (%)");
        lines.forEach((label, points) -> {
            List<String> x = values.stream().filter(points::containsKey).toList();
            chart.addSeries(label, x, x.stream().map(v -> points.get(v).accuracyPercent().mean()).toList(),
                    x.stream().map(v -> {
                        double std = points.get(v).accuracyPercent().std();
                        return Double.isNaN(std) ? 0.0 : std;
                    }).toList());
        });
        return chart;
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

    private static List<RunGroup> baselinesOf(RunGroups groups, Map<String, Map<String, RunGroup>> lines) {
        return lines.values().stream().flatMap(m -> m.values().stream()).map(groups::baselineOf)
                .filter(Objects::nonNull).distinct().toList();
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
