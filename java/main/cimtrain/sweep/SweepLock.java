package cimtrain.sweep;

import cimtrain.util.UserError;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The lock a sweep runner (local or Slurm) holds on its sweep folder while it decides and records what
 * to run, so that two runners never start the same jobs: an operating-system lock on {@link #FILE}
 * ({@link FileChannel#tryLock}), released when the work is done or the process ends.
 */
final class SweepLock {
    static final String FILE = "sweep.lock";

    private SweepLock() {
    }

    /** Work done under the lock. */
    interface Locked<T> {
        T run() throws IOException;
    }

    /**
     * Runs {@code work} holding the lock of sweep folder {@code out} (which must exist).
     *
     * @throws UserError when another runner holds it
     * @throws UncheckedIOException when the lock file cannot be opened or the work fails to read or write
     */
    static <T> T holding(Path out, Locked<T> work) {
        try (FileChannel lockFile = FileChannel.open(out.resolve(FILE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock lock = lockFile.tryLock()) {
            if (lock == null) {
                throw new UserError("another sweep runner is working in " + out + " (" + FILE + " is held)");
            }
            return work.run();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + out.resolve(FILE) + ": " + e.getMessage(), e);
        }
    }
}
