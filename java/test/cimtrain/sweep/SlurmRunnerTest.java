package cimtrain.sweep;

import cimtrain.cli.Main;
import cimtrain.cli.SweepCommand;
import cimtrain.util.Captured;
import cimtrain.util.Home;
import cimtrain.util.Json;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Slurm runner without a Slurm: the script it writes, the missing-sbatch error, a submission to a
 * fake sbatch (a shell script on PATH that records its arguments and prints a job id), status with a
 * fake squeue, and {@code sweep task} running one job as an array task would.
 */
class SlurmRunnerTest {
    private static final String SIX = "base: {model: lenet-paper, epochs: 1, steps-per-epoch: 2, train-limit: 128}\n"
            + "axes:\n  mode: [fp32, mp]\n  seed: [0, 1, 2]\n";
    private static final String FOUR = "base: {model: lenet-paper, epochs: 1, steps-per-epoch: 2, train-limit: 128, lr: 0.004}\n"
            + "axes:\n  mode: [fp32, mp]\n  seed: [0, 1]\n";

    @Test
    void arraySpecCompressesRangesAndAddsTheThrottle() {
        assertEquals("0-5", SlurmRunner.arraySpec(List.of(0, 1, 2, 3, 4, 5), 0));
        assertEquals("0-2,5,7-8%3", SlurmRunner.arraySpec(List.of(0, 1, 2, 5, 7, 8), 3));
        assertEquals("4", SlurmRunner.arraySpec(List.of(4), 0));
    }

    @Test
    void queueLinesOfSqueueAndSacctBecomeTaskStates() {
        Map<Integer, String> q = SlurmQueue.parse("42", List.of("42_0 RUNNING", "42_[1-3,5%2] PENDING", "43_4 RUNNING"));
        assertEquals(Map.of(0, "RUNNING", 1, "PENDING", 2, "PENDING", 3, "PENDING", 5, "PENDING"), q);
        SlurmQueue.State s = new SlurmQueue.State("42", "squeue", q);
        assertEquals(4, s.pending());
        assertEquals(1, s.running());
        assertTrue(s.active());

        Map<Integer, String> a = SlurmQueue.parse("42", List.of("42_0|COMPLETED", "42_1|CANCELLED by 0", "42_2|FAILED"));
        assertEquals(Map.of(0, "COMPLETED", 1, "CANCELLED", 2, "FAILED"), a);
        SlurmQueue.State ended = new SlurmQueue.State("42", "sacct", a);
        assertEquals(0, ended.pending() + ended.running());
        assertFalse(ended.active(), "every task ended");
        assertFalse(new SlurmQueue.State("42", null, Map.of()).known());
    }

