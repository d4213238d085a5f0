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
        // Table 1: sigma 2 LSB of 0-70 uA = 0.549 uA; the preset senses differentially over +-70 uA (ASSUMED),
        // where 1 LSB is 0.551 uA: the absolute sigma kept
        assertTrue(t1.adc().differential());
        assertEquals(0.549, t1.adc().noiseLsb() * t1.adc().lsbUa(), 0.003);
        assertEquals(70, t1.adc().fullScaleUa());
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

    @Test
    void thePulsePresetHasItsSoftBoundsModel() {
        HardwareSpec.PulseSpec p = Hardware.load("paper-table1-pulse").pulse();
        assertEquals(HardwareSpec.PulseSpec.SOFT_BOUNDS, p.model());
        assertEquals(2.0, p.stepUs(), 0);
        assertEquals(1.0, p.granularityUs(), 0);
        assertEquals(0.3, p.deviceStepSpread(), 0);
        assertEquals(0.3, p.cycleNoise(), 0);
        assertEquals(0, p.maxPulsesPerUpdate());
        assertEquals(null, Hardware.load("paper-table1").pulse());
        assertTrue(Hardware.PRESETS.contains("paper-table1-pulse"));
    }

    @Test
    void pulseDefaultsFollowTheDevice() throws IOException {
        Path f = dir.resolve("hw.yaml");
        Files.writeString(f, "name: x\ndevice: {levels: 16, g_min_us: 10, g_max_us: 70}\n"
                + "pulse: {model: linear-step}\n");
        HardwareSpec.PulseSpec p = Hardware.load(f.toString()).pulse();
        assertEquals(4.0, p.stepUs(), 1e-12); // one level spacing, 60 / 15
        assertEquals(4.0, p.granularityUs(), 1e-12);
        assertEquals(0, p.asymmetry(), 0);
        assertEquals(0, p.deviceStepSpread(), 0);
        assertEquals(0, p.cycleNoise(), 0);
    }

    @Test
    void aPulseTableIsFoundNextToTheHardwareFileOrShipped() throws IOException {
        Path f = dir.resolve("hw.yaml");
        // not next to the file: the shipped synthetic example, 33 rows from 10 to 70 uS
        Files.writeString(f, "name: x\ndevice: {g_min_us: 10, g_max_us: 70}\n"
                + "pulse: {model: table, table: pulse/example-curve.csv}\n");
        HardwareSpec.PulseSpec shipped = Hardware.load(f.toString()).pulse();
        assertEquals(33, shipped.curve().pulses());
        assertEquals(60.0 / 32, shipped.stepUs(), 1e-12); // the mean up step by default
        // next to the file
        Files.createDirectories(dir.resolve("curves"));
        Files.writeString(dir.resolve("curves/mine.csv"), "pulse,g_up_us,g_down_us\n0,1,7\n1,4,5\n2,7,1\n");
        Files.writeString(f, "name: x\npulse: {model: table, table: curves/mine.csv, cycle_noise: 0.1}\n");
        HardwareSpec.PulseSpec mine = Hardware.load(f.toString()).pulse();
        assertEquals(3, mine.curve().pulses());
        assertEquals(3.0, mine.stepUs(), 1e-12);
        assertEquals(0.1, mine.cycleNoise(), 0);
    }

    @Test
    void badPulseSectionsAreRejectedWithOneClearLine() throws IOException {
        assertTrue(errorFor("name: x\npulse: {step_us: 1}\n").contains("pulse.model is required"));
        assertTrue(errorFor("name: x\npulse: {model: exp-step}\n").contains("pulse.model must be one of"));
        assertTrue(errorFor("name: x\npulse: {model: soft-bounds, stepus: 1}\n").contains("unknown field 'stepus'"));
        assertTrue(errorFor("name: x\npulse: {model: soft-bounds, step_us: 0}\n").contains("pulse.step_us"));
        assertTrue(errorFor("name: x\npulse: {model: soft-bounds, step_us: 7}\n").contains("must not exceed"));
        assertTrue(errorFor("name: x\npulse: {model: linear-step, asymmetry: 1.5}\n").contains("pulse.asymmetry"));
        assertTrue(errorFor("name: x\npulse: {model: linear-step, device_step_spread: -0.1}\n")
                .contains("pulse.device_step_spread"));
        assertTrue(errorFor("name: x\npulse: {model: linear-step, cycle_noise: high}\n").contains("pulse.cycle_noise"));
        assertTrue(errorFor("name: x\npulse: {model: linear-step, max_pulses_per_update: 1.5}\n")
                .contains("pulse.max_pulses_per_update"));
        assertTrue(errorFor("name: x\npulse: {model: table}\n").contains("pulse.table is required"));
        assertTrue(errorFor("name: x\npulse: {model: linear-step, table: a.csv}\n")
                .contains("applies only to model table"));
        assertTrue(errorFor("name: x\npulse: {model: table, table: pulse/example-curve.csv, asymmetry: 0.1}\n")
                .contains("asymmetry does not apply"));
        assertTrue(errorFor("name: x\npulse: {model: table, table: nowhere.csv}\n")
                .contains("pulse.table file not found: nowhere.csv"));
        assertTrue(errorFor("name: x\npulse: soft-bounds\n").contains("pulse must be a map"));
        Files.writeString(dir.resolve("bad.csv"), "pulse,g_up_us,g_down_us\n0,1,7\n1,0.5,5\n");
        String bad = errorFor("name: x\npulse: {model: table, table: bad.csv}\n");
        assertTrue(bad.contains("bad.csv line 3: g_up_us falls"), bad);
    }
}
