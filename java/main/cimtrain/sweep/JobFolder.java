package cimtrain.sweep;

import cimtrain.train.Checkpoint;
import cimtrain.train.RunFolder;
import cimtrain.util.AtomicFiles;
import cimtrain.util.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code OUT/jobs/<id>/}: job.json (the assignment), hardware.yaml (when the job overrides hardware
 * fields), run/ (the training run folder), log.txt (the training process's output), running (while a
 * process trains it: host and process ids), job.lock (held by the runner working on the job),
 * failed.txt (why the last try failed), completions.txt (one line per finished training process) and
 * result.json, written atomically last: a job is complete exactly when
 * result.json exists.
 */
public final class JobFolder {
    public static final String JOBS = "jobs";
    static final String JOB = "job.json";
    static final String RESULT = "result.json";
    static final String FAILED = "failed.txt";
    static final String RUNNING = "running";
    static final String LOG = "log.txt";
    static final String COMPLETIONS = "completions.txt";
    static final String RUN = "run";
    static final String TMP = "tmp";
    static final String LOCK = "job.lock";

    /** Where a job stands, as {@code sweep status} shows it. */
    public enum State { DONE, RUNNING, FAILED, LEFT }

    public final Path dir;

    JobFolder(Path out, String id) {
        this.dir = out.resolve(JOBS).resolve(id);
    }

    Path run() {
        return dir.resolve(RUN);
    }

    boolean complete() {
        return Files.isRegularFile(dir.resolve(RESULT));
    }

    /** The run finished (summary.json) though the runner may have died before recording it. */
    boolean runFinished() {
        return Files.isRegularFile(run().resolve(RunFolder.SUMMARY));
    }

    /** A run to continue with {@code train --resume}: a checkpoint, no summary, not a diverged run. */
    boolean resumable() {
        return Files.isRegularFile(run().resolve(Checkpoint.FILE)) && !runFinished()
                && !Files.exists(run().resolve(RunFolder.FAILED));
    }

    State state() {
        if (complete()) {
            return State.DONE;
        }
        if (processAlive()) {
            return State.RUNNING;
        }
        return Files.exists(dir.resolve(FAILED)) ? State.FAILED : State.LEFT;
    }

    /**
     * True while the process named in the running marker lives (a killed runner leaves a stale one).
     * A marker written on another machine (a Slurm task on a compute node) says nothing here: its
     * process ids are that machine's, so it is not taken as alive ({@code sweep status} asks the queue).
     */
    private boolean processAlive() {
        Path marker = dir.resolve(RUNNING);
        try {
            if (!Files.isRegularFile(marker)) {
                return false;
            }
            List<String> lines = Files.readAllLines(marker, StandardCharsets.UTF_8);
            for (String line : lines) {
                String[] f = line.trim().split("\\s+");
                if (f.length == 2 && f[0].equals("host") && !f[1].equals(hostName())) {
                    return false;
                }
            }
            for (String line : lines) {
                String[] f = line.trim().split("\\s+");
                if (f.length == 2 && f[1].matches("\\d+")
                        && ProcessHandle.of(Long.parseLong(f[1])).map(ProcessHandle::isAlive).orElse(false)) {
                    return true;
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    void writeJob(Job job) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", job.id());
        m.put("number", job.number());
        m.put("assignment", job.assignment());
        AtomicFiles.writeString(dir.resolve(JOB), Json.pretty(m));
    }

    void markRunning(long childPid) {
        AtomicFiles.writeString(dir.resolve(RUNNING), "host " + hostName() + "\nrunner " + ProcessHandle.current().pid()
                + "\nchild " + childPid + "\n");
    }

    /** This machine's name as the kernel has it (no DNS look-up), or "localhost" where it cannot be read. */
    static String hostName() {
        try {
            String h = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.UTF_8).trim();
            if (!h.isEmpty() && !h.matches(".*\\s.*")) {
                return h;
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux: fall back below
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** The job's lock: one runner (local or a Slurm task, on any machine) works on a job at a time. */
    interface Lock extends AutoCloseable {
        /** True when this runner may work on the job: it holds the lock, or the file system cannot lock; false when another runner holds it. */
        boolean granted();

        @Override
        void close();
    }

    /**
     * Tries job.lock without waiting. Where the file system cannot lock (some network file systems),
     * the job runs without it, as before locks existed: losing the guard is better than losing the job.
     */
    Lock lock() {
        FileChannel ch;
        FileLock l;
        try {
            ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            return unlocked(true);
        }
        try {
            l = ch.tryLock();
        } catch (IOException | java.nio.channels.OverlappingFileLockException e) {
            closeQuietly(ch);
            return unlocked(e instanceof IOException);
        }
        if (l == null) {
            closeQuietly(ch);
            return unlocked(false);
        }
        return new Lock() {
            @Override
            public boolean granted() {
                return true;
            }

            @Override
            public void close() {
                try {
                    l.release();
                } catch (IOException ignored) {
                    // closing the channel releases it too
                }
                closeQuietly(ch);
            }
        };
    }

    private static Lock unlocked(boolean proceed) {
        return new Lock() {
            @Override
            public boolean granted() {
                return proceed;
            }

            @Override
            public void close() {
            }
        };
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    void clearRunning() {
        delete(dir.resolve(RUNNING));
    }

    void markFailed(String reason) {
        AtomicFiles.writeString(dir.resolve(FAILED), reason.endsWith("\n") ? reason : reason + "\n");
    }

    void clearFailed() {
        delete(dir.resolve(FAILED));
    }

    /** Records a finished training process; a test counts these lines to see that no job ran twice. */
    void appendCompletion() {
        try {
            Files.writeString(dir.resolve(COMPLETIONS), java.time.Instant.now() + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(COMPLETIONS) + ": " + e.getMessage(), e);
        }
    }

    /** result.json: the job and its run's summary; written last and whole, it marks the job complete. */
    void writeResult(Job job) {
        try {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", job.id());
            m.put("number", job.number());
            m.put("assignment", job.assignment());
            m.put("summary", Json.MAPPER.readTree(run().resolve(RunFolder.SUMMARY).toFile()));
            AtomicFiles.writeString(dir.resolve(RESULT), Json.pretty(m));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + run().resolve(RunFolder.SUMMARY) + ": " + e.getMessage(), e);
        }
    }

    /** The finished job's test accuracy, or NaN. */
    double testAccuracy() {
        try {
            return Json.MAPPER.readTree(dir.resolve(RESULT).toFile()).path("summary").path("test_accuracy").asDouble(Double.NaN);
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    /** The last lines of the job's log (what the failure record keeps). */
    String logTail(int lines) {
        try {
            // bytes first: a malformed byte in the log must not hide the failure
            List<String> all = new String(Files.readAllBytes(dir.resolve(LOG)), StandardCharsets.UTF_8).lines().toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log)";
        }
    }

    private static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + p + ": " + e.getMessage(), e);
        }
    }
}
