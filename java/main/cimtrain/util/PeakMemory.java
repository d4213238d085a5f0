package cimtrain.util;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Peak memory of a stretch of work in this JVM: the Java heap (the sum of the heap pools' peaks, an upper
 * bound of the most in use at once, since the pools need not peak together) and the process's peak
 * resident set (Linux VmHWM). Both are reset at {@link #start}; the resident peak by writing 5 to
 * /proc/self/clear_refs, and where that is refused it is the process's peak so far (said by
 * {@link Peak#rssSinceStart}). The resident set includes heap the JVM committed for earlier work and
 * keeps, so it overstates a later run; the heap figure is the one that measures the work itself.
 */
public final class PeakMemory {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private final boolean rssReset;

    /**
     * @param heapBytes     the sum of the heap pools' peaks (bytes)
     * @param rssBytes      the peak resident set (bytes), or -1 where /proc is not there
     * @param rssSinceStart whether the resident peak covers only the work since {@link #start}
     */
    public record Peak(long heapBytes, long rssBytes, boolean rssSinceStart) {
    }

    private PeakMemory(boolean rssReset) {
        this.rssReset = rssReset;
    }

    /** Resets both peaks and starts measuring. */
    public static PeakMemory start() {
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.isValid()) {
                pool.resetPeakUsage();
            }
        }
        boolean reset;
        try {
            Files.writeString(CLEAR_REFS, "5");
            reset = true;
        } catch (IOException | RuntimeException e) {
            reset = false; // not Linux, or not allowed: the resident peak is the process's own
        }
        return new PeakMemory(reset);
    }

    /** The peaks since {@link #start}. */
    public Peak peak() {
        long heap = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.isValid()) {
                heap += pool.getPeakUsage().getUsed();
            }
        }
        return new Peak(heap, residentPeak(), rssReset);
    }

    private static long residentPeak() {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmHWM:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024; // kB
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }
}
