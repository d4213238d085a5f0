package cimtrain.report;

import cimtrain.util.Json;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A report of the checked-in LeNet reproduction: its numbers, its files, and the folder left as it was. */
class ReportFromReproductionTest {
    @TempDir
    static Path tmp;
    static Path out;
    static Report.Result result;
    static Map<String, String> inputBefore;

    @BeforeAll
    static void build() throws IOException {
        inputBefore = listing(ReportFixtures.LENET);
        out = tmp.resolve("report");
        result = Report.build(List.of(ReportFixtures.LENET), out, null);
    }

    @Test
    void theInputFolderIsOnlyRead() throws IOException {
        assertEquals(inputBefore, listing(ReportFixtures.LENET));
    }

    @Test
    void comparisonValuesAreTheMeanAndSampleStdOfTheRunSummaries() throws IOException {
        Map<String, List<JsonNode>> byMode = new TreeMap<>();
        try (Stream<Path> runs = Files.list(ReportFixtures.LENET.resolve("runs"))) {
            for (Path run : runs.toList()) {
                JsonNode s = Json.MAPPER.readTree(run.resolve("summary.json").toFile());
                byMode.computeIfAbsent(s.get("mode").asText(), k -> new ArrayList<>()).add(s);
            }
        }
        Map<String, Map<String, String>> rows = csvByMode(Files.readString(out.resolve("comparison.csv")));
        assertEquals(byMode.keySet(), rows.keySet());
        double fp32 = mean(byMode.get("fp32"), "test_accuracy") * 100;
        String md = Files.readString(out.resolve("report.md"));
        for (var e : byMode.entrySet()) {
            Map<String, String> row = rows.get(e.getKey());
            double acc = mean(e.getValue(), "test_accuracy") * 100, std = std(e.getValue(), "test_accuracy") * 100;
            assertEquals(acc, Double.parseDouble(row.get("accuracy_mean_pct")), 1e-9, e.getKey());
            assertEquals(std, Double.parseDouble(row.get("accuracy_std_pct")), 1e-9, e.getKey());
            // Student's t for 3 seeds (2 degrees of freedom): t(0.975, 2) = 4.302653
            double half = 4.302652729749462 * std / Math.sqrt(3);
            assertEquals(acc - half, Double.parseDouble(row.get("accuracy_ci95_low_pct")), 1e-9, e.getKey());
            assertEquals(acc + half, Double.parseDouble(row.get("accuracy_ci95_high_pct")), 1e-9, e.getKey());
            assertEquals(acc - fp32, Double.parseDouble(row.get("delta_to_fp32_points")), 1e-9, e.getKey());
            assertEquals(String.valueOf(e.getValue().size()), row.get("runs"));
            // the runs on the chip record their cost (707 tile operations x 2.66 nJ); fp32 has no chip
            if (e.getKey().equals("fp32")) {
                assertEquals("", row.get("energy_per_image_uj_mean"), "fp32 records no energy");
            } else {
                assertEquals(707 * 2.66e-3, Double.parseDouble(row.get("energy_per_image_uj_mean")), 1e-9, e.getKey());
            }
            boolean writes = e.getValue().get(0).has("writes_per_weight_mean");
            assertEquals(writes, e.getKey().equals("mp") || e.getKey().equals("direct"), e.getKey());
            if (writes) {
                assertEquals(mean(e.getValue(), "writes_per_weight_mean"), Double.parseDouble(row.get("writes_per_weight_mean")), 1e-9);
                assertEquals(mean(e.getValue(), "write_reduction"), Double.parseDouble(row.get("write_reduction_mean")), 1e-9);
                assertEquals(e.getValue().stream().mapToDouble(s -> s.get("writes_per_weight_max").asDouble()).max().orElseThrow(),
                        Double.parseDouble(row.get("writes_per_weight_max")));
            } else {
                assertEquals("", row.get("writes_per_weight_mean"));
            }
            // the Markdown table shows the same figures, rounded
            String cell = String.format(Locale.ROOT, "| %s | 0, 1, 2 | %.2f \u00b1 %.2f | [%.2f, %.2f] | %+.2f |", e.getKey(),
                    acc, std, acc - half, acc + half, acc - fp32);
            assertTrue(md.contains(cell), "report.md should contain " + cell);
        }
        // the figures the reproduction's own README states (remade with paper-chip's write.clip_target on)
        assertTrue(md.contains("| mp | 0, 1, 2 | 96.78 \u00b1 0.29 | [96.06, 97.51] | -0.98 | 14.4 / 53 | 361x | 1.881 |"), md);
        assertTrue(md.contains("95% confidence interval of that mean"), "the interval is explained");
    }

