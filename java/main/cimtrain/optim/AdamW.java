package cimtrain.optim;

import cimtrain.backend.Backend;
import cimtrain.backend.Tensor;
import cimtrain.nn.Parameter;

import java.util.IdentityHashMap;
import java.util.Map;

/** AdamW with PyTorch's defaults (betas 0.9/0.999, eps 1e-8, weight decay 0.01 on every parameter). */
public final class AdamW extends Optimizer {
    private final float beta1;
    private final float beta2;
    private final float eps;
    private final float weightDecay;
    private final Map<Parameter, Tensor[]> moments = new IdentityHashMap<>();

    public AdamW(Backend backend, float beta1, float beta2, float eps, float weightDecay) {
        super(backend);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    @Override
    protected void computeDelta(Parameter p, Tensor delta, float lr, int step) {
        Tensor[] mv = moments.computeIfAbsent(p, this::newState);
        backend.adamwDelta(p.size, p.value(), p.grad, mv[0], mv[1], lr, beta1, beta2, eps, weightDecay, step, delta);
    }

    @Override
    protected Map<Parameter, Tensor[]> state() {
        return moments;
    }

    /** First and second moments. */
    @Override
    protected Tensor[] newState(Parameter p) {
        return new Tensor[]{backend.allocate(p.size), backend.allocate(p.size)};
    }

    @Override
    public String describe() {
        return "adamw(beta1=" + beta1 + ", beta2=" + beta2 + ", eps=" + eps + ", weight_decay=" + weightDecay + ")";
    }
}
