package cimtrain.sweep;

import cimtrain.options.TrainSettings;
import cimtrain.util.Home;
import cimtrain.util.SettingError;
import cimtrain.util.UserError;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a sweep's jobs on this machine, N training processes at a time, each {@code cimtrain train} in its
 * own JVM with its own temporary folder (native libraries unpack there) and one BLAS thread. A complete
 * job is skipped; a job whose run has a checkpoint is continued with {@code train --resume}; a job that
 * fails is recorded and the others go on. Killing the runner (Ctrl-C, kill) takes its training processes
 * with it and leaves every complete job intact. {@link #runOne} does the same for a single job; the
 * Slurm runner's array tasks use it, so both runners leave the same job folders.
 */
public final class LocalRunner {
    /** The system property naming the runner a job's training process lives and dies with. */
    public static final String PARENT_PID = "cimtrain.parent-pid";
    /** How long a job waits for a training process left by a killed runner to notice and end. */
    private static final long ORPHAN_WAIT_MS = 15_000;

    /** Lines of a failed job's log kept in its failed.txt. */
    private static final int FAILURE_LINES = 20;

    private final SweepPlan plan;
    private final Path out;
    private final int parallel;
    /** Training threads of each job's process. */
    private final int threads;
    private final PrintStream log;
    private final Set<Process> live = ConcurrentHashMap.newKeySet();
    private final AtomicInteger ran = new AtomicInteger();
    private volatile boolean stopping;

    public LocalRunner(SweepPlan plan, Path out, int parallel, PrintStream log) {
        this(plan, out, parallel, Math.max(1, Runtime.getRuntime().availableProcessors() / Math.max(1, parallel)), log);
    }

    private LocalRunner(SweepPlan plan, Path out, int parallel, int threads, PrintStream log) {
        if (parallel < 1) {
            throw SettingError.of("parallel", " must be at least 1, got " + parallel);
        }
        if (threads < 1) {
            throw new UserError("a job needs at least 1 training thread, got " + threads);
        }
        this.plan = plan;
        this.out = out.toAbsolutePath();
        this.parallel = parallel;
        this.threads = threads;
        this.log = log;
    }

    /**
     * A runner for one job at a time with {@code threads} training threads: what a Slurm array task
     * uses ({@link #runOne}), where the allocation, not this machine's core count, sets the threads.
     */
    public static LocalRunner forOneJob(SweepPlan plan, Path out, int threads, PrintStream log) {
        return new LocalRunner(plan, out, 1, threads, log);
    }

    /** Counts at the end of a run. */
    public record Outcome(int done, int failed, int ranNow) {
    }

    /** Runs every job not yet complete; call after {@link SweepPlan#validate}. */
    public Outcome run(List<Job> jobs) {
        try {
            Files.createDirectories(out.resolve(JobFolder.JOBS));
        } catch (IOException e) {
            throw new UserError("cannot create sweep folder " + out + ": " + e.getMessage());
        }
        return SweepLock.holding(out, () -> {
            SweepStatus.writeIndex(plan, out, jobs);
            return runLocked(jobs);
        });
    }

    private Outcome runLocked(List<Job> jobs) {
        Thread killChildren = new Thread(this::stopChildren, "sweep-stop");
        Runtime.getRuntime().addShutdownHook(killChildren);
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        AtomicInteger done = new AtomicInteger(), failed = new AtomicInteger();
        int ranBefore = ran.get();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Job job : jobs) {
                futures.add(pool.submit(() -> {
                    JobFolder.State s = runJob(job, jobs.size());
                    if (s == JobFolder.State.DONE) {
                        done.incrementAndGet();
                    } else if (s == JobFolder.State.FAILED) {
                        failed.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    failed.incrementAndGet();
                    log.println("cimtrain: sweep: " + e.getCause());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopChildren();
        } finally {
            pool.shutdownNow();
            try {
                Runtime.getRuntime().removeShutdownHook(killChildren);
            } catch (IllegalStateException ignored) {
                // already shutting down: the hook is running
            }
        }
        return new Outcome(done.get(), failed.get(), ran.get() - ranBefore);
    }

    /**
     * Runs one job the way {@link #run} runs each (a complete job is skipped, a checkpointed one resumed,
     * a failure recorded in failed.txt), without the sweep's lock: several of these may work in one
     * sweep folder at once, on one machine or many (Slurm array tasks), each on a job of its own.
     * Ending this process (SIGTERM, as Slurm does on preemption or cancellation) ends the job's
     * training process too, leaving its checkpoint for the next try.
     *
     * @param total the sweep's number of jobs (for the log line only)
     * @return DONE, FAILED, or LEFT when the job was not run to its end (stopped, or another runner
     *         holds it)
     */
    public JobFolder.State runOne(Job job, int total) {
        try {
            Files.createDirectories(out.resolve(JobFolder.JOBS));
        } catch (IOException e) {
            throw new UserError("cannot create sweep folder " + out + ": " + e.getMessage());
        }
        Thread killChildren = new Thread(this::stopChildren, "sweep-stop");
        Runtime.getRuntime().addShutdownHook(killChildren);
        try {
            return runJob(job, total);
        } catch (IOException e) {
            throw new UncheckedIOException("job " + job.id() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopChildren();
            return JobFolder.State.LEFT;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(killChildren);
            } catch (IllegalStateException ignored) {
                // already shutting down: the hook is running
            }
        }
    }

    private JobFolder.State runJob(Job job, int total) throws IOException, InterruptedException {
        JobFolder f = new JobFolder(out, job.id());
        String tag = String.format(Locale.ROOT, "[%d/%d] %s %s", job.number(), total, job.id(), plan.label(job));
        if (f.complete()) {
            log.println(tag + ": already complete");
            return JobFolder.State.DONE;
        }
        Files.createDirectories(f.dir);
        try (JobFolder.Lock lock = f.lock()) {
            if (!lock.granted()) {
                log.println(tag + ": another runner is working on it (" + JobFolder.LOCK + " is held); left to it");
                return JobFolder.State.LEFT;
            }
            if (f.complete()) {
                log.println(tag + ": already complete");
                return JobFolder.State.DONE;
            }
            return runLockedJob(job, f, tag);
        }
    }

    private JobFolder.State runLockedJob(Job job, JobFolder f, String tag) throws IOException, InterruptedException {
        f.writeJob(job);
        f.clearFailed();
        if (f.runFinished()) {
            // the training process finished but the runner died before recording it
            f.appendCompletion();
            f.writeResult(job);
            SweepPlan.deleteQuietly(f.dir.resolve(JobFolder.TMP));
            log.println(tag + ": complete (recorded now)");
            return JobFolder.State.DONE;
        }
        if (!waitForOrphan(f.run())) {
            log.println(tag + ": a training process still works in " + f.run() + " (its lock is held); left to it");
            return JobFolder.State.LEFT;
        }
        List<String> cmd = command(job, f);
        boolean resuming = cmd.contains("--resume");
        log.println(tag + (resuming ? ": resuming" : ": starting"));
        Path tmp = f.dir.resolve(JobFolder.TMP);
        Files.createDirectories(tmp);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(f.dir.resolve(JobFolder.LOG).toFile()));
        // single-threaded BLAS: its spinning threads would fight the training threads and the other jobs
        pb.environment().put("OPENBLAS_NUM_THREADS", "1");
        long start = System.nanoTime();
        Process p;
        synchronized (live) {
            if (stopping) {
                return JobFolder.State.LEFT;
            }
            p = pb.start();
            live.add(p);
        }
        ran.incrementAndGet();
        f.markRunning(p.pid());
        int rc = p.waitFor();
        live.remove(p);
        if (stopping) {
            // killed with the runner: left as it is, to be resumed by the next run
            return JobFolder.State.LEFT;
        }
        f.clearRunning();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (rc == 0 && f.runFinished()) {
            f.appendCompletion();
            f.writeResult(job);
            SweepPlan.deleteQuietly(tmp);
            log.printf(Locale.ROOT, "%s: done, test accuracy %.2f%% (%.1f s)%n", tag, 100 * f.testAccuracy(), seconds);
            return JobFolder.State.DONE;
        }
        f.markFailed("exit status " + rc + " after " + String.format(Locale.ROOT, "%.1f", seconds) + " s; "
                + "last lines of " + JobFolder.LOG + ":\n" + f.logTail(FAILURE_LINES));
        log.println(tag + ": FAILED (exit status " + rc + "; see " + f.dir.resolve(JobFolder.FAILED) + ")");
        return JobFolder.State.FAILED;
    }

    /**
     * Waits (a while) until no process holds the job's run folder: a training process whose runner was
     * killed ends itself on noticing, within a second; starting beside it would run the job twice.
     *
     * @return true when the folder is free
     */
    private static boolean waitForOrphan(Path run) throws InterruptedException {
        long end = System.currentTimeMillis() + ORPHAN_WAIT_MS;
        while (cimtrain.util.FolderLock.isHeld(run)) {
            if (System.currentTimeMillis() > end) {
                return false;
            }
            Thread.sleep(100);
        }
        return true;
    }

    /**
     * In a job's training process (started with {@link #PARENT_PID}): ends the process as soon as the
     * runner that started it is gone, so a runner killed alone leaves no orphan training on.
     */
    public static void dieWithParent() {
        String pid = System.getProperty(PARENT_PID);
        if (pid == null) {
            return;
        }
        java.util.Optional<ProcessHandle> parent;
        try {
            parent = ProcessHandle.of(Long.parseLong(pid));
        } catch (NumberFormatException e) {
            return;
        }
        if (parent.isEmpty()) {
            Runtime.getRuntime().halt(143);
        }
        ProcessHandle h = parent.get();
        Thread watch = new Thread(() -> {
            try {
                while (h.isAlive()) {
                    Thread.sleep(250);
                }
            } catch (InterruptedException e) {
                return;
            }
            // as SIGTERM would end it; the checkpoint on disk is the last complete one
            Runtime.getRuntime().halt(143);
        }, "parent-watch");
        watch.setDaemon(true);
        watch.start();
    }

    /** {@code java ... cimtrain.cli.Main train ARGS --out RUN} or {@code train --resume RUN} ({@link TrainSettings#MAIN_CLASS}). */
    List<String> command(Job job, JobFolder f) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector",
                "-Djava.io.tmpdir=" + f.dir.resolve(JobFolder.TMP),
                "-Dcimtrain.home=" + Home.root().toAbsolutePath(),
                // the training process ends itself when this runner dies, however it dies (kill -9 included)
                "-D" + PARENT_PID + "=" + ProcessHandle.current().pid(),
                "-cp", System.getProperty("java.class.path"), TrainSettings.MAIN_CLASS, TrainSettings.COMMAND));
        if (f.resumable()) {
            cmd.addAll(List.of("--resume", f.run().toString()));
        } else {
            // a run that stopped before its first checkpoint (or diverged) starts again from nothing
            SweepPlan.deleteQuietly(f.run());
            Path hw = job.overridesHardware()
                    ? JobHardware.write(job, plan.folder(), f.dir.resolve(JobHardware.FILE), "job " + job.id()) : null;
            cmd.addAll(TrainOptions.arguments(job, hw, plan.folder()));
            cmd.addAll(List.of("--out", f.run().toString()));
        }
        cmd.addAll(List.of("--threads", Integer.toString(threads)));
        return cmd;
    }

    /** Ends the training processes with the runner (a kill of the runner alone would orphan them). */
    private void stopChildren() {
        synchronized (live) {
            stopping = true;
        }
        for (Process p : live) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }
}
