package cimtrain.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The 95% confidence interval of the mean over seeds in the tables, and the sweep plots of accuracy,
 * writes and energy against a swept parameter with the fp32 baseline beside the chip modes. The energy
 * figures are made up for the test: only the report's handling of them is checked.
 */
class ReportConfidenceTest {
    /** Student's t quantiles t(0.975, df) for df = 1, 2, 3 (tables; R's qt(0.975, df)). */
    private static final double T1 = 12.706204736174694, T2 = 4.302652729749462, T3 = 3.182446305284263;

    @TempDir
    Path tmp;

    @Test
    void theIntervalIsStudentsTOverTheSeeds() {
        Stats four = Stats.of(List.of(1.0, 2.0, 3.0, 4.0));
        double std = Math.sqrt(5.0 / 3);
        assertEquals(std, four.std(), 1e-12);
        assertEquals(T3 * std / 2, four.ci95HalfWidth(), 1e-9);
        assertEquals(2.5 - T3 * std / 2, four.ci95Low(), 1e-9);
        assertEquals(2.5 + T3 * std / 2, four.ci95High(), 1e-9);
        assertEquals(T1 * Math.sqrt(0.5) / Math.sqrt(2), Stats.of(List.of(1.0, 2.0)).ci95HalfWidth(), 1e-9);
        Stats one = Stats.of(List.of(7.0));
        assertTrue(Double.isNaN(one.ci95HalfWidth()) && Double.isNaN(one.ci95Low()), "one seed: no interval");
        assertTrue(Double.isNaN(Stats.NONE.ci95High()));
        assertEquals(0, Stats.of(List.of(3.0, 3.0, 3.0)).ci95HalfWidth(), 0, "no spread, no width");
    }

