package cimtrain.backend;

import java.util.Arrays;

/**
 * What one threshold-accumulate step decided ({@link Backend#thresholdAccumulate}): the weights to be
 * written, in ascending index order (the order their write-and-verify draws its random numbers), each
 * with its target, and how many non-zero updates the step saw. Reused from step to step, so that a step
 * that writes few weights allocates nothing.
 */
public final class WriteList {
    private int[] indices = new int[16];
    private float[] targets = new float[16];
    private int count;
    private long updates;

    public void clear() {
        count = 0;
        updates = 0;
    }

    public void add(int index, float target) {
        if (count == indices.length) {
            indices = Arrays.copyOf(indices, 2 * count);
            targets = Arrays.copyOf(targets, 2 * count);
        }
        indices[count] = index;
        targets[count] = target;
        count++;
    }

    /** Room for n entries (a backend that fills the arrays itself). */
    public void ensureCapacity(int n) {
        if (indices.length < n) {
            indices = new int[n];
            targets = new float[n];
        }
    }

    /** Sets the entries a backend wrote straight into {@link #indexArray}/{@link #targetArray}. */
    public void set(int count, long updates) {
        this.count = count;
        this.updates = updates;
    }

    /**
     * Puts the entries in ascending index order (a backend that lists them in the order its threads
     * finish). Indices are distinct and non-negative, so sorting (index, target bits) pairs does it.
     */
    public void sortByIndex() {
        long[] keys = new long[count];
        for (int j = 0; j < count; j++) {
            keys[j] = ((long) indices[j] << 32) | (Float.floatToRawIntBits(targets[j]) & 0xFFFFFFFFL);
        }
        Arrays.sort(keys);
        for (int j = 0; j < count; j++) {
            indices[j] = (int) (keys[j] >>> 32);
            targets[j] = Float.intBitsToFloat((int) keys[j]);
        }
    }

    void addUpdates(long n) {
        updates += n;
    }

    public int count() {
        return count;
    }

    public long updates() {
        return updates;
    }

    public int index(int j) {
        return indices[j];
    }

    public float target(int j) {
        return targets[j];
    }

    /** The backing arrays (the first {@link #count} entries are valid). */
    public int[] indexArray() {
        return indices;
    }

    public float[] targetArray() {
        return targets;
    }
}
