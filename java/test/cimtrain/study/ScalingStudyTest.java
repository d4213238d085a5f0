package cimtrain.study;

import cimtrain.cli.Main;
import cimtrain.util.Captured;
import cimtrain.util.Json;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code reproduce scaling} end to end on a tiny budget (the embedded digits, width 1/16, one epoch of a
 * few hundred images): the dry run lists every run and writes nothing; the study writes its report and
 * every run's new-chip and memory figures; a rerun reuses finished runs and continues an unfinished one to
 * the same numbers; a folder holding a study with other settings is refused.
 */
class ScalingStudyTest {
    private static final String[] TINY = {"reproduce", "scaling", "--models", "vgg8,resnet18", "--dataset", "mnist-10k",
            "--width", "0.0625", "--epochs", "1", "--train-limit", "256", "--test-limit", "128", "--chips", "2",
            "--threads", "2"};

    @Test
    void dryRunListsEveryRunAndWritesNothing(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("study");
        String stdout = Captured.stdout(() -> assertEquals(0, Main.run(concat(TINY, "--out", out.toString(), "--dry-run", "--json"))));
        JsonNode json = Json.MAPPER.readTree(lastLine(stdout));
        assertEquals(6, json.get("runs").size(), "2 models x fp32/mp/qat x 1 seed");
        assertEquals(List.of("vgg8-fp32-s0", "vgg8-mp-s0", "vgg8-qat-s0", "resnet18-fp32-s0", "resnet18-mp-s0", "resnet18-qat-s0"),
                json.get("runs").findValuesAsText("id"));
        assertTrue(json.get("runs").get(0).get("hardware").isNull(), "fp32 trains in software");
        assertEquals("paper-table1", json.get("runs").get(1).get("hardware").asText());
        assertEquals(0.0625, json.get("runs").get(1).get("width").asDouble());
        assertEquals("quick+custom", json.get("settings").get("budget").asText());
        assertFalse(Files.exists(out), "a dry run writes nothing");
    }

