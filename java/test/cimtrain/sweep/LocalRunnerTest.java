package cimtrain.sweep;

import cimtrain.train.Checkpoint;
import cimtrain.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A 6-job local sweep killed halfway (runner and training processes, as kill -9 would) and rerun ends
 * with all 6 results, no job trained twice to completion, and the numbers of an uninterrupted sweep.
 */
class LocalRunnerTest {
    private static final String PLAN = "base: {model: lenet-paper, epochs: 2, steps-per-epoch: 5, train-limit: 320, lr: 0.004}\n"
            + "axes:\n  mode: [fp32, mp]\n  seed: [0, 1, 2]\n";

    @Test
    void aKilledSweepRerunEndsLikeAnUninterruptedOne(@TempDir Path tmp) throws Exception {
        Path planFile = tmp.resolve("plan.yaml");
        Files.writeString(planFile, PLAN);
        SweepPlan plan = SweepPlan.load(planFile);
        List<Job> jobs = plan.jobs();
        plan.validate(jobs);
        PrintStream quiet = new PrintStream(Files.newOutputStream(tmp.resolve("runner.log")), true, StandardCharsets.UTF_8);

        Path straight = tmp.resolve("straight");
        LocalRunner.Outcome a = new LocalRunner(plan, straight, 2, quiet).run(jobs);
        assertEquals(new LocalRunner.Outcome(6, 0, 6), a);

        Path killed = tmp.resolve("killed");
        Process runner = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                cimtrain.cli.Main.class.getName(), "sweep", planFile.toString(), "--out", killed.toString(), "--parallel", "2")
                .redirectErrorStream(true).redirectOutput(tmp.resolve("killed-runner.log").toFile()).start();
        // kill once two jobs are complete, preferably while another has a checkpoint but no result
        // (so the rerun must resume it); give up waiting for that moment once four are complete
        String resumable = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline && runner.isAlive()) {
            long results = count(killed, j -> Files.exists(j.resolve(JobFolder.RESULT)));
            resumable = firstCheckpointedUnfinished(killed);
            if ((results >= 2 && resumable != null) || results >= 4) {
                break;
            }
            Thread.sleep(20);
        }
        List<ProcessHandle> children = runner.descendants().toList();
        runner.destroyForcibly();
        children.forEach(ProcessHandle::destroyForcibly);
        assertTrue(runner.waitFor(30, TimeUnit.SECONDS));
        for (ProcessHandle c : children) {
            c.onExit().get(30, TimeUnit.SECONDS);
        }
        long completeAtKill = count(killed, j -> Files.exists(j.resolve(JobFolder.RESULT)));
        // what the folder holds now decides: a job seen mid-run may have finished before the kill landed
        resumable = firstCheckpointedUnfinished(killed);
        System.out.println("killed with " + completeAtKill + " jobs complete; resumable from a checkpoint: " + resumable);
        assertTrue(completeAtKill >= 2 && completeAtKill < 6, "killed halfway: " + completeAtKill
                + "\n" + Files.readString(tmp.resolve("killed-runner.log")));

        var lines = SweepStatus.read(killed);
        var counts = SweepStatus.counts(lines);
        assertEquals(0, counts.get(JobFolder.State.RUNNING), SweepStatus.summary(lines));
        assertEquals(0, counts.get(JobFolder.State.FAILED), SweepStatus.summary(lines));
        assertEquals((int) completeAtKill, counts.get(JobFolder.State.DONE));

        LocalRunner.Outcome b = new LocalRunner(plan, killed, 2, quiet).run(jobs);
        assertEquals(6, b.done());
        assertEquals((int) (6 - completeAtKill), b.ranNow(), "complete jobs are not run again");
        assertEquals(6, SweepStatus.counts(SweepStatus.read(killed)).get(JobFolder.State.DONE));

        for (Job job : jobs) {
            Path s = straight.resolve(JobFolder.JOBS).resolve(job.id());
            Path k = killed.resolve(JobFolder.JOBS).resolve(job.id());
            var sa = Json.MAPPER.readTree(s.resolve(JobFolder.RESULT).toFile()).get("summary");
            var ka = Json.MAPPER.readTree(k.resolve(JobFolder.RESULT).toFile()).get("summary");
            assertEquals(sa.get("test_accuracy"), ka.get("test_accuracy"), plan.label(job));
            assertEquals(sa.get("final_train_loss"), ka.get("final_train_loss"), plan.label(job));
            String log = Files.readString(k.resolve(JobFolder.LOG));
            assertEquals(1, log.lines().filter(l -> l.startsWith("done: ")).count(), "trained to completion once: " + log);
            assertEquals(1, Files.readAllLines(k.resolve(JobFolder.COMPLETIONS)).size());
        }
        if (resumable != null) {
            String log = Files.readString(killed.resolve(JobFolder.JOBS).resolve(resumable).resolve(JobFolder.LOG));
            assertTrue(log.contains("resuming "), "the interrupted job continued from its checkpoint: " + log);
        }
        // a third run finds nothing to do
        assertEquals(new LocalRunner.Outcome(6, 0, 0), new LocalRunner(plan, killed, 2, quiet).run(jobs));
    }

    /**
     * Only the runner killed (kill -9, its training process spared): the training process ends itself, and
     * the rerun resumes the job alone; it completes once.
     */
    @Test
    void aTrainingProcessDiesWithItsRunner(@TempDir Path tmp) throws Exception {
        Path planFile = tmp.resolve("plan.yaml");
        Files.writeString(planFile, "base: {model: lenet-paper, epochs: 3, steps-per-epoch: 60, train-limit: 640, "
                + "lr: 0.004, mode: fp32}\n");
        Path out = tmp.resolve("sweep");
        Process runner = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                cimtrain.cli.Main.class.getName(), "sweep", planFile.toString(), "--out", out.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("runner.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline && runner.isAlive()
                && count(out, j -> Files.exists(j.resolve(JobFolder.RUN).resolve("config.json"))) == 0) {
            Thread.sleep(20);
        }
        List<ProcessHandle> children = runner.descendants().toList();
        assertTrue(!children.isEmpty(), "a training process runs: " + Files.readString(tmp.resolve("runner.log")));
        runner.destroyForcibly();
        assertTrue(runner.waitFor(30, TimeUnit.SECONDS));
        for (ProcessHandle c : children) {
            try {
                c.onExit().get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                children.forEach(ProcessHandle::destroyForcibly);
                throw new AssertionError("the training process " + c.pid() + " outlived its runner by 10 s");
            }
        }
        SweepPlan plan = SweepPlan.load(planFile);
        List<Job> jobs = plan.jobs();
        PrintStream quiet = new PrintStream(Files.newOutputStream(tmp.resolve("rerun.log")), true, StandardCharsets.UTF_8);
        assertEquals(new LocalRunner.Outcome(1, 0, 1), new LocalRunner(plan, out, 1, quiet).run(jobs));
        Path job = out.resolve(JobFolder.JOBS).resolve(jobs.get(0).id());
        assertEquals(1, Files.readAllLines(job.resolve(JobFolder.COMPLETIONS)).size());
        String log = Files.readString(job.resolve(JobFolder.LOG));
        assertEquals(1, log.lines().filter(l -> l.startsWith("done: ")).count(), "trained to completion once: " + log);
    }

    private static String firstCheckpointedUnfinished(Path out) throws Exception {
        Path jobs = out.resolve(JobFolder.JOBS);
        if (!Files.isDirectory(jobs)) {
            return null;
        }
        try (Stream<Path> s = Files.list(jobs)) {
            return s.filter(j -> Files.exists(j.resolve(JobFolder.RUN).resolve(Checkpoint.FILE))
                            && !Files.exists(j.resolve(JobFolder.RUN).resolve("summary.json")))
                    .map(j -> j.getFileName().toString()).findFirst().orElse(null);
        }
    }

    private static long count(Path out, java.util.function.Predicate<Path> p) throws Exception {
        Path jobs = out.resolve(JobFolder.JOBS);
        if (!Files.isDirectory(jobs)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(jobs)) {
            return s.filter(p).count();
        }
    }
}
