package cimtrain.cli;

import cimtrain.train.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A training process killed in the middle of writing a checkpoint (after the new file is written,
 * before it replaces the old) resumes from the last complete checkpoint and ends like a run that was
 * never killed.
 */
class CrashResumeTest {
    private static final String[] TRAIN = {"train", "--model", "lenet-paper", "--mode", "mp", "--hardware", "paper-chip",
            "--epochs", "3", "--steps-per-epoch", "40", "--train-limit", "640", "--threads", "2", "--seed", "5"};

    @Test
    void aProcessKilledDuringACheckpointWriteResumesCleanly(@TempDir Path tmp) throws Exception {
        Path killed = tmp.resolve("killed"), straight = tmp.resolve("straight");
        Process p = new ProcessBuilder(command(killed, "-Dcimtrain.fault.halt-before-rename=" + Checkpoint.FILE + ":3"))
                .redirectErrorStream(true).redirectOutput(tmp.resolve("killed.log").toFile()).start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the training process ended");
        assertEquals(137, p.exitValue(), Files.readString(tmp.resolve("killed.log")));
        // killed while writing the checkpoint of epoch 2 (the third: the first is the state before training):
        // epoch 1's is complete, the new one a stray temp file
        try (Stream<Path> files = Files.list(killed)) {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().startsWith("." + Checkpoint.FILE + ".tmp-")));
        }
        assertEquals(2, Files.readAllLines(killed.resolve("metrics.csv")).size(), "header and epoch 1");

        assertEquals(0, Main.run("train", "--resume", killed.toString(), "--threads", "2"));
        assertEquals(0, Main.run(concat(TRAIN, "--out", straight.toString())));
        assertEquals(Files.readAllLines(straight.resolve("metrics.csv")).stream().map(CrashResumeTest::accuracy).toList(),
                Files.readAllLines(killed.resolve("metrics.csv")).stream().map(CrashResumeTest::accuracy).toList());
        assertEquals(field(straight, "test_accuracy"), field(killed, "test_accuracy"));
        assertEquals(field(straight, "writes_per_weight_mean"), field(killed, "writes_per_weight_mean"));
        try (Stream<Path> files = Files.list(killed)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().contains(".tmp-")), "temporary files cleaned");
        }

        // the resumed model moved to two new chips: the evaluation's summary and its --json line
        Path eval = tmp.resolve("eval");
        assertEquals(0, Main.run("evaluate", "--checkpoint", killed.resolve(Checkpoint.FILE).toString(), "--chips", "2",
                "--out", eval.toString(), "--json"));
        var summary = cimtrain.util.Json.MAPPER.readTree(eval.resolve("summary.json").toFile());
        assertEquals(2, summary.get("chips").asInt());
        assertEquals(2000, summary.get("test_samples").asInt(), "mnist-10k's whole test split");
        assertTrue(summary.get("ci95_low").asDouble() <= summary.get("accuracy_mean").asDouble());
        double trained = Double.parseDouble(field(killed, "test_accuracy"));
        // chance is 0.1; these 120 steps on paper-chip reach about 0.45 (seed 5)
        assertTrue(trained > 0.3, "a trained model, not chance: " + trained);
        assertEquals(trained, summary.get("accuracy_mean").asDouble(), 0.1, "on new chips of the same kind");
        assertEquals(3, Files.readAllLines(eval.resolve("chips.csv")).size());
        assertEquals("trained", summary.get("mapping").asText());
        // the same chips with the model mapped anew: every tile's largest weight spans the whole range
        Path remapped = tmp.resolve("eval-new");
        assertEquals(0, Main.run("evaluate", "--checkpoint", killed.resolve(Checkpoint.FILE).toString(), "--chips", "2",
                "--mapping", "new", "--out", remapped.toString()));
        var fresh = cimtrain.util.Json.MAPPER.readTree(remapped.resolve("summary.json").toFile());
        assertEquals("new", fresh.get("mapping").asText());
        assertFalse(fresh.get("kept_trained_scales").asBoolean());
        assertEquals(1.0, fresh.get("range_used_mean").asDouble(), 1e-5, "paper-chip's inference_headroom 1");
        assertEquals(1.0, fresh.get("range_used_min").asDouble(), 1e-5);
        assertEquals(trained, fresh.get("accuracy_mean").asDouble(), 0.1, "the model, mapped anew");
        assertEquals(2, Main.run("evaluate", "--checkpoint", killed.resolve(Checkpoint.FILE).toString(),
                "--mapping", "old"));
        // the training chip's device values as targets, on chips without programming error or read noise:
        // the function the training chip computed, up to rounding the values to the levels
        Path devices = tmp.resolve("eval-devices");
        assertEquals(0, Main.run("evaluate", "--checkpoint", killed.resolve(Checkpoint.FILE).toString(), "--chips", "1",
                "--targets", "devices", "--programming-error", "0", "--read-noise", "0", "--out", devices.toString()));
        var fromDevices = cimtrain.util.Json.MAPPER.readTree(devices.resolve("summary.json").toFile());
        assertEquals("devices", fromDevices.get("targets").asText());
        assertEquals(trained, fromDevices.get("accuracy_mean").asDouble(), 0.05, "the training chip's function");
        // which layer's programming errors cost accuracy: lenet-paper's three crossbar layers, one line each
        Path perLayer = tmp.resolve("eval-layers");
        assertEquals(0, Main.run("evaluate", "--checkpoint", killed.resolve(Checkpoint.FILE).toString(), "--chips", "1",
                "--per-layer", "--out", perLayer.toString()));
        List<String> layers = Files.readAllLines(perLayer.resolve("layers.csv"));
        assertEquals(List.of("layer", "weights", "accuracy_mean", "cost_points"), List.of(layers.get(0).split(",")));
        assertEquals(5, layers.size(), "header, no layer, 3 layers");
        assertTrue(layers.get(2).startsWith("\"1: conv 5x5 1->4"), layers.get(2));
        var layerSummary = cimtrain.util.Json.MAPPER.readTree(perLayer.resolve("summary.json").toFile()).get("per_layer");
        assertEquals(3, layerSummary.get("layers").size());
        assertEquals(4 * 25, layerSummary.get("layers").get(0).get("weights").asInt());
        assertEquals(2, Main.run("evaluate", "--checkpoint", killed.resolve(Checkpoint.FILE).toString(), "--per-layer",
                "--recalibrate-bn", "4"), "one or the other");
        assertEquals(2, Main.run("evaluate", "--checkpoint", killed.resolve(Checkpoint.FILE).toString(),
                "--targets", "digital"));
        assertEquals(2, Main.run("evaluate", "--checkpoint", killed.resolve(Checkpoint.FILE).toString(),
                "--recalibrate-bn", "4"), "lenet-paper has no batch norm to recalibrate");
        // what --targets devices programs: the devices' values, W_FP off by the training chip's write errors
        Path ckpt = killed.resolve(Checkpoint.FILE);
        var args = Checkpoint.arguments(ckpt);
        var spec = cimtrain.model.Models.load(args.model());
        try (var be = new cimtrain.backend.cpu.CpuBackend(1, 1);
             var net = new cimtrain.nn.Network("n", be, () -> spec.build(args.config().width()), spec.input, 4, 0)) {
            Checkpoint.loadNetwork(ckpt, net);
            var conv1 = (cimtrain.nn.Conv2d) cimtrain.nn.Network.leaves(net.replicaRoots().get(0)).get(0);
            float[] wfp = conv1.weight().read();
            cimtrain.train.ChipEvaluation.useDeviceValues(net, ckpt, cimtrain.hardware.Hardware.load(args.hardware()),
                    args.config().mode(), args.config().seed());
            float[] held = conv1.weight().read();
            double maxDiff = 0, maxW = 0;
            for (int i = 0; i < wfp.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(held[i] - wfp[i]));
                maxW = Math.max(maxW, Math.abs(wfp[i]));
            }
            assertTrue(maxDiff > 0, "the devices' values, not W_FP");
            assertTrue(maxDiff < 0.5 * maxW, "near W_FP: " + maxDiff + " of " + maxW);
        }
        // a file that is not a checkpoint: status 2
        Files.writeString(tmp.resolve("junk.h5"), "junk");
        assertEquals(2, Main.run("evaluate", "--checkpoint", tmp.resolve("junk.h5").toString()));
    }

    /**
     * Killed before the first epoch ended: from the state written before the first step (resumed), and
     * before even that (started again into the same folder); then killed with SIGKILL at random moments
     * and resumed each time. Every way ends with the numbers of a run never killed.
     */
    @Test
    void aRunKilledAnywhereEndsLikeOneNeverKilled(@TempDir Path tmp) throws Exception {
        Path straight = tmp.resolve("straight");
        assertEquals(0, Main.run(concat(TRAIN, "--out", straight.toString())));
        List<String> expected = Files.readAllLines(straight.resolve("metrics.csv")).stream()
                .map(CrashResumeTest::accuracy).toList();

        // during the write of epoch 1's checkpoint: the state before training is the one to resume
        Path early = tmp.resolve("early");
        assertEquals(137, killedAt(early, Checkpoint.FILE + ":2", tmp));
        assertEquals(0, Main.run("train", "--resume", early.toString(), "--threads", "2"));
        assertSameRun(straight, early, expected);

        // before the first checkpoint exists: --resume says to start again, and starting again there works
        Path first = tmp.resolve("first");
        assertEquals(137, killedAt(first, Checkpoint.FILE + ":1", tmp));
        assertFalse(Files.exists(first.resolve(Checkpoint.FILE)));
        assertEquals(2, Main.run("train", "--resume", first.toString(), "--threads", "2"));
        assertEquals(0, Main.run(concat(TRAIN, "--out", first.toString())));
        assertSameRun(straight, first, expected);

        // SIGKILL at random moments (seeded; the moments and outcomes are printed), resumed until it ends
        java.util.Random random = new java.util.Random(Long.getLong("cimtrain.test.kill-seed", 33));
        Path killed = tmp.resolve("random");
        int kills = 0;
        for (int attempt = 0; attempt < 8 && !Files.exists(killed.resolve("summary.json")); attempt++) {
            List<String> cmd = Files.isRegularFile(killed.resolve(Checkpoint.FILE))
                    ? resumeCommand(killed) : command(killed, "-Dcimtrain.unused=0");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(tmp.resolve("random.log").toFile())).start();
            long delay = 300 + random.nextInt(attempt < 4 ? 4000 : 60_000);
            boolean ended = p.waitFor(delay, TimeUnit.MILLISECONDS);
            if (!ended) {
                p.destroyForcibly();
                p.waitFor();
                kills++;
            }
            System.out.printf("kill test: attempt %d, %s after %d ms%n", attempt, ended ? "ended " + p.exitValue() : "SIGKILL",
                    delay);
            if (ended) {
                assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("random.log")));
            }
        }
        assertTrue(kills > 0, "killed at least once");
        assertSameRun(straight, killed, expected);
    }

    private static int killedAt(Path out, String fault, Path tmp) throws Exception {
        Process p = new ProcessBuilder(command(out, "-Dcimtrain.fault.halt-before-rename=" + fault))
                .redirectErrorStream(true).redirectOutput(tmp.resolve(out.getFileName() + ".log").toFile()).start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the training process ended");
        return p.exitValue();
    }

    private static void assertSameRun(Path straight, Path run, List<String> expected) throws Exception {
        assertEquals(expected, Files.readAllLines(run.resolve("metrics.csv")).stream().map(CrashResumeTest::accuracy).toList());
        assertEquals(field(straight, "test_accuracy"), field(run, "test_accuracy"));
        assertEquals(field(straight, "writes_per_weight_mean"), field(run, "writes_per_weight_mean"));
    }

    private static List<String> resumeCommand(Path run) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return List.of(java, "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "train", "--resume", run.toString(), "--threads", "2");
    }

    private static List<String> command(Path out, String fault) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new java.util.ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", fault,
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(TRAIN));
        cmd.addAll(List.of("--out", out.toString()));
        return cmd;
    }

    private static String[] concat(String[] a, String... b) {
        String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** Epoch and test accuracy of a metrics.csv line (timings differ between runs). */
    private static String accuracy(String line) {
        String[] f = line.split(",");
        return f[0] + ":" + f[4];
    }

    private static String field(Path run, String name) throws Exception {
        return cimtrain.util.Json.MAPPER.readTree(run.resolve("summary.json").toFile()).get(name).toString();
    }
}
