package cimtrain.hardware;

import cimtrain.backend.cpu.CpuBackend;
import cimtrain.model.Models;
import cimtrain.nn.Network;
import cimtrain.tile.ChipMapping;
import cimtrain.util.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HardwareTest {
    @TempDir
    Path dir;

    @Test
    void presetsLoadWithTheirFigures() {
        HardwareSpec t1 = Hardware.load("paper-table1");
        assertEquals(256, t1.tile().rows());
        assertEquals(16, t1.device().levels());
        assertEquals(0.549, 2 * t1.adc().lsbUa(), 0.001); // Table 1: sigma 2 LSB = 0.549 uA
        assertTrue(t1.scale().trainable());
        assertTrue(Hardware.load("ideal").ideal());
        assertFalse(Hardware.load("paper-chip").ideal());
    }

    @Test
    void lenetPaperOnThePaperChipUsesThePapersCounts() {
        try (CpuBackend be = new CpuBackend(1, 1)) {
            var spec = Models.load("lenet-paper");
            Network net = new Network(spec.name, be, () -> spec.build(1.0), spec.input, 1, 0);
            ChipMapping map = ChipMapping.of(net, Hardware.load("paper-chip"));
            assertEquals(6_440, map.devices());
            assertEquals(6, map.crossbars());
            assertEquals(707, map.tileOperations()); // the paper's Table 2
            assertEquals(3, map.layers().get(2).rowTiles()); // 192 inputs over 64-row tiles
        }
    }

    @Test
    void aDifferentialPairIsNeverSplitAcrossTiles() {
        // 33 outputs x 2 columns on 64-column tiles: 32 pairs fit on one tile, the 33rd needs a second
        var m = cimtrain.tile.LayerMapping.of("x", 33, 10, 1, Hardware.load("paper-chip"));
        assertEquals(2, m.columnTiles());
    }

    private String errorFor(String yaml) throws IOException {
        Path f = dir.resolve("hw.yaml");
        Files.writeString(f, yaml);
        UserError e = assertThrows(UserError.class, () -> Hardware.load(f.toString()));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void badHardwareFilesAreRejectedWithOneClearLine() throws IOException {
        assertTrue(errorFor("name: x\ndevice: {levels: 16, g_min_us: 5, g_max_us: 2}\n").contains("g_max_us"));
        assertTrue(errorFor("name: x\nadc: {bits: 8, nois_lsb: 2}\n").contains("unknown field 'nois_lsb'"));
        assertTrue(errorFor("name: x\ndevice: {read_noise: -0.3}\n").contains("device.read_noise"));
        assertTrue(errorFor("name: x\nmapping: triple\n").contains("mapping must be one of"));
        assertTrue(errorFor("name: x\ntile: {rows: 0}\n").contains("tile.rows"));
        assertTrue(errorFor("name: x\nadc: {bits: eight}\n").contains("adc.bits"));
        assertTrue(errorFor("description: no name\n").contains("missing 'name'"));
        assertTrue(errorFor("name: x\nflux_capacitor: 1\n").contains("unknown field 'flux_capacitor'"));
        assertTrue(assertThrows(UserError.class, () -> Hardware.load("paper-chipp")).getMessage().contains("paper-chip"));
    }
}
