package cimtrain.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A sweep of one hardware field and runs that record energy, built from copies of the reproduction's
 * runs. The energy figures here are made up for the test: only the report's handling of them is checked.
 */
class ReportSweepAndEnergyTest {
    @TempDir
    Path tmp;

    /**
     * In a sweep's layout (jobs/ID/run/): mp at the reproduction's read noise (seeds 0, 1) and at twice it
     * (the same runs, 5 points lower), and a job that has not started.
     */
    private Path sweep() throws IOException {
        Path jobs = tmp.resolve("sweep/jobs");
        ReportFixtures.copyRun("fp32-s0", jobs.resolve("a0/run"));
        ReportFixtures.copyRun("fp32-s1", jobs.resolve("a1/run"));
        Files.createDirectories(jobs.resolve("f9"));
        for (int seed = 0; seed < 2; seed++) {
            ReportFixtures.copyRun("mp-s" + seed, jobs.resolve("b" + seed + "/run"));
            Path noisy = ReportFixtures.copyRun("mp-s" + seed, jobs.resolve("c" + seed + "/run"));
            ReportFixtures.editJson(noisy.resolve("config.json"), c -> {
                var spec = c.with("hardware_spec");
                spec.put("name", "paper-chip+device.read_noise=5.08"); // as a sweep names its chips
                spec.with("device").put("readNoise", 5.08); // twice paper-chip's
            });
            ReportFixtures.editJson(noisy.resolve("summary.json"),
                    s -> s.put("test_accuracy", s.get("test_accuracy").asDouble() - 0.05));
        }
        return tmp.resolve("sweep");
    }

    @Test
    void aSweptFieldSplitsTheGroupsAndGetsItsPlot() throws Exception {
        Path out = tmp.resolve("out");
        Report.Result r = Report.build(List.of(sweep()), out, "sweep");
        assertEquals(List.of("device.readNoise"), r.groups().swept());
        List<String> labels = r.groups().groups().stream().map(RunGroup::label).toList();
        assertEquals(List.of("fp32", "mp, device.readNoise=2.54", "mp, device.readNoise=5.08"), labels);
        RunGroup low = r.groups().groups().get(1), high = r.groups().groups().get(2);
        assertEquals("paper-chip", high.hardware(), "the sweep's variant name is grouped under its base chip");
        assertEquals(List.of(0L, 1L), high.seeds());
        assertEquals(low.accuracyPercent().mean() - 5, high.accuracyPercent().mean(), 1e-9);
        assertEquals(low.accuracyPercent().std(), high.accuracyPercent().std(), 1e-9);
        ReportChecks.assertChartPng(out.resolve("accuracy-vs-device-readNoise.png"));
        ReportChecks.assertSvg(out.resolve("accuracy-vs-device-readNoise.svg"));
        String csv = Files.readString(out.resolve("comparison.csv"));
        assertTrue(csv.lines().findFirst().orElseThrow().contains(",hardware,device.readNoise,runs,"), csv);
        assertTrue(Files.readString(out.resolve("report.md")).contains("![Final test accuracy against the swept "
                + "parameter device.readNoise](accuracy-vs-device-readNoise.png)"));
        ReportChecks.assertChartPng(out.resolve("writes-vs-device-readNoise.png"));
        assertEquals(List.of("training-curves", "writes-histogram", "accuracy-vs-device-readNoise",
                "writes-vs-device-readNoise"), r.plots().stream().map(Plot::name).toList(), "no energy: no energy plots");
        assertNull(r.groups().groups().get(1).runs().get(0).energy());
    }

    /** The scale section of a run's recorded hardware. */
    private static com.fasterxml.jackson.databind.node.ObjectNode scaleOf(com.fasterxml.jackson.databind.node.ObjectNode config) {
        return config.with("hardware_spec").with("scale");
    }

    @Test
    void aHardwareFieldOnlySomeRunsRecordIsNoSweep() throws Exception {
        // a run made before a field existed does not record it (the scaling study's reused runs)
        Path runs = tmp.resolve("older/runs");
        ReportFixtures.copyRun("fp32-s0", runs.resolve("fp32-s0"));
        Path newer = ReportFixtures.copyRun("mp-s0", runs.resolve("mp-s0"));
        ReportFixtures.editJson(newer.resolve("config.json"), c -> scaleOf(c).put("inferenceHeadroom", 1.0));
        Path older = ReportFixtures.copyRun("mp-s1", runs.resolve("mp-s1"));
        ReportFixtures.editJson(older.resolve("config.json"), c -> scaleOf(c).remove("inferenceHeadroom"));
        Report.Result r = Report.build(List.of(tmp.resolve("older")), tmp.resolve("out"), null);
        assertEquals(List.of(), r.groups().swept());
        assertEquals(List.of(0L, 1L), r.groups().groups().get(1).seeds());
    }

