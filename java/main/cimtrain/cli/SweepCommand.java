package cimtrain.cli;

import cimtrain.sweep.Job;
import cimtrain.sweep.LocalRunner;
import cimtrain.sweep.SlurmRunner;
import cimtrain.sweep.SweepPlan;
import cimtrain.sweep.SweepStatus;
import cimtrain.util.Json;
import cimtrain.util.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code cimtrain sweep PLAN.yaml}: many training runs from one plan; {@code sweep status OUT}: where they stand. */
@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
        subcommands = {SweepCommand.Status.class, SweepCommand.Task.class},
        description = {"Run a plan of training jobs: a base configuration and axes over train options or hardware "
                + "fields (hardware.SECTION.KEY), expanded into jobs with stable ids. Each job's results go to "
                + "OUT/jobs/ID/; a complete job is skipped and an interrupted one resumed, so rerunning continues "
                + "where it stopped.",
                "With --runner slurm the jobs become one Slurm job array (OUT/slurm/sweep.sbatch: one task per job "
                + "without a result, requeue-safe), submitted with sbatch; the command prints the Slurm job id and "
                + "returns. OUT and this cimtrain folder must be on a file system the compute nodes share. "
                + "'sweep status OUT' then also shows the queue.",
                "Examples:",
                "  cimtrain sweep plan.yaml --out sweeps/adc --parallel 2",
                "  cimtrain sweep plan.yaml --out /shared/adc --runner slurm --partition gpu \\",
                "      --gpus-per-job 1 --time 2:00:00 --max-parallel 8"})