    @Test
    void aSingleSeedHasNoIntervalInTheTableOrTheCsv() throws IOException {
        Path runs = tmp.resolve("one/runs");
        ReportFixtures.copyRun("fp32-s0", runs.resolve("fp32-s0"));
        ReportFixtures.copyRun("mp-s0", runs.resolve("mp-s0"));
        ReportFixtures.copyRun("mp-s1", runs.resolve("mp-s1"));
        Path out = tmp.resolve("out");
        Report.Result r = Report.build(List.of(tmp.resolve("one")), out, null);
        int ci = ComparisonTable.HEADERS.indexOf("95% CI of the mean (%)");
        List<List<String>> rows = new ComparisonTable(r.groups()).displayRows();
        assertEquals("-", rows.get(0).get(ci), "fp32 has one seed");
        Stats mp = r.groups().groups().get(1).accuracyPercent();
        assertEquals(String.format(java.util.Locale.ROOT, "[%.2f, %.2f]", mp.mean() - T1 * mp.std() / Math.sqrt(2),
                mp.mean() + T1 * mp.std() / Math.sqrt(2)), rows.get(1).get(ci));
        List<Map<String, String>> csv = ReportChecks.csvRows(Files.readString(out.resolve("comparison.csv")));
        assertEquals("", csv.get(0).get("accuracy_ci95_low_pct"));
        assertEquals("", csv.get(0).get("accuracy_ci95_high_pct"));
        assertEquals(mp.ci95Low(), Double.parseDouble(csv.get(1).get("accuracy_ci95_low_pct")), 1e-12);
        assertEquals(mp.ci95High(), Double.parseDouble(csv.get(1).get("accuracy_ci95_high_pct")), 1e-12);
        Stats writes = r.groups().groups().get(1).writesPerWeight();
        assertEquals(writes.ci95Low(), Double.parseDouble(csv.get(1).get("writes_per_weight_ci95_low")), 1e-12);
        assertEquals("", csv.get(0).get("writes_per_weight_ci95_low"), "fp32 writes nothing");
        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("| 95% CI of the mean (%) |") && md.contains("single seed has no spread"), md);
        assertTrue(Files.readString(out.resolve("report.html")).contains("<th>95% CI of the mean (%)</th>"));
    }

    /**
     * A sweep of the read noise over three values, mp and direct at each with seeds 0-2 (copies of the
     * reproduction's runs, accuracy lowered with the noise), fp32 beside them; the mp and direct runs carry
     * a cost.json whose energy grows with the noise.
     */
    private Path sweep() throws IOException {
        Path jobs = tmp.resolve("sweep/jobs");
        for (int seed = 0; seed < 3; seed++) {
            ReportFixtures.copyRun("fp32-s" + seed, jobs.resolve("fp32-" + seed + "/run"));
            for (String mode : List.of("mp", "direct")) {
                for (int k = 0; k < 3; k++) {
                    double noise = new double[]{0.03, 0.06, 0.09}[k];
                    int point = k;
                    Path run = ReportFixtures.copyRun(mode + "-s" + seed, jobs.resolve(mode + "-" + k + "-" + seed + "/run"));
                    ReportFixtures.editJson(run.resolve("config.json"), c -> {
                        var spec = c.with("hardware_spec");
                        spec.put("name", "paper-chip+device.read_noise=" + noise);
                        spec.with("device").put("readNoise", noise);
                    });
                    ReportFixtures.editJson(run.resolve("summary.json"),
                            s -> s.put("test_accuracy", s.get("test_accuracy").asDouble() - 0.02 * point));
                    Files.writeString(run.resolve("cost.json"), "{\"energy_per_image_j\": " + (1.0e-6 * (1 + point)) + "}");
                }
            }
        }
        return tmp.resolve("sweep");
    }

    @Test
    void sweepPlotsShowAccuracyWritesAndEnergyWithTheBaselineAndIntervals() throws Exception {
        Path out = tmp.resolve("out");
        Report.Result r = Report.build(List.of(sweep()), out, "sweep");
        assertEquals(List.of("device.readNoise"), r.groups().swept());
        List<String> names = r.plots().stream().map(Plot::name).toList();
        assertEquals(List.of("training-curves", "writes-histogram", "accuracy-vs-device-readNoise",
                "writes-vs-device-readNoise", "energy-vs-device-readNoise", "energy-breakdown"), names);
        for (String n : names) {
            ReportChecks.assertChartPng(out.resolve(n + ".png"));
            ReportChecks.assertSvg(out.resolve(n + ".svg"));
        }
        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("(writes-vs-device-readNoise.png)") && md.contains("(energy-vs-device-readNoise.png)"), md);

        RunGroup mp = r.groups().groups().stream().filter(g -> g.label().equals("mp, device.readNoise=0.06")).findFirst()
                .orElseThrow();
        XYChart acc = assertInstanceOf(XYChart.class, ReportCharts.figureChart(r.groups(), "device.readNoise",
                ReportCharts.ACCURACY));
        XYSeries base = acc.getSeries("fp32 (baseline)");
        assertNotNull(base, "fp32 beside the chip modes");
        RunGroup fp32 = r.groups().groups().get(0);
        assertArrayEquals(new double[]{fp32.accuracyPercent().mean(), fp32.accuracyPercent().mean()}, base.getYData(), 1e-12);
        assertArrayEquals(new double[]{0.03, 0.09}, base.getXData(), 1e-12, "flat across the swept range");
        XYSeries mpLine = acc.getSeries("mp");
        assertArrayEquals(new double[]{0.03, 0.06, 0.09}, mpLine.getXData(), 1e-12);
        assertEquals(mp.accuracyPercent().mean(), mpLine.getYData()[1], 1e-12);
        assertEquals(T2 * mp.accuracyPercent().std() / Math.sqrt(3), mpLine.getExtraValues()[1], 1e-9,
                "error bar: the 95% CI of the mean over 3 seeds");
        assertNotNull(acc.getSeries("direct"));
        assertEquals(3, acc.getSeriesCollection().size());

        XYChart writes = assertInstanceOf(XYChart.class, ReportCharts.figureChart(r.groups(), "device.readNoise",
                ReportCharts.WRITES));
        assertEquals(List.of("mp", "direct"), writes.getSeriesCollection().stream().map(XYSeries::getName).toList(),
                "fp32 writes nothing: only the chip modes");
        assertEquals(mp.writesPerWeight().mean(), writes.getSeries("mp").getYData()[1], 1e-12);
        XYChart energy = assertInstanceOf(XYChart.class, ReportCharts.figureChart(r.groups(), "device.readNoise",
                ReportCharts.ENERGY));
        assertArrayEquals(new double[]{1, 2, 3}, energy.getSeries("mp").getYData(), 1e-9, "microjoules");
        assertArrayEquals(new double[]{0, 0, 0}, energy.getSeries("mp").getExtraValues(), 0, "the same in every seed");
    }

    @Test
    void aSweepOverANameDrawsAccuracyAsBarsBesideTheBaselineAndNoWritesPlot() throws Exception {
        Path runs = tmp.resolve("names/runs");
        ReportFixtures.copyRun("fp32-s0", runs.resolve("fp32-s0"));
        ReportFixtures.copyRun("fp32-s1", runs.resolve("fp32-s1"));
        for (int seed = 0; seed < 2; seed++) {
            ReportFixtures.copyRun("mp-s" + seed, runs.resolve("mp-s" + seed));
            Path layer = ReportFixtures.copyRun("mp-s" + seed, runs.resolve("mp-layer-s" + seed));
            ReportFixtures.editJson(layer.resolve("config.json"),
                    c -> c.with("hardware_spec").with("scale").put("granularity", "layer"));
        }
        Path out = tmp.resolve("out");
        Report.Result r = Report.build(List.of(tmp.resolve("names")), out, null);
        assertEquals(List.of("scale.granularity"), r.groups().swept());
        CategoryChart acc = assertInstanceOf(CategoryChart.class, ReportCharts.figureChart(r.groups(), "scale.granularity",
                ReportCharts.ACCURACY));
        CategorySeries base = acc.getSeries("fp32 (baseline)");
        assertNotNull(base);
        RunGroup fp32 = r.groups().groups().get(0);
        assertArrayEquals(new double[]{fp32.accuracyPercent().mean(), fp32.accuracyPercent().mean()}, base.getYData(), 1e-12,
                "a bar at each value");
        assertNull(ReportCharts.figureChart(r.groups(), "scale.granularity", ReportCharts.WRITES),
                "writes and energy only against numbers");
        ReportChecks.assertChartPng(out.resolve("accuracy-vs-scale-granularity.png"));
        assertEquals(List.of("training-curves", "writes-histogram", "accuracy-vs-scale-granularity"),
                r.plots().stream().map(Plot::name).toList());
    }
}
