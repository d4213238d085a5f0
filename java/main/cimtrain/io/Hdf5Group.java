package cimtrain.io;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A group being written by {@link Hdf5Writer}: holds child groups, datasets and its attributes
 * (see {@link Hdf5Node} for those).
 *
 * <p>Datasets: {@code float[]} (float32), {@code double[]} (float64), {@code int[]} (int32) and
 * {@code long[]} (int64), each a flat row-major array with an explicit shape; it is stored as a real
 * multi-dimensional HDF5 dataset, so {@code h5dump} and h5py show shape {@code (3, 4)} and
 * {@code data[i][j] == flat[i * 4 + j]}. Without a shape the array is stored 1-D. Scalars of the same
 * four types, and UTF-8 text (a scalar fixed-length string dataset, for YAML or JSON of any size).
 *
 * <p>Not writable with jhdf 0.13.0, so refused here with {@link IllegalArgumentException}: empty
 * arrays (a dimension of 0), text holding NUL. Names are single path segments (no {@code /}); a
 * name used twice in one group is refused rather than silently replacing the first. The arrays are
 * kept by reference until {@link Hdf5Writer#write} returns: do not change them before.
 */
public final class Hdf5Group extends Hdf5Node {
    /** Children by name, each an {@link Hdf5Group} or an {@link Hdf5Dataset}, in the order added. */
    private final Map<String, Hdf5Node> children = new LinkedHashMap<>();

    Hdf5Group(String path) {
        super(path);
    }

    /**
     * The child group at {@code relativePath} ({@code "m"} or {@code "optimizer/m"}), created with
     * any missing groups on the way; calling it again returns the same group.
     */
    public Hdf5Group group(String relativePath) {
        Hdf5Group g = this;
        for (String name : relativePath.split("/", -1)) {
            checkName(name, "group name in '" + relativePath + "' under " + path());
            Hdf5Node child = g.children.get(name);
            if (child == null) {
                Hdf5Group created = new Hdf5Group(g.childPath(name));
                g.children.put(name, created);
                g = created;
            } else if (child instanceof Hdf5Group existing) {
                g = existing;
            } else {
                throw new IllegalArgumentException(child.path() + " is a dataset, not a group");
            }
        }
        return g;
    }

    /** A float32 dataset of the given shape (1-D when no shape is given); returns it for attributes. */
    public Hdf5Node putFloats(String name, float[] data, int... shape) {
        return putArray(name, data, data.length, shape);
    }

    /** A float64 dataset of the given shape (1-D when no shape is given). */
    public Hdf5Node putDoubles(String name, double[] data, int... shape) {
        return putArray(name, data, data.length, shape);
    }

    /** An int32 dataset of the given shape (1-D when no shape is given). */
    public Hdf5Node putInts(String name, int[] data, int... shape) {
        return putArray(name, data, data.length, shape);
    }

    /** An int64 dataset of the given shape (1-D when no shape is given). */
    public Hdf5Node putLongs(String name, long[] data, int... shape) {
        return putArray(name, data, data.length, shape);
    }

    /** A scalar float32 dataset. */
    public Hdf5Node putScalar(String name, float value) {
        return add(name, new Hdf5Dataset(childPath(name), value));
    }

    /** A scalar float64 dataset. */
    public Hdf5Node putScalar(String name, double value) {
        return add(name, new Hdf5Dataset(childPath(name), value));
    }

    /** A scalar int32 dataset. */
    public Hdf5Node putScalar(String name, int value) {
        return add(name, new Hdf5Dataset(childPath(name), value));
    }

    /** A scalar int64 dataset. */
    public Hdf5Node putScalar(String name, long value) {
        return add(name, new Hdf5Dataset(childPath(name), value));
    }

    /** UTF-8 text of any length as a scalar string dataset (h5dump shows it as one string). */
    public Hdf5Node putText(String name, String text) {
        if (text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(childPath(name)
                    + ": text is stored NUL-terminated and cannot hold the NUL character");
        }
        return add(name, new Hdf5Dataset(childPath(name), text));
    }

    Map<String, Hdf5Node> children() {
        return Collections.unmodifiableMap(children);
    }

    private Hdf5Node putArray(String name, Object data, int length, int[] shape) {
        int[] dims = shape.length == 0 ? new int[] {length} : shape;
        long total = 1;
        for (int d : dims) {
            if (d <= 0) {
                throw new IllegalArgumentException(childPath(name) + ": shape " + Arrays.toString(dims)
                        + " has a dimension below 1 (jhdf 0.13.0 cannot write empty datasets)");
            }
            total *= d;
        }
        if (total != length) {
            throw new IllegalArgumentException(childPath(name) + ": shape " + Arrays.toString(dims) + " holds "
                    + total + " elements but the array has " + length);
        }
        return add(name, new Hdf5Dataset(childPath(name), data, dims));
    }

    private Hdf5Node add(String name, Hdf5Dataset dataset) {
        checkName(name, "dataset name under " + path());
        if (children.containsKey(name)) {
            throw new IllegalArgumentException(childPath(name) + " already exists");
        }
        children.put(name, dataset);
        return dataset;
    }

    private String childPath(String name) {
        return path().equals("/") ? "/" + name : path() + "/" + name;
    }

    /** One path segment: HDF5 would read {@code /} as a separator, and "." / ".." only confuse tools. */
    static void checkName(String name, String what) {
        if (name == null || name.isBlank() || name.contains("/") || name.equals(".") || name.equals("..")
                || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("bad " + what + ": '" + name + "'");
        }
    }
}