    @Test
    void theScriptHasOneTaskPerJobAndOnlyTheOptionsGiven(@TempDir Path tmp) throws Exception {
        SweepPlan plan = plan(tmp, SIX);
        List<Job> jobs = plan.jobs();
        Path out = tmp.resolve("out");
        SlurmRunner plain = new SlurmRunner(plan, out, new SlurmRunner.Options(null, 0, null, 0, 0));
        String s = plain.script(jobs, plain.unfinished(jobs));
        assertTrue(s.startsWith("#!/bin/bash\n"), s);
        assertTrue(s.contains("\n#SBATCH --array=0-5\n"), "all six tasks, no throttle:\n" + s);
        assertTrue(s.contains("\n#SBATCH --requeue\n"), s);
        assertTrue(s.contains("\n#SBATCH --output=" + out.toAbsolutePath() + "/slurm/%A_%a.log\n"), s);
        for (String absent : List.of("--gres", "--partition", "--time", "--cpus-per-task")) {
            assertFalse(sbatchLines(s).contains(absent), absent + " only when asked for:\n" + s);
        }
        // the launcher by absolute path, the task subcommand on this folder
        String launcher = Home.root().toAbsolutePath().normalize().resolve("cimtrain").toString();
        assertTrue(s.contains("'" + launcher + "' sweep task '" + out.toAbsolutePath() + "' --index \"$i\""), s);
        assertTrue(s.contains("TMPDIR=\"$(mktemp -d"), "each task gets its own TMPDIR:\n" + s);
        assertTrue(s.contains("export CIMTRAIN_NO_BUILD=1"), "no task rebuilds the jar:\n" + s);
        for (int i = 0; i < jobs.size(); i++) {
            assertTrue(s.contains("[" + i + "]=" + jobs.get(i).id()), "task " + i + " runs job " + jobs.get(i).id() + ":\n" + s);
        }

        SlurmRunner full = new SlurmRunner(plan, out, new SlurmRunner.Options("gpu", 2, "1:30:00", 3, 4));
        // jobs 1 and 4 are complete: their tasks are left out
        for (int i : List.of(0, 3)) {
            Path d = out.resolve(JobFolder.JOBS).resolve(jobs.get(i).id());
            Files.createDirectories(d);
            Files.writeString(d.resolve(JobFolder.RESULT), "{}");
        }
        List<Integer> todo = full.unfinished(jobs);
        assertEquals(List.of(1, 2, 4, 5), todo);
        String g = full.script(jobs, todo);
        assertTrue(g.contains("\n#SBATCH --array=1-2,4-5%3\n"), g);
        assertTrue(g.contains("\n#SBATCH --gres=gpu:2\n"), g);
        assertTrue(g.contains("\n#SBATCH --partition=gpu\n"), g);
        assertTrue(g.contains("\n#SBATCH --time=1:30:00\n"), g);
        assertTrue(g.contains("\n#SBATCH --cpus-per-task=4\n"), g);
        assertTrue(g.contains("\n#SBATCH --requeue\n"), g);
        assertFalse(g.contains(jobs.get(0).id()) || g.contains(jobs.get(3).id()), "complete jobs get no task:\n" + g);

        // the script is valid bash (where bash is at hand)
        if (Files.isExecutable(Path.of("/bin/bash"))) {
            Path file = tmp.resolve("check.sbatch");
            Files.writeString(file, g);
            Process p = new ProcessBuilder("/bin/bash", "-n", file.toString()).redirectErrorStream(true).start();
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), said);
        }
    }

    @Test
    void aPathTheScriptCannotCarryIsRefused(@TempDir Path tmp) throws Exception {
        SweepPlan plan = plan(tmp, SIX);
        SlurmRunner r = new SlurmRunner(plan, tmp.resolve("my sweep"), new SlurmRunner.Options(null, 0, null, 0, 0));
        cimtrain.util.UserError e = org.junit.jupiter.api.Assertions.assertThrows(cimtrain.util.UserError.class,
                () -> r.script(plan.jobs(), List.of(0)));
        assertTrue(e.getMessage().contains("my sweep"), e.getMessage());
    }

    @Test
    void dryRunPrintsTheScriptAndWritesNothing(@TempDir Path tmp) throws Exception {
        Path planFile = tmp.resolve("plan.yaml");
        Files.writeString(planFile, SIX);
        Path out = tmp.resolve("out");
        Captured captured = new Captured();
        int rc = captured.get(() -> new CommandLine(new SweepCommand()).execute(planFile.toString(), "--runner", "slurm",
                "--dry-run", "--max-parallel", "2", "--out", out.toString()));
        String said = captured.out();
        assertEquals(0, rc, said);
        assertTrue(said.contains("#SBATCH --array=0-5%2"), said);
        assertTrue(said.contains("not submitted"), said);
        assertFalse(Files.exists(out), "a dry run writes nothing");
    }

    @Test
    void withoutSbatchOnPathItSaysSoInOneLineAndSubmitsNothing(@TempDir Path tmp) throws Exception {
        Path planFile = tmp.resolve("plan.yaml");
        Files.writeString(planFile, FOUR);
        Path empty = Files.createDirectories(tmp.resolve("empty-path"));
        Path out = tmp.resolve("out");
        Result r = cimtrain(empty, "sweep", planFile.toString(), "--runner", "slurm", "--out", out.toString());
        assertEquals(2, r.status, r.toString());
        List<String> lines = r.stderr.lines().filter(l -> !l.isBlank()).toList();
        assertEquals(1, lines.size(), r.toString());
        assertTrue(lines.get(0).startsWith("cimtrain: ") && lines.get(0).contains("sbatch is not on PATH"), r.toString());
        assertFalse(Files.exists(out.resolve(SlurmRunner.DIR).resolve(SlurmRunner.SUBMITTED)), "nothing submitted");
        assertFalse(Files.exists(out.resolve(SweepStatus.INDEX)), "nothing written");
    }

    @Test
    void aBadPlanStopsBeforeSbatchIsCalled(@TempDir Path tmp) throws Exception {
        Path planFile = tmp.resolve("plan.yaml");
        Files.writeString(planFile, "base: {model: lenet-paper}\naxes: {epochs: [1, two]}\n");
        Path bin = fakeSlurm(tmp, "4242", "");
        Result r = cimtrain(bin, "sweep", planFile.toString(), "--runner", "slurm", "--out", tmp.resolve("out").toString());
        assertEquals(2, r.status, r.toString());
        assertTrue(r.stderr.contains("two"), r.toString());
        assertFalse(Files.exists(bin.resolve("sbatch.args")), "sbatch was not called");
    }

    @Test
    void submitsToSbatchRecordsTheJobAndStatusReadsTheQueue(@TempDir Path tmp) throws Exception {
        Path planFile = tmp.resolve("plan.yaml");
        Files.writeString(planFile, FOUR);
        Path out = tmp.resolve("out");
        // squeue: task 0 runs, 1-3 wait (the throttle holds them)
        Path bin = fakeSlurm(tmp, "4242;cluster", "4242_0 RUNNING\n4242_[1-3%1] PENDING\n");
        Result r = cimtrain(bin, "sweep", planFile.toString(), "--runner", "slurm", "--out", out.toString(),
                "--max-parallel", "1", "--partition", "batch", "--json");
        assertEquals(0, r.status, r.toString());
        assertTrue(r.stdout.contains("submitted Slurm job 4242"), r.toString());
        JsonNode line = Json.MAPPER.readTree(r.stdout.strip().lines().reduce((a, b) -> b).orElseThrow());
        assertEquals("4242", line.path("job_id").asText());
        assertEquals(4, line.path("tasks").asInt());

        Path script = out.toAbsolutePath().resolve(SlurmRunner.DIR).resolve(SlurmRunner.SCRIPT);
        assertEquals(List.of("--parsable", script.toString()), Files.readAllLines(bin.resolve("sbatch.args")));
        String s = Files.readString(script);
        assertTrue(s.contains("\n#SBATCH --array=0-3%1\n") && s.contains("\n#SBATCH --partition=batch\n"), s);

        JsonNode sub = Json.MAPPER.readTree(out.resolve(SlurmRunner.DIR).resolve(SlurmRunner.SUBMITTED).toFile());
        assertEquals("4242", sub.path("job_id").asText());
        List<Job> jobs = SweepPlan.load(planFile).jobs();
        for (int i = 0; i < 4; i++) {
            assertEquals(jobs.get(i).id(), sub.path("tasks").path(Integer.toString(i)).asText());
        }
        assertTrue(Files.isRegularFile(out.resolve(SweepStatus.INDEX)), "sweep.json written");

        // status: the folders plus the queue
        Result st = cimtrain(bin, "sweep", "status", out.toString(), "--json");
        assertEquals(0, st.status, st.toString());
        assertTrue(st.stdout.contains("slurm job 4242 (squeue): 3 pending, 1 running"), st.toString());
        JsonNode status = lastJson(st.stdout);
        assertEquals(1, status.path("running").asInt(), st.toString());
        assertEquals(3, status.path("left").asInt(), st.toString());
        JsonNode slurm = status.path("slurm");
        assertEquals("4242", slurm.path("job_id").asText());
        assertEquals("squeue", slurm.path("source").asText());
        assertEquals(3, slurm.path("pending").asInt());
        assertEquals(1, slurm.path("running").asInt());
        assertEquals("running", status.path("jobs").get(0).path("state").asText());
        assertEquals("pending", status.path("jobs").get(1).path("slurm_state").asText());
        assertEquals(List.of("-h", "-r", "-j", "4242", "-o", "%i %T"), Files.readAllLines(bin.resolve("squeue.args")));

        // a second submission while the first is in the queue is refused
        Files.delete(bin.resolve("sbatch.args"));
        Result again = cimtrain(bin, "sweep", planFile.toString(), "--runner", "slurm", "--out", out.toString());
        assertEquals(2, again.status, again.toString());
        assertTrue(again.stderr.contains("still queued or running") && again.stderr.contains("scancel 4242"), again.toString());
        assertFalse(Files.exists(bin.resolve("sbatch.args")), "not submitted twice");

        // without squeue or sacct: the folders alone
        Path empty = Files.createDirectories(tmp.resolve("empty-path"));
        Result bare = cimtrain(empty, "sweep", "status", out.toString(), "--json");
        assertEquals(0, bare.status, bare.toString());
        JsonNode b = lastJson(bare.stdout);
        assertEquals(0, b.path("running").asInt(), bare.toString());
        assertEquals(4, b.path("left").asInt(), bare.toString());
        assertTrue(b.path("slurm").path("source").isNull(), bare.toString());
        assertEquals("4242", b.path("slurm").path("job_id").asText());
    }

    @Test
    void aFailingSbatchIsOneLineWithItsMessage(@TempDir Path tmp) throws Exception {
        Path planFile = tmp.resolve("plan.yaml");
        Files.writeString(planFile, FOUR);
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        executable(bin.resolve("sbatch"), "#!/bin/sh\necho 'sbatch: error: invalid partition specified: nope' >&2\nexit 1\n");
        Result r = cimtrain(bin, "sweep", planFile.toString(), "--runner", "slurm", "--out", tmp.resolve("out").toString(),
                "--partition", "nope");
        assertEquals(2, r.status, r.toString());
        assertEquals(1, r.stderr.lines().filter(l -> !l.isBlank()).count(), r.toString());
        assertTrue(r.stderr.contains("invalid partition specified: nope"), r.toString());
        assertFalse(Files.exists(tmp.resolve("out").resolve(SlurmRunner.DIR).resolve(SlurmRunner.SUBMITTED)));
    }

    @Test
    void sweepTaskRunsOneJobToCompletionAndSkipsItAfterwards(@TempDir Path tmp) throws Exception {
        Path planFile = tmp.resolve("plan.yaml");
        Files.writeString(planFile, FOUR);
        Path out = tmp.resolve("out");
        Path bin = fakeSlurm(tmp, "77", "");
        assertEquals(0, cimtrain(bin, "sweep", planFile.toString(), "--runner", "slurm", "--out", out.toString()).status);
        List<Job> jobs = SweepPlan.load(planFile).jobs();
        Job second = jobs.get(1);

        // array task 1, as the script runs it
        assertEquals(0, Main.run("sweep", "task", out.toString(), "--index", "1", "--id", second.id(), "--threads", "1"));
        Path d = out.resolve(JobFolder.JOBS).resolve(second.id());
        assertTrue(Files.isRegularFile(d.resolve(JobFolder.RESULT)), "the job is complete");
        assertTrue(Files.isRegularFile(d.resolve(JobFolder.RUN).resolve("summary.json")));
        assertEquals(1, Files.readAllLines(d.resolve(JobFolder.COMPLETIONS)).size());
        var lines = SweepStatus.read(out);
        assertEquals(1, SweepStatus.counts(lines).get(JobFolder.State.DONE), SweepStatus.summary(lines));
        assertEquals(JobFolder.State.DONE, lines.get(1).state());
        JsonNode result = Json.MAPPER.readTree(d.resolve(JobFolder.RESULT).toFile());
        assertEquals(second.id(), result.path("id").asText());
        // the first axis varies slowest: job 2 is mode=fp32 seed=1
        assertEquals("fp32", result.path("assignment").path("mode").asText(), result.toString());
        assertEquals("1", result.path("assignment").path("seed").asText(), result.toString());

        // a requeued task finds it complete and trains nothing
        assertEquals(0, Main.run("sweep", "task", out.toString(), "--index", "1", "--threads", "1"));
        assertEquals(1, Files.readAllLines(d.resolve(JobFolder.COMPLETIONS)).size(), "not trained again");

        // an index outside the sweep is bad input
        assertEquals(2, Main.run("sweep", "task", out.toString(), "--index", "4"));
    }

    // ---------------------------------------------------------------------------------------------

    private static SweepPlan plan(Path tmp, String yaml) throws IOException {
        Path f = tmp.resolve("plan.yaml");
        Files.writeString(f, yaml);
        return SweepPlan.load(f);
    }

    /** The #SBATCH lines alone. */
    private static String sbatchLines(String script) {
        return String.join("\n", script.lines().filter(l -> l.startsWith("#SBATCH")).toList());
    }

    /** A folder with a fake sbatch (records its arguments, prints {@code sbatchSays}) and squeue. */
    private static Path fakeSlurm(Path tmp, String sbatchSays, String squeueSays) throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        // shell built-ins only: PATH holds nothing else
        executable(bin.resolve("sbatch"), "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > \"${0%/*}/sbatch.args\"\n"
                + "printf '%s\\n' '" + sbatchSays + "'\n");
        executable(bin.resolve("squeue"), "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > \"${0%/*}/squeue.args\"\n"
                + "printf '" + squeueSays.replace("%", "%%").replace("\n", "\\n") + "'\n");
        return bin;
    }

    private static void executable(Path file, String content) throws IOException {
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private record Result(int status, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + status + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    private static JsonNode lastJson(String stdout) throws IOException {
        return Json.MAPPER.readTree(stdout.strip().lines().reduce((a, b) -> b).orElseThrow());
    }

    /** {@code cimtrain ARGS} in its own JVM with PATH set to {@code path} alone. */
    private static Result cimtrain(Path path, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Dcimtrain.home=" + Home.root().toAbsolutePath(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        Path dir = Files.createTempDirectory("cimtrain-slurm-test");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(dir.resolve("out").toFile())
                    .redirectError(dir.resolve("err").toFile());
            Map<String, String> env = pb.environment();
            env.put("PATH", path.toAbsolutePath().toString());
            Process p = pb.start();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "cimtrain " + String.join(" ", args) + " did not end");
            String err = Files.readString(dir.resolve("err")).lines()
                    // the JVM's note on the incubator module (the launcher filters it the same way)
                    .filter(l -> !l.startsWith("WARNING: Using incubator modules"))
                    .map(l -> l + "\n").reduce("", String::concat);
            return new Result(p.exitValue(), Files.readString(dir.resolve("out")), err);
        } finally {
            SweepPlan.deleteQuietly(dir);
        }
    }
}
