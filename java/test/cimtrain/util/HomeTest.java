package cimtrain.util;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Records name paths inside the project relative to it, so that no checked-in report names this machine's folders. */
class HomeTest {
    @Test
    void pathsInsideTheProjectAreRecordedRelativeToIt() {
        Path run = Home.root().resolve("eval-reports").resolve("lenet-mnist").resolve("runs").resolve("mp-s0");
        assertEquals(Path.of("eval-reports", "lenet-mnist", "runs", "mp-s0").toString(), Home.recorded(run));
        assertEquals(Path.of("runs", "a").toString(), Home.recorded(Path.of("runs", "a")));
    }

    @Test
    void pathsElsewhereAreRecordedAsGiven() {
        Path outside = Home.root().toAbsolutePath().getRoot().resolve("elsewhere-" + System.nanoTime()).resolve("run");
        assertEquals(outside.toString(), Home.recorded(outside));
        assertEquals(Home.root().toString(), Home.recorded(Home.root()));
    }
}
