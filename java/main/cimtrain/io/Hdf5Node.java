package cimtrain.io;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A group or dataset being written by {@link Hdf5Writer}: holds its path and its attributes.
 *
 * <p>Attribute types: {@code String} (UTF-8), {@code String[]}, {@code long} (stored as int64),
 * {@code double} (float64), {@code long[]} and {@code double[]} (1-D). Attributes are for small
 * metadata: HDF5 keeps them inside the object header, and files written by jhdf 0.13.0 with a single
 * attribute of about 60 KB or more cannot be read back, so each attribute is limited to
 * {@link #MAX_ATTRIBUTE_BYTES}; put large text (YAML, JSON) in a dataset with
 * {@link Hdf5Group#putText}. Empty arrays cannot be written (jhdf 0.13.0 fails on them), nor can
 * strings holding the NUL character (they are stored NUL-terminated and would come back cut).
 * Setting an attribute twice replaces it.
 */
public class Hdf5Node {
    /** Largest encoded attribute value; well under the ~60 KB at which jhdf 0.13.0 writes unreadable files. */
    public static final int MAX_ATTRIBUTE_BYTES = 32 * 1024;

    private final String path;
    private final Map<String, Object> attributes = new LinkedHashMap<>();

    Hdf5Node(String path) {
        this.path = path;
    }

    /** The absolute path inside the file, such as {@code /optimizer/m}; {@code /} for the root. */
    public String path() {
        return path;
    }

    public Hdf5Node attribute(String name, String value) {
        checkText(value, name);
        return put(name, value, value.getBytes(StandardCharsets.UTF_8).length + 1L);
    }

    public Hdf5Node attribute(String name, String[] values) {
        checkNotEmpty(values.length, name);
        long longest = 0;
        for (String v : values) {
            if (v == null) {
                throw new IllegalArgumentException("attribute '" + name + "' of " + path + ": null element");
            }
            checkText(v, name);
            longest = Math.max(longest, v.getBytes(StandardCharsets.UTF_8).length);
        }
        // jhdf stores a string array as fixed-length strings as long as the longest one, plus its NUL
        return put(name, values.clone(), (longest + 1) * values.length);
    }

    public Hdf5Node attribute(String name, long value) {
        return put(name, value, Long.BYTES);
    }

    public Hdf5Node attribute(String name, double value) {
        return put(name, value, Double.BYTES);
    }

    public Hdf5Node attribute(String name, long[] values) {
        checkNotEmpty(values.length, name);
        return put(name, values.clone(), (long) Long.BYTES * values.length);
    }

    public Hdf5Node attribute(String name, double[] values) {
        checkNotEmpty(values.length, name);
        return put(name, values.clone(), (long) Double.BYTES * values.length);
    }

    /** Attribute name to value in the form jhdf writes (String, String[], Long, Double, long[], double[]). */
    Map<String, Object> attributes() {
        return Collections.unmodifiableMap(attributes);
    }

    private Hdf5Node put(String name, Object value, long bytes) {
        Hdf5Group.checkName(name, "attribute name on " + path);
        if (bytes > MAX_ATTRIBUTE_BYTES) {
            throw new IllegalArgumentException("attribute '" + name + "' of " + path + " is " + bytes
                    + " bytes; attributes are limited to " + MAX_ATTRIBUTE_BYTES + ", store it as a dataset");
        }
        attributes.put(name, value);
        return this;
    }

    private void checkNotEmpty(int length, String name) {
        if (length == 0) {
            throw new IllegalArgumentException("attribute '" + name + "' of " + path
                    + ": jhdf 0.13.0 cannot write empty arrays");
        }
    }

    private void checkText(String value, String name) {
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("attribute '" + name + "' of " + path
                    + ": strings are stored NUL-terminated and cannot hold the NUL character");
        }
    }
}
