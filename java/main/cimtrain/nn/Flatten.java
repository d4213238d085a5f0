package cimtrain.nn;

import cimtrain.backend.Tensor;

/** Views C x H x W as a vector; NCHW buffers are already laid out that way, so nothing moves. */
public final class Flatten extends Layer {
    @Override
    public Shape outputShape(Shape in) {
        return Shape.vector(in.size());
    }

    @Override
    protected void allocate(Init init) {
    }

    @Override
    public Tensor forward(Tensor x, int batch, boolean training) {
        return x;
    }

    @Override
    public Tensor backward(Tensor dy, int batch, boolean needInputGrad) {
        return needInputGrad ? dy : null;
    }

    @Override
    public String describe() {
        return "flatten";
    }
}
