package cimtrain.io;

import java.lang.reflect.Array;

/**
 * A dataset being written: the caller's flat row-major array and its shape, or a scalar (a boxed
 * number or a String). The flat array is kept by reference, not copied, until the file is written.
 */
final class Hdf5Dataset extends Hdf5Node {
    private final Object value;
    private final int[] shape;

    /** A scalar: Float, Double, Integer, Long or String. */
    Hdf5Dataset(String path, Object scalar) {
        super(path);
        this.value = scalar;
        this.shape = new int[0];
    }

    /** An array: a flat primitive array of {@code product(shape)} elements, row-major. */
    Hdf5Dataset(String path, Object flat, int[] shape) {
        super(path);
        this.value = flat;
        this.shape = shape.clone();
    }

    /**
     * What jhdf's {@code putDataset} takes: jhdf infers the dataset's shape from the nesting of Java
     * arrays, so an array of rank r becomes r nested arrays (a copy, made only now, at write time).
     */
    Object toJhdf() {
        if (shape.length <= 1) {
            return value;
        }
        Object nested = Array.newInstance(value.getClass().getComponentType(), shape);
        fill(nested, 0, 0);
        return nested;
    }

    /** Copies the flat rows into the nested array; returns the next flat offset. */
    private int fill(Object nested, int dim, int offset) {
        int n = shape[dim];
        if (dim == shape.length - 1) {
            System.arraycopy(value, offset, nested, 0, n);
            return offset + n;
        }
        for (int i = 0; i < n; i++) {
            offset = fill(Array.get(nested, i), dim + 1, offset);
        }
        return offset;
    }
}
