package cimtrain.train;

import cimtrain.util.AtomicFiles;
import cimtrain.util.FolderLock;
import cimtrain.util.Json;
import cimtrain.util.SettingError;
import cimtrain.util.UserError;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The folder of one run: config.json when it starts, metrics.csv growing one line per epoch, and
 * summary.json written atomically at the very end. A run is finished exactly when summary.json exists;
 * a failed one has failed.txt instead.
 */
public final class RunFolder implements AutoCloseable {
    public static final String CONFIG = "config.json";
    public static final String METRICS = "metrics.csv";
    public static final String SUMMARY = "summary.json";
    public static final String FAILED = "failed.txt";
    /** Energy and latency of the run's network on its chip (runs with a chip), as cimtrain cost --json gives them. */
    public static final String COST = "cost.json";

    public final Path dir;
    private final FolderLock lock;

    private RunFolder(Path dir, FolderLock lock) {
        this.dir = dir;
        this.lock = lock;
    }

    /** The files a run leaves before its first checkpoint (besides the lock and temporary files). */
    private static final Set<String> BEFORE_CHECKPOINT = Set.of(CONFIG, METRICS);

    /**
     * Creates a new run folder and locks it ({@link FolderLock}) until {@link #close}; refuses one that
     * another process works in, or that already holds a run, so no run is overwritten. A folder left by
     * a run that stopped before its first checkpoint (config.json and no checkpoint or summary) holds
     * nothing to lose: it is cleared and reused, which {@code listener} hears as a note.
     */
    public static RunFolder create(Path dir, RunListener listener) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw SettingError.of("out", " " + dir + " exists and is not a folder");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UserError("cannot create run folder " + dir + ": " + e.getMessage());
        }
        FolderLock lock = FolderLock.acquire(dir, "run folder");
        try {
            List<Path> files = contents(dir);
            if (!files.isEmpty()) {
                boolean stoppedEarly = files.stream().allMatch(p -> BEFORE_CHECKPOINT.contains(p.getFileName().toString())
                        || isTemporary(p)) && isRunConfig(dir.resolve(CONFIG));
                if (!stoppedEarly) {
                    throw SettingError.of("out", " " + dir + " already holds files (a previous run?); choose another folder");
                }
                for (Path p : files) {
                    Files.delete(p);
                }
                listener.note("note: " + dir + " held a run that stopped before its first checkpoint; "
                        + "starting it again there");
            }
            return new RunFolder(dir, lock);
        } catch (IOException e) {
            lock.close();
            throw new UserError("cannot use run folder " + dir + ": " + e.getMessage());
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** True for a config.json that a training run wrote (not some other program's file of that name). */
    private static boolean isRunConfig(Path p) {
        try {
            com.fasterxml.jackson.databind.JsonNode c = Json.MAPPER.readTree(p.toFile());
            return c != null && c.has("model") && c.has("mode") && c.has("steps_per_epoch") && c.has("macs_per_sample");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The folder's files but its lock file. */
    private static List<Path> contents(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().equals(FolderLock.FILE)).toList();
        }
    }

    /** A temporary file a process killed while writing leaves (a dot file beside the real one). */
    private static boolean isTemporary(Path p) {
        String n = p.getFileName().toString();
        return n.startsWith(".") && n.contains(".tmp-");
    }

    /**
     * Checks, without locking or changing anything, that {@code dir} is an unfinished run to resume: it
     * must hold a checkpoint and no summary (a finished run).
     */
    public static void checkResumable(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw SettingError.of("resume", " " + dir + ": no such run folder");
        }
        if (Files.exists(dir.resolve(SUMMARY))) {
            throw SettingError.of("resume", " " + dir + ": the run has finished (it has " + SUMMARY + ")");
        }
        if (!Files.isRegularFile(dir.resolve(Checkpoint.FILE))) {
            throw new SettingError(name -> name.apply("resume") + " " + dir + ": no " + Checkpoint.FILE + " (the run stopped "
                    + "before it wrote one; start it again with the same options and " + name.apply("out") + " " + dir + ")");
        }
    }

    /**
     * An unfinished run folder to resume ({@link #checkResumable}), locked until {@link #close}; the
     * temporary files of a process killed while writing are removed.
     */
    public static RunFolder resume(Path dir) {
        checkResumable(dir);
        FolderLock lock = FolderLock.acquire(dir, "run folder");
        try {
            // checked again under the lock: another process may have finished the run meanwhile
            checkResumable(dir);
            for (Path p : contents(dir)) {
                if (p.getFileName().toString().startsWith("." + Checkpoint.FILE + ".tmp-")) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            lock.close();
            throw SettingError.of("resume", " " + dir + ": cannot clean the folder: " + e.getMessage());
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
        return new RunFolder(dir, lock);
    }

    /**
     * Refuses a checkpoint whose run is not the one this folder's config.json describes (a checkpoint of
     * another model, mode, hardware, dataset or seed copied in): resuming it would mix two runs' records.
     *
     * @param expected the config.json fields the checkpoint's run would write
     */
    public void checkConfig(Map<String, Object> expected) {
        Path p = dir.resolve(CONFIG);
        if (!Files.isRegularFile(p)) {
            return;
        }
        com.fasterxml.jackson.databind.JsonNode config;
        try {
            config = Json.MAPPER.readTree(p.toFile());
        } catch (IOException e) {
            throw new UserError(p + ": unreadable (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (config == null || !config.isObject()) {
            throw new UserError(p + ": not a run's configuration");
        }
        for (Map.Entry<String, Object> e : expected.entrySet()) {
            com.fasterxml.jackson.databind.JsonNode v = config.get(e.getKey());
            Object want = e.getValue();
            boolean same = v == null || v.isNull() ? want == null
                    : want instanceof Number n ? v.isNumber() && v.asDouble() == n.doubleValue()
                    : want != null && v.asText().equals(want.toString());
            if (!same) {
                throw SettingError.of("resume", " " + dir + ": its " + Checkpoint.FILE + " is of another run (" + e.getKey() + " "
                        + want + ", " + CONFIG + " says " + (v == null ? "nothing" : v.asText()) + ")");
            }
        }
    }

    /** Releases the folder's lock. */
    @Override
    public void close() {
        lock.close();
    }

    /** Replaces metrics.csv by the epochs of a checkpoint (lines written after it are dropped). */
    public void rewriteMetrics(java.util.List<EpochMetrics> history) {
        StringBuilder sb = new StringBuilder(EpochMetrics.CSV_HEADER).append('\n');
        for (EpochMetrics m : history) {
            sb.append(m.csv()).append('\n');
        }
        AtomicFiles.writeString(dir.resolve(METRICS), sb.toString());
    }

    public void writeConfig(Map<String, Object> config) {
        AtomicFiles.writeString(dir.resolve(CONFIG), Json.pretty(config));
    }

    public void appendMetrics(EpochMetrics m) {
        Path p = dir.resolve(METRICS);
        try {
            if (!Files.exists(p)) {
                Files.writeString(p, EpochMetrics.CSV_HEADER + "\n", StandardCharsets.UTF_8);
            }
            Files.writeString(p, m.csv() + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + p + ": " + e.getMessage(), e);
        }
    }

    /** The ADC's clipping of one epoch, one line per crossbar layer (clipping.csv; see Chip.clipStatistics). */
    public void appendClipping(int epoch, Map<String, Object> clipping) {
        Path p = dir.resolve("clipping.csv");
        StringBuilder b = new StringBuilder();
        try {
            if (!Files.exists(p)) {
                b.append("epoch,layer,read_model,counted,conversions,saturated_fraction,below_zero_fraction\n");
            }
            @SuppressWarnings("unchecked")
            java.util.List<Map<String, Object>> layers = (java.util.List<Map<String, Object>>) clipping.get("layers");
            for (Map<String, Object> l : layers) {
                b.append(epoch).append(",\"").append(String.valueOf(l.get("layer")).replace("\"", "'")).append("\",")
                        .append(l.get("read_model")).append(',').append(l.get("counted")).append(',')
                        .append(l.get("conversions")).append(',').append(fraction(l.get("saturated_fraction")))
                        .append(',').append(fraction(l.get("below_zero_fraction"))).append('\n');
            }
            Files.writeString(p, b.toString(), StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + p + ": " + e.getMessage(), e);
        }
    }

    private static String fraction(Object v) {
        return v == null ? "" : String.format(java.util.Locale.ROOT, "%.6g", ((Number) v).doubleValue());
    }

    /** Any other record of the run, written whole. */
    public void writeJson(String file, Object value) {
        AtomicFiles.writeString(dir.resolve(file), Json.pretty(value));
    }

    public void writeSummary(Map<String, Object> summary) {
        AtomicFiles.writeString(dir.resolve(SUMMARY), Json.pretty(summary));
    }

    public void markFailed(String reason) {
        AtomicFiles.writeString(dir.resolve(FAILED), reason + "\n");
    }
}
