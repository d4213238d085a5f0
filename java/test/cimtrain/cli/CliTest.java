package cimtrain.cli;

import cimtrain.util.Captured;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line as a user meets it: exit statuses, one-line errors, the run folder, --json. */
class CliTest {
    @TempDir
    Path tmp;
    private final Cli cli = new Cli();

    @Test
    void everyHelpFormatsWithoutWarnings() {
        // picocli formats descriptions with String.format: a bare % (as in "95%") prints its text raw
        // and a WARN line to stderr
        java.util.Deque<picocli.CommandLine> todo = new java.util.ArrayDeque<>();
        todo.add(new picocli.CommandLine(new Main()));
        int seen = 0;
        Captured captured = new Captured();
        while (!todo.isEmpty()) {
            picocli.CommandLine c = todo.pop();
            String usage = captured.get(c::getUsageMessage);
            assertFalse(captured.err().contains("picocli WARN"), c.getCommandName() + ": " + captured.err());
            assertFalse(usage.contains("%n"), c.getCommandName() + " help shows a raw format string");
            todo.addAll(c.getSubcommands().values());
            seen++;
        }
        assertTrue(seen > 10, "walked " + seen + " commands");
    }

    @Test
    void impossibleValuesAreRejected() {
        Path runDir = tmp.resolve("never");
        cli.assertBadInput("--epochs", "train", "--model", "lenet-paper", "--epochs", "-3", "--out", runDir.toString());
        cli.assertBadInput("--batch", "train", "--model", "lenet-paper", "--batch", "0", "--out", runDir.toString());
        cli.assertBadInput("--lr", "train", "--model", "lenet-paper", "--lr", "-1", "--out", runDir.toString());
        cli.assertBadInput("--epochs", "train", "--model", "lenet-paper", "--epochs", "many");
        cli.assertBadInput("--optimizer", "train", "--model", "lenet-paper", "--optimizer", "adam");
        cli.assertBadInput("--nonsense", "train", "--model", "lenet-paper", "--nonsense");
        assertFalse(Files.exists(runDir), "no run folder for a rejected run");
    }

    /** The no-driver path of every command that computes: one line and status 2, nothing written. */
    @Test
    void backendCudaWithoutAGpuIsOneLineAndStatus2() {
        org.junit.jupiter.api.Assumptions.assumeFalse(cimtrain.backend.cuda.CudaProbe.probe().available(),
                "this machine has a GPU: --backend cuda is not an error here");
        String reason = cimtrain.backend.cuda.CudaProbe.probe().reason();
        Path dir = tmp.resolve("never");
        cli.assertBadInput(reason, "train", "--backend", "cuda", "--model", "lenet-paper", "--out", dir.toString());
        cli.assertBadInput(reason, "reproduce", "lenet", "--backend", "cuda", "--out", dir.toString());
        cli.assertBadInput(reason, "reproduce", "scaling", "--backend", "cuda", "--out", dir.toString());
        cli.assertBadInput(reason, "bench", "--backend", "cuda");
        cli.assertBadInput(reason, "evaluate", "--backend", "cuda", "--checkpoint", dir.resolve("c.h5").toString());
        cli.assertBadInput(reason, "import", "--backend", "cuda", "--model", "lenet-paper", "--weights",
                dir.resolve("w.h5").toString(), "--out", dir.toString());
        cli.assertBadInput("--backend", "train", "--backend", "tpu", "--model", "lenet-paper", "--out", dir.toString());
        assertFalse(Files.exists(dir), "nothing written when the backend cannot be had");
    }

    @Test
    void costPrintsThePapersLenetFiguresAsJson() throws Exception {
        assertEquals(0, cli.run("cost", "--model", "lenet-paper", "--hardware", "paper-chip", "--json"));
        var j = cimtrain.util.Json.MAPPER.readTree(cli.lastLine());
        assertEquals(6440, j.get("devices").asLong());
        assertEquals(6, j.get("crossbars").asInt());
        assertEquals(707, j.get("tile_ops").asLong());
        assertEquals(272_640, j.get("flops").asLong());
        assertEquals(1.88e-6, j.get("energy_per_image_j").asDouble(), 0.01e-6);
        assertEquals(0.4615e-3, j.get("latency_per_image_s").asDouble(), 0.001e-3);
        cli.assertBadInput("--copies", "cost", "--model", "lenet-paper", "--copies", "0");
        cli.assertBadInput("--resume", "train", "--resume", tmp.resolve("nothing").toString());
        cli.assertBadInput("--model", "train");
    }

    @Test
    void unknownNamesAreRejected() {
        cli.assertBadInput("lenet-paper", "train", "--model", "lenet-papr");
        cli.assertBadInput("mnist-10k", "train", "--model", "lenet-paper", "--dataset", "imagenet");
    }

