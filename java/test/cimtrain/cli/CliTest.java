package cimtrain.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line as a user meets it: exit statuses, one-line errors, the run folder, --json. */
class CliTest {
    @TempDir
    Path tmp;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream oldOut;
    private PrintStream oldErr;

    @BeforeEach
    void capture() {
        oldOut = System.out;
        oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setOut(oldOut);
        System.setErr(oldErr);
    }

    private int run(String... args) {
        out.reset();
        err.reset();
        return Main.run(args);
    }

    private String errText() {
        return err.toString(StandardCharsets.UTF_8).trim();
    }

    /** Bad input: status 2 and exactly one line on stderr that mentions the culprit. */
    private void assertBadInput(String mentions, String... args) {
        assertEquals(2, run(args), "exit status for " + String.join(" ", args) + "; stderr: " + errText());
        String e = errText();
        assertEquals(1, e.lines().count(), "one line on stderr, got: " + e);
        assertTrue(e.contains(mentions), "'" + e + "' should mention " + mentions);
        assertFalse(e.contains("Exception"), "no stack trace or exception name: " + e);
    }

    @Test
    void everyHelpFormatsWithoutWarnings() {
        // picocli formats descriptions with String.format: a bare % (as in "95%") prints its text raw
        // and a WARN line to stderr
        java.util.Deque<picocli.CommandLine> todo = new java.util.ArrayDeque<>();
        todo.add(new picocli.CommandLine(new Main()));
        int seen = 0;
        while (!todo.isEmpty()) {
            picocli.CommandLine c = todo.pop();
            err.reset();
            String usage = c.getUsageMessage();
            assertFalse(errText().contains("picocli WARN"), c.getCommandName() + ": " + errText());
            assertFalse(usage.contains("%n"), c.getCommandName() + " help shows a raw format string");
            todo.addAll(c.getSubcommands().values());
            seen++;
        }
        assertTrue(seen > 10, "walked " + seen + " commands");
    }

    @Test
    void impossibleValuesAreRejected() {
        Path runDir = tmp.resolve("never");
        assertBadInput("--epochs", "train", "--model", "lenet-paper", "--epochs", "-3", "--out", runDir.toString());
        assertBadInput("--batch", "train", "--model", "lenet-paper", "--batch", "0", "--out", runDir.toString());
        assertBadInput("--lr", "train", "--model", "lenet-paper", "--lr", "-1", "--out", runDir.toString());
        assertBadInput("--epochs", "train", "--model", "lenet-paper", "--epochs", "many");
        assertBadInput("--optimizer", "train", "--model", "lenet-paper", "--optimizer", "adam");
        assertBadInput("--nonsense", "train", "--model", "lenet-paper", "--nonsense");
        assertFalse(Files.exists(runDir), "no run folder for a rejected run");
    }

    /** The no-driver path of every command that computes: one line and status 2, nothing written. */
    @Test
    void backendCudaWithoutAGpuIsOneLineAndStatus2() {
        org.junit.jupiter.api.Assumptions.assumeFalse(cimtrain.backend.cuda.CudaProbe.probe().available(),
                "this machine has a GPU: --backend cuda is not an error here");
        String reason = cimtrain.backend.cuda.CudaProbe.probe().reason();
        Path dir = tmp.resolve("never");
        assertBadInput(reason, "train", "--backend", "cuda", "--model", "lenet-paper", "--out", dir.toString());
        assertBadInput(reason, "reproduce", "lenet", "--backend", "cuda", "--out", dir.toString());
        assertBadInput(reason, "reproduce", "scaling", "--backend", "cuda", "--out", dir.toString());
        assertBadInput(reason, "bench", "--backend", "cuda");
        assertBadInput(reason, "evaluate", "--backend", "cuda", "--checkpoint", dir.resolve("c.h5").toString());
        assertBadInput(reason, "import", "--backend", "cuda", "--model", "lenet-paper", "--weights",
                dir.resolve("w.h5").toString(), "--out", dir.toString());
        assertBadInput("--backend", "train", "--backend", "tpu", "--model", "lenet-paper", "--out", dir.toString());
        assertFalse(Files.exists(dir), "nothing written when the backend cannot be had");
    }

