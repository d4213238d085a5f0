package cimtrain.cli;

import cimtrain.report.ReportChecks;
import cimtrain.util.Json;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every run on a chip records its cost (cost.json, what {@code cimtrain cost --json} prints for it), so the
 * report's energy column has a number; and a reproduction ends with its report under DIR/report/.
 */
class RunCostAndReproduceReportTest {
    @TempDir
    Path tmp;
    private final Cli cli = new Cli();

    private void run(String... args) {
        cli.ok(args);
    }

    /** The last stdout line, a --json object. */
    private JsonNode lastJson() throws IOException {
        return Json.MAPPER.readTree(cli.lastLine());
    }

    private void train(Path dir, String mode) {
        run("train", "--model", "lenet-paper", "--mode", mode, "--hardware", "paper-chip", "--epochs", "1",
                "--steps-per-epoch", "4", "--batch", "32", "--train-limit", "256", "--seed", "3", "--out", dir.toString());
    }

    @Test
    void aRunOnAChipRecordsWhatCostSaysOfItAndTheReportShowsItsEnergy() throws IOException {
        Path mp = tmp.resolve("runs/mp"), qat = tmp.resolve("runs/qat"), fp32 = tmp.resolve("runs/fp32");
        train(mp, "mp");
        train(qat, "qat");
        train(fp32, "fp32");

        JsonNode cost = Json.MAPPER.readTree(mp.resolve("cost.json").toFile());
        run("cost", "--model", "lenet-paper", "--hardware", "paper-chip", "--run", mp.toString(), "--json");
        assertEquals(lastJson(), cost, "cost.json is what cimtrain cost --run --json prints");
        assertEquals(707, cost.get("tile_ops").asLong());
        JsonNode writes = Json.MAPPER.readTree(mp.resolve("writes.json").toFile());
        JsonNode step = cost.get("training_step");
        assertEquals(32, step.get("batch").asInt());
        assertEquals(writes.get("writes").asDouble() / 4, step.get("weight_writes_per_step").asDouble(), 1e-12,
                "the writes of this run over its 4 steps");
        assertEquals(32 * cost.get("energy_per_image_j").asDouble(), step.get("read_energy_j").asDouble(), 1e-18);

        // qat trains in software on the chip's levels: the chip's inference cost, no training step
        JsonNode qatCost = Json.MAPPER.readTree(qat.resolve("cost.json").toFile());
        run("cost", "--model", "lenet-paper", "--hardware", "paper-chip", "--json");
        assertEquals(lastJson(), qatCost);
        assertFalse(qatCost.has("training_step"));
        assertFalse(Files.exists(fp32.resolve("cost.json")), "fp32 has no chip");
        assertFalse(Files.exists(mp.resolve(".cost.json.tmp")), "written atomically, nothing left behind");

        Path report = tmp.resolve("report");
        run("report", tmp.resolve("runs").toString(), "--out", report.toString());
        Map<String, Map<String, String>> rows = new LinkedHashMap<>();
        ReportChecks.csvRows(Files.readString(report.resolve("comparison.csv"))).forEach(r -> rows.put(r.get("mode"), r));
        double uj = 1e6 * cost.get("energy_per_image_j").asDouble();
        assertEquals(uj, Double.parseDouble(rows.get("mp").get("energy_per_image_uj_mean")), 1e-9);
        assertEquals(uj, Double.parseDouble(rows.get("qat").get("energy_per_image_uj_mean")), 1e-9);
        assertEquals("", rows.get("fp32").get("energy_per_image_uj_mean"));
        String mpRow = Files.readString(report.resolve("report.md")).lines().filter(l -> l.startsWith("| mp |"))
                .findFirst().orElseThrow();
        assertTrue(mpRow.endsWith(" | 1.881 |"), "the energy column shows the number (707 x 2.66 nJ): " + mpRow);
        assertTrue(Files.isRegularFile(report.resolve("energy-breakdown.png")));
    }

    @Test
    void reproduceRobustnessEndsWithItsReport() throws IOException {
        Path dir = tmp.resolve("rob");
        run("reproduce", "robustness", "--seeds", "2", "--chips", "2", "--epochs", "1", "--steps-per-epoch", "3",
                "--out", dir.toString(), "--json");
        assertTrue(lastJson().get("modes").has("mp"), "the --json line stays last");
        assertTrue(cli.outText().contains(dir.resolve("report").resolve("report.html").toString()),
                "says where the report is");
        assertTrue(Files.isRegularFile(dir.resolve("README.md")) && Files.isRegularFile(dir.resolve("results.csv")),
                "its own table as before");
        Path report = dir.resolve("report");
        for (String f : List.of("report.md", "report.html", "comparison.csv", "runs.csv", "training-curves.png",
                "training-curves.svg", "writes-histogram.png", "energy-breakdown.png")) {
            assertTrue(Files.isRegularFile(report.resolve(f)), f);
        }
        List<Map<String, String>> rows = ReportChecks.csvRows(Files.readString(report.resolve("comparison.csv")));
        assertEquals(List.of("fp32", "qat", "mp"), rows.stream().map(r -> r.get("mode")).toList());
        for (Map<String, String> r : rows) {
            assertEquals("0;1", r.get("seeds"));
            assertFalse(r.get("accuracy_ci95_low_pct").isEmpty(), "two seeds give an interval");
        }
        assertEquals("", rows.get(0).get("energy_per_image_uj_mean"), "fp32");
        assertFalse(rows.get(2).get("energy_per_image_uj_mean").isEmpty(), "mp");
        assertTrue(Files.readString(dir.resolve("README.md")).contains("`report/`"));
    }
}
