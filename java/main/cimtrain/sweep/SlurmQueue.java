package cimtrain.sweep;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What Slurm says about a submitted job array: {@code squeue -h -r -j ID -o '%i %T'} (one line per array
 * task while it is queued or running), else {@code sacct -n -X -P -j ID -o JobID,State} (which also
 * knows finished tasks, where accounting is on). The tools are looked up on PATH; neither there, or
 * neither answering, means the state is unknown and the job folders are all there is.
 */
public final class SlurmQueue {
    /** Seconds a Slurm client command may take (it retries an unreachable controller for a while). */
    private static final int TOOL_TIMEOUT_S = 20;
    /** {@code 123_4}, {@code 123_[4-7,9%2]} or a bare {@code 123}. */
    private static final Pattern TASK_ID = Pattern.compile("(\\d+)(?:_(\\d+|\\[([^\\]]*)\\]))?(?:\\+\\d+)?");

    /** The states of a task that has left the queue for good. */
    private static final java.util.Set<String> ENDED = java.util.Set.of("COMPLETED", "FAILED", "CANCELLED", "TIMEOUT",
            "NODE_FAIL", "PREEMPTED", "BOOT_FAIL", "DEADLINE", "OUT_OF_MEMORY", "REVOKED", "SPECIAL_EXIT");

    private SlurmQueue() {
    }

    /**
     * The queue's word on one submitted array.
     *
     * @param source "squeue" or "sacct", or null when neither answered (then the maps are empty)
     * @param tasks  array task index to its state (PENDING, RUNNING, COMPLETED, ...)
     */
    public record State(String jobId, String source, Map<Integer, String> tasks) {
        public State {
            tasks = java.util.Collections.unmodifiableMap(new TreeMap<>(tasks));
        }

        public boolean known() {
            return source != null;
        }

        public int count(String state) {
            return (int) tasks.values().stream().filter(state::equals).count();
        }

        /** Tasks waiting to start (pending, or requeued and waiting again). */
        public int pending() {
            return count("PENDING") + count("REQUEUED") + count("REQUEUE_HOLD") + count("REQUEUE_FED")
                    + count("CONFIGURING") + count("RESV_DEL_HOLD");
        }

        public int running() {
            return count("RUNNING") + count("COMPLETING");
        }

        /**
         * Some task is still in the queue (pending, running, suspended, ...): what blocks a second
         * submission of the same folder.
         */
        public boolean active() {
            return tasks.values().stream().anyMatch(s -> !ENDED.contains(s));
        }

        /** Each state's count, e.g. {PENDING=2, RUNNING=1}. */
        public Map<String, Integer> counts() {
            Map<String, Integer> c = new TreeMap<>();
            tasks.values().forEach(s -> c.merge(s, 1, Integer::sum));
            return c;
        }
    }

    /** Asks squeue, then sacct when squeue is missing, fails or no longer lists the job. */
    public static State query(String jobId) {
        Optional<Answer> squeue = call("squeue", "-h", "-r", "-j", jobId, "-o", "%i %T");
        if (squeue.isPresent() && squeue.get().status() == 0 && !squeue.get().out().isEmpty()) {
            return new State(jobId, "squeue", parse(jobId, squeue.get().out()));
        }
        Optional<Answer> sacct = call("sacct", "-n", "-X", "-P", "-j", jobId, "-o", "JobID,State");
        if (sacct.isPresent() && sacct.get().status() == 0 && !sacct.get().out().isEmpty()) {
            return new State(jobId, "sacct", parse(jobId, sacct.get().out()));
        }
        // squeue answered that it has no such job (an ended job leaves it, soon or after MinJobAge):
        // nothing of the array is left in the queue
        boolean gone = squeue.isPresent() && (squeue.get().status() == 0
                || squeue.get().err().toLowerCase(Locale.ROOT).contains("invalid job id"));
        return new State(jobId, gone ? "squeue" : null, Map.of());
    }

    /**
     * Array task states from lines of {@code ID STATE} (squeue) or {@code ID|STATE} (sacct); a line
     * of another job, or one without an array index, is skipped. {@code CANCELLED by 0} counts as
     * CANCELLED.
     */
    static Map<Integer, String> parse(String jobId, List<String> lines) {
        Map<Integer, String> tasks = new TreeMap<>();
        for (String line : lines) {
            String[] f = line.trim().split("[|\\s]+");
            if (f.length < 2) {
                continue;
            }
            Matcher m = TASK_ID.matcher(f[0]);
            if (!m.matches() || !m.group(1).equals(jobId) || m.group(2) == null) {
                continue;
            }
            String state = f[1].toUpperCase(Locale.ROOT);
            if (m.group(3) == null) {
                tasks.put(Integer.parseInt(m.group(2)), state);
            } else {
                for (int i : expand(m.group(3))) {
                    tasks.put(i, state);
                }
            }
        }
        return tasks;
    }

    /** {@code 0-3,7%2} to 0, 1, 2, 3, 7 (the throttle after % is no index). */
    static List<Integer> expand(String ranges) {
        List<Integer> out = new ArrayList<>();
        String body = ranges.replaceFirst("%.*$", "");
        for (String part : body.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            String[] ab = part.split("-");
            try {
                int a = Integer.parseInt(ab[0].trim());
                int b = ab.length > 1 ? Integer.parseInt(ab[1].replaceFirst(":.*$", "").trim()) : a;
                for (int i = a; i <= b; i++) {
                    out.add(i);
                }
            } catch (NumberFormatException ignored) {
                // not an index range: nothing to count
            }
        }
        return out;
    }

    /** The tool's absolute path when it is an executable on PATH. */
    public static Optional<Path> onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, tool);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p.toAbsolutePath());
            }
        }
        return Optional.empty();
    }

    /** A finished client command: its exit status, stdout lines and stderr. */
    private record Answer(int status, List<String> out, String err) {
    }

    /** The tool's answer when it is on PATH and ends in time; empty otherwise. */
    private static Optional<Answer> call(String tool, String... args) {
        Optional<Path> exe = onPath(tool);
        if (exe.isEmpty()) {
            return Optional.empty();
        }
        List<String> cmd = new ArrayList<>(List.of(exe.get().toString()));
        cmd.addAll(List.of(args));
        Path out = null, err = null;
        try {
            // files, not pipes: a hung tool must not block the read past the timeout
            out = Files.createTempFile("cimtrain-" + tool, ".out");
            err = Files.createTempFile("cimtrain-" + tool, ".err");
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!p.waitFor(TOOL_TIMEOUT_S, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                return Optional.empty();
            }
            List<String> lines = new String(Files.readAllBytes(out), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.isBlank()).toList();
            return Optional.of(new Answer(p.exitValue(), lines, new String(Files.readAllBytes(err), StandardCharsets.UTF_8)));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a temporary file left behind does no harm
            }
        }
    }
}
