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

    public Workspace(Backend backend) {
        this.backend = backend;
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
