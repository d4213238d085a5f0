package cimtrain.optim;

import cimtrain.backend.Backend;
import cimtrain.backend.Tensor;
import cimtrain.nn.Parameter;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns gradients into updates. The optimizer only computes each parameter's update (delta); the
 * parameter's own {@link Parameter.UpdateRule} applies it, which is where a crossbar weight
 * accumulates instead of being overwritten.
 */
public abstract class Optimizer {
    protected final Backend backend;
    private final Map<Parameter, Tensor> deltas = new IdentityHashMap<>();
    private int step;

    protected Optimizer(Backend backend) {
        this.backend = backend;
    }

    /** Applies one update to every parameter with the given learning rate. */
    public final void step(List<Parameter> params, float lr) {
        step++;
        for (Parameter p : params) {
            Tensor delta = deltas.computeIfAbsent(p, q -> backend.allocate(q.size));
            computeDelta(p, delta, lr, step);
            p.applyUpdate(delta);
        }
    }

    /** Number of steps taken so far. */
    public int steps() {
        return step;
    }

    protected abstract void computeDelta(Parameter p, Tensor delta, float lr, int step);

    /** A name and its settings, for run records. */
    public abstract String describe();
}
