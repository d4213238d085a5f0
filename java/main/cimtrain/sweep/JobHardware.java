package cimtrain.sweep;

import cimtrain.hardware.Hardware;
import cimtrain.util.AtomicFiles;
import cimtrain.util.ShippedYaml;
import cimtrain.util.UserError;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The hardware file of a job that overrides {@code hardware.<section>.<key>} fields: the base hardware
 * file's own YAML tree (so every field keeps the value and layout it has there) with those fields
 * replaced, checked by the ordinary hardware loader.
 */
final class JobHardware {
    static final String FILE = "hardware.yaml";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));

    private JobHardware() {
    }

    /** The base hardware of a job: its {@code hardware} field (a preset or a file) or train's default. */
    static String base(Job job, Path planDir) {
        return TrainOptions.resolve(job.assignment().getOrDefault("hardware", "paper-chip"), planDir);
    }

    /** The YAML text of the job's hardware. */
    static String yaml(Job job, Path planDir) {
        String base = base(job, planDir);
        ShippedYaml.Loaded loaded = ShippedYaml.read(base, "hardware", "models/hardware", Hardware.PRESETS);
        if (!(loaded.root() instanceof ObjectNode root)) {
            throw new UserError("hardware " + base + ": expected a map of settings");
        }
        keepPulseTableReachable(root, loaded.source());
        StringBuilder name = new StringBuilder(root.path("name").asText(base));
        for (Map.Entry<String, JsonNode> e : new TreeMap<>(job.hardwareValues()).entrySet()) {
            String[] path = e.getKey().substring(SweepPlan.HARDWARE_PREFIX.length()).split("\\.");
            ObjectNode section = root;
            if (path.length == 2) {
                JsonNode s = root.get(path[0]);
                section = s instanceof ObjectNode o ? o : root.putObject(path[0]);
            }
            section.set(path[path.length - 1], e.getValue());
            name.append('+').append(String.join(".", path)).append('=').append(e.getValue().asText());
        }
        // the summary and the cost model name the chip: say which variant it is
        root.put("name", name.toString());
        try {
            return YAML.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the job's hardware file and loads it back: the loader's checks are the validation. */
    static Path write(Job job, Path planDir, Path file, String where) {
        AtomicFiles.writeString(file, yaml(job, planDir));
        try {
            Hardware.load(file.toAbsolutePath().toString());
        } catch (UserError e) {
            // the loader names the file; the plan's field is what the user wrote, so name that instead
            String msg = e.getMessage().replace(file.toAbsolutePath().toString(), base(job, planDir));
            throw new UserError(where + ": " + TrainOptions.oneLine(msg));
        }
        return file;
    }

    /**
     * A relative pulse table is looked up next to the hardware file; the job's copy lives elsewhere, so
     * point it at the table beside the original file when there is one there.
     */
    private static void keepPulseTableReachable(ObjectNode root, String source) {
        JsonNode pulse = root.get("pulse");
        if (!(pulse instanceof ObjectNode p) || !p.path("table").isTextual()) {
            return;
        }
        Path table = Path.of(p.get("table").asText());
        Path folder = Path.of(source).toAbsolutePath().getParent();
        if (!table.isAbsolute() && Files.isRegularFile(Path.of(source)) && folder != null
                && Files.isRegularFile(folder.resolve(table))) {
            p.put("table", folder.resolve(table).normalize().toString());
        }
    }
}
