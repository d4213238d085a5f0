package cimtrain.sweep;

import cimtrain.util.AtomicFiles;
import cimtrain.util.Json;
import cimtrain.util.UserError;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code cimtrain sweep status OUT}: how many jobs are done, running, failed and left, and each job's
 * line. The job folders decide; for a sweep submitted to Slurm the queue adds what the folders cannot
 * show from here (a task running on another machine, a task still pending).
 */
public final class SweepStatus {
    /** The runner's list of the current plan's jobs. */
    static final String INDEX = "sweep.json";

    /**
     * One job's line.
     *
     * @param slurmState the job's array task state in the Slurm queue (PENDING, RUNNING, ...), or null
     */
    public record Line(int number, String id, JobFolder.State state, String label, double testAccuracy,
                       String slurmState) {
        public Line(int number, String id, JobFolder.State state, String label, double testAccuracy) {
            this(number, id, state, label, testAccuracy, null);
        }
    }

    /** A sweep's index entry. */
    record Entry(String id, int number, String label) {
    }

    /** sweep.json read back: the plan file and its jobs in order. */
    record Index(Path plan, List<Entry> jobs) {
    }

    /**
     * The Slurm side of a sweep submitted with {@code --runner slurm}.
     *
     * @param tasks array task index to job id, as submitted
     */
    public record Slurm(String jobId, String submittedAt, Map<Integer, String> tasks, SlurmQueue.State queue) {
    }

    private SweepStatus() {
    }