    @Test
    void aLineMissingAPointOfAWordSweepStillDraws() throws Exception {
        // scale.granularity (a word, so bars) swept for mp; the qat line has only one of its values
        Path runs = tmp.resolve("words/runs");
        ReportFixtures.copyRun("fp32-s0", runs.resolve("fp32-s0"));
        ReportFixtures.copyRun("mp-s0", runs.resolve("mp-s0"));
        Path layer = ReportFixtures.copyRun("mp-s1", runs.resolve("mp-layer-s1"));
        ReportFixtures.editJson(layer.resolve("config.json"), c -> scaleOf(c).put("granularity", "layer"));
        ReportFixtures.copyRun("qat-s0", runs.resolve("qat-s0"));
        Path out = tmp.resolve("out");
        Report.Result r = Report.build(List.of(tmp.resolve("words")), out, null);
        assertEquals(List.of("scale.granularity"), r.groups().swept());
        ReportChecks.assertChartPng(out.resolve("accuracy-vs-scale-granularity.png"));
    }

    @Test
    void runsWithADifferentTrainingSettingAreNotSeedsOfEachOther() throws Exception {
        Path runs = tmp.resolve("lr/runs");
        ReportFixtures.copyRun("fp32-s0", runs.resolve("fp32-s0"));
        ReportFixtures.copyRun("mp-s0", runs.resolve("mp-s0"));
        Path slow = ReportFixtures.copyRun("mp-s1", runs.resolve("mp-lr-s1"));
        ReportFixtures.editJson(slow.resolve("config.json"), c -> c.put("lr", 0.002));
        Report.Result r = Report.build(List.of(tmp.resolve("lr")), tmp.resolve("out"), null);
        // read_model is absent from fp32's config and the same in both mp runs: not swept
        assertEquals(List.of("lr"), r.groups().swept());
        assertEquals(List.of("fp32, lr=0.004", "mp, lr=0.002", "mp, lr=0.004"),
                r.groups().groups().stream().map(RunGroup::label).toList());
        RunGroup fp32 = r.groups().groups().get(0);
        assertEquals(fp32, r.groups().baselineOf(r.groups().groups().get(2)), "the same recipe");
        assertEquals(fp32, r.groups().baselineOf(r.groups().groups().get(1)), "no fp32 at lr 0.002: the one there is");
        ReportChecks.assertChartPng(tmp.resolve("out/accuracy-vs-lr.png"));
    }

    @Test
    void aSeedRunTwiceCountsOnce() throws Exception {
        // what a sweep axis over a chip field gives fp32, which has no chip: the same job twice
        Path runs = tmp.resolve("repeats/runs");
        ReportFixtures.copyRun("fp32-s0", runs.resolve("fp32-s0"));
        ReportFixtures.copyRun("fp32-s0", runs.resolve("fp32-s0-again"));
        ReportFixtures.copyRun("fp32-s1", runs.resolve("fp32-s1"));
        Report.Result r = Report.build(List.of(tmp.resolve("repeats")), tmp.resolve("out"), null);
        RunGroup fp32 = r.groups().groups().get(0);
        assertEquals(List.of(0L, 1L), fp32.seeds());
        assertEquals(2, fp32.accuracyPercent().n());
        assertEquals((97.5 + 97.95) / 2, fp32.accuracyPercent().mean(), 1e-9);
        assertTrue(Files.readString(tmp.resolve("out/report.md")).contains("| fp32 | 0, 1 (3 runs) | 97.73 \u00b1 0.32 |"));
    }

