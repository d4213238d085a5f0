package cimtrain.model;

import cimtrain.nn.Shape;
import cimtrain.util.Home;
import cimtrain.util.ShippedYaml;
import cimtrain.util.UserError;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/** Finds and reads network definitions: a name under models/networks/ or a path to a YAML file. */
public final class Models {
    /** The networks shipped with cimtrain (also packaged in the jar). */
    public static final List<String> SHIPPED = List.of("lenet-paper", "lenet5", "vgg8", "resnet18", "resnet20");
    private static final Set<String> TOP_FIELDS = Set.of("name", "description", "input", "layers");

    private Models() {
    }

    /** All model names available: the shipped ones and any other file in models/networks/. */
    public static Set<String> names() {
        Set<String> names = new TreeSet<>(SHIPPED);
        Path dir = Home.root().resolve("models/networks");
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                files.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".yaml"))
                        .forEach(f -> names.add(f.substring(0, f.length() - 5)));
            } catch (IOException e) {
                // an unreadable folder only hides the user's extra models; the shipped ones remain
            }
        }
        return names;
    }

    public static ModelSpec load(String nameOrPath) {
        ShippedYaml.Loaded file = ShippedYaml.read(nameOrPath, "model", "models/networks", names());
        return parse(file.root(), file.source());
    }

    static ModelSpec parse(JsonNode root, String source) {
        if (root == null || !root.isObject()) {
            throw new UserError("model " + source + ": expected a map with name, input and layers");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!TOP_FIELDS.contains(f)) {
                throw new UserError("model " + source + ": unknown field '" + f + "' (known: " + TOP_FIELDS + ")");
            }
        }
        JsonNode name = root.get("name");
        if (name == null || !name.isTextual() || name.asText().isBlank()) {
            throw new UserError("model " + source + ": missing 'name'");
        }
        JsonNode input = root.get("input");
        if (input == null || !input.isArray() || input.size() != 3) {
            throw new UserError("model " + source + ": 'input' must be [channels, height, width]");
        }
        for (JsonNode v : input) {
            if (!v.isInt() || v.asInt() < 1) {
                throw new UserError("model " + source + ": 'input' must hold positive whole numbers, got " + input);
            }
        }
        JsonNode layers = root.get("layers");
        if (layers == null || !layers.isArray() || layers.isEmpty()) {
            throw new UserError("model " + source + ": 'layers' must be a non-empty list");
        }
        Shape in = new Shape(input.get(0).asInt(), input.get(1).asInt(), input.get(2).asInt());
        String desc = root.has("description") ? root.get("description").asText() : "";
        ModelSpec spec = new ModelSpec(name.asText(), desc, in, layers, source);
        Shape out;
        try {
            out = spec.build(1.0).outputShape(in);
        } catch (IllegalArgumentException e) {
            throw new UserError("model " + source + ": " + e.getMessage());
        }
        if (out.height() != 1 || out.width() != 1) {
            throw new UserError("model " + source + ": the network must end in a vector of class scores (flatten, then linear),"
                    + " it ends in " + out);
        }
        return spec;
    }
}