    /** sweep.json: the plan's jobs in order, so status knows which job folders belong to the current plan. */
    static void writeIndex(SweepPlan plan, Path out, List<Job> jobs) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Job j : jobs) {
            list.add(Map.of("id", j.id(), "number", j.number(), "label", plan.label(j)));
        }
        AtomicFiles.writeString(out.resolve(INDEX), Json.pretty(Map.of("plan", plan.file().toAbsolutePath().toString(),
                "jobs", list)));
    }

    static Index readIndex(Path out, String who) {
        Path index = out.resolve(INDEX);
        if (!Files.isRegularFile(index)) {
            throw new UserError(who + ": " + out + " is not a sweep folder (no " + INDEX + ")");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(index.toFile());
        } catch (IOException e) {
            throw new UserError(who + ": cannot read " + index + ": " + e.getMessage());
        }
        List<Entry> jobs = new ArrayList<>();
        for (JsonNode j : root.path("jobs")) {
            jobs.add(new Entry(j.path("id").asText(), j.path("number").asInt(), j.path("label").asText()));
        }
        return new Index(Path.of(root.path("plan").asText()), jobs);
    }

    /** Each job's state as its folder shows it. */
    public static List<Line> read(Path out) {
        List<Line> lines = new ArrayList<>();
        for (Entry e : readIndex(out, "sweep status").jobs()) {
            JobFolder f = new JobFolder(out, e.id());
            JobFolder.State s = f.state();
            lines.add(new Line(e.number(), e.id(), s, e.label(), s == JobFolder.State.DONE ? f.testAccuracy() : Double.NaN));
        }
        return lines;
    }

    /**
     * The last Slurm submission of this sweep folder and what the queue says of it, or null when the
     * sweep was never submitted to Slurm.
     */
    public static Slurm slurm(Path out) {
        Path file = out.resolve(SlurmRunner.DIR).resolve(SlurmRunner.SUBMITTED);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new UserError("sweep status: cannot read " + file + ": " + e.getMessage());
        }
        String jobId = root.path("job_id").asText();
        Map<Integer, String> tasks = new LinkedHashMap<>();
        root.path("tasks").fields().forEachRemaining(t -> tasks.put(Integer.parseInt(t.getKey()), t.getValue().asText()));
        return new Slurm(jobId, root.path("submitted_at").asText(), tasks, SlurmQueue.query(jobId));
    }

    /**
     * The lines with the queue's states: a job whose task the queue runs counts as running even when its
     * folder cannot show it (the task's processes live on another machine).
     */
    public static List<Line> withQueue(List<Line> lines, Slurm slurm) {
        if (slurm == null || !slurm.queue().known()) {
            return lines;
        }
        Map<String, String> byId = new LinkedHashMap<>();
        slurm.queue().tasks().forEach((index, state) -> {
            String id = slurm.tasks().get(index);
            if (id != null) {
                byId.put(id, state);
            }
        });
        List<Line> out = new ArrayList<>();
        for (Line l : lines) {
            String q = byId.get(l.id());
            JobFolder.State s = l.state();
            if (s == JobFolder.State.LEFT && ("RUNNING".equals(q) || "COMPLETING".equals(q))) {
                s = JobFolder.State.RUNNING;
            }
            out.add(new Line(l.number(), l.id(), s, l.label(), l.testAccuracy(), q));
        }
        return out;
    }

    public static Map<JobFolder.State, Integer> counts(List<Line> lines) {
        Map<JobFolder.State, Integer> c = new EnumMap<>(JobFolder.State.class);
        for (JobFolder.State s : JobFolder.State.values()) {
            c.put(s, 0);
        }
        lines.forEach(l -> c.merge(l.state(), 1, Integer::sum));
        return c;
    }

    /** The counts line, e.g. {@code 6 jobs: 4 done, 1 running, 0 failed, 1 left}. */
    public static String summary(List<Line> lines) {
        Map<JobFolder.State, Integer> c = counts(lines);
        return String.format(Locale.ROOT, "%d jobs: %d done, %d running, %d failed, %d left", lines.size(),
                c.get(JobFolder.State.DONE), c.get(JobFolder.State.RUNNING), c.get(JobFolder.State.FAILED),
                c.get(JobFolder.State.LEFT));
    }

    /** The Slurm line, e.g. {@code slurm job 42 (squeue): 2 pending, 1 running}. */
    public static String summary(Slurm s) {
        SlurmQueue.State q = s.queue();
        if (!q.known()) {
            return "slurm job " + s.jobId() + ": queue state unknown (no squeue or sacct on PATH, or no answer); "
                    + "the states above are the job folders'";
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "slurm job %s (%s): %d pending, %d running",
                s.jobId(), q.source(), q.pending(), q.running()));
        q.counts().forEach((state, n) -> {
            if (!state.equals("PENDING") && !state.equals("RUNNING")) {
                sb.append(", ").append(n).append(' ').append(state.toLowerCase(Locale.ROOT));
            }
        });
        if (q.tasks().isEmpty()) {
            sb.append(" (nothing of it left in the queue)");
        }
        return sb.toString();
    }

    public static String format(Line l) {
        String acc = Double.isNaN(l.testAccuracy()) ? "" : String.format(Locale.ROOT, "  test %.2f%%", 100 * l.testAccuracy());
        String queue = l.slurmState() == null || l.state() == JobFolder.State.DONE ? ""
                : "  [slurm " + l.slurmState().toLowerCase(Locale.ROOT) + "]";
        return String.format(Locale.ROOT, "%4d  %s  %-7s  %s%s%s", l.number(), l.id(), l.state().name().toLowerCase(Locale.ROOT),
                l.label(), acc, queue);
    }

    /** The status as one JSON object (for --json). */
    public static Map<String, Object> json(List<Line> lines) {
        return json(lines, null);
    }

    /**
     * The status as one JSON object (for --json): the counts and every job, and for a sweep submitted to
     * Slurm a {@code slurm} object (job_id, submitted_at, source: squeue, sacct or null when unknown,
     * and with a source the pending and running task counts and each state's count).
     */
    public static Map<String, Object> json(List<Line> lines, Slurm slurm) {
        Map<String, Object> m = new LinkedHashMap<>();
        counts(lines).forEach((s, n) -> m.put(s.name().toLowerCase(Locale.ROOT), n));
        List<Map<String, Object>> jobs = new ArrayList<>();
        for (Line l : lines) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("number", l.number());
            j.put("id", l.id());
            j.put("state", l.state().name().toLowerCase(Locale.ROOT));
            j.put("label", l.label());
            if (!Double.isNaN(l.testAccuracy())) {
                j.put("test_accuracy", l.testAccuracy());
            }
            if (l.slurmState() != null) {
                j.put("slurm_state", l.slurmState().toLowerCase(Locale.ROOT));
            }
            jobs.add(j);
        }
        m.put("jobs", jobs);
        if (slurm != null) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("job_id", slurm.jobId());
            s.put("submitted_at", slurm.submittedAt());
            SlurmQueue.State q = slurm.queue();
            s.put("source", q.source());
            if (q.known()) {
                s.put("pending", q.pending());
                s.put("running", q.running());
                Map<String, Integer> states = new LinkedHashMap<>();
                q.counts().forEach((state, n) -> states.put(state.toLowerCase(Locale.ROOT), n));
                s.put("states", states);
            }
            m.put("slurm", s);
        }
        return m;
    }
}
