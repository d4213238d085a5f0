package cimtrain.experiment;

import cimtrain.hardware.Hardware;
import cimtrain.hardware.HardwareSpec;
import cimtrain.model.Models;
import cimtrain.util.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Train or reuse: which run folders the cache reuses, which it trains again, and which it refuses. */
class RunCacheTest {
    @TempDir
    Path tmp;

    /** What the cache asked to train: the folder, whether to resume, and whether the folder still existed. */
    private final List<String> trainings = new ArrayList<>();

    private RunCache.Training training() {
        return (runDir, resume) -> {
            trainings.add(runDir.getFileName() + " resume=" + resume + " kept=" + Files.exists(runDir.resolve("old.txt")));
            return Map.of("test_accuracy", 0.5);
        };
    }

    private Path run(String id, String summary, boolean checkpoint) throws IOException {
        Path dir = tmp.resolve("runs").resolve(id);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("old.txt"), "left by an earlier invocation");
        Files.writeString(dir.resolve("config.json"), "{\"mode\": \"fp32\"}");
        if (summary != null) {
            Files.writeString(dir.resolve("summary.json"), summary);
        }
        if (checkpoint) {
            Files.writeString(dir.resolve("checkpoint.h5"), "not read here");
        }
        return dir;
    }

    @Test
    void aFinishedRunIsReusedAndNothingTrains() throws IOException {
        run("fp32-s0", "{\"test_accuracy\": 0.9}", false);
        RunCache cache = new RunCache(tmp, cimtrain.train.RunListener.SILENT);
        RunCache.Run r = cache.trainOrReuse("fp32-s0", Models.load("lenet-paper"), null, false, false, training());
        assertFalse(r.trained());
        assertEquals(0.9, ((Number) r.summary().get("test_accuracy")).doubleValue());
        assertEquals(1, cache.reused());
        assertTrue(trainings.isEmpty(), trainings.toString());
    }

    @Test
    void anUnfinishedRunStartsAgainFromAnEmptyFolderUnlessItMayResume() throws IOException {
        run("a", null, true);
        run("b", null, true);
        run("c", null, false);
        RunCache cache = new RunCache(tmp, cimtrain.train.RunListener.SILENT);
        cache.trainOrReuse("a", Models.load("lenet-paper"), null, false, false, training());
        cache.trainOrReuse("b", Models.load("lenet-paper"), null, false, true, training());
        RunCache.Run c = cache.trainOrReuse("c", Models.load("lenet-paper"), null, false, true, training());
        assertEquals(List.of("a resume=false kept=false", "b resume=true kept=true", "c resume=false kept=false"), trainings);
        assertTrue(c.trained());
        assertEquals(0, cache.reused());
    }

    @Test
    void aFinishedRunWithoutTheCheckpointAnExperimentReadsIsTrainedAgain() throws IOException {
        run("with", "{}", true);
        run("without", "{}", false);
        RunCache cache = new RunCache(tmp, cimtrain.train.RunListener.SILENT);
        assertFalse(cache.trainOrReuse("with", Models.load("lenet-paper"), null, true, false, training()).trained());
        assertTrue(cache.trainOrReuse("without", Models.load("lenet-paper"), null, true, false, training()).trained());
        assertEquals(List.of("without resume=false kept=false"), trainings);
    }

    @Test
    void aFinishedRunMadeOnAnotherVersionOfTheChipIsRefusedNotReused() throws IOException {
        Path dir = run("mp-s0", "{}", false);
        Files.writeString(dir.resolve("config.json"), "{\"mode\": \"mp\", \"hardware_spec\": {\"tile\": {\"rows\": 3}}}");
        HardwareSpec hw = Hardware.load("paper-chip");
        RunCache cache = new RunCache(tmp, cimtrain.train.RunListener.SILENT);
        UserError e = assertThrows(UserError.class, () -> cache.requireSameHardware("mp-s0", hw));
        assertTrue(e.getMessage().contains("was trained on another paper-chip"), e.getMessage());
        assertThrows(UserError.class, () -> cache.trainOrReuse("mp-s0", Models.load("lenet-paper"), hw, false, false,
                training()));
        assertTrue(trainings.isEmpty());
        cache.requireSameHardware("not-there", hw); // nothing finished, nothing to refuse
    }
}
