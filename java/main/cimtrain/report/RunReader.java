package cimtrain.report;

import cimtrain.util.Json;
import cimtrain.util.UserError;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads one finished run folder (config.json, summary.json, metrics.csv, writes.json, cost.json). */
final class RunReader {
    /** Fields of hardware_spec that describe the chip rather than set it: never a swept parameter. */
    private static final Set<String> DESCRIPTIVE = Set.of("name", "description", "source");
    /**
     * The config.json fields of the training recipe that a sweep may vary; runs that differ in one are
     * not seeds of each other. Fields of the machine (threads, BLAS, backend) are left out: they do not
     * change what is trained.
     */
    static final List<String> TRAINING_FIELDS = List.of("width", "train_samples", "epochs", "steps_per_epoch",
            "batch", "optimizer", "lr", "schedule", "read_model");

    private RunReader() {
    }

    static RunRecord read(Path dir) {
        JsonNode config = json(dir.resolve("config.json"));
        JsonNode summary = json(dir.resolve("summary.json"));
        Path summaryFile = dir.resolve("summary.json");
        String model = text(summary, config, "model", summaryFile);
        String dataset = text(summary, config, "dataset", summaryFile);
        String mode = text(summary, config, "mode", summaryFile);
        JsonNode accuracy = summary.get("test_accuracy");
        if (accuracy == null || !accuracy.isNumber()) {
            throw new UserError(summaryFile + ": no test_accuracy");
        }
        JsonNode spec = config.get("hardware_spec");
        Map<String, String> fields = new LinkedHashMap<>();
        String hardware = null;
        if (spec != null && spec.isObject()) {
            flatten(spec, "", fields);
            // a sweep names its variants "base+field=value": the fields say what differs, the base groups
            hardware = spec.path("name").asText(config.path("hardware").asText(null));
        } else if (summary.hasNonNull("hardware")) {
            hardware = summary.get("hardware").asText();
        }
        if (hardware != null && hardware.contains("+")) {
            hardware = hardware.substring(0, hardware.indexOf('+'));
        }
        Map<String, String> training = new LinkedHashMap<>();
        for (String f : TRAINING_FIELDS) {
            if (config.hasNonNull(f)) {
                training.put(f, config.get(f).isTextual() ? config.get(f).asText() : config.get(f).toString());
            }
        }
        return new RunRecord(dir, model, dataset, mode, summary.path("seed").asLong(config.path("seed").asLong()),
                hardware, fields, training, accuracy.asDouble(), number(summary, "writes_per_weight_mean"),
                number(summary, "writes_per_weight_max"), number(summary, "write_reduction"),
                curve(dir.resolve("metrics.csv")), histogram(dir.resolve("writes.json")), energy(dir, summary));
    }

    static JsonNode json(Path file) {
        try {
            JsonNode n = Json.MAPPER.readTree(file.toFile());
            if (n == null || !n.isObject()) {
                throw new UserError(file + ": not a JSON object");
            }
            return n;
        } catch (IOException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            throw new UserError(file + ": unreadable JSON (" + why + ")", e);
        }
    }

    private static String text(JsonNode summary, JsonNode config, String field, Path summaryFile) {
        String v = summary.path(field).asText(config.path(field).asText(""));
        if (v.isEmpty()) {
            throw new UserError(summaryFile + ": no " + field);
        }
        return v;
    }

    private static Double number(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && v.isNumber() ? v.asDouble() : null;
    }

    private static void flatten(JsonNode node, String prefix, Map<String, String> out) {
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (prefix.isEmpty() && DESCRIPTIVE.contains(e.getKey())) {
                continue;
            }
            String path = prefix + e.getKey();
            if (e.getValue().isObject()) {
                flatten(e.getValue(), path + ".", out);
            } else {
                out.put(path, e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString());
            }
        }
    }

    /** The test_accuracy column of metrics.csv, one value per epoch. */
    private static List<Double> curve(Path file) {
        List<Double> out = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UserError(file + ": unreadable (" + e.getMessage() + ")", e);
        }
        if (lines.isEmpty()) {
            return out;
        }
        int col = List.of(lines.get(0).split(",")).indexOf("test_accuracy");
        if (col < 0) {
            throw new UserError(file + ": no test_accuracy column");
        }
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String[] cells = lines.get(i).split(",");
            try {
                out.add(Double.parseDouble(cells[col]));
            } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                throw new UserError(file + ": line " + (i + 1) + " has no test accuracy");
            }
        }
        return out;
    }

    private static WritesHistogram histogram(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        JsonNode w = json(file);
        JsonNode counts = w.get("histogram");
        int[] edges;
        try {
            edges = WritesHistogram.edgesFrom(w.path("histogram_bins").asText(null));
        } catch (NumberFormatException e) {
            throw new UserError(file + ": histogram_bins names a bin edge that is not a whole number");
        }
        if (counts == null || !counts.isArray() || edges == null) {
            return null;
        }
        if (counts.size() != edges.length + 1) {
            throw new UserError(file + ": " + counts.size() + " histogram counts for " + edges.length
                    + " bin edges (expected one more count than edges)");
        }
        long[] c = new long[counts.size()];
        for (int i = 0; i < c.length; i++) {
            c[i] = counts.get(i).asLong();
        }
        return new WritesHistogram(edges, c);
    }

    /**
     * Energy per image from summary.json, else from cost.json; null when neither records it or the chip's
     * file gives no energy per tile operation.
     */
    private static EnergyFigures energy(Path dir, JsonNode summary) {
        Path file = dir.resolve("summary.json");
        JsonNode node = summary;
        if (number(summary, "energy_per_image_j") == null) {
            file = dir.resolve("cost.json");
            if (!Files.isRegularFile(file)) {
                return null;
            }
            node = json(file);
            if (number(node, "energy_per_image_j") == null) {
                return null;
            }
        }
        // a chip file without a tile-operation energy leaves it out of the total (cimtrain cost lists it under
        // not_given): the total is then no energy per image, not a small one
        for (JsonNode missing : node.path("not_given")) {
            if (missing.asText().equals("cost.tile_op_energy_nj")) {
                return null;
            }
        }
        // parts by layer, as cimtrain cost --json lists them
        Map<String, Double> parts = new LinkedHashMap<>();
        for (JsonNode layer : node.path("layers")) {
            if (layer.hasNonNull("layer") && layer.path("energy_j").isNumber()) {
                parts.merge(layer.get("layer").asText(), layer.get("energy_j").asDouble(), Double::sum);
            }
        }
        return new EnergyFigures(node.get("energy_per_image_j").asDouble(), parts, file.getFileName().toString());
    }
}
