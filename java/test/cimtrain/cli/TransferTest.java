package cimtrain.cli;

import cimtrain.io.Hdf5Reader;
import cimtrain.train.Checkpoint;
import cimtrain.util.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exported fp32 weights imported again give the same accuracy; conductance maps have the chip's tiles. */
class TransferTest {
    @Test
    void exportImportRoundTripAndConductances(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run"), imported = tmp.resolve("imported");
        assertEquals(0, Main.run("train", "--model", "lenet-paper", "--epochs", "1", "--steps-per-epoch", "60", "--lr", "0.004",
                "--train-limit", "1000", "--threads", "2", "--out", run.toString()));
        Path keras = tmp.resolve("lenet.h5"), g = tmp.resolve("g.h5");
        assertEquals(0, Main.run("export", "--checkpoint", run.resolve(Checkpoint.FILE).toString(), "--weights",
                keras.toString(), "--conductances", g.toString()));
        assertEquals(0, Main.run("import", "--model", "lenet-paper", "--weights", keras.toString(), "--train-limit", "1000",
                "--out", imported.toString()));
        assertEquals(accuracy(run), accuracy(imported), "same weights, same accuracy");
        assertTrue(accuracy(run) > 0.5, "a trained model");
        try (Hdf5Reader a = Hdf5Reader.open(run.resolve(Checkpoint.FILE), "checkpoint");
             Hdf5Reader b = Hdf5Reader.open(imported.resolve(Checkpoint.FILE), "checkpoint")) {
            for (int p = 0; p < 6; p++) {
                String path = "/network/p" + p;
                assertArrayEquals(a.floats(path, a.shape(path)), b.floats(path, b.shape(path)), "parameter " + p);
            }
        }
        // lenet-paper on paper-chip: conv1 one tile, conv2 two (100 rows over 64-row tiles), linear three
        try (Hdf5Reader r = Hdf5Reader.open(g, "conductances")) {
            assertEquals(1, r.children("/layer0").size());
            assertEquals(2, r.children("/layer1").size());
            assertEquals(3, r.children("/layer2").size());
            assertArrayEquals(new int[]{64, 24}, r.shape("/layer1/tile_0_0"));
            assertArrayEquals(new int[]{36, 24}, r.shape("/layer1/tile_1_0"));
            var dev = cimtrain.hardware.Hardware.load("paper-chip").device();
            for (float s : r.floats("/layer0/tile_0_0", 25, 8)) {
                assertTrue(s >= dev.gMinUs() * 1e-6f * 0.999f && s <= dev.gMaxUs() * 1e-6f * 1.001f,
                        "conductance in the device range: " + s);
            }
        }
        // weights for another network: status 2, nothing created
        Path wrong = tmp.resolve("wrong");
        assertEquals(2, Main.run("import", "--model", "lenet5", "--weights", keras.toString(), "--out", wrong.toString()));
        assertFalse(Files.exists(wrong));
    }

    private static double accuracy(Path run) throws Exception {
        return Json.MAPPER.readTree(run.resolve("summary.json").toFile()).get("test_accuracy").asDouble();
    }
}
