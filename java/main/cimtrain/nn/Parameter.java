package cimtrain.nn;

import cimtrain.backend.Backend;
import cimtrain.backend.Tensor;

/**
 * A trainable tensor and its gradient. The optimizer computes an update for it; how the update is
 * applied is the parameter's {@link UpdateRule}: digital weights simply add it, weights that live on a
 * crossbar (the CIM training modes) accumulate it and program devices.
 */
public final class Parameter {
    /** What a parameter is, so that training modes know which ones map onto crossbars. */
    public enum Kind {
        /** A weight matrix of a conv or linear layer: rows = outputs, columns = unrolled inputs. */
        MATRIX,
        /** A bias vector (digital in every mode). */
        BIAS,
        /** Batch-norm scale or shift (digital in every mode). */
        NORM
    }

    /** Applies an optimizer's update to a parameter. */
    public interface UpdateRule {
        void apply(Parameter p, Tensor delta);
    }

    /** The plain digital rule: value += delta. */
    public static final UpdateRule DIGITAL = (p, delta) -> p.backend.axpy(p.size, 1f, delta, p.value);

    public final String name;
    public final Kind kind;
    /** Logical shape: {rows, cols} for matrices, {n} for vectors. */
    public final int[] shape;
    public final long size;
    private Tensor value;
    public final Tensor grad;
    private final Backend backend;
    private UpdateRule rule = DIGITAL;

    public Parameter(Backend backend, String name, Kind kind, int... shape) {
        this.backend = backend;
        this.name = name;
        this.kind = kind;
        this.shape = shape.clone();
        long n = 1;
        for (int s : shape) {
            n *= s;
        }
        this.size = n;
        this.value = backend.allocate(n);
        this.grad = backend.allocate(n);
    }

    public Backend backend() {
        return backend;
    }

    /** The current value. */
    public Tensor value() {
        return value;
    }

    /** Makes this parameter use another's value buffer (network replicas share their weights). */
    void shareValue(Parameter primary) {
        if (primary.size != size) {
            throw new IllegalArgumentException("cannot share " + primary.name + " of size " + primary.size + " with size " + size);
        }
        this.value = primary.value;
    }

    public UpdateRule rule() {
        return rule;
    }

    public void setRule(UpdateRule rule) {
        this.rule = rule;
    }

    public void applyUpdate(Tensor delta) {
        rule.apply(this, delta);
    }

    /** A host copy of the current value (tests, checkpoints, reports). */
    public float[] read() {
        float[] out = new float[(int) size];
        backend.download(value, out, (int) size);
        return out;
    }

    public void write(float[] values) {
        backend.upload(values, value, (int) size);
    }

    public float[] readGrad() {
        float[] out = new float[(int) size];
        backend.download(grad, out, (int) size);
        return out;
    }
}
