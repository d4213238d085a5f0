package cimtrain.sweep;

import cimtrain.util.AtomicFiles;
import cimtrain.util.Home;
import cimtrain.util.Json;
import cimtrain.util.SettingError;
import cimtrain.util.UserError;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Runs a sweep as one Slurm job array: {@code OUT/slurm/sweep.sbatch} has one array task per job not
 * yet complete, and task i runs job i+1 of sweep.json with {@code cimtrain sweep task OUT --index i},
 * which is {@link LocalRunner#runOne}: the same job folders as the local runner, a complete job skipped,
 * a checkpointed one resumed (so a task requeued after preemption continues where it stopped), a failure
 * recorded. The sweep folder must be on a file system the compute nodes share, and so must the project
 * folder (the tasks call its {@code cimtrain} launcher by absolute path).
 */
public final class SlurmRunner {
    /** {@code OUT/slurm/}: the script, the tasks' logs and the submission record. */
    public static final String DIR = "slurm";
    static final String SCRIPT = "sweep.sbatch";
    static final String SUBMITTED = "submitted.json";
    /** Seconds sbatch may take. */
    private static final int SBATCH_TIMEOUT_S = 120;
    /**
     * Characters a path in the script may hold: #SBATCH lines are not shell, so a space, quote or
     * {@code %} (a file-name pattern to Slurm) there would not mean what it says.
     */
    private static final Pattern PLAIN_PATH = Pattern.compile("[A-Za-z0-9._+,:@=/~-]+");

    /**
     * The sbatch settings.
     *
     * @param partition   the partition, or null for the cluster's default
     * @param gpusPerJob  GPUs per array task ({@code --gres=gpu:N}); 0 asks for none
     * @param time        the time limit per task (Slurm's formats, e.g. 2:00:00), or null for the partition's
     * @param maxParallel tasks running at once ({@code %K}); 0 for no limit
     * @param cpusPerJob  CPUs per task ({@code --cpus-per-task}); 0 for the cluster's default
     */
    public record Options(String partition, int gpusPerJob, String time, int maxParallel, int cpusPerJob) {
        public Options {
            if (gpusPerJob < 0) {
                throw SettingError.of("gpus-per-job", " must be 0 or more, got " + gpusPerJob);
            }
            if (maxParallel < 0) {
                throw SettingError.of("max-parallel", " must be at least 1, got " + maxParallel);
            }
            if (cpusPerJob < 0) {
                throw SettingError.of("cpus-per-job", " must be at least 1, got " + cpusPerJob);
            }
            if (partition != null && !partition.matches("[A-Za-z0-9._,-]+")) {
                throw SettingError.of("partition", ": not a partition name (or comma-separated names): '" + partition + "'");
            }
            if (time != null && !time.matches("[0-9:-]+")) {
                throw SettingError.of("time", ": not a Slurm time limit (MINUTES, HH:MM:SS or D-HH:MM:SS): '" + time + "'");
            }
        }
    }

    /** A submitted array: its Slurm job id, the script and the number of tasks. */
    public record Submission(String jobId, Path script, int tasks) {
    }

    private final SweepPlan plan;
    private final Path out;
    private final Options options;

    public SlurmRunner(SweepPlan plan, Path out, Options options) {
        this.plan = plan;
        this.out = out.toAbsolutePath().normalize();
        this.options = options;
    }

    /** The array task indexes (0-based positions in {@code jobs}) of the jobs that have no result yet. */
    public List<Integer> unfinished(List<Job> jobs) {
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i++) {
            if (!new JobFolder(out, jobs.get(i).id()).complete()) {
                idx.add(i);
            }
        }
        return idx;
    }

    /** {@code 0-3,5,7-8%K}: the indexes as ranges, with the throttle when {@code maxParallel > 0}. */
    static String arraySpec(List<Integer> indexes, int maxParallel) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < indexes.size(); ) {
            int j = i;
            while (j + 1 < indexes.size() && indexes.get(j + 1) == indexes.get(j) + 1) {
                j++;
            }
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(indexes.get(i));
            if (j > i) {
                sb.append('-').append(indexes.get(j));
            }
            i = j + 1;
        }
        if (maxParallel > 0) {
            sb.append('%').append(maxParallel);
        }
        return sb.toString();
    }

    /** The sbatch script for the given array task indexes (see {@link #unfinished}). */
    public String script(List<Job> jobs, List<Integer> indexes) {
        if (indexes.isEmpty()) {
            throw new IllegalArgumentException("no jobs to submit");
        }
        String launcher = plainPath(Home.root().toAbsolutePath().normalize().resolve("cimtrain"), "the cimtrain folder", null);
        String dir = plainPath(out, "the sweep folder", "out");
        String logs = dir + "/" + DIR;
        String name = "cimtrain-" + plan.file().getFileName().toString().replaceFirst("\\.ya?ml$", "")
                .replaceAll("[^A-Za-z0-9._-]", "_");
        StringBuilder s = new StringBuilder();
        s.append("#!/bin/bash\n");
        s.append("# Written by 'cimtrain sweep --runner slurm' for ").append(plan.file().toAbsolutePath().normalize())
                .append(":\n");
        s.append("# ").append(indexes.size()).append(" of its ").append(jobs.size())
                .append(" jobs (those without a result) as one job array. Array task i runs job i+1 of\n");
        s.append("# sweep.json (job id ids[i] below) into ").append(dir).append("/jobs/ID/, as the local runner does:\n");
        s.append("# a complete job is skipped and one with a checkpoint resumes, so a requeued task continues.\n");
        s.append("#SBATCH --job-name=").append(name).append('\n');
        s.append("#SBATCH --array=").append(arraySpec(indexes, options.maxParallel())).append('\n');
        s.append("#SBATCH --requeue\n");
        // a requeued task's log goes on after the first try's instead of replacing it
        s.append("#SBATCH --open-mode=append\n");
        s.append("#SBATCH --output=").append(logs).append("/%A_%a.log\n");
        // absolute paths everywhere; the working folder is only set so it exists on the node
        s.append("#SBATCH --chdir=").append(dir).append('\n');
        if (options.partition() != null) {
            s.append("#SBATCH --partition=").append(options.partition()).append('\n');
        }
        if (options.time() != null) {
            s.append("#SBATCH --time=").append(options.time()).append('\n');
        }
        if (options.cpusPerJob() > 0) {
            s.append("#SBATCH --cpus-per-task=").append(options.cpusPerJob()).append('\n');
        }
        if (options.gpusPerJob() > 0) {
            s.append("#SBATCH --gres=gpu:").append(options.gpusPerJob()).append('\n');
        }
        s.append("set -euo pipefail\n");
        s.append("ids=(");
        for (int k = 0; k < indexes.size(); k++) {
            int i = indexes.get(k);
            s.append(k == 0 ? "" : " ").append('[').append(i).append("]=").append(jobs.get(i).id());
        }
        s.append(")\n");
        s.append("i=\"$SLURM_ARRAY_TASK_ID\"\n");
        s.append("# a temporary folder of this task's own, on the node (the launcher makes one per JVM inside it)\n");
        s.append("TMPDIR=\"$(mktemp -d \"${TMPDIR:-/tmp}/cimtrain-${SLURM_ARRAY_JOB_ID}_${i}.XXXXXX\")\"\n");
        s.append("export TMPDIR\n");
        s.append("# the jar as submitted: no task rebuilds it, even if sources change while the array runs\n");
        s.append("export CIMTRAIN_NO_BUILD=1\n");
        s.append("trap 'rm -rf \"$TMPDIR\"' EXIT\n");
        s.append("echo \"cimtrain sweep task $i (job ${ids[$i]}) on ${SLURMD_NODENAME:-$(hostname)}, ")
                .append("Slurm job ${SLURM_JOB_ID}, restart ${SLURM_RESTART_COUNT:-0}, $(date -u +%FT%TZ)\"\n");
        s.append("'").append(launcher).append("' sweep task '").append(dir).append("' --index \"$i\" --id \"${ids[$i]}\"\n");
        return s.toString();
    }

    /** @param key the setting that named the path, or null */
    private static String plainPath(Path p, String what, String key) {
        String s = p.toString();
        if (!PLAIN_PATH.matcher(s).matches()) {
            throw new SettingError(name -> name.apply("runner") + " slurm: " + what + (key == null ? "" : " (" + name.apply(key) + ")")
                    + " " + s + " holds a character an sbatch script cannot carry (space, quote, %, $ ...); use a plainer path");
        }
        return s;
    }

    /**
     * Writes sweep.json and the script, submits it with {@code sbatch --parsable} and records the job id
     * in {@code OUT/slurm/submitted.json}. Call after {@link SweepPlan#validate}. Nothing is submitted
     * when every job is complete (then the result has a null job id), when sbatch is not on PATH, or
     * while an earlier submission of this folder is still queued or running.
     */
    public Submission submit(List<Job> jobs, PrintStream log) {
        List<Integer> todo = unfinished(jobs);
        Path sbatch = todo.isEmpty() ? null : SlurmQueue.onPath("sbatch").orElseThrow(() -> new UserError(
                "--runner slurm: sbatch is not on PATH (run where Slurm's client commands are installed, or use --runner local)"));
        // before anything is written: the script's paths must be plain enough for it
        String script = todo.isEmpty() ? null : script(jobs, todo);
        try {
            Files.createDirectories(out.resolve(DIR));
        } catch (IOException e) {
            throw new UserError("cannot create sweep folder " + out + ": " + e.getMessage());
        }
        return SweepLock.holding(out, () -> {
            SweepStatus.Slurm earlier = SweepStatus.slurm(out);
            if (earlier != null && earlier.queue().active() && !todo.isEmpty()) {
                throw new UserError("Slurm job " + earlier.jobId() + " of this sweep folder is still queued or running ("
                        + earlier.queue().pending() + " pending, " + earlier.queue().running()
                        + " running): wait for it, or cancel it with scancel " + earlier.jobId() + ", then submit again");
            }
            SweepStatus.writeIndex(plan, out, jobs);
            if (todo.isEmpty()) {
                log.println("all " + jobs.size() + " jobs are complete; nothing to submit");
                return new Submission(null, null, 0);
            }
            Path file = out.resolve(DIR).resolve(SCRIPT);
            AtomicFiles.writeString(file, script);
            if (!file.toFile().setExecutable(true)) {
                log.println("cimtrain: note: could not make " + file + " executable (sbatch does not need it)");
            }
            String jobId = sbatch(sbatch, file);
            record(jobId, file, jobs, todo, earlier);
            return new Submission(jobId, file, todo.size());
        });
    }

    /** Runs {@code sbatch --parsable FILE} and returns the job id it prints ({@code ID} or {@code ID;CLUSTER}). */
    private String sbatch(Path sbatch, Path file) throws IOException {
        Path err = Files.createTempFile("cimtrain-sbatch", ".err");
        Path stdout = Files.createTempFile("cimtrain-sbatch", ".out");
        try {
            Process p = new ProcessBuilder(sbatch.toString(), "--parsable", file.toString())
                    .directory(out.toFile()).redirectOutput(stdout.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!p.waitFor(SBATCH_TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new UserError("sbatch did not answer in " + SBATCH_TIMEOUT_S + " s; check with squeue whether "
                        + file + " was submitted");
            }
            String said = Files.readString(stdout, StandardCharsets.UTF_8).trim();
            if (p.exitValue() != 0) {
                String why = Files.readString(err, StandardCharsets.UTF_8).trim();
                throw new UserError("sbatch failed (exit status " + p.exitValue() + "): "
                        + TrainOptions.oneLine(why.isEmpty() ? said : why));
            }
            String first = said.lines().findFirst().orElse("");
            String id = first.split(";")[0].trim();
            if (!id.matches("\\d+")) {
                throw new UserError("sbatch printed no job id (expected a number from --parsable): '" + TrainOptions.oneLine(said) + "'");
            }
            return id;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserError("interrupted while waiting for sbatch; check with squeue whether " + file + " was submitted");
        } finally {
            Files.deleteIfExists(err);
            Files.deleteIfExists(stdout);
        }
    }

    /** submitted.json, atomically: the job id, when, the script, the array and which job each task runs. */
    private void record(String jobId, Path script, List<Job> jobs, List<Integer> todo, SweepStatus.Slurm earlier) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("job_id", jobId);
        m.put("submitted_at", Instant.now().toString());
        m.put("script", script.toString());
        m.put("array", arraySpec(todo, options.maxParallel()));
        Map<String, String> tasks = new LinkedHashMap<>();
        todo.forEach(i -> tasks.put(Integer.toString(i), jobs.get(i).id()));
        m.put("tasks", tasks);
        List<String> previous = new ArrayList<>();
        if (earlier != null) {
            try {
                Json.MAPPER.readTree(out.resolve(DIR).resolve(SUBMITTED).toFile()).path("previous_job_ids")
                        .forEach(n -> previous.add(n.asText()));
            } catch (IOException ignored) {
                // the history is a courtesy; the current id is what matters
            }
            previous.add(earlier.jobId());
        }
        m.put("previous_job_ids", previous);
        AtomicFiles.writeString(out.resolve(DIR).resolve(SUBMITTED), Json.pretty(m));
    }

    /**
     * {@code cimtrain sweep task OUT --index I [--id ID]}: runs the sweep's job I (0-based, of sweep.json),
     * or the job with id ID when given (the script passes both; the id keeps a task on its job even if
     * sweep.json was rewritten since the submission).
     *
     * @param threads training threads, or 0 for Slurm's allocation (SLURM_CPUS_PER_TASK, else
     *                SLURM_CPUS_ON_NODE, else this machine's cores)
     * @return the exit status: 0 when the job is complete (or another runner holds it), 1 when it failed
     */
    public static int runTask(Path out, int index, String id, int threads, PrintStream log) {
        Path dir = out.toAbsolutePath().normalize();
        SweepStatus.Index sweep = SweepStatus.readIndex(dir, "sweep task");
        String wanted = id;
        if (wanted == null) {
            if (index < 0 || index >= sweep.jobs().size()) {
                throw new UserError("sweep task: --index " + index + " is outside the sweep's " + sweep.jobs().size()
                        + " jobs (0 to " + (sweep.jobs().size() - 1) + ")");
            }
            wanted = sweep.jobs().get(index).id();
        }
        SweepPlan plan = SweepPlan.load(sweep.plan());
        List<Job> jobs = plan.jobs();
        String target = wanted;
        Job job = jobs.stream().filter(j -> j.id().equals(target)).findFirst().orElseThrow(() -> new UserError(
                "sweep task: job " + target + " is not in plan " + sweep.plan() + " any more (was it edited after the submission?)"));
        int t = threads > 0 ? threads : slurmThreads();
        JobFolder.State s = LocalRunner.forOneJob(plan, dir, t, log).runOne(job, jobs.size());
        return s == JobFolder.State.FAILED ? 1 : 0;
    }

    /** The CPUs Slurm gave this task, or this machine's cores outside Slurm. */
    static int slurmThreads() {
        for (String var : List.of("SLURM_CPUS_PER_TASK", "SLURM_CPUS_ON_NODE")) {
            Optional<Integer> n = Optional.ofNullable(System.getenv(var)).filter(v -> v.matches("\\d+")).map(Integer::parseInt);
            if (n.isPresent() && n.get() > 0) {
                return n.get();
            }
        }
        return Runtime.getRuntime().availableProcessors();
    }
}
