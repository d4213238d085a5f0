package cimtrain.train;

import cimtrain.tile.Chip;
import cimtrain.util.SettingError;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import java.util.Arrays;
import java.util.List;

/**
 * How a network trains: in software or on simulated crossbars, and how updates reach the devices. Its
 * label ("fp32", "mp-pulse", ...) is the spelling of run folders, summary.json, checkpoints and the
 * command line, so {@link #toString()} and JSON give the label.
 */
public enum Mode {
    /** Software training, no chip. */
    FP32("fp32", null),
    /** The paper's mixed precision: updates accumulated and written with write-and-verify at the threshold. */
    MP("mp", Chip.MP),
    /** Accumulated updates written as n = trunc(acc / eps) device pulses through the hardware's pulse response. */
    MP_PULSE("mp-pulse", Chip.MP_PULSE),
    /** Every update written at once. */
    DIRECT("direct", Chip.DIRECT),
    /** Software training with weights fake-quantised to the chip's levels (no noise). */
    QAT("qat", null);

    private final String label;
    /** The chip's write rule for the modes that train on crossbars, else null. */
    private final String writeRule;

    Mode(String label, String writeRule) {
        this.label = label;
        this.writeRule = writeRule;
    }

    @JsonValue
    public String label() {
        return label;
    }

    @Override
    public String toString() {
        return label;
    }

    /** Every label, in declaration order (fp32, mp, mp-pulse, direct, qat). */
    public static List<String> labels() {
        return Arrays.stream(values()).map(Mode::label).toList();
    }

    /** The mode a label names; an unknown label is a {@link SettingError} naming the setting. */
    @JsonCreator
    public static Mode of(String label) {
        for (Mode m : values()) {
            if (m.label.equals(label)) {
                return m;
            }
        }
        throw SettingError.of("mode", " must be one of " + String.join(", ", labels()) + ", got '" + label + "'");
    }

    /** Whether a label read from a run folder (which may be of any mode, or none) is this mode's. */
    public boolean is(String label) {
        return this.label.equals(label);
    }

    /** True for the modes that need a hardware description (all but fp32). */
    public boolean needsHardware() {
        return this != FP32;
    }

    /** True for the modes whose forward products run on simulated crossbars. */
    public boolean onChip() {
        return writeRule != null;
    }

    /** The chip's write rule ({@link Chip#place}) of an on-chip mode. */
    public String writeRule() {
        if (writeRule == null) {
            throw new IllegalStateException("mode " + label + " does not train on a chip");
        }
        return writeRule;
    }
}
