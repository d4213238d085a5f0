package cimtrain.fuzz;

import cimtrain.util.UserError;

import java.lang.management.ManagementFactory;

/**
 * What a reader may do with any input: succeed, or refuse it with a {@link UserError} (the command
 * line's one line and status 2); within {@link #MAX_BYTES} of allocation and {@link #MAX_SECONDS}.
 * Anything else (another exception, an error, more allocation, more time) fails the fuzz test, and
 * Jazzer keeps the input as a finding.
 */
public final class Outcome {
    /** The most bytes one input may make a reader allocate (all allocations counted, freed or not). */
    public static final long MAX_BYTES = 256L << 20;
    /** The most seconds one input may take. */
    public static final double MAX_SECONDS = 10;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private Outcome() {
    }

    /** A piece of code that reads user input and may throw anything. */
    public interface Reader {
        void read() throws Exception;
    }

    /** Runs {@code r}; returns normally after success or a UserError, throws AssertionError otherwise. */
    public static void onlyUserErrors(Reader r) throws Exception {
        long thread = Thread.currentThread().getId();
        long before = THREADS.getThreadAllocatedBytes(thread);
        long start = System.nanoTime();
        try {
            r.read();
        } catch (UserError e) {
            if (e.getMessage() == null || e.getMessage().isBlank()) {
                throw new AssertionError("a UserError without a message", e);
            }
        }
        long allocated = THREADS.getThreadAllocatedBytes(thread) - before;
        double seconds = (System.nanoTime() - start) / 1e9;
        if (allocated > MAX_BYTES) {
            throw new AssertionError("allocated " + allocated + " bytes for one input (bound " + MAX_BYTES + ")");
        }
        if (seconds > MAX_SECONDS) {
            throw new AssertionError("took " + seconds + " s for one input (bound " + MAX_SECONDS + " s)");
        }
    }
}
