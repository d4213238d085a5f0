package cimtrain.sweep;

import cimtrain.hardware.Hardware;
import cimtrain.util.UserError;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A sweep plan (YAML):
 * <pre>
 * base:                 # train options by their long names without dashes; hardware.SECTION.KEY for one chip field
 *   model: lenet-paper
 *   epochs: 2
 * axes:                 # a grid: every combination of these values
 *   mode: [fp32, mp]
 *   hardware.adc.bits: [4, 6, 8]
 * jobs:                 # optional explicit list; each entry is crossed with the grid
 *   - {seed: 0}
 *   - {seed: 1, lr: 0.002}
 * </pre>
 * Everything is checked when the plan is read: a field that is neither a train option nor a hardware
 * field, an empty axis, or a list or map where a single value belongs is rejected with one line.
 */
public final class SweepPlan {
    static final String HARDWARE_PREFIX = "hardware.";
    /** The most jobs one plan may make (each is a training run; a sweep folder holds a folder per job). */
    public static final long MAX_JOBS = 100_000;
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> TOP_LEVEL = Set.of("base", "axes", "jobs");

    private final Path file;
    private final String where;
    private final Map<String, JsonNode> base = new LinkedHashMap<>();
    private final Map<String, List<JsonNode>> axes = new LinkedHashMap<>();
    private final List<Map<String, JsonNode>> lists = new ArrayList<>();

    private SweepPlan(Path file) {
        this.file = file;
        this.where = "plan " + file;
    }