    @Test
    void plotsAreValidPngAndSvgFiles() throws Exception {
        List<String> names = result.plots().stream().map(Plot::name).toList();
        // nothing was swept: the curves, the writes and the energy the chip runs record
        assertEquals(List.of("training-curves", "writes-histogram", "energy-breakdown"), names);
        for (String n : names) {
            ReportChecks.assertChartPng(out.resolve(n + ".png"));
            ReportChecks.assertSvg(out.resolve(n + ".svg"));
        }
    }

    @Test
    void htmlEmbedsEveryPlotAndNeedsNothingElse() throws IOException {
        String html = Files.readString(out.resolve("report.html"));
        Matcher m = Pattern.compile("src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"").matcher(html);
        List<byte[]> embedded = new ArrayList<>();
        while (m.find()) {
            embedded.add(Base64.getDecoder().decode(m.group(1)));
        }
        List<Path> pngs;
        try (Stream<Path> files = Files.list(out)) {
            pngs = files.filter(f -> f.toString().endsWith(".png")).sorted().toList();
        }
        assertEquals(pngs.size(), embedded.size(), "one embedded image per plot");
        for (Plot p : result.plots()) {
            assertTrue(embedded.stream().anyMatch(b -> java.util.Arrays.equals(b, p.png())), p.name() + " embedded");
            assertArrayEquals(p.png(), Files.readAllBytes(out.resolve(p.name() + ".png")));
        }
        assertEquals(pngs.size(), html.split("data:image/png", -1).length - 1, "no other data URIs");
        assertFalse(html.contains("http://") || html.contains("https://"), "no network references");
        assertFalse(html.toLowerCase(Locale.ROOT).contains("<script"), "no JavaScript");
        String withoutPlots = html.replaceAll("src=\"data:image/png;base64,[^\"]*\"", "");
        assertFalse(withoutPlots.contains("src=") || withoutPlots.contains("href=") || withoutPlots.contains("url("),
                "nothing loaded but the embedded PNGs");
        assertTrue(html.contains("<td>96.78 \u00b1 0.29</td>"), "the comparison table");
    }

    @Test
    void everyFileIsListedAndNoTemporaryIsLeft() throws IOException {
        try (Stream<Path> files = Files.list(out)) {
            // besides the report's files, only the lock that kept other report writers out while it was written
            List<Path> present = files.filter(f -> !f.getFileName().toString().equals(cimtrain.util.FolderLock.FILE))
                    .sorted().toList();
            assertEquals(result.files().stream().sorted().toList(), present);
        }
        assertTrue(result.files().contains(out.resolve("runs.csv")));
        assertEquals(13, Files.readAllLines(out.resolve("runs.csv")).size(), "header and 12 runs");
    }

    private static Map<String, Map<String, String>> csvByMode(String csv) {
        Map<String, Map<String, String>> rows = new TreeMap<>();
        ReportChecks.csvRows(csv).forEach(row -> rows.put(row.get("mode"), row));
        return rows;
    }

    private static double mean(List<JsonNode> runs, String field) {
        return runs.stream().mapToDouble(s -> s.get(field).asDouble()).average().orElseThrow();
    }

    private static double std(List<JsonNode> runs, String field) {
        double m = mean(runs, field);
        double sq = runs.stream().mapToDouble(s -> (s.get(field).asDouble() - m) * (s.get(field).asDouble() - m)).sum();
        return Math.sqrt(sq / (runs.size() - 1));
    }

    /** Every file under a folder with its size and modification time. */
    private static Map<String, String> listing(Path dir) throws IOException {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.toList()) {
                m.put(dir.relativize(f).toString(), Files.size(f) + "@" + Files.getLastModifiedTime(f));
            }
        }
        return m;
    }
}
