package cimtrain.nn;

import cimtrain.backend.Backend;
import cimtrain.backend.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * A built network: its layers on one backend, the input buffer for a batch, and the loss. Buffers are
 * sized for {@code capacity} samples; any smaller batch runs in a prefix of them.
 */
public final class Network implements AutoCloseable {
    public final String name;
    public final Shape inputShape;
    public final int classes;
    public final int capacity;
    private final Backend backend;
    private final Sequential root;
    private final Tensor input;
    private final Tensor dLogits;

    public Network(String name, Backend backend, Sequential root, Shape inputShape, int capacity, long seed) {
        this.name = name;
        this.backend = backend;
        this.root = root;
        this.inputShape = inputShape;
        this.capacity = capacity;
        Shape out = root.build(backend, new Workspace(backend), inputShape, capacity, new Init(seed));
        if (out.height() != 1 || out.width() != 1) {
            throw new IllegalArgumentException("the network must end in a vector of class scores, it ends in " + out
                    + " (add flatten and linear layers)");
        }
        this.classes = out.channels();
        this.input = backend.allocate((long) capacity * inputShape.size());
        this.dLogits = backend.allocate((long) capacity * classes);
    }

    public Backend backend() {
        return backend;
    }

    public Sequential root() {
        return root;
    }

    public List<Parameter> parameters() {
        return root.parameters();
    }

    public long parameterCount() {
        long n = 0;
        for (Parameter p : parameters()) {
            n += p.size;
        }
        return n;
    }

    public long macsPerSample() {
        return root.macs();
    }

    /** Leaf layers in forward order (containers expanded), for mapping and reports. */
    public List<Layer> leaves() {
        List<Layer> out = new ArrayList<>();
        collect(root, out);
        return out;
    }

    private static void collect(Layer l, List<Layer> out) {
        if (l.children().isEmpty()) {
            if (!(l instanceof Sequential)) {
                out.add(l);
            }
            return;
        }
        for (Layer c : l.children()) {
            collect(c, out);
        }
    }

    /** Copies a host batch (batch x C x H x W) into the input buffer. */
    public void setInput(float[] x, int batch) {
        if (batch > capacity) {
            throw new IllegalArgumentException("batch " + batch + " exceeds capacity " + capacity);
        }
        backend.upload(x, input, batch * inputShape.size());
    }

    /** Forward pass on the current input; returns the logits buffer (batch x classes). */
    public Tensor forward(int batch, boolean training) {
        return root.forward(input, batch, training);
    }

    /**
     * One training forward and backward pass: fills every parameter's gradient.
     *
     * @return the mean loss of the batch
     */
    public double forwardBackward(int[] labels, int batch, int[] predictions) {
        Tensor logits = root.forward(input, batch, true);
        double loss = backend.softmaxCrossEntropy(logits, labels, batch, classes, dLogits, predictions);
        root.backward(dLogits, batch, false);
        return loss;
    }

    /** Predicted classes for the current input (evaluation mode). */
    public void predict(int batch, int[] predictions) {
        Tensor logits = root.forward(input, batch, false);
        backend.argmaxRows(logits, batch, classes, predictions);
    }

    /** A host copy of the logits of an evaluation-mode forward pass (tests). */
    public float[] logits(int batch, boolean training) {
        Tensor logits = root.forward(input, batch, training);
        float[] out = new float[batch * classes];
        backend.download(logits, out, out.length);
        return out;
    }

    @Override
    public void close() {
    }
}