public final class SweepCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "PLAN.yaml", description = "The sweep plan.")
    Path planFile;

    @Option(names = "--out", paramLabel = "DIR", description = "Sweep folder (default: sweeps/PLAN-NAME).")
    Path out;

    @Option(names = "--runner", defaultValue = "local", paramLabel = "local|slurm",
            description = "Where jobs run: local (processes on this machine) or slurm (one sbatch job array; the "
                    + "command returns once it is submitted). Default: ${DEFAULT-VALUE}.")
    String runner;

    @Option(names = "--parallel", paramLabel = "N",
            description = "Local runner: jobs at a time; each gets cores / N training threads. Default: 1.")
    Integer parallel;

    @Option(names = "--partition", paramLabel = "P", description = "Slurm: the partition (default: the cluster's default).")
    String partition;

    @Option(names = "--gpus-per-job", paramLabel = "N", description = "Slurm: GPUs per job (--gres=gpu:N). Default: none.")
    Integer gpusPerJob;

    @Option(names = "--cpus-per-job", paramLabel = "N",
            description = "Slurm: CPUs per job (--cpus-per-task); the job trains with that many threads. Default: the cluster's (often 1).")
    Integer cpusPerJob;

    @Option(names = "--time", paramLabel = "T",
            description = "Slurm: time limit per job (MINUTES, HH:MM:SS or D-HH:MM:SS). Default: the partition's.")
    String time;

    @Option(names = "--max-parallel", paramLabel = "K",
            description = "Slurm: at most K jobs running at once (--array=...%%K). Default: no limit.")
    Integer maxParallel;

    @Option(names = "--dry-run", description = "List the jobs (number, id, fields) and run nothing; with --runner slurm "
            + "also print the sbatch script it would submit (nothing is submitted or written).")
    boolean dryRun;

    @Option(names = "--json", description = "End stdout with one JSON line (the jobs with --dry-run, the counts after a "
            + "local run, the Slurm job id after a submission).")
    boolean json;

    @Override
    public Integer call() {
        if (planFile == null) {
            throw new UserError("sweep needs a plan file (cimtrain sweep PLAN.yaml) or 'sweep status OUT'");
        }
        if (!runner.equals("local") && !runner.equals("slurm")) {
            throw new UserError("--runner must be local or slurm, got '" + runner + "'");
        }
        boolean slurm = runner.equals("slurm");
        if (slurm && parallel != null) {
            throw new UserError("--parallel is for the local runner; with --runner slurm use --max-parallel");
        }
        if (!slurm && (partition != null || gpusPerJob != null || cpusPerJob != null || time != null || maxParallel != null)) {
            throw new UserError("--partition, --gpus-per-job, --cpus-per-job, --time and --max-parallel need --runner slurm");
        }
        if (slurm && maxParallel != null && maxParallel < 1) {
            throw new UserError("--max-parallel must be at least 1, got " + maxParallel);
        }
        if (slurm && cpusPerJob != null && cpusPerJob < 1) {
            throw new UserError("--cpus-per-job must be at least 1, got " + cpusPerJob);
        }
        SlurmRunner.Options slurmOptions = slurm ? new SlurmRunner.Options(partition, gpusPerJob == null ? 0 : gpusPerJob,
                time, maxParallel == null ? 0 : maxParallel, cpusPerJob == null ? 0 : cpusPerJob) : null;
        SweepPlan plan = SweepPlan.load(planFile);
        List<Job> jobs = plan.jobs();
        // every job is checked before the first starts (or is submitted): a typo in job 40 must not
        // surface hours in
        plan.validate(jobs);
        Path dir = out != null ? out : Path.of("sweeps", planFile.getFileName().toString().replaceFirst("\\.ya?ml$", ""));
        if (dryRun) {
            List<Map<String, Object>> list = new ArrayList<>();
            for (Job j : jobs) {
                System.out.printf("%4d  %s  %s%n", j.number(), j.id(), plan.label(j));
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("number", j.number());
                m.put("id", j.id());
                m.put("assignment", j.assignment());
                list.add(m);
            }
            System.out.println(jobs.size() + " jobs");
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("jobs", list);
            if (slurm) {
                SlurmRunner r = new SlurmRunner(plan, dir, slurmOptions);
                List<Integer> todo = r.unfinished(jobs);
                if (todo.isEmpty()) {
                    System.out.println("all jobs are complete in " + dir + "; nothing would be submitted");
                } else {
                    String script = r.script(jobs, todo);
                    System.out.println("sbatch script (" + todo.size() + " array tasks), not submitted:");
                    System.out.print(script);
                    result.put("script", script);
                }
            }
            if (json) {
                System.out.println(Json.line(result));
            }
            return 0;
        }
        if (slurm) {
            SlurmRunner.Submission s = new SlurmRunner(plan, dir, slurmOptions).submit(jobs, System.out);
            if (s.jobId() != null) {
                System.out.println("submitted Slurm job " + s.jobId() + ": " + s.tasks() + " of " + jobs.size()
                        + " jobs as array tasks (" + s.script() + "); follow with: cimtrain sweep status " + dir);
            }
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("job_id", s.jobId());
                m.put("tasks", s.tasks());
                m.put("jobs", jobs.size());
                m.put("script", s.script() == null ? null : s.script().toString());
                System.out.println(Json.line(m));
            }
            return 0;
        }
        int n = parallel == null ? 1 : parallel;
        System.out.println("sweep of " + jobs.size() + " jobs into " + dir + ", " + n + " at a time");
        LocalRunner.Outcome o = new LocalRunner(plan, dir, n, System.out).run(jobs);
        List<SweepStatus.Line> lines = SweepStatus.read(dir);
        System.out.println(SweepStatus.summary(lines));
        if (json) {
            System.out.println(Json.line(SweepStatus.json(lines)));
        }
        return o.failed() > 0 ? 1 : 0;
    }

    /** {@code cimtrain sweep status OUT}. */
    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show a sweep folder's jobs: done, running, failed or left (not started or interrupted). "
                    + "For a sweep submitted to Slurm, also the queue's pending and running tasks (squeue, else sacct, "
                    + "when on PATH); a job whose task the queue runs counts as running.")
    static final class Status implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "OUT", description = "The sweep folder.")
        Path out;

        @Option(names = "--json", description = "End stdout with one JSON line: the counts and every job, and a slurm "
                + "object (job_id, source, pending, running, states) for a sweep submitted to Slurm.")
        boolean json;

        @Override
        public Integer call() {
            List<SweepStatus.Line> lines = SweepStatus.read(out);
            SweepStatus.Slurm slurm = SweepStatus.slurm(out);
            lines = SweepStatus.withQueue(lines, slurm);
            for (SweepStatus.Line l : lines) {
                System.out.println(SweepStatus.format(l));
            }
            System.out.println(SweepStatus.summary(lines));
            if (slurm != null) {
                System.out.println(SweepStatus.summary(slurm));
            }
            if (json) {
                System.out.println(Json.line(SweepStatus.json(lines, slurm)));
            }
            return 0;
        }
    }

    /** {@code cimtrain sweep task OUT --index I}: one job of a sweep (what each Slurm array task runs). */
    @Command(name = "task", hidden = true, mixinStandardHelpOptions = true,
            description = "Run one job of a sweep folder, as the local runner runs each (what a Slurm array task "
                    + "runs): a complete job is skipped, a checkpointed one resumed, a failure recorded.")
    static final class Task implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "OUT", description = "The sweep folder (with its sweep.json).")
        Path out;

        @Option(names = "--index", required = true, paramLabel = "I", description = "The job's 0-based place in sweep.json.")
        int index;

        @Option(names = "--id", paramLabel = "ID", description = "The job's id; when given it decides which job runs.")
        String id;

        @Option(names = "--threads", defaultValue = "0", paramLabel = "N",
                description = "Training threads (0: Slurm's CPUs for the task, else all cores).")
        int threads;

        @Override
        public Integer call() {
            return SlurmRunner.runTask(out, index, id, threads, System.out);
        }
    }
}
