package cimtrain.cli;

import cimtrain.train.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A full disk while a run writes its checkpoint: one line and status 2, no half-written file, and once
 * there is room the run starts again in the same folder and ends like one that never hit the full disk.
 * Needs a small tmpfs (root and mount, as on CI); skipped elsewhere.
 */
class FullDiskTest {
    private final Cli cli = new Cli();

    @Test
    void aFullDiskLosesNothing(@TempDir Path tmp) throws Exception {
        Path disk = tmp.resolve("disk");
        Files.createDirectories(disk);
        assumeTrue(sh("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", disk.toString()) == 0, "cannot mount a tmpfs here");
        try {
            String[] run = Cli.concat(Cli.TINY_RUN, "--backend", "cpu", "--seed", "3");
            Path straight = tmp.resolve("straight");
            assertEquals(0, cli.run(Cli.concat(run, "--out", straight.toString())), cli.errText());
            long checkpoint = Files.size(straight.resolve(Checkpoint.FILE));

            // leave room for config.json but not for the checkpoint
            Path filler = disk.resolve("filler");
            long room = Files.getFileStore(disk).getUsableSpace();
            Files.write(filler, new byte[(int) (room - checkpoint / 2)]);
            Path full = disk.resolve("run");
            assertEquals(2, cli.run(Cli.concat(run, "--out", full.toString())), cli.errText());
            String err = cli.errText();
            assertEquals(1, err.lines().count(), err);
            assertTrue(err.contains("No space left on device"), err);
            assertFalse(err.contains("Exception"), err);
            try (Stream<Path> files = Files.list(full)) {
                List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
                assertFalse(names.contains(Checkpoint.FILE), "no half-written checkpoint: " + names);
                assertTrue(names.stream().noneMatch(n -> n.contains(".tmp")), "no temporary file left: " + names);
            }

            Files.delete(filler);
            assertEquals(0, cli.run(Cli.concat(run, "--out", full.toString())), cli.errText());
            assertEquals(Files.readAllLines(straight.resolve("metrics.csv")).stream().map(FullDiskTest::accuracy).toList(),
                    Files.readAllLines(full.resolve("metrics.csv")).stream().map(FullDiskTest::accuracy).toList());
        } finally {
            // lazily: jhdf may still hold the failed write's file open until its channel is collected
            sh("umount", "-l", disk.toString());
        }
    }

    private static int sh(String... cmd) throws Exception {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    private static String accuracy(String line) {
        String[] f = line.split(",");
        return f[0] + ":" + f[4];
    }
}
