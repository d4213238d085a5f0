package cimtrain.report;

import cimtrain.util.UserError;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finds the run folders behind the report's arguments: a run folder itself (it has config.json), a
 * folder that keeps its runs under runs/ (what {@code cimtrain reproduce} writes), a sweep's folder
 * (jobs/ID/run/), or a folder whose sub-folders are runs.
 */
final class RunFinder {
    /** Finished run folders, and the unfinished ones (no summary.json) met inside a holding folder. */
    record Found(List<Path> finished, List<Path> unfinished) {
    }

    private RunFinder() {
    }

    static Found find(List<Path> inputs) {
        // a run named twice (its folder and the folder holding it) is reported once
        Set<Path> finished = new LinkedHashSet<>(), unfinished = new LinkedHashSet<>();
        for (Path input : inputs) {
            if (!Files.isDirectory(input)) {
                throw new UserError(input + ": no such folder");
            }
            if (isRun(input)) {
                if (!isFinished(input)) {
                    throw new UserError(input + ": not a finished run (no summary.json)");
                }
                finished.add(real(input));
                continue;
            }
            List<Path> runs = runsIn(input);
            if (runs.isEmpty()) {
                throw new UserError(input + ": not a run folder (no config.json) and no run folders in it, under runs/ "
                        + "or under jobs/*/run/");
            }
            for (Path run : runs) {
                (isFinished(run) ? finished : unfinished).add(real(run));
            }
        }
        if (finished.isEmpty()) {
            throw new UserError("no finished runs (a finished run has summary.json) in " + String.join(", ",
                    inputs.stream().map(Path::toString).toList()));
        }
        return new Found(new ArrayList<>(finished), new ArrayList<>(unfinished));
    }

    /** The run folders a holding folder keeps: under runs/, under a sweep's jobs/ID/run/, else directly. */
    private static List<Path> runsIn(Path holder) {
        List<Path> candidates = new ArrayList<>();
        if (Files.isDirectory(holder.resolve("runs"))) {
            candidates.addAll(children(holder.resolve("runs")));
        }
        if (Files.isDirectory(holder.resolve("jobs"))) {
            // a job that has not started yet has no run folder
            children(holder.resolve("jobs")).forEach(job -> candidates.add(job.resolve("run")));
        }
        if (candidates.isEmpty()) {
            candidates.addAll(children(holder));
        }
        return candidates.stream().filter(RunFinder::isRun).toList();
    }

    private static boolean isRun(Path dir) {
        return Files.isRegularFile(dir.resolve("config.json"));
    }

    private static boolean isFinished(Path dir) {
        return Files.isRegularFile(dir.resolve("summary.json"));
    }

    private static List<Path> children(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resolve " + p + ": " + e.getMessage(), e);
        }
    }
}
