package cimtrain.train;

import cimtrain.hardware.HardwareSpec;
import cimtrain.util.Json;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Guards the reuse of finished runs: a reproduction or study that finds a run in its folder reuses it, and
 * hardware files are found by name, so a run trained on an earlier version of a preset (another headroom,
 * other noise) would otherwise be counted as if trained on the current one.
 */
public final class RecordedHardware {
    /** Words, not settings: editing them changes no run. */
    private static final Set<String> TEXT = Set.of("name", "description", "source");

    private RecordedHardware() {
    }

    /**
     * Refuses a finished run whose config.json records a hardware spec that differs from {@code current} in
     * any setting both record (a setting added to the spec since the run was made is not recorded by it and
     * not compared). Runs without a chip (fp32) pass.
     */
    public static void requireSame(Path runDir, HardwareSpec current) {
        Path config = runDir.resolve("config.json");
        if (current == null || !Files.isRegularFile(config)) {
            return;
        }
        JsonNode recorded;
        try {
            recorded = Json.MAPPER.readTree(config.toFile()).get("hardware_spec");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (recorded == null || recorded.isNull()) {
            return;
        }
        String diff = difference("", recorded, Json.MAPPER.valueToTree(current));
        if (diff != null) {
            throw new cimtrain.util.SettingError(option -> runDir + " was trained on another " + current.name() + " ("
                    + diff + "): delete that run's folder to train it again on the current one, or use another "
                    + option.apply("out"));
        }
    }

    /** The first setting that both record with different values, as "path: then, now"; null when none. */
    static String difference(String path, JsonNode then, JsonNode now) {
        if (then.isObject() && now.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = then.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if ((path.isEmpty() && TEXT.contains(e.getKey())) || !now.has(e.getKey())) {
                    continue;
                }
                String d = difference(path.isEmpty() ? e.getKey() : path + "." + e.getKey(), e.getValue(), now.get(e.getKey()));
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        boolean same = then.isNumber() && now.isNumber() ? then.asDouble() == now.asDouble() : then.equals(now);
        return same ? null : path + ": " + then + " then, " + now + " now";
    }
}
