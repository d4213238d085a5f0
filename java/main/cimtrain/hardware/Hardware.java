package cimtrain.hardware;

import cimtrain.util.Home;
import cimtrain.util.ShippedYaml;
import cimtrain.util.UserError;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/** Finds and reads hardware descriptions: a preset name under models/hardware/ or a path to a YAML file. */
public final class Hardware {
    /** The presets shipped with cimtrain (also packaged in the jar). */
    public static final List<String> PRESETS = List.of("ideal", "paper-chip", "paper-table1", "paper-table1-pulse");

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
                d.real(Setting.READ_NOISE, 0), d.real(Setting.PROGRAMMING_ERROR, 0),
                d.real(Setting.DEVICE_SPREAD, 0), d.real(Setting.STUCK_AT_FRACTION, 0));
        d.rejectUnknown();

        Fields dc = new Fields(top.section("dac"), at + ": dac");
        HardwareSpec.DacSpec dac = new HardwareSpec.DacSpec(dc.integer("bits", 8, 0, 24), dc.bool("bit_serial", true));
        if (dac.bitSerial() && dac.bits() > 16) {
            throw new UserError(at + ": dac.bits must be at most 16 with bit_serial (one read per bit), got " + dac.bits());
        }
        dc.rejectUnknown();

        Fields ad = new Fields(top.section("adc"), at + ": adc");
        HardwareSpec.AdcSpec adc = new HardwareSpec.AdcSpec((int) ad.real(Setting.ADC_BITS, 8),
                ad.real("full_scale_ua", 70, 1e-9, 1e9), ad.real("noise_lsb", 0, 0, 1e6), ad.bool("clip", true),
                ad.choice("sensing", HardwareSpec.AdcSpec.SINGLE_ENDED,
                        List.of(HardwareSpec.AdcSpec.SINGLE_ENDED, HardwareSpec.AdcSpec.DIFFERENTIAL_SENSING)),
                ad.bool("offset_cancel", false));
        ad.rejectUnknown();
        if (adc.differential() && adc.bits() == 1) {
            throw new UserError(at + ": adc.bits must be 0 or at least 2 with sensing differential (a sign and a "
                    + "magnitude), got 1");
        }
        if (adc.differential() && adc.offsetCancel()) {
            throw new UserError(at + ": adc.offset_cancel applies to single-ended sensing only (differential sensing "
                    + "cancels the G_min offset in I+ - I-)");
        }

        double readVoltage = top.real("read_voltage_v", 0.1, 1e-6, 100);

        Fields sc = new Fields(top.section("scale"), at + ": scale");
        HardwareSpec.ScaleSpec scale = new HardwareSpec.ScaleSpec(sc.choice("granularity", "crossbar",
                List.of("crossbar", "layer")), sc.bool("trainable", false), sc.real("headroom", 1.5, 1, 1000),
                sc.real("inference_headroom", 1, 1, 1000), sc.real("learning_rate", 1e-4, 0, 1));
        sc.rejectUnknown();

        Fields w = new Fields(top.section("write"), at + ": write");
        HardwareSpec.WriteSpec write = new HardwareSpec.WriteSpec(w.real("threshold_levels", 1, 0, 1e6),
                w.integer("max_trials", 2, 1, 1000), w.bool("clip_target", false));
        w.rejectUnknown();

        JsonNode pulseNode = top.section("pulse");
        HardwareSpec.PulseSpec pulse = pulseNode == null || pulseNode.isNull() ? null
                : parsePulse(new Fields(pulseNode, at + ": pulse"), device, source, at);
        Fields c = new Fields(top.section("cost"), at + ": cost");
        HardwareSpec.CostSpec cost = new HardwareSpec.CostSpec(c.real("tile_op_energy_nj", 0, 0, 1e9),
                c.real("tile_op_latency_us", 0, 0, 1e9), c.real("write_energy_nj", 0, 0, 1e9),
                c.real("write_latency_us", 0, 0, 1e9), c.real("digital_op_energy_pj", 0, 0, 1e9));
        c.rejectUnknown();
        top.rejectUnknown();
        return new HardwareSpec(name, description, citation, tile, mapping, device, dac, adc, readVoltage, scale, write,
                pulse, cost);
    }

    /** The optional pulse section (see {@link HardwareSpec.PulseSpec} for every field and default). */
    private static HardwareSpec.PulseSpec parsePulse(Fields f, HardwareSpec.DeviceSpec device, String source,
                                                     String at) {
        String model = f.choice("model", null, HardwareSpec.PulseSpec.MODELS);
        // NaN marks "not given": some defaults depend on the model, and some fields do not apply to all
        double step = f.real("step_us", Double.NaN, 1e-9, 1e6);
        double granularity = f.real("granularity_us", Double.NaN, 1e-9, 1e6);
        double asymmetry = f.real("asymmetry", Double.NaN, -1, 1);
        double spread = f.real("device_step_spread", 0, 0, 10);
        double noise = f.real("cycle_noise", 0, 0, 10);
        String table = f.text("table", null);
        int cap = f.integer("max_pulses_per_update", 0, 0, 1_000_000);
        f.rejectUnknown();
        String p = at + ": pulse.";
        if (model == null) {
            throw new UserError(p + "model is required (one of " + HardwareSpec.PulseSpec.MODELS + ")");
        }
        MeasuredCurve curve = null;
        if (model.equals(HardwareSpec.PulseSpec.TABLE)) {
            if (table == null || table.isBlank()) {
                throw new UserError(p + "table is required for model table (a CSV file of measured curves)");
            }
            if (!Double.isNaN(asymmetry)) {
                throw new UserError(p + "asymmetry does not apply to model table (its curves carry their own)");
            }
            curve = loadCurve(table, source, at);
            if (Double.isNaN(step)) {
                step = curve.meanUpStepUs();
            }
            asymmetry = 0;
        } else {
            if (table != null) {
                throw new UserError(p + "table applies only to model table, not " + model);
            }
            double range = device.gMaxUs() - device.gMinUs();
            if (Double.isNaN(step)) {
                step = device.levelSpacingUs();
            }
            if (step > range) {
                throw new UserError(p + "step_us (" + step + ") must not exceed the conductance range"
                        + " g_max_us - g_min_us (" + range + ")");
            }
            if (Double.isNaN(asymmetry)) {
                asymmetry = 0;
            }
        }
        if (Double.isNaN(granularity)) {
            granularity = step;
        }
        return new HardwareSpec.PulseSpec(model, step, granularity, asymmetry, spread, noise, table, curve, cap);
    }

    /**
     * Opens a pulse table named in a hardware file: an absolute path as it is; a relative one first next to
     * the hardware file (on disk, or in the shipped folder of a preset), then under the shipped
     * models/hardware/ (so that a copied preset still finds the shipped example curve).
     */
    private static MeasuredCurve loadCurve(String table, String source, String at) {
        Path given = Paths.get(table);
        List<String> tried = new ArrayList<>();
        try {
            if (given.isAbsolute()) {
                if (Files.isRegularFile(given)) {
                    try (BufferedReader in = Files.newBufferedReader(given, StandardCharsets.UTF_8)) {
                        return MeasuredCurve.read(in, given.toString());
                    }
                }
                tried.add(given.toString());
            } else {
                Path hwFile = Paths.get(source);
                Path folder = hwFile.getParent();
                if (Files.isRegularFile(hwFile)) {
                    Path p = folder == null ? given : folder.resolve(given);
                    if (Files.isRegularFile(p)) {
                        try (BufferedReader in = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
                            return MeasuredCurve.read(in, p.toString());
                        }
                    }
                    tried.add(p.toString());
                }
                java.util.Set<String> shipped = new java.util.LinkedHashSet<>();
                if (folder != null && !Files.isRegularFile(hwFile)) {
                    shipped.add(folder.toString().replace('\\', '/') + "/" + table);
                }
                shipped.add("models/hardware/" + table);
                for (String rel : shipped) {
                    try (InputStream in = Home.openShipped(rel)) {
                        if (in != null) {
                            return MeasuredCurve.read(
                                    new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)), rel);
                        }
                    }
                    tried.add(rel + " (shipped)");
                }
            }
        } catch (IOException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage().split("\n")[0];
            throw new UserError(at + ": pulse.table " + table + ": cannot read: " + msg);
        }
        throw new UserError(at + ": pulse.table file not found: " + table + " (tried " + String.join(", ", tried)
                + ")");
    }
}
