package cimtrain.train;

import cimtrain.util.SettingError;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The configuration's checks name the setting; the command line shows it as its flag. */
class TrainConfigTest {
    private static TrainConfig config(float lr, int steps, int batch) {
        return new TrainConfig("lenet-paper", 1.0, "mnist-10k", Mode.MP, 1, batch, "adamw", lr, 0.9f, 0.01f, "constant",
                5, 0, 256, steps, "auto");
    }

    @Test
    void aBadValueNamesTheSettingAndTheCommandLineItsFlag() {
        SettingError e = assertThrows(SettingError.class, () -> config(-1f, 0, 64));
        assertEquals("lr must be a positive number, got -1.0", e.getMessage());
        assertEquals("--lr must be a positive number, got -1.0", SettingError.asFlags(e));
        SettingError two = assertThrows(SettingError.class, () -> config(0.1f, 1 << 20, 1 << 10));
        assertEquals("--steps-per-epoch 1048576 x --batch 1024 is more than the 268435456 samples an epoch may draw",
                SettingError.asFlags(two));
        assertFalse(two.getMessage().contains("--"), two.getMessage());
    }

    @Test
    void modesAreTheirLabelsAndSayWhereTheyTrain() {
        assertEquals(java.util.List.of("fp32", "mp", "mp-pulse", "direct", "qat"), Mode.labels());
        for (Mode m : Mode.values()) {
            assertEquals(m, Mode.of(m.label()));
            assertEquals(m.label(), m.toString());
            assertTrue(m.is(m.label()));
        }
        assertFalse(Mode.FP32.needsHardware());
        assertTrue(Mode.QAT.needsHardware() && !Mode.QAT.onChip());
        assertTrue(Mode.MP.onChip() && Mode.MP_PULSE.onChip() && Mode.DIRECT.onChip());
        assertEquals("--mode must be one of fp32, mp, mp-pulse, direct, qat, got 'turbo'",
                SettingError.asFlags(assertThrows(SettingError.class, () -> Mode.of("turbo"))));
        assertThrows(IllegalStateException.class, Mode.QAT::writeRule);
    }

    @Test
    void aModeIsWrittenAndReadAsItsLabel() {
        RunArguments a = new RunArguments(config(0.1f, 0, 64), "lenet-paper", "paper-chip", null, 0, "pad", 0, 0);
        String json = a.toJson();
        assertTrue(json.contains("\"mode\" : \"mp\""), json);
        assertEquals(a, RunArguments.fromJson(json, "test"));
    }
}
