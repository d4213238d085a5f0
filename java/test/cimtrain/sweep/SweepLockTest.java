package cimtrain.sweep;

import cimtrain.util.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one lock both sweep runners (local, Slurm) take on their folder. */
class SweepLockTest {
    /** The other runner: holds the lock of folder args[0], says so, and keeps it until its stdin closes. */
    public static void main(String[] args) {
        SweepLock.holding(Path.of(args[0]), () -> {
            System.out.println("held");
            System.out.flush();
            return System.in.read();
        });
    }

    @Test
    void aSecondRunnerIsRefusedWhileAnotherProcessHoldsTheFolder(@TempDir Path dir) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process other = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                SweepLockTest.class.getName(), dir.toString()).redirectErrorStream(true).start();
        try {
            BufferedReader said = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("held", said.readLine());
            UserError e = assertThrows(UserError.class, () -> SweepLock.holding(dir, () -> "ran"));
            assertEquals("another sweep runner is working in " + dir + " (sweep.lock is held)", e.getMessage());
        } finally {
            other.getOutputStream().close();
            assertTrue(other.waitFor(60, TimeUnit.SECONDS), "the other runner ends when its stdin closes");
        }
        assertEquals("ran", SweepLock.holding(dir, () -> "ran"), "free again once the holder has ended");
    }

    @Test
    void aFailureToReadOrWriteUnderTheLockNamesTheLockFile(@TempDir Path dir) {
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> SweepLock.holding(dir, () -> {
            throw new IOException("disk full");
        }));
        assertEquals("cannot lock " + dir.resolve("sweep.lock") + ": disk full", e.getMessage());
    }
}
