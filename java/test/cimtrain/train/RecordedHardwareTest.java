package cimtrain.train;

import cimtrain.hardware.Hardware;
import cimtrain.hardware.HardwareSpec;
import cimtrain.util.Json;
import cimtrain.util.SettingError;
import cimtrain.util.UserError;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RecordedHardwareTest {
    @TempDir
    Path tmp;

    private Path runRecording(HardwareSpec hw, Consumer<ObjectNode> edit) throws Exception {
        ObjectNode config = Json.MAPPER.createObjectNode();
        ObjectNode spec = Json.MAPPER.valueToTree(hw);
        edit.accept(spec);
        config.set("hardware_spec", spec);
        Path run = Files.createTempDirectory(tmp, "run");
        Files.writeString(run.resolve("config.json"), Json.pretty(config));
        return run;
    }

    @Test
    void aRunOnAnotherVersionOfThePresetIsRefused() throws Exception {
        HardwareSpec chip = Hardware.load("paper-table1");
        Path older = runRecording(chip, s -> ((ObjectNode) s.get("scale")).put("headroom", 1.5));
        UserError e = assertThrows(UserError.class, () -> RecordedHardware.requireSame(older, chip));
        // the core names the setting; the command line shows it as the flag
        assertEquals(older + " was trained on another paper-table1 (scale.headroom: 1.5 then, 3.0 now): delete that "
                + "run's folder to train it again on the current one, or use another --out", SettingError.asFlags(e));
        assertFalse(e.getMessage().contains("--"), e.getMessage());
        Path noisier = runRecording(chip, s -> ((ObjectNode) s.get("device")).put("readNoise", 0.6));
        assertThrows(UserError.class, () -> RecordedHardware.requireSame(noisier, chip));
    }

    @Test
    void wordsAndSettingsTheRunPredatesAreNotCompared() throws Exception {
        HardwareSpec chip = Hardware.load("paper-table1");
        Path same = runRecording(chip, s -> { });
        Path predates = runRecording(chip, s -> ((ObjectNode) s.get("scale")).remove("inferenceHeadroom"));
        Path reworded = runRecording(chip, s -> s.put("description", "older words"));
        for (Path run : new Path[]{same, predates, reworded}) {
            assertDoesNotThrow(() -> RecordedHardware.requireSame(run, chip));
        }
        assertDoesNotThrow(() -> RecordedHardware.requireSame(tmp.resolve("no-such-run"), chip));
        assertDoesNotThrow(() -> RecordedHardware.requireSame(same, null), "fp32: no chip to compare");
    }

    @Test
    void theCheckedInReproductionsWereMadeOnTheCurrentPresets() {
        // a preset changed without its reports remade would fail here (and refuse the rerun that remakes them)
        for (String mode : new String[]{"mp", "direct", "qat"}) {
            for (int seed = 0; seed < 3; seed++) {
                RecordedHardware.requireSame(Path.of("eval-reports/lenet-mnist/runs/" + mode + "-s" + seed),
                        Hardware.load("paper-chip"));
                if (!mode.equals("direct")) {
                    RecordedHardware.requireSame(Path.of("eval-reports/robustness/runs/" + mode + "-s" + seed),
                            Hardware.load("paper-chip"));
                }
            }
        }
        for (String mode : new String[]{"mp", "qat"}) {
            for (int seed = 0; seed < 10; seed++) {
                RecordedHardware.requireSame(Path.of("eval-reports/lenet-mnist-seeds10/runs/" + mode + "-s" + seed),
                        Hardware.load("paper-chip"));
            }
        }
        for (String run : new String[]{"vgg8-mp-s0", "vgg8-qat-s0", "resnet18-mp-s0", "resnet18-qat-s0"}) {
            // the other scaling studies (scaling-noclip, scaling-train3000, ...) record the preset as it was then
            RecordedHardware.requireSame(Path.of("eval-reports/scaling/runs/" + run), Hardware.load("paper-table1"));
        }
    }
}
