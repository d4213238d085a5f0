package cimtrain.tile;

import cimtrain.backend.cpu.CpuBackend;
import cimtrain.hardware.Hardware;
import cimtrain.hardware.HardwareSpec;
import cimtrain.model.Models;
import cimtrain.nn.Network;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A network about to be trained on the chip starts with its largest weight at 1/headroom of the range;
 * a trained model programmed only to be read is mapped with the inference headroom.
 */
class PlacementHeadroomTest {
    @Test
    void trainingAndInferenceMappingsUseTheirOwnHeadroom() throws Exception {
        Path file = Files.createTempFile("headroom", ".yaml");
        Files.writeString(file, "name: h\ndevice: {levels: 16, g_min_us: 1, g_max_us: 7}\n"
                + "scale: {granularity: crossbar, headroom: 3, inference_headroom: 1.25}\n");
        HardwareSpec hw = Hardware.load(file.toString());
        Files.delete(file);
        try (CpuBackend be = new CpuBackend(1, 1)) {
            var spec = Models.load("lenet-paper");
            Network net = new Network("n", be, () -> spec.build(1.0), spec.input, 4, 5);
            List<CrossbarLayer> training = Chip.place(net, hw, Chip.MP, 1, true).crossbars();
            float[] first = training.get(0).effectiveWeights();
            float trainScale = training.get(0).scaleOf(0);
            List<CrossbarLayer> reading = Chip.placeTrained(net, hw, 1, true, null).crossbars();
            float readScale = reading.get(0).scaleOf(0);
            // scale = headroom x max|w| / (g_max - g_min) for the same weights
            assertEquals(3 / 1.25, trainScale / readScale, 1e-5);
            float max = 0;
            for (float v : first) {
                max = Math.max(max, Math.abs(v));
            }
            assertEquals(3 * max / 6, trainScale, 0.05 * trainScale);
        }
    }

    @Test
    void rangeUsedIsOneOverTheHeadroomOfTheMappingAndGrowsWithTheWeights() throws Exception {
        HardwareSpec hw = Hardware.load("paper-table1");
        try (CpuBackend be = new CpuBackend(1, 1)) {
            var spec = Models.load("lenet-paper");
            Network net = new Network("n", be, () -> spec.build(1.0), spec.input, 4, 5);
            Chip chip = Chip.place(net, hw, Chip.MP, 1, true);
            CrossbarLayer xb = chip.crossbars().get(2);
            float[] w = chip.weights().get(2).read();
            for (float u : xb.rangeUsed(w)) {
                assertEquals(1 / 3.0, u, 1e-5, "paper-table1's training headroom 3");
            }
            // weights grown 1.5x past the mapping they were placed with: the tiles' scales stay
            for (int i = 0; i < w.length; i++) {
                w[i] *= 4.5f;
            }
            for (float u : xb.rangeUsed(w)) {
                assertEquals(1.5, u, 1e-4);
            }
            int beyond = xb.beyondRange(w);
            assertTrue(beyond > 0 && beyond < w.length, beyond + " of " + w.length + " weights past their tile's range");
            var scales = chip.crossbars().stream().map(CrossbarLayer::tileScales).toList();
            var kept = cimtrain.train.ChipEvaluation.rangeUsed(net, hw, true, scales);
            assertEquals(1 / 3.0, kept.mean(), 1e-5);
            assertEquals(1 / 3.0, kept.max(), 1e-5);
            var anew = cimtrain.train.ChipEvaluation.rangeUsed(net, hw, true, null);
            assertEquals(1.0, anew.mean(), 1e-5, "inference_headroom 1");
            assertEquals(0.0, anew.beyondFraction(), "a new mapping holds every weight");
            assertEquals(chip.crossbars().stream().mapToInt(CrossbarLayer::tiles).sum(), anew.tiles());
        }
    }

    @Test
    void inferenceHeadroomDefaultsToTheFullRange() {
        assertEquals(1.0, Hardware.load("paper-chip").scale().inferenceHeadroom());
        assertEquals(3.0, Hardware.load("paper-chip").scale().headroom());
    }
}
