package cimtrain.model;

import cimtrain.nn.BatchNorm2d;
import cimtrain.nn.Conv2d;
import cimtrain.nn.Flatten;
import cimtrain.nn.Layer;
import cimtrain.nn.Linear;
import cimtrain.nn.Pool2d;
import cimtrain.nn.ReLU;
import cimtrain.nn.Residual;
import cimtrain.nn.Sequential;
import cimtrain.nn.Shape;
import cimtrain.util.UserError;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A network definition read from a YAML file under models/networks/ (see models/README.md for the
 * format). It is validated when read; {@link #build} makes fresh, unallocated layers.
 */
public final class ModelSpec {
    /** Allowed fields per layer type, with the required ones first. */
    private static final Map<String, Set<String>> FIELDS = Map.of(
            "conv", Set.of("out", "kernel", "stride", "padding", "bias"),
            "linear", Set.of("out", "bias"),
            "maxpool", Set.of("size", "stride"),
            "avgpool", Set.of("size", "stride"),
            "residual", Set.of("body", "shortcut"),
            "batchnorm", Set.of("eps", "momentum"));
    private static final Set<String> BARE = Set.of("relu", "flatten", "batchnorm", "globalavgpool");

    public final String name;
    public final String description;
    public final Shape input;
    public final String source;
    private final JsonNode layers;

    ModelSpec(String name, String description, Shape input, JsonNode layers, String source) {
        this.name = name;
        this.description = description;
        this.input = input;
        this.layers = layers;
        this.source = source;
        // validate the whole tree now, so a mistake is reported before any training starts: each layer
        // against the shape it receives too
        outputShape(1.0);
    }

    /** What the network gives for one {@link #input} sample at {@code width}: the class scores' vector. */
    public Shape outputShape(double width) {
        Shape out;
        try {
            out = build(width).outputShape(input);
        } catch (IllegalArgumentException e) {
            throw new UserError("model " + name + " (" + source + "): " + e.getMessage());
        }
        if (out.height() != 1 || out.width() != 1) {
            throw new UserError("model " + name + " (" + source + "): it must end in a vector of class scores, it ends in "
                    + out + " (add flatten and linear layers)");
        }
        return out;
    }

    /**
     * The cross-checks of a network and its data, made before anything is written: the input shape, and
     * as many class scores as the data has classes.
     */
    public void checkAgainst(cimtrain.data.Dataset data, String dataset, double width) {
        Shape dataShape = new Shape(data.channels, data.height, data.width);
        if (!dataShape.equals(input)) {
            throw new cimtrain.util.SettingError(option -> "model " + name + " takes " + input + " inputs but " + dataset
                    + " images are " + dataShape + " (use " + option.apply("image-size") + " " + input.height() + " and "
                    + option.apply("channels") + " " + input.channels() + ")");
        }
        int scores = outputShape(width).channels();
        if (scores != data.classes) {
            throw new UserError("model " + name + " gives " + scores + " class scores but " + dataset + " has "
                    + data.classes + " classes (its last linear layer must have " + data.classes + " outputs)");
        }
    }

    /**
     * Makes the layers. {@code width} scales the outputs of every conv and linear layer except the
     * last one (the classifier): out' = max(1, round(out * width)).
     */
    public Sequential build(double width) {
        int[] weightLayers = {0};
        count(layers, weightLayers);
        int[] seen = {0};
        return sequence(layers, "layers", width, weightLayers[0], seen);
    }

    private void count(JsonNode list, int[] n) {
        for (JsonNode item : list) {
            if (item.isObject() && item.size() == 1) {
                String type = item.fieldNames().next();
                JsonNode args = item.get(type);
                if (type.equals("conv") || type.equals("linear")) {
                    n[0]++;
                } else if (type.equals("residual") && args.isObject()) {
                    for (String part : List.of("body", "shortcut")) {
                        if (args.has(part) && args.get(part).isArray()) {
                            count(args.get(part), n);
                        }
                    }
                }
            }
        }
    }

    private Sequential sequence(JsonNode list, String where, double width, int total, int[] seen) {
        if (!list.isArray()) {
            throw error(where + " must be a list of layers");
        }
        List<Layer> out = new ArrayList<>();
        int i = 0;
        for (JsonNode item : list) {
            i++;
            out.add(layer(item, where + "[" + i + "]", width, total, seen));
        }
        return new Sequential(out);
    }

    private Layer layer(JsonNode item, String where, double width, int total, int[] seen) {
        String type;
        JsonNode args;
        if (item.isTextual()) {
            type = item.asText();
            if (!BARE.contains(type)) {
                throw error(where + ": '" + type + "' needs settings or is unknown (bare layers: " + BARE + ")");
            }
            args = null;
        } else if (item.isObject() && item.size() == 1) {
            type = item.fieldNames().next();
            args = item.get(type);
            if (!FIELDS.containsKey(type)) {
                throw error(where + ": unknown layer type '" + type + "' (known: " + known() + ")");
            }
            if (!args.isObject()) {
                throw error(where + " (" + type + "): settings must be a map such as {out: 8}");
            }
            for (Iterator<String> it = args.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!FIELDS.get(type).contains(f)) {
                    throw error(where + " (" + type + "): unknown field '" + f + "' (known: " + FIELDS.get(type) + ")");
                }
            }
        } else {
            throw error(where + ": a layer is a name (relu) or a one-key map ({conv: {...}})");
        }
        String at = where + " (" + type + ")";
        switch (type) {
            case "conv": {
                int outCh = scaled(positive(args, "out", at, -1), width, ++seen[0] == total);
                return new Conv2d(outCh, positive(args, "kernel", at, -1), positive(args, "stride", at, 1),
                        nonNegative(args, "padding", at, 0), bool(args, "bias", at, true));
            }
            case "linear": {
                int outF = scaled(positive(args, "out", at, -1), width, ++seen[0] == total);
                return new Linear(outF, bool(args, "bias", at, true));
            }
            case "maxpool":
            case "avgpool": {
                int size = positive(args, "size", at, -1);
                return new Pool2d(type.equals("maxpool") ? Pool2d.Type.MAX : Pool2d.Type.AVG, size,
                        positive(args, "stride", at, size));
            }
            case "globalavgpool":
                return Pool2d.global();
            case "relu":
                return new ReLU();
            case "flatten":
                return new Flatten();
            case "batchnorm":
                return new BatchNorm2d(real(args, "eps", at, 1e-5), real(args, "momentum", at, 0.1));
            case "residual": {
                if (!args.has("body")) {
                    throw error(at + ": missing field 'body'");
                }
                Sequential body = sequence(args.get("body"), at + ".body", width, total, seen);
                Sequential shortcut = args.has("shortcut")
                        ? sequence(args.get("shortcut"), at + ".shortcut", width, total, seen)
                        : new Sequential(List.of());
                return new Residual(body, shortcut);
            }
            default:
                throw error(where + ": unknown layer type '" + type + "'");
        }
    }

    private static String known() {
        List<String> names = new ArrayList<>(FIELDS.keySet());
        names.addAll(BARE);
        return String.join(", ", new java.util.TreeSet<>(names));
    }

    private static int scaled(int out, double width, boolean last) {
        return last ? out : (int) Math.max(1, Math.round(out * width));
    }

    private int positive(JsonNode args, String field, String at, int dflt) {
        JsonNode v = args == null ? null : args.get(field);
        if (v == null) {
            if (dflt < 0) {
                throw error(at + ": missing field '" + field + "'");
            }
            return dflt;
        }
        if (!v.isInt() || v.asInt() < 1) {
            throw error(at + ": '" + field + "' must be a positive whole number, got " + v);
        }
        return v.asInt();
    }

    private int nonNegative(JsonNode args, String field, String at, int dflt) {
        JsonNode v = args == null ? null : args.get(field);
        if (v == null) {
            return dflt;
        }
        if (!v.isInt() || v.asInt() < 0) {
            throw error(at + ": '" + field + "' must be a whole number >= 0, got " + v);
        }
        return v.asInt();
    }

    private boolean bool(JsonNode args, String field, String at, boolean dflt) {
        JsonNode v = args == null ? null : args.get(field);
        if (v == null) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw error(at + ": '" + field + "' must be true or false, got " + v);
        }
        return v.asBoolean();
    }

    private float real(JsonNode args, String field, String at, double dflt) {
        JsonNode v = args == null ? null : args.get(field);
        if (v == null) {
            return (float) dflt;
        }
        if (!v.isNumber() || v.asDouble() <= 0) {
            throw error(at + ": '" + field + "' must be a positive number, got " + v);
        }
        return (float) v.asDouble();
    }

    private UserError error(String msg) {
        return new UserError("model " + source + ": " + msg);
    }
}