    @Test
    void studyWritesItsReportAndARerunContinuesWhereItStopped(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("study");
        String[] cmd = concat(TINY, "--out", out.toString(), "--json", "--backend", "cpu");
        String stdout = Captured.stdout(() -> assertEquals(0, Main.run(cmd)));
        JsonNode json = Json.MAPPER.readTree(lastLine(stdout));
        for (String f : List.of("README.md", "results.csv", "results.json", "study.json", "report/report.html", "report/report.md")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        assertEquals(7, Files.readAllLines(out.resolve("results.csv")).size(), "header and 6 runs");
        JsonNode mp = json.get("models").get("vgg8").get("modes").get("mp");
        assertTrue(mp.get("writes_per_weight_mean").asDouble() > 0, "the mp run wrote devices");
        assertTrue(mp.get("steps").asLong() == 4, "256 images in batches of 64, one epoch");
        assertTrue(json.get("models").get("resnet18").get("cost").get("full_width").get("crossbars").asLong() > 1000);
        for (String run : List.of("vgg8-fp32-s0", "resnet18-mp-s0")) {
            JsonNode chips = Json.MAPPER.readTree(out.resolve("runs").resolve(run).resolve("newchips.json").toFile());
            assertEquals(2, chips.get("accuracies").size());
            assertEquals(128, chips.get("test_samples").asInt(), "the budget's test images");
            // paper-table1's 256-row columns can exceed the ADC's range: the first chip is also read exactly
            assertEquals("exact", chips.get("exact_reads").get("read_model").asText());
            assertTrue(chips.get("exact_reads").get("accuracy").asDouble() >= 0);
            JsonNode mem = Json.MAPPER.readTree(out.resolve("runs").resolve(run).resolve("memory.json").toFile());
            assertTrue(mem.get("peak_heap_bytes").asLong() > 1 << 20, "a peak heap was measured");
            assertEquals("cpu", mem.get("backend").asText(), "the backend that trained the run is recorded");
            assertTrue(mem.get("gpu_peak_bytes").isNull(), "no GPU memory on the CPU backend");
        }
        assertTrue(Json.MAPPER.readTree(out.resolve("runs/resnet18-mp-s0/newchips.json").toFile())
                .get("kept_trained_scales").asBoolean(), "an mp model keeps the scales it was trained with");
        // ResNet-18 normalises: its new chips are also tested after recalibrating batch norm on each; VGG-8 does not
        JsonNode recal = Json.MAPPER.readTree(out.resolve("runs/resnet18-qat-s0/newchips.json").toFile()).get("bn_recalibrated");
        assertEquals(2, recal.get("accuracies").size());
        assertEquals(20, recal.get("batches").asInt());
        assertFalse(Json.MAPPER.readTree(out.resolve("runs/vgg8-qat-s0/newchips.json").toFile()).has("bn_recalibrated"));
        assertTrue(json.get("models").get("resnet18").get("modes").get("mp").has("loss_on_new_chips_bn_recalibrated"));
        String readme = Files.readString(out.resolve("README.md"));
        assertTrue(readme.contains("not CIFAR-10") || readme.contains("(not the paper's CIFAR-10)"), "the data difference is stated");
        assertTrue(readme.contains("| training images | the first 256 |"), readme);
        assertTrue(readme.contains(", CPU backend; the study took"), "the backend is named from the runs: " + readme);
        assertTrue(readme.contains("--backend cpu"), "the command as given");
        assertTrue(readme.contains("| vgg8-mp-s0 | cpu | "), readme);
        assertTrue(readme.contains("models are mapped anew, each tile's largest weight at 1/inference_headroom of the "
                + "range (1)."), "how fp32 and qat models are moved: " + readme);
        assertTrue(readme.contains("**ADC saturation.** paper-table1: a column of 256 rows can draw up to 1536 uA"), readme);
        assertTrue(readme.contains("This chip senses differentially") && readme.contains("ADC conversions saturated on new chips %"), readme);
        assertTrue(readme.contains("**Batch norm recalibrated on the new chip.**") && readme.contains("| resnet18 | mp | "), readme);

        // interrupt one run after its training (no summary, no new-chip figures) and rerun
        List<String> before = Files.readAllLines(out.resolve("results.csv"));
        Path unfinished = out.resolve("runs/vgg8-mp-s0");
        Files.delete(unfinished.resolve("summary.json"));
        Files.delete(unfinished.resolve("newchips.json"));
        Path kept = out.resolve("runs/resnet18-qat-s0/summary.json");
        FileTime keptTime = Files.getLastModifiedTime(kept);
        String again = Captured.stdout(() -> assertEquals(0, Main.run(cmd)));
        assertTrue(again.contains("reusing finished run " + out.resolve("runs/resnet18-qat-s0")), again);
        assertTrue(again.contains("resuming " + unfinished), again);
        assertEquals(keptTime, Files.getLastModifiedTime(kept), "a finished run is not trained again");
        assertEquals(before.stream().map(ScalingStudyTest::withoutTimes).toList(),
                Files.readAllLines(out.resolve("results.csv")).stream().map(ScalingStudyTest::withoutTimes).toList(),
                "the continued study gives the same figures");

        // other settings in the same folder: refused before anything runs
        String[] other = concat(TINY, "--out", out.toString());
        other[java.util.Arrays.asList(other).indexOf("--chips") + 1] = "3";
        String err = Captured.stderr(() -> assertEquals(2, Main.run(other)));
        assertTrue(err.contains("holds a study with other settings (study.json: chips 2 there, 3 here)"), err);

        // a finished run trained on another version of the chip file: refused before anything trains
        Path config = out.resolve("runs/resnet18-mp-s0/config.json");
        String recorded = Files.readString(config);
        var edited = (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(recorded);
        ((com.fasterxml.jackson.databind.node.ObjectNode) edited.with("hardware_spec").get("scale")).put("headroom", 1.5);
        Files.writeString(config, Json.pretty(edited));
        String stale = Captured.stderr(() -> assertEquals(2, Main.run(cmd)));
        assertTrue(stale.contains("resnet18-mp-s0 was trained on another paper-table1 (scale.headroom: 1.5 then, 3.0 now)"),
                stale);
        Files.writeString(config, recorded);

        // more seeds (and fewer models) only add or leave out runs: the study is extended, reusing its runs
        String[] more = concat(TINY, "--out", out.toString(), "--backend", "cpu", "--seeds", "2");
        more[java.util.Arrays.asList(more).indexOf("--models") + 1] = "vgg8";
        String extended = Captured.stdout(() -> assertEquals(0, Main.run(more)));
        assertTrue(extended.contains("extending the study in " + out), extended);
        assertTrue(extended.contains("reusing finished run " + out.resolve("runs/vgg8-mp-s0")), extended);
        assertTrue(Files.isRegularFile(out.resolve("runs/vgg8-mp-s1/summary.json")), "seed 1 trained");
        assertEquals(7, Files.readAllLines(out.resolve("results.csv")).size(), "header and vgg8 x 3 modes x 2 seeds");
        assertEquals(2, Json.MAPPER.readTree(out.resolve("study.json").toFile()).get("seeds").asInt(), "settings recorded");
    }

    /** A results.csv line without the timing and memory columns, which differ between runs. */
    private static String withoutTimes(String line) {
        String[] f = line.split(",", -1);
        return String.join(",", java.util.Arrays.copyOf(f, 10));
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static String lastLine(String s) {
        String[] lines = s.strip().split("\n");
        return lines[lines.length - 1];
    }

}
