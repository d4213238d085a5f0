package cimtrain.util;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Ownership of a folder that one cimtrain process writes (a run folder, a sweep folder, a report's
 * output): an operating-system lock ({@link FileChannel#tryLock}) on {@link #FILE} inside it, held
 * until {@link #close} or the end of the process (a killed process's lock goes with it, so a crash
 * never leaves a folder locked). A second process, or a second command in this one, is refused with
 * one line. The lock file stays behind (removing it would race with the next owner); it holds the
 * owner's process id, for the message only.
 */
public final class FolderLock implements AutoCloseable {
    public static final String FILE = ".cimtrain.lock";

    /** The folders this process holds (by real path). */
    private static final java.util.concurrent.ConcurrentHashMap<Path, Boolean> HELD = new java.util.concurrent.ConcurrentHashMap<>();

    private final FileChannel channel;
    private final FileLock lock;
    private Path key;

    private FolderLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks {@code dir}, which must exist.
     *
     * @param what what the folder is, for the refusal ("run folder", "sweep folder", ...)
     * @throws UserError when another process (or command) holds it
     */
    public static FolderLock acquire(Path dir, String what) {
        Path file = dir.resolve(FILE);
        Path key = key(dir);
        // a lock this process holds is refused without opening the file again: closing a second channel on
        // it would release the process's lock (POSIX record locks belong to the process, not the channel)
        if (HELD.putIfAbsent(key, Boolean.TRUE) != null) {
            throw new UserError(what + " " + dir + " is in use by another command of this process ("
                    + FILE + " is locked); wait for it to end or choose another folder");
        }
        try {
            FolderLock l = open(file, dir, what);
            l.key = key;
            return l;
        } catch (RuntimeException e) {
            HELD.remove(key);
            throw e;
        }
    }

    private static FolderLock open(Path file, Path dir, String what) {
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new UserError("cannot lock " + what + " " + dir + ": " + e.getMessage());
        }
        FileLock l;
        try {
            l = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null;
        } catch (IOException e) {
            // a file system without locks (some network file systems): work unguarded rather than not at all
            return new FolderLock(ch, null);
        }
        if (l == null) {
            String owner = owner(ch);
            closeQuietly(ch);
            throw new UserError(what + " " + dir + " is in use by another cimtrain process" + owner + " ("
                    + FILE + " is locked); wait for it to end or choose another folder");
        }
        try {
            byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(pid), 0);
        } catch (IOException ignored) {
            // the pid is for messages only
        }
        return new FolderLock(ch, l);
    }

    /** True while another process (or command in this one) holds {@code dir}'s lock. */
    public static boolean isHeld(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return false;
        }
        if (HELD.containsKey(key(dir))) {
            return true;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            FileLock l = ch.tryLock();
            if (l == null) {
                return true;
            }
            l.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String owner(FileChannel ch) {
        try {
            ByteBuffer b = ByteBuffer.allocate(32);
            ch.read(b, 0);
            String s = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).trim();
            return s.matches("\\d{1,19}") ? " (process " + s + ")" : "";
        } catch (IOException e) {
            return "";
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // nothing held
        }
    }

    @Override
    public void close() {
        try {
            if (lock != null && lock.isValid()) {
                lock.release();
            }
        } catch (IOException ignored) {
            // the channel's close releases it too
        }
        closeQuietly(channel);
        if (key != null) {
            HELD.remove(key);
            key = null;
        }
    }

    private static Path key(Path dir) {
        try {
            return dir.toRealPath();
        } catch (IOException e) {
            return dir.toAbsolutePath().normalize();
        }
    }
}