    @Test
    void costPrintsThePapersLenetFiguresAsJson() throws Exception {
        assertEquals(0, run("cost", "--model", "lenet-paper", "--hardware", "paper-chip", "--json"));
        String[] lines = out.toString(StandardCharsets.UTF_8).trim().split("\n");
        var j = cimtrain.util.Json.MAPPER.readTree(lines[lines.length - 1]);
        assertEquals(6440, j.get("devices").asLong());
        assertEquals(6, j.get("crossbars").asInt());
        assertEquals(707, j.get("tile_ops").asLong());
        assertEquals(272_640, j.get("flops").asLong());
        assertEquals(1.88e-6, j.get("energy_per_image_j").asDouble(), 0.01e-6);
        assertEquals(0.4615e-3, j.get("latency_per_image_s").asDouble(), 0.001e-3);
        assertBadInput("--copies", "cost", "--model", "lenet-paper", "--copies", "0");
        assertBadInput("--resume", "train", "--resume", tmp.resolve("nothing").toString());
        assertBadInput("--model", "train");
    }

    @Test
    void unknownNamesAreRejected() {
        assertBadInput("lenet-paper", "train", "--model", "lenet-papr");
        assertBadInput("mnist-10k", "train", "--model", "lenet-paper", "--dataset", "imagenet");
    }

    @Test
    void aBrokenModelFileIsNamed() throws IOException {
        Path f = tmp.resolve("broken.yaml");
        Files.writeString(f, "name: broken\ninput: [1, 28, 28]\nlayers:\n  - conv: {out: 4, kernel: 5, strid: 2}\n");
        assertBadInput("strid", "train", "--model", f.toString());
    }

