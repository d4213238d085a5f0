package cimtrain.nn;

import cimtrain.backend.Backend;
import cimtrain.backend.Tensor;

import java.util.List;

/**
 * A network layer: a forward and backward pair over a batch of samples. Buffers are allocated once
 * for the largest batch ({@code capacity}) in {@link #build}; smaller batches use a prefix.
 */
public abstract class Layer {
    protected Backend backend;
    protected Workspace workspace;
    protected Shape in;
    protected Shape out;
    protected int capacity;

    /** The output shape for a given input shape, without allocating anything. */
    public abstract Shape outputShape(Shape in);

    /** Allocates parameters and buffers; returns the output shape. */
    public Shape build(Backend backend, Workspace workspace, Shape in, int capacity, Init init) {
        this.backend = backend;
        this.workspace = workspace;
        this.in = in;
        this.out = outputShape(in);
        this.capacity = capacity;
        allocate(init);
        return out;
    }

    protected abstract void allocate(Init init);

    /**
     * Records the shapes {@link #build} would give this layer (and a container's children), allocating
     * nothing and needing no backend, for a model's analysis (shapes, MACs, parameters, crossbar mapping);
     * returns the output shape.
     */
    public Shape trace(Shape in) {
        this.in = in;
        this.out = outputShape(in);
        return out;
    }

    /** The parameter values this layer holds (a container: its children's), from its traced or built shapes. */
    public long parameterCount() {
        long n = 0;
        for (Layer c : children()) {
            n += c.parameterCount();
        }
        return n;
    }

    /** Runs the layer on {@code batch} samples; the returned buffer is owned by the layer. */
    public abstract Tensor forward(Tensor x, int batch, boolean training);

    /**
     * Given the gradient of the loss w.r.t. this layer's last output, writes parameter gradients and
     * returns the gradient w.r.t. its input (or null when {@code needInputGrad} is false).
     */
    public abstract Tensor backward(Tensor dy, int batch, boolean needInputGrad);

    public List<Parameter> parameters() {
        return List.of();
    }

    /** Sub-layers, for containers; mapping and reports walk this tree. */
    public List<Layer> children() {
        return List.of();
    }

    /** One short line such as "conv 5x5 1->4 stride 1 pad 0". */
    public abstract String describe();

    public Shape inputShape() {
        return in;
    }

    public Shape outputShape() {
        return out;
    }

    /** Multiply-accumulates per sample of a forward pass (for throughput and cost reports). */
    public long macs() {
        return 0;
    }

    /** A weight layer's parameters: its weight, then its bias where it has one (null: none). */
    protected static List<Parameter> weightAndBias(Parameter weight, Parameter bias) {
        List<Parameter> ps = new java.util.ArrayList<>();
        ps.add(weight);
        if (bias != null) {
            ps.add(bias);
        }
        return ps;
    }
}
