package cimtrain.backend.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/**
 * Splits a range of independent work items over a fixed pool of worker threads. Work smaller than a
 * grain runs on the calling thread: on tiny layers the hand-off costs more than the work.
 */
final class Parallel {
    /** The body of a parallel loop: handles items [from, to). */
    interface RangeBody {
        void run(int from, int to);
    }

    private final int threads;
    private final ForkJoinPool pool;
    /** Set on the calling thread while it runs its own share of a parallel loop. */
    private static final ThreadLocal<Boolean> IN_SHARE = ThreadLocal.withInitial(() -> false);

    Parallel(int threads) {
        this.threads = Math.max(1, threads);
        this.pool = this.threads > 1 ? new ForkJoinPool(this.threads) : null;
    }

    int threads() {
        return threads;
    }

    /**
     * Runs body over [0, n) in up to {@code threads} contiguous chunks, each of at least {@code grain}
     * items. Chunk boundaries depend only on n, grain and the thread count, never on timing, so
     * results are reproducible for a given thread count.
     */
    void forRange(int n, int grain, RangeBody body) {
        int chunks = (int) Math.min(threads, Math.max(1, n / Math.max(1, grain)));
        // work started from inside a worker (an operation within a replica's pass) stays on that
        // worker: the other workers are busy with the other replicas
        if (chunks <= 1 || pool == null || ForkJoinTask.inForkJoinPool() || IN_SHARE.get()) {
            body.run(0, n);
            return;
        }
        List<ForkJoinTask<?>> tasks = new ArrayList<>(chunks - 1);
        for (int c = 1; c < chunks; c++) {
            int from = (int) ((long) n * c / chunks);
            int to = (int) ((long) n * (c + 1) / chunks);
            tasks.add(pool.submit(() -> body.run(from, to)));
        }
        IN_SHARE.set(true);
        try {
            body.run(0, (int) ((long) n / chunks));
        } finally {
            IN_SHARE.set(false);
        }
        for (ForkJoinTask<?> t : tasks) {
            t.join();
        }
    }

    void shutdown() {
        if (pool != null) {
            pool.shutdown();
        }
    }
}
