package cimtrain.cli;

import cimtrain.sweep.Job;
import cimtrain.sweep.LocalRunner;
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
        subcommands = SweepCommand.Status.class,
        description = {"Run a plan of training jobs: a base configuration and axes over train options or hardware fields",
                "(hardware.SECTION.KEY), expanded into jobs with stable ids. Each job's results go to OUT/jobs/ID/;",
                "a complete job is skipped and an interrupted one resumed, so rerunning continues where it stopped.",
                "Example: cimtrain sweep plan.yaml --out sweeps/adc --parallel 2"})
public final class SweepCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "PLAN.yaml", description = "The sweep plan.")
    Path planFile;

    @Option(names = "--out", paramLabel = "DIR", description = "Sweep folder (default: sweeps/PLAN-NAME).")
    Path out;

    @Option(names = "--runner", defaultValue = "local", paramLabel = "local",
            description = "Where jobs run: local (processes on this machine). Default: ${DEFAULT-VALUE}.")
    String runner;

    @Option(names = "--parallel", defaultValue = "1", paramLabel = "N",
            description = "Jobs at a time; each gets cores / N training threads. Default: ${DEFAULT-VALUE}.")
    int parallel;

    @Option(names = "--dry-run", description = "List the jobs (number, id, fields) and run nothing.")
    boolean dryRun;

    @Option(names = "--json", description = "End stdout with one JSON line (the jobs with --dry-run, else the counts).")
    boolean json;

    @Override
    public Integer call() {
        if (planFile == null) {
            throw new UserError("sweep needs a plan file (cimtrain sweep PLAN.yaml) or 'sweep status OUT'");
        }
        if (!runner.equals("local")) {
            throw new UserError("--runner must be local, got '" + runner + "'");
        }
        SweepPlan plan = SweepPlan.load(planFile);
        List<Job> jobs = plan.jobs();
        // every job is checked before the first starts: a typo in job 40 must not surface hours in
        plan.validate(jobs);
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
            if (json) {
                System.out.println(Json.line(Map.of("jobs", list)));
            }
            return 0;
        }
        Path dir = out != null ? out : Path.of("sweeps", planFile.getFileName().toString().replaceFirst("\\.ya?ml$", ""));
        System.out.println("sweep of " + jobs.size() + " jobs into " + dir + ", " + parallel + " at a time");
        LocalRunner.Outcome o = new LocalRunner(plan, dir, parallel, System.out).run(jobs);
        List<SweepStatus.Line> lines = SweepStatus.read(dir);
        System.out.println(SweepStatus.summary(lines));
        if (json) {
            System.out.println(Json.line(SweepStatus.json(lines)));
        }
        return o.failed() > 0 ? 1 : 0;
    }

    /** {@code cimtrain sweep status OUT}. */
    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show a sweep folder's jobs: done, running, failed or left (not started or interrupted).")
    static final class Status implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "OUT", description = "The sweep folder.")
        Path out;

        @Option(names = "--json", description = "End stdout with one JSON line: the counts and every job.")
        boolean json;

        @Override
        public Integer call() {
            List<SweepStatus.Line> lines = SweepStatus.read(out);
            for (SweepStatus.Line l : lines) {
                System.out.println(SweepStatus.format(l));
            }
            System.out.println(SweepStatus.summary(lines));
            if (json) {
                System.out.println(Json.line(SweepStatus.json(lines)));
            }
            return 0;
        }
    }
}
