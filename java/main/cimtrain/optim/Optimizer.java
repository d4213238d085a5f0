package cimtrain.optim;

import cimtrain.backend.Backend;
import cimtrain.backend.Tensor;
import cimtrain.io.Hdf5Group;
import cimtrain.io.Hdf5Reader;
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

    /** The per-parameter state tensors (moments, momentum buffers) made so far; checkpoints save them. */
    protected abstract Map<Parameter, Tensor[]> state();

    /** Makes the state tensors of a parameter (a resumed run's optimizer before its first step). */
    protected abstract Tensor[] newState(Parameter p);

    /** Saves the step count and, per parameter i of {@code params}, its state tensors as {@code p<i>/<j>}. */
    public void saveState(Hdf5Group g, List<Parameter> params) {
        g.putScalar("steps", step);
        for (int i = 0; i < params.size(); i++) {
            Tensor[] ts = state().get(params.get(i));
            if (ts == null) {
                continue;
            }
            Parameter p = params.get(i);
            for (int j = 0; j < ts.length; j++) {
                float[] a = new float[(int) p.size];
                backend.download(ts[j], a, a.length);
                g.group("p" + i).putFloats(Integer.toString(j), a, p.shape);
            }
        }
    }

    /** Restores {@link #saveState}. */
    public void loadState(Hdf5Reader r, String path, List<Parameter> params) {
        step = (int) r.longScalar(path + "/steps");
        for (int i = 0; i < params.size(); i++) {
            String at = path + "/p" + i;
            if (!r.exists(at)) {
                continue;
            }
            Parameter p = params.get(i);
            Tensor[] ts = state().computeIfAbsent(p, this::newState);
            for (int j = 0; j < ts.length; j++) {
                backend.upload(r.floats(at + "/" + j, p.shape), ts[j], (int) p.size);
            }
        }
    }

    /** A name and its settings, for run records. */
    public abstract String describe();
}