    @Test
    void aCorruptDatasetFileIsNamedAndLeavesNoRun() throws IOException {
        Path data = tmp.resolve("data");
        Files.createDirectories(data);
        for (String name : new String[]{"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}) {
            Files.write(data.resolve(name), new byte[]{0, 0, 8, 3, 0, 0}); // truncated header
        }
        Path runDir = tmp.resolve("run");
        assertBadInput("train-images-idx3-ubyte", "train", "--model", "lenet-paper", "--dataset", "mnist",
                "--data", data.toString(), "--out", runDir.toString());
        assertFalse(Files.exists(runDir));
    }

    @Test
    void mismatchedInputShapeSuggestsTheFix() {
        assertBadInput("--image-size 32", "train", "--model", "vgg8", "--dataset", "mnist-10k");
    }

    @Test
    void aShortRunWritesItsFolderAndEndsWithJson() throws IOException {
        Path runDir = tmp.resolve("run");
        int status = run("train", "--model", "lenet-paper", "--epochs", "2", "--train-limit", "1600", "--batch", "64",
                "--lr", "0.004", "--seed", "1", "--out", runDir.toString(), "--json");
        assertEquals(0, status, errText());
        String[] lines = out.toString(StandardCharsets.UTF_8).trim().split("\n");
        JsonNode summary = new ObjectMapper().readTree(lines[lines.length - 1]);
        for (String key : new String[]{"model", "dataset", "mode", "epochs", "seed", "test_accuracy", "train_seconds",
                "train_samples_per_s"}) {
            assertTrue(summary.has(key), "summary has " + key);
        }
        assertEquals("lenet-paper", summary.get("model").asText());
        assertTrue(summary.get("test_accuracy").asDouble() > 0.5, "learns something from 1,600 digits in two epochs");
        assertTrue(Files.exists(runDir.resolve("summary.json")));
        assertEquals(3, Files.readAllLines(runDir.resolve("metrics.csv")).size());
        // the same folder is never overwritten
        assertBadInput("already holds", "train", "--model", "lenet-paper", "--epochs", "1", "--out", runDir.toString());
    }

    @Test
    void anOnChipRunReportsItsWrites() throws IOException {
        Path runDir = tmp.resolve("mp");
        assertEquals(0, run("train", "--model", "lenet-paper", "--mode", "mp", "--hardware", "paper-chip", "--epochs", "1",
                "--train-limit", "256", "--out", runDir.toString(), "--json"), errText());
        String[] lines = out.toString(StandardCharsets.UTF_8).trim().split("\n");
        JsonNode summary = new ObjectMapper().readTree(lines[lines.length - 1]);
        for (String key : new String[]{"writes_per_weight_mean", "writes_per_weight_max", "write_reduction", "hardware"}) {
            assertTrue(summary.has(key), "summary has " + key);
        }
        assertTrue(Files.exists(runDir.resolve("writes.json")));
        assertBadInput("--mode", "train", "--model", "lenet-paper", "--mode", "analog");
        assertBadInput("paper-chip", "train", "--model", "lenet-paper", "--mode", "mp", "--hardware", "paper-chipp");
    }

    @Test
    void reproduceWritesItsTableAndResumes() throws IOException {
        Path dir = tmp.resolve("rep");
        String[] args = {"reproduce", "lenet", "--seeds", "1", "--epochs", "1", "--steps-per-epoch", "3", "--modes",
            "fp32,mp", "--out", dir.toString(), "--json"};
        assertEquals(0, run(args), errText());
        String[] lines = out.toString(StandardCharsets.UTF_8).trim().split("\n");
        JsonNode result = new ObjectMapper().readTree(lines[lines.length - 1]);
        assertTrue(result.get("modes").has("mp") && result.get("modes").get("mp").has("write_reduction"));
        assertTrue(Files.readString(dir.resolve("README.md")).contains("97.73"), "the paper's figure beside ours");
        assertTrue(Files.readString(dir.resolve("README.md")).contains("--out " + dir.toAbsolutePath().normalize() + "`"),
                "the command line in the report names the folder it wrote");
        assertEquals(3, Files.readAllLines(dir.resolve("results.csv")).size());
        // and the report of its runs, made by cimtrain report's machinery
        for (String f : new String[]{"report.md", "report.html", "comparison.csv", "runs.csv", "training-curves.png",
            "training-curves.svg", "writes-histogram.png", "writes-histogram.svg", "energy-breakdown.png"}) {
            assertTrue(Files.isRegularFile(dir.resolve("report").resolve(f)), "report/" + f);
        }
        assertTrue(out.toString(StandardCharsets.UTF_8).contains(dir.resolve("report").resolve("report.html").toString()));
        assertTrue(Files.isRegularFile(dir.resolve("runs/mp-s0/cost.json")), "an on-chip run records its cost");
        assertFalse(Files.exists(dir.resolve("runs/fp32-s0/cost.json")), "fp32 has no chip");
        // a run trained before runs recorded their cost: the rerun reuses it and writes the same cost.json
        String cost = Files.readString(dir.resolve("runs/mp-s0/cost.json"));
        Files.delete(dir.resolve("runs/mp-s0/cost.json"));
        String madeBy = Files.readAllLines(dir.resolve("README.md")).stream().filter(l -> l.startsWith("Made by `"))
                .findFirst().orElseThrow();
        assertEquals(0, run(args));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("reusing finished run"));
        assertEquals(new ObjectMapper().readTree(cost), new ObjectMapper().readTree(dir.resolve("runs/mp-s0/cost.json").toFile()));
        // a rerun that trained nothing keeps the provenance of the runs it reused, and says that it trained nothing
        String again = Files.readString(dir.resolve("README.md"));
        assertTrue(again.contains(madeBy + " Rewritten by `") && again.contains("which trained nothing"), again);
        assertTrue(again.startsWith("# LeNet on MNIST") && again.contains("**Question.**") && again.contains("**Answer.** mp "),
                "the report opens with its question and answer");
        assertBadInput("experiment", "reproduce", "alexnet");
    }

    @Test
    void infoNamesTheGemm() {
        assertEquals(0, run("info"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("gemm:"));
    }

    @Test
    void helpAnswers() {
        assertEquals(0, run("train", "--help"));
        String help = out.toString(StandardCharsets.UTF_8);
        assertTrue(help.contains("--model") && help.contains("--json") && help.contains("Example"));
    }
}
