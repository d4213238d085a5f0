package cimtrain.optim;

import cimtrain.backend.Backend;
import cimtrain.backend.Tensor;
import cimtrain.nn.Parameter;

import java.util.IdentityHashMap;
import java.util.Map;

/** SGD with momentum and coupled weight decay, as PyTorch's torch.optim.SGD (no dampening, no Nesterov). */
public final class Sgd extends Optimizer {
    private final float momentum;
    private final float weightDecay;
    private final Map<Parameter, Tensor[]> buffers = new IdentityHashMap<>();

    public Sgd(Backend backend, float momentum, float weightDecay) {
        super(backend);
        this.momentum = momentum;
        this.weightDecay = weightDecay;
    }

    @Override
    protected void computeDelta(Parameter p, Tensor delta, float lr, int step) {
        Tensor buf = buffers.computeIfAbsent(p, this::newState)[0];
        backend.sgdDelta(p.size, p.value(), p.grad, buf, lr, momentum, weightDecay, step == 1, delta);
    }

    @Override
    protected Map<Parameter, Tensor[]> state() {
        return buffers;
    }

    /** The momentum buffer. */
    @Override
    protected Tensor[] newState(Parameter p) {
        return new Tensor[]{backend.allocate(p.size)};
    }

    @Override
    public String describe() {
        return "sgd(momentum=" + momentum + ", weight_decay=" + weightDecay + ")";
    }
}
