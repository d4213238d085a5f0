package cimtrain.cli;

import cimtrain.train.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 33, data lost or corrupted: no command overwrites its input, one process at a time in a run
 * folder, no checkpoint of another run resumed, no option silently ignored by --resume, no result folder
 * made for inputs that are then refused.
 */
class NothingLostTest {
    private static final String[] TINY = Cli.TINY_RUN;
    private final Cli cli = new Cli();

    @Test
    void exportNeverOverwritesTheCheckpointItReads(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        assertEquals(0, cli.run(Cli.concat(TINY, "--out", run.toString())), cli.errText());
        Path ckpt = run.resolve(Checkpoint.FILE);
        byte[] before = Files.readAllBytes(ckpt);
        cli.assertBadInput("--weights", "export", "--checkpoint", ckpt.toString(), "--weights", ckpt.toString());
        cli.assertBadInput("--conductances", "export", "--checkpoint", ckpt.toString(), "--conductances",
                run.resolve("..").resolve("run").resolve(Checkpoint.FILE).toString());
        Path link = tmp.resolve("link.h5");
        Files.createSymbolicLink(link, ckpt);
        cli.assertBadInput("--weights", "export", "--checkpoint", ckpt.toString(), "--weights", link.toString());
        cli.assertBadInput("same file", "export", "--checkpoint", ckpt.toString(), "--weights", tmp.resolve("x.h5").toString(),
                "--conductances", tmp.resolve("x.h5").toString());
        assertArrayEquals(before, Files.readAllBytes(ckpt), "the checkpoint is untouched");
        assertFalse(Files.exists(tmp.resolve("x.h5")));
        // and it still reads as a checkpoint
        assertEquals(0, cli.run("export", "--checkpoint", ckpt.toString(), "--weights", tmp.resolve("w.h5").toString()),
                cli.errText());
    }

    @Test
    void aSecondProcessInARunFolderIsRefused(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process first = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "train", "--model", "lenet-paper",
                "--epochs", "50", "--steps-per-epoch", "200", "--train-limit", "640", "--threads", "1", "--out", run.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("first.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.exists(run.resolve(Checkpoint.FILE)) && first.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(first.isAlive(), Files.readString(tmp.resolve("first.log")));
            String config = Files.readString(run.resolve("config.json"));
            // a second start into the folder, and a second resume of it, while the first trains there
            cli.assertBadInput("in use", Cli.concat(TINY, "--out", run.toString()));
            cli.assertBadInput("in use", "train", "--resume", run.toString());
            assertEquals(config, Files.readString(run.resolve("config.json")), "the first run's record is untouched");
            assertTrue(first.isAlive(), "the first run goes on");
        } finally {
            first.destroyForcibly();
            first.waitFor();
        }
        // the lock went with the killed process: the run resumes (and is then refused nothing)
        assertEquals(2, cli.run("train", "--resume", run.toString(), "--epochs", "1"), "--epochs with --resume");
        assertTrue(cli.errText().contains("--epochs cannot be given with --resume"), cli.errText());
    }

    @Test
    void aReportFolderHasOneWriterAtATime(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run"), report = tmp.resolve("report");
        assertEquals(0, cli.run(Cli.concat(TINY, "--out", run.toString())), cli.errText());
        Files.createDirectories(report);
        try (var held = cimtrain.util.FolderLock.acquire(report, "report folder")) {
            cli.assertBadInput("in use", "report", run.toString(), "--out", report.toString());
            assertFalse(Files.exists(report.resolve("report.html")));
        }
        assertEquals(0, cli.run("report", run.toString(), "--out", report.toString()), cli.errText());
        assertTrue(Files.exists(report.resolve("report.html")));
    }

    @Test
    void aFolderHoldingAnotherProgramsConfigIsNotCleared(@TempDir Path tmp) throws Exception {
        Path mine = tmp.resolve("mine");
        Files.createDirectories(mine);
        Files.writeString(mine.resolve("config.json"), "{\"theirs\": true}");
        cli.assertBadInput("already holds files", Cli.concat(TINY, "--out", mine.toString()));
        assertEquals("{\"theirs\": true}", Files.readString(mine.resolve("config.json")));
    }

    @Test
    void aCheckpointOfAnotherRunIsNotResumed(@TempDir Path tmp) throws Exception {
        Path a = tmp.resolve("a"), b = tmp.resolve("b");
        assertEquals(0, cli.run(Cli.concat(TINY, "--out", a.toString())), cli.errText());
        assertEquals(0, cli.run(Cli.concat(TINY, "--out", b.toString(), "--width", "0.5")), cli.errText());
        Files.delete(a.resolve("summary.json"));
        Files.copy(b.resolve(Checkpoint.FILE), a.resolve(Checkpoint.FILE), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        List<String> metrics = Files.readAllLines(a.resolve("metrics.csv"));
        cli.assertBadInput("another run", "train", "--resume", a.toString());
        assertEquals(metrics, Files.readAllLines(a.resolve("metrics.csv")), "metrics.csv untouched");
        assertFalse(Files.exists(a.resolve("summary.json")));
    }

    @Test
    void resumeRefusesTheOptionsItWouldIgnore(@TempDir Path tmp) throws Exception {
        Path a = tmp.resolve("a");
        assertEquals(0, cli.run(Cli.concat(TINY, "--out", a.toString())), cli.errText());
        Files.delete(a.resolve("summary.json"));
        for (String[] opt : new String[][]{{"--epochs", "5"}, {"--model", "vgg8"}, {"--lr", "0.1"}, {"--seed", "3"},
                {"--out", tmp.resolve("b").toString()}, {"--mode", "mp"}, {"--batch", "8"}, {"--dataset", "mnist-10k"}}) {
            cli.assertBadInput(opt[0], "train", "--resume", a.toString(), opt[0], opt[1]);
        }
        assertFalse(Files.exists(tmp.resolve("b")));
        // the ones it takes
        assertEquals(0, cli.run("train", "--resume", a.toString(), "--threads", "1", "--backend", "cpu", "--json"),
                cli.errText());
    }

    @Test
    void evaluateMakesNoFolderForInputsItRefuses(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        assertEquals(0, cli.run(Cli.concat(TINY, "--out", run.toString())), cli.errText());
        Path out = tmp.resolve("eval");
        cli.assertBadInput("batch-norm", "evaluate", "--checkpoint", run.resolve(Checkpoint.FILE).toString(),
                "--recalibrate-bn", "2", "--out", out.toString());
        assertFalse(Files.exists(out), "no --out folder for a refused evaluation");
    }
}
