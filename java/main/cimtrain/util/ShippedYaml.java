package cimtrain.util;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Reads a YAML description given either as a name shipped under a project folder (models/networks,
 * models/hardware) or as a path to a file, with one-line errors for a missing file, an unknown name
 * or malformed YAML.
 */
public final class ShippedYaml {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** The parsed tree and where it came from (the path or the project-relative name). */
    public record Loaded(JsonNode root, String source) {
    }

    private ShippedYaml() {
    }

    /**
     * @param kind  what is being read, for messages ("model", "hardware")
     * @param folder the project-relative folder of the shipped files
     * @param known  the names to suggest when a name is unknown
     */
    public static Loaded read(String nameOrPath, String kind, String folder, Iterable<String> known) {
        try {
            if (nameOrPath.endsWith(".yaml") || nameOrPath.endsWith(".yml") || nameOrPath.contains("/")) {
                Path p = Paths.get(nameOrPath);
                if (!Files.isRegularFile(p)) {
                    throw new UserError(kind + " file not found: " + p);
                }
                return new Loaded(YAML.readTree(p.toFile()), p.toString());
            }
            String rel = folder + "/" + nameOrPath + ".yaml";
            try (InputStream in = Home.openShipped(rel)) {
                if (in == null) {
                    throw new UserError("unknown " + kind + " '" + nameOrPath + "' (known: " + String.join(", ", known)
                            + "; or give a path to a .yaml file)");
                }
                return new Loaded(YAML.readTree(in), rel);
            }
        } catch (IOException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage().split("\n")[0];
            throw new UserError(kind + " " + nameOrPath + ": cannot read YAML: " + msg);
        }
    }
}