    @Test
    void energyFromCostJsonOrSummaryFillsTheColumnAndThePlot() throws Exception {
        Path runs = tmp.resolve("energy/runs");
        ReportFixtures.copyRun("fp32-s0", runs.resolve("fp32-s0"));
        Path a = ReportFixtures.copyRun("mp-s0", runs.resolve("mp-s0"));
        Path b = ReportFixtures.copyRun("mp-s1", runs.resolve("mp-s1"));
        // seed 0: cimtrain cost --json saved beside the run, with its per-layer parts
        Files.writeString(a.resolve("cost.json"), "{\"energy_per_image_j\": 3.0e-7, \"layers\": ["
                + "{\"layer\": \"1: conv\", \"energy_j\": 1.0e-7}, {\"layer\": \"8: linear\", \"energy_j\": 2.0e-7}]}");
        // seed 1: the figure in summary.json itself, which wins over a cost.json
        ReportFixtures.editJson(b.resolve("summary.json"), s -> s.put("energy_per_image_j", 5.0e-7));
        Files.writeString(b.resolve("cost.json"), "{\"energy_per_image_j\": 9.0e-7}");

        Path out = tmp.resolve("out");
        Report.Result r = Report.build(List.of(tmp.resolve("energy")), out, null);
        RunGroup mp = r.groups().groups().get(1);
        assertEquals("mp", mp.mode());
        assertEquals(0.4, mp.energyPerImageUj().mean(), 1e-12);
        assertEquals(Math.sqrt(0.02), mp.energyPerImageUj().std(), 1e-12);
        assertTrue(Files.readString(out.resolve("report.md")).contains(" | 0.4 \u00b1 0.14 |"), "energy cell");
        var row = ReportChecks.csvRows(Files.readString(out.resolve("comparison.csv"))).get(1);
        assertEquals("mp", row.get("mode"));
        assertEquals(0.4, Double.parseDouble(row.get("energy_per_image_uj_mean")), 1e-12);
        assertEquals(Math.sqrt(0.02), Double.parseDouble(row.get("energy_per_image_uj_std")), 1e-12);
        assertTrue(Files.readString(out.resolve("runs.csv")).contains(",5.0E-7,summary.json,"));
        // mean over seeds per part: seed 0's layers, and seed 1's total as one part
        assertEquals(0.05, mp.meanEnergyPartsUj().get("1: conv"), 1e-12);
        assertEquals(0.25, mp.meanEnergyPartsUj().get("total"), 1e-12);
        ReportChecks.assertChartPng(out.resolve("energy-breakdown.png"));
        ReportChecks.assertSvg(out.resolve("energy-breakdown.svg"));
        int energyColumn = ComparisonTable.HEADERS.indexOf("energy per image (\u00b5J)");
        assertEquals("-", new ComparisonTable(r.groups()).displayRows().get(0).get(energyColumn), "fp32 records no energy");
    }

    @Test
    void aChipFileWithoutTileEnergyGivesNoEnergy() throws Exception {
        Path runs = tmp.resolve("noenergy/runs");
        Path a = ReportFixtures.copyRun("mp-s0", runs.resolve("mp-s0"));
        // what cimtrain cost writes for a chip file without cost figures (paper-table1, say)
        Files.writeString(a.resolve("cost.json"), "{\"energy_per_image_j\": 0.0, \"not_given\": [\"cost.tile_op_energy_nj\", "
                + "\"cost.tile_op_latency_us\"], \"layers\": [{\"layer\": \"1: conv\", \"energy_j\": 0.0}]}");
        Path out = tmp.resolve("out");
        Report.Result r = Report.build(List.of(tmp.resolve("noenergy")), out, null);
        assertNull(r.groups().groups().get(0).runs().get(0).energy(), "not given is not 0 J");
        int energyColumn = ComparisonTable.HEADERS.indexOf("energy per image (\u00b5J)");
        assertEquals("-", new ComparisonTable(r.groups()).displayRows().get(0).get(energyColumn));
        assertTrue(r.plots().stream().noneMatch(p -> p.name().startsWith("energy")));
    }

    @Test
    void unfinishedRunsInAHoldingFolderAreLeftOutAndNamed() throws Exception {
        Path runs = tmp.resolve("mixed/runs");
        ReportFixtures.copyRun("fp32-s0", runs.resolve("fp32-s0"));
        Path broken = ReportFixtures.copyRun("mp-s0", runs.resolve("mp-s0"));
        Files.delete(broken.resolve("summary.json"));
        Report.Result r = Report.build(List.of(tmp.resolve("mixed")), tmp.resolve("out"), null);
        assertEquals(1, r.groups().groups().size());
        assertEquals(1, r.unfinished().size());
        assertTrue(Files.readString(tmp.resolve("out/report.md")).contains("Left out, not finished"));
    }
}