    public static SweepPlan load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new UserError("plan file not found: " + file);
        }
        JsonNode root;
        try {
            root = YAML.readTree(file.toFile());
        } catch (IOException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage().split("\n")[0];
            throw new UserError("plan " + file + ": cannot read YAML: " + msg);
        }
        SweepPlan plan = new SweepPlan(file);
        plan.read(root);
        return plan;
    }

    /** The plan's folder: relative model, hardware and data paths are taken from here. */
    public Path folder() {
        Path parent = file.toAbsolutePath().getParent();
        return parent == null ? Path.of("").toAbsolutePath() : parent;
    }

    public Path file() {
        return file;
    }

    private void read(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new UserError(where + ": expected a map with base, axes and/or jobs");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!TOP_LEVEL.contains(key)) {
                throw new UserError(where + ": unknown section '" + key + "' (known: axes, base, jobs)");
            }
        }
        readAssignments(root.get("base"), "base", base);
        JsonNode a = root.get("axes");
        if (a != null && !a.isNull()) {
            if (!a.isObject()) {
                throw new UserError(where + ": axes must be a map of field: [values]");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = a.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String field = checkField(e.getKey(), "axes");
                if (!e.getValue().isArray()) {
                    throw new UserError(where + ": axis '" + field + "' must be a list of values, got " + e.getValue());
                }
                if (e.getValue().isEmpty()) {
                    throw new UserError(where + ": axis '" + field + "' is empty (give at least one value)");
                }
                List<JsonNode> values = new ArrayList<>();
                for (JsonNode v : e.getValue()) {
                    values.add(checkValue(field, v, "axis '" + field + "'"));
                }
                axes.put(field, values);
            }
        }
        JsonNode j = root.get("jobs");
        if (j != null && !j.isNull()) {
            if (!j.isArray() || j.isEmpty()) {
                throw new UserError(where + ": jobs must be a non-empty list of maps field: value");
            }
            int i = 0;
            for (JsonNode entry : j) {
                i++;
                Map<String, JsonNode> point = new LinkedHashMap<>();
                readAssignments(entry, "jobs entry " + i, point);
                for (String field : point.keySet()) {
                    if (axes.containsKey(field)) {
                        throw new UserError(where + ": field '" + field + "' is both an axis and set in jobs entry " + i);
                    }
                }
                lists.add(point);
            }
        }
        // the grid's size, counted before it is made: a few axes of many values would exhaust the memory
        long jobs = Math.max(1, lists.size());
        for (List<JsonNode> values : axes.values()) {
            jobs *= values.size();
            if (jobs > MAX_JOBS) {
                throw new UserError(where + ": the plan makes more than " + MAX_JOBS + " jobs ("
                        + axes.entrySet().stream().map(e -> e.getKey() + " x" + e.getValue().size())
                        .collect(java.util.stream.Collectors.joining(", "))
                        + (lists.isEmpty() ? "" : ", jobs x" + lists.size()) + "); split it into smaller sweeps");
            }
        }
    }

    private void readAssignments(JsonNode node, String section, Map<String, JsonNode> into) {
        if (node == null || node.isNull()) {
            return;
        }
        if (!node.isObject()) {
            throw new UserError(where + ": " + section + " must be a map of field: value");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String field = checkField(e.getKey(), section);
            into.put(field, checkValue(field, e.getValue(), section + " '" + field + "'"));
        }
    }

    /** A train option (long name without dashes) or hardware.KEY / hardware.SECTION.KEY. */
    private String checkField(String field, String section) {
        if (field.startsWith(HARDWARE_PREFIX)) {
            String[] path = field.substring(HARDWARE_PREFIX.length()).split("\\.", -1);
            if (path.length > 2 || java.util.Arrays.stream(path).anyMatch(String::isEmpty)) {
                throw new UserError(where + ": " + section + ": '" + field
                        + "' is not a hardware field (write hardware.SECTION.KEY, e.g. hardware.adc.bits)");
            }
            return field;
        }
        Map<String, ?> options = TrainOptions.sweepable();
        if (!options.containsKey(field)) {
            String hint = TrainOptions.RUNNER_OWNED.contains(field) ? " (the sweep runner sets it)"
                    : " (known: " + String.join(", ", options.keySet()) + ", hardware.SECTION.KEY)";
            throw new UserError(where + ": " + section + ": unknown field '" + field + "'" + hint);
        }
        return field;
    }

    private JsonNode checkValue(String field, JsonNode v, String at) {
        if (v == null || v.isNull() || v.isContainerNode()) {
            throw new UserError(where + ": " + at + ": a value must be a single number, word or true/false, got "
                    + (v == null || v.isNull() ? "nothing" : v.toString()));
        }
        if (!field.startsWith(HARDWARE_PREFIX) && TrainOptions.isFlag(TrainOptions.sweepable().get(field))
                && !v.isBoolean()) {
            throw new UserError(where + ": " + at + ": must be true or false, got " + v);
        }
        return v;
    }

    /**
     * The jobs in a fixed order: for each jobs entry (or once without one), the grid with the first
     * axis varying slowest. A job that comes out twice is kept once.
     */
    public List<Job> jobs() {
        List<Map<String, JsonNode>> points = lists.isEmpty() ? List.of(Map.of()) : lists;
        List<Map<String, JsonNode>> grid = new ArrayList<>();
        grid.add(new LinkedHashMap<>());
        for (Map.Entry<String, List<JsonNode>> axis : axes.entrySet()) {
            List<Map<String, JsonNode>> next = new ArrayList<>();
            for (Map<String, JsonNode> partial : grid) {
                for (JsonNode v : axis.getValue()) {
                    Map<String, JsonNode> m = new LinkedHashMap<>(partial);
                    m.put(axis.getKey(), v);
                    next.add(m);
                }
            }
            grid = next;
        }
        Map<String, Job> byId = new LinkedHashMap<>();
        for (Map<String, JsonNode> point : points) {
            for (Map<String, JsonNode> cell : grid) {
                Map<String, JsonNode> values = new LinkedHashMap<>(base);
                values.putAll(point);
                values.putAll(cell);
                TreeMap<String, String> assignment = new TreeMap<>();
                Map<String, JsonNode> hardware = new LinkedHashMap<>();
                values.forEach((k, v) -> {
                    assignment.put(k, v.asText());
                    if (k.startsWith(HARDWARE_PREFIX)) {
                        hardware.put(k, v);
                    }
                });
                String id = Job.idOf(assignment);
                byId.putIfAbsent(id, new Job(byId.size() + 1, id, assignment, hardware));
            }
        }
        return new ArrayList<>(byId.values());
    }

    /** The fields that differ between jobs (axes and jobs entries): what names a job to a person. */
    public Set<String> varying() {
        Set<String> out = new LinkedHashSet<>(axes.keySet());
        lists.forEach(p -> out.addAll(p.keySet()));
        return out;
    }

    /** A job's varying fields as one line, e.g. {@code mode=mp seed=1}. */
    public String label(Job job) {
        StringBuilder sb = new StringBuilder();
        for (String f : varying()) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(f).append('=').append(job.assignment().get(f));
        }
        return sb.length() == 0 ? job.describe() : sb.toString();
    }

    /**
     * Checks every job fully before any starts: its hardware (with overrides, written to a scratch
     * folder and loaded) and its train arguments, by train's own parser and checks.
     *
     * @throws UserError in one line naming the plan, the job and the problem
     */
    public void validate(List<Job> jobs) {
        Path scratch;
        try {
            scratch = Files.createTempDirectory("cimtrain-sweep-check");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary folder: " + e.getMessage(), e);
        }
        Set<String> loadedHardware = new java.util.HashSet<>();
        try {
            for (Job job : jobs) {
                String at = where + ": job " + job.number() + " (" + label(job) + ")";
                Path hw = null;
                if (job.overridesHardware()) {
                    hw = JobHardware.write(job, folder(), scratch.resolve(job.id() + "-" + JobHardware.FILE), at);
                } else {
                    String base = JobHardware.base(job, folder());
                    if (loadedHardware.add(base)) {
                        try {
                            Hardware.load(base);
                        } catch (UserError e) {
                            throw new UserError(at + ": " + TrainOptions.oneLine(e.getMessage()));
                        }
                    }
                }
                TrainOptions.check(TrainOptions.arguments(job, hw, folder()), at);
            }
        } finally {
            deleteQuietly(scratch);
        }
    }

    static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // a leftover scratch file does no harm
                }
            });
        } catch (IOException ignored) {
            // as above
        }
    }
}