    @Test
    void aBrokenModelFileIsNamed() throws IOException {
        Path f = tmp.resolve("broken.yaml");
        Files.writeString(f, "name: broken\ninput: [1, 28, 28]\nlayers:\n  - conv: {out: 4, kernel: 5, strid: 2}\n");
        cli.assertBadInput("strid", "train", "--model", f.toString());
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
        cli.assertBadInput("train-images-idx3-ubyte", "train", "--model", "lenet-paper", "--dataset", "mnist",
                "--data", data.toString(), "--out", runDir.toString());
        assertFalse(Files.exists(runDir));
    }

    @Test
    void mismatchedInputShapeSuggestsTheFix() {
        cli.assertBadInput("--image-size 32", "train", "--model", "vgg8", "--dataset", "mnist-10k");
    }

    @Test
    void aShortRunWritesItsFolderAndEndsWithJson() throws IOException {
        Path runDir = tmp.resolve("run");
        int status = cli.run("train", "--model", "lenet-paper", "--epochs", "2", "--train-limit", "1600", "--batch", "64",
                "--lr", "0.004", "--seed", "1", "--out", runDir.toString(), "--json");
        assertEquals(0, status, cli.errText());
        JsonNode summary = new ObjectMapper().readTree(cli.lastLine());
        for (String key : new String[]{"model", "dataset", "mode", "epochs", "seed", "test_accuracy", "train_seconds",
                "train_samples_per_s"}) {
            assertTrue(summary.has(key), "summary has " + key);
        }
        assertEquals("lenet-paper", summary.get("model").asText());
        assertTrue(summary.get("test_accuracy").asDouble() > 0.5, "learns something from 1,600 digits in two epochs");
        assertTrue(Files.exists(runDir.resolve("summary.json")));
        assertEquals(3, Files.readAllLines(runDir.resolve("metrics.csv")).size());
        // the same folder is never overwritten
        cli.assertBadInput("already holds", "train", "--model", "lenet-paper", "--epochs", "1", "--out", runDir.toString());
    }

    @Test
    void anOnChipRunReportsItsWrites() throws IOException {
        Path runDir = tmp.resolve("mp");
        assertEquals(0, cli.run("train", "--model", "lenet-paper", "--mode", "mp", "--hardware", "paper-chip", "--epochs", "1",
                "--train-limit", "256", "--out", runDir.toString(), "--json"), cli.errText());
        JsonNode summary = new ObjectMapper().readTree(cli.lastLine());
        for (String key : new String[]{"writes_per_weight_mean", "writes_per_weight_max", "write_reduction", "hardware"}) {
            assertTrue(summary.has(key), "summary has " + key);
        }
        assertTrue(Files.exists(runDir.resolve("writes.json")));
        cli.assertBadInput("--mode", "train", "--model", "lenet-paper", "--mode", "analog");
        cli.assertBadInput("paper-chip", "train", "--model", "lenet-paper", "--mode", "mp", "--hardware", "paper-chipp");
    }

    @Test
    void reproduceWritesItsTableAndResumes() throws IOException {
        Path dir = tmp.resolve("rep");
        String[] args = {"reproduce", "lenet", "--seeds", "1", "--epochs", "1", "--steps-per-epoch", "3", "--modes",
            "fp32,mp", "--out", dir.toString(), "--json"};
        assertEquals(0, cli.run(args), cli.errText());
        JsonNode result = new ObjectMapper().readTree(cli.lastLine());
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
        assertTrue(cli.outText().contains(dir.resolve("report").resolve("report.html").toString()));
        assertTrue(Files.isRegularFile(dir.resolve("runs/mp-s0/cost.json")), "an on-chip run records its cost");
        assertFalse(Files.exists(dir.resolve("runs/fp32-s0/cost.json")), "fp32 has no chip");
        // a run trained before runs recorded their cost: the rerun reuses it and writes the same cost.json
        String cost = Files.readString(dir.resolve("runs/mp-s0/cost.json"));
        Files.delete(dir.resolve("runs/mp-s0/cost.json"));
        String madeBy = Files.readAllLines(dir.resolve("README.md")).stream().filter(l -> l.startsWith("Made by `"))
                .findFirst().orElseThrow();
        assertEquals(0, cli.run(args));
        assertTrue(cli.outText().contains("reusing finished run"));
        assertEquals(new ObjectMapper().readTree(cost), new ObjectMapper().readTree(dir.resolve("runs/mp-s0/cost.json").toFile()));
        // a rerun that trained nothing keeps the provenance of the runs it reused, and says that it trained nothing
        String again = Files.readString(dir.resolve("README.md"));
        assertTrue(again.contains(madeBy + " Rewritten by `") && again.contains("which trained nothing"), again);
        assertTrue(again.startsWith("# LeNet on MNIST") && again.contains("**Question.**") && again.contains("**Answer.** mp "),
                "the report opens with its question and answer");
        cli.assertBadInput("experiment", "reproduce", "alexnet");
    }

    @Test
    void infoNamesTheGemm() {
        assertEquals(0, cli.run("info"));
        assertTrue(cli.outText().contains("gemm:"));
    }

    @Test
    void helpAnswers() {
        assertEquals(0, cli.run("train", "--help"));
        String help = cli.outText();
        assertTrue(help.contains("--model") && help.contains("--json") && help.contains("Example"));
    }
}
