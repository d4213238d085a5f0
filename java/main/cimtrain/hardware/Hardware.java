package cimtrain.hardware;

import cimtrain.util.ShippedYaml;
import cimtrain.util.UserError;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/** Finds and reads hardware descriptions: a preset name under models/hardware/ or a path to a YAML file. */
public final class Hardware {
    /** The presets shipped with cimtrain (also packaged in the jar). */
    public static final List<String> PRESETS = List.of("ideal", "paper-chip", "paper-table1");

    private Hardware() {
    }

    public static HardwareSpec load(String nameOrPath) {
        ShippedYaml.Loaded file = ShippedYaml.read(nameOrPath, "hardware", "models/hardware", PRESETS);
        return parse(file.root(), file.source());
    }

    static HardwareSpec parse(JsonNode root, String source) {
        String at = "hardware " + source;
        if (root == null || !root.isObject()) {
            throw new UserError(at + ": expected a map of settings");
        }
        Fields top = new Fields(root, at);
        String name = top.text("name", null);
        if (name == null || name.isBlank()) {
            throw new UserError(at + ": missing 'name'");
        }
        String description = top.text("description", "");
        String citation = top.text("source", "");

        Fields t = new Fields(top.section("tile"), at + ": tile");
        HardwareSpec.TileSpec tile = new HardwareSpec.TileSpec(t.integer("rows", 64, 1, 1 << 16),
                t.integer("columns", 64, 2, 1 << 16));
        t.rejectUnknown();

        String mapping = top.choice("mapping", HardwareSpec.DIFFERENTIAL,
                List.of(HardwareSpec.DIFFERENTIAL, HardwareSpec.REFERENCE));

        Fields d = new Fields(top.section("device"), at + ": device");
        int levels = d.integer("levels", 16, 0, 1 << 16);
        if (levels == 1) {
            throw new UserError(at + ": device.levels must be 0 (continuous) or at least 2, got 1");
        }
        double gMin = d.real("g_min_us", 1, 0, 1e6);
        double gMax = d.real("g_max_us", 7, 0, 1e6);
        if (gMax <= gMin) {
            throw new UserError(at + ": device.g_max_us (" + gMax + ") must be above device.g_min_us (" + gMin + ")");
        }
        HardwareSpec.DeviceSpec device = new HardwareSpec.DeviceSpec(levels, gMin, gMax,
                d.real("read_noise", 0, 0, 100), d.real("programming_error", 0, 0, 100),
                d.real("device_spread", 0, 0, 10), d.real("stuck_at_fraction", 0, 0, 1));
        d.rejectUnknown();

        Fields dc = new Fields(top.section("dac"), at + ": dac");
        HardwareSpec.DacSpec dac = new HardwareSpec.DacSpec(dc.integer("bits", 8, 0, 24), dc.bool("bit_serial", true));
        dc.rejectUnknown();

        Fields ad = new Fields(top.section("adc"), at + ": adc");
        HardwareSpec.AdcSpec adc = new HardwareSpec.AdcSpec(ad.integer("bits", 8, 0, 24),
                ad.real("full_scale_ua", 70, 1e-9, 1e9), ad.real("noise_lsb", 0, 0, 1e6), ad.bool("clip", true));
        ad.rejectUnknown();

        double readVoltage = top.real("read_voltage_v", 0.1, 1e-6, 100);

        Fields sc = new Fields(top.section("scale"), at + ": scale");
        HardwareSpec.ScaleSpec scale = new HardwareSpec.ScaleSpec(sc.choice("granularity", "crossbar",
                List.of("crossbar", "layer")), sc.bool("trainable", false), sc.real("headroom", 1.5, 1, 1000));
        sc.rejectUnknown();

        Fields w = new Fields(top.section("write"), at + ": write");
        HardwareSpec.WriteSpec write = new HardwareSpec.WriteSpec(w.real("threshold_levels", 1, 0, 1e6),
                w.integer("max_trials", 2, 1, 1000));
        w.rejectUnknown();
        top.rejectUnknown();
        return new HardwareSpec(name, description, citation, tile, mapping, device, dac, adc, readVoltage, scale, write);
    }
}
