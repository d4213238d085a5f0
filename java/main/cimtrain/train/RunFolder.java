package cimtrain.train;

import cimtrain.util.AtomicFiles;
import cimtrain.util.Json;
import cimtrain.util.UserError;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The folder of one run: config.json when it starts, metrics.csv growing one line per epoch, and
 * summary.json written atomically at the very end. A run is finished exactly when summary.json exists;
 * a failed one has failed.txt instead.
 */
public final class RunFolder {
    public static final String CONFIG = "config.json";
    public static final String METRICS = "metrics.csv";
    public static final String SUMMARY = "summary.json";
    public static final String FAILED = "failed.txt";
    /** Energy and latency of the run's network on its chip (runs with a chip), as cimtrain cost --json gives them. */
    public static final String COST = "cost.json";

    public final Path dir;

    private RunFolder(Path dir) {
        this.dir = dir;
    }

    /** Creates a new run folder; refuses one that already holds files, so no run is overwritten. */
    public static RunFolder create(Path dir) {
        try {
            if (Files.exists(dir)) {
                if (!Files.isDirectory(dir)) {
                    throw new UserError("--out " + dir + " exists and is not a folder");
                }
                try (Stream<Path> s = Files.list(dir)) {
                    if (s.findAny().isPresent()) {
                        throw new UserError("--out " + dir + " already holds files (a previous run?); choose another folder");
                    }
                }
            }
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UserError("cannot create run folder " + dir + ": " + e.getMessage());
        }
        return new RunFolder(dir);
    }

    /**
     * An unfinished run folder to resume: it must hold a checkpoint and no summary (a finished run).
     */
    public static RunFolder resume(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new UserError("--resume " + dir + ": no such run folder");
        }
        if (Files.exists(dir.resolve(SUMMARY))) {
            throw new UserError("--resume " + dir + ": the run has finished (it has " + SUMMARY + ")");
        }
        if (!Files.isRegularFile(dir.resolve(Checkpoint.FILE))) {
            throw new UserError("--resume " + dir + ": no " + Checkpoint.FILE + " (the run stopped before its first epoch ended)");
        }
        // a process killed while writing leaves its temporary file (a dot file beside the real one)
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (p.getFileName().toString().startsWith("." + Checkpoint.FILE + ".tmp-")) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            throw new UserError("--resume " + dir + ": cannot clean the folder: " + e.getMessage());
        }
        return new RunFolder(dir);
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
