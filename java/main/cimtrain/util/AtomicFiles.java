package cimtrain.util;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;

/** Writes a file whole or not at all: to a temporary name beside it, then an atomic rename. */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    public static void writeString(Path target, String content) {
        writeBytes(target, content.getBytes(StandardCharsets.UTF_8));
    }

    public static void writeBytes(Path target, byte[] content) {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + target.getFileName() + ".tmp");
        try {
            Files.createDirectories(dir);
            Files.write(tmp, content);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the original error is the one worth reporting
            }
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /** Fills a fresh temporary file; see {@link #writeWith}. */
    @FunctionalInterface
    public interface TempFileWriter {
        void writeTo(Path temporary) throws IOException;
    }

    /** Tells apart the temporary files of two writes running in the same process at once. */
    private static final AtomicLong WRITES = new AtomicLong();

    /**
     * Writes {@code target} whole or not at all through a writer that needs a path of its own (a
     * library that opens and closes the file itself): {@code writer} fills a temporary file beside
     * {@code target} (same folder, so the rename cannot cross file systems), which is then synced to
     * disk and renamed over {@code target}. Whatever fails, including the writer, no temporary file is
     * left behind and {@code target} keeps its old content (or stays absent). I/O failures come out as
     * {@link UncheckedIOException} naming {@code target}; the writer's own runtime exceptions pass
     * through unchanged.
     */
    public static void writeWith(Path target, TempFileWriter writer) {
        Path dir = target.toAbsolutePath().getParent();
        // pid and a counter: two processes (or two threads) writing the same target never share a
        // temporary file; the leading dot keeps it out of plain listings while it exists
        Path tmp = dir.resolve("." + target.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-"
                + WRITES.incrementAndGet());
        boolean moved = false;
        try {
            Files.createDirectories(dir);
            // a leftover from a killed process must not lend its stale tail to a writer that does not
            // truncate what it opens
            Files.deleteIfExists(tmp);
            writer.writeTo(tmp);
            if (!Files.isRegularFile(tmp)) {
                throw new IOException("the writer produced no file");
            }
            // the rename must not reach the disk before the data does, or a crash could leave an
            // empty or partial file under the real name
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            haltIfAsked(target);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
            syncDirectory(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            if (!moved) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the original error is the one worth reporting
                }
            }
        }
    }

    /** Writes so far per file name, for {@link #haltIfAsked}. */
    private static final java.util.Map<String, Integer> NAMED_WRITES = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Fault injection for the crash tests: with {@code -Dcimtrain.fault.halt-before-rename=NAME:N} the
     * process dies (as if killed) during its N-th write of a file named NAME, after the temporary file is
     * written and before it replaces the real one: the worst moment for a crash.
     */
    private static void haltIfAsked(Path target) {
        String spec = System.getProperty("cimtrain.fault.halt-before-rename");
        if (spec == null) {
            return;
        }
        String name = target.getFileName().toString();
        int colon = spec.lastIndexOf(':');
        if (spec.substring(0, colon).equals(name)
                && NAMED_WRITES.merge(name, 1, Integer::sum) == Integer.parseInt(spec.substring(colon + 1))) {
            Runtime.getRuntime().halt(137);
        }
    }

    /** Makes the rename itself durable; best effort, as not every platform can sync a folder. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | RuntimeException ignored) {
            // the file is complete under its name either way; only its survival of a power cut is at stake
        }
    }
}
