package cimtrain.nn;

import cimtrain.backend.Tensor;

/** max(0, x); the backward pass reads the output (y > 0 exactly where x > 0). */
public final class ReLU extends Layer {
    private Tensor y;
    private Tensor dx;

    @Override
    public Shape outputShape(Shape in) {
        return in;
    }

    @Override
    protected void allocate(Init init) {
        y = backend.allocate((long) capacity * in.size());
        dx = backend.allocate((long) capacity * in.size());
    }

    @Override
    public Tensor forward(Tensor x, int batch, boolean training) {
        backend.reluForward(x, y, (long) batch * in.size());
        return y;
    }

    @Override
    public Tensor backward(Tensor dy, int batch, boolean needInputGrad) {
        if (!needInputGrad) {
            return null;
        }
        backend.reluBackward(y, dy, dx, (long) batch * in.size());
        return dx;
    }

    @Override
    public String describe() {
        return "relu";
    }
}
