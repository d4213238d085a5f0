package cimtrain.sweep;

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

/** {@code cimtrain sweep status OUT}: how many jobs are done, running, failed and left, and each job's line. */
public final class SweepStatus {
    /** The runner's list of the current plan's jobs. */
    static final String INDEX = "sweep.json";

    /** One job's line. */
    public record Line(int number, String id, JobFolder.State state, String label, double testAccuracy) {
    }

    private SweepStatus() {
    }

    public static List<Line> read(Path out) {
        Path index = out.resolve(INDEX);
        if (!Files.isRegularFile(index)) {
            throw new UserError("sweep status: " + out + " is not a sweep folder (no " + INDEX + ")");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(index.toFile());
        } catch (IOException e) {
            throw new UserError("sweep status: cannot read " + index + ": " + e.getMessage());
        }
        List<Line> lines = new ArrayList<>();
        for (JsonNode j : root.path("jobs")) {
            JobFolder f = new JobFolder(out, j.path("id").asText());
            JobFolder.State s = f.state();
            lines.add(new Line(j.path("number").asInt(), j.path("id").asText(), s, j.path("label").asText(),
                    s == JobFolder.State.DONE ? f.testAccuracy() : Double.NaN));
        }
        return lines;
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

    public static String format(Line l) {
        String acc = Double.isNaN(l.testAccuracy()) ? "" : String.format(Locale.ROOT, "  test %.2f%%", 100 * l.testAccuracy());
        return String.format(Locale.ROOT, "%4d  %s  %-7s  %s%s", l.number(), l.id(), l.state().name().toLowerCase(Locale.ROOT),
                l.label(), acc);
    }

    /** The status as one JSON object (for --json). */
    public static Map<String, Object> json(List<Line> lines) {
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
            jobs.add(j);
        }
        m.put("jobs", jobs);
        return m;
    }
}
