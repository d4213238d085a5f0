package cimtrain.nn;

import cimtrain.backend.Backend;
import cimtrain.backend.Tensor;

/**
 * Scratch buffers shared by all layers of a network. Layers run one at a time, so one patch matrix
 * (the largest of any conv layer) serves them all, instead of one per layer: this is what keeps
 * ResNet-size networks within memory.
 */
public final class Workspace {
    /** Slots: each holds one buffer that grows to the largest request. */
    public static final int PATCHES = 0;
    public static final int ROWS = 1;
    public static final int PATCH_GRAD = 2;
    private static final int SLOTS = 3;

    private final Backend backend;
    private final Tensor[] buffers = new Tensor[SLOTS];
    private long pass;
    private int firstSample;
    /**
     * Floats of column matrices the layers may still keep for their backward pass (see
     * {@link #keep}): an eighth of the JVM's heap per replica. Keeping a column matrix saves
     * rebuilding it in the backward pass, a copy as large as the matrix (about 3% of a ResNet-18
     * training step at width 0.25); the matrix is a pure copy of the input, so keeping it or
     * rebuilding it gives the same bits.
     */
    private long keepable = Runtime.getRuntime().maxMemory() / 8 / Float.BYTES;

    public Workspace(Backend backend) {
        this.backend = backend;
    }

    /**
     * Whether a layer may keep a buffer of {@code size} floats of its own (its column matrix) rather
     * than share the slot: true while the replica's layers together stay within their share of memory.
     * Layers ask in the order they are built, so the first (largest) convolutions of a network are
     * the ones kept when not all fit.
     */
    public boolean keep(long size) {
        if (size > keepable) {
            return false;
        }
        keepable -= size;
        return true;
    }

    /** A buffer of at least {@code size} floats; its contents are undefined. */
    public Tensor get(int slot, long size) {
        Tensor t = buffers[slot];
        if (t == null || t.size() < size) {
            buffers[slot] = null; // let the old one go before allocating the larger one
            t = backend.allocate(size);
            buffers[slot] = t;
        }
        return t;
    }

    /**
     * Where the replica owning this workspace is: the network's forward pass number and the first sample
     * of the batch its chunk holds. Crossbar reads index their random numbers by these, so the noise a
     * sample sees does not depend on how a batch is split between replicas.
     */
    void setPosition(long pass, int firstSample) {
        this.pass = pass;
        this.firstSample = firstSample;
    }

    /** The network's forward pass number (training and evaluation batches alike). */
    public long pass() {
        return pass;
    }

    /** The first sample of the batch in this replica's chunk. */
    public int firstSample() {
        return firstSample;
    }
}
