package cimtrain.nn;

import cimtrain.backend.Tensor;

import java.util.List;

/** Fully connected layer y = x W^T + b over the flattened input; W is out x in. */
public final class Linear extends Layer {
    private final int outFeatures;
    private final boolean hasBias;
    private Parameter weight;
    private Parameter bias;
    private Tensor input;
    private WeightReader reader;
    private Tensor y;
    private Tensor dx;

    public Linear(int outFeatures, boolean bias) {
        this.outFeatures = outFeatures;
        this.hasBias = bias;
    }

    @Override
    public Shape outputShape(Shape in) {
        return Shape.vector(outFeatures);
    }

    @Override
    protected void allocate(Init init) {
        int fanIn = in.size();
        weight = new Parameter(backend, "weight", Parameter.Kind.MATRIX, outFeatures, fanIn);
        float bound = (float) (1.0 / Math.sqrt(fanIn));
        backend.fillUniform(weight.value(), weight.size, -bound, bound, init.seed, init.nextStream());
        if (hasBias) {
            bias = new Parameter(backend, "bias", Parameter.Kind.BIAS, outFeatures);
            backend.fillUniform(bias.value(), bias.size, -bound, bound, init.seed, init.nextStream());
        }
        y = backend.allocate((long) capacity * outFeatures);
        dx = backend.allocate((long) capacity * fanIn);
    }

    public Parameter weight() {
        return weight;
    }

    /** Computes the forward product with this reader (a crossbar) instead of the digital weights. */
    public void setWeightReader(WeightReader reader) {
        this.reader = reader;
    }

    @Override
    public Tensor forward(Tensor x, int batch, boolean training) {
        input = x;
        if (reader != null) {
            // the crossbar takes one input vector per column: (in x batch) in, (out x batch) back
            Tensor xt = workspace.get(Workspace.PATCHES, (long) in.size() * batch);
            Tensor yt = workspace.get(Workspace.ROWS, (long) outFeatures * batch);
            backend.transpose(x, batch, in.size(), xt);
            reader.forward(xt, batch, yt, workspace.pass(), workspace.firstSample());
            backend.transpose(yt, outFeatures, batch, y);
        } else {
            backend.gemm(false, true, batch, outFeatures, in.size(), 1f, x, weight.value(), 0f, y);
        }
        if (hasBias) {
            backend.addRowBias(y, batch, outFeatures, bias.value());
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor dy, int batch, boolean needInputGrad) {
        backend.gemm(true, false, outFeatures, in.size(), batch, 1f, dy, input, 0f, weight.grad);
        if (hasBias) {
            backend.sumRows(dy, batch, outFeatures, bias.grad);
        }
        if (!needInputGrad) {
            return null;
        }
        backend.gemm(false, false, batch, in.size(), outFeatures, 1f, dy, weight.value(), 0f, dx);
        return dx;
    }

    @Override
    public List<Parameter> parameters() {
        return weightAndBias(weight, hasBias ? bias : null);
    }

    @Override
    public String describe() {
        return "linear " + (in == null ? "?" : in.size()) + "->" + outFeatures + (hasBias ? "" : " no-bias");
    }

    @Override
    public long parameterCount() {
        return (long) outFeatures * in.size() + (hasBias ? outFeatures : 0);
    }

    @Override
    public long macs() {
        return (long) in.size() * outFeatures;
    }
}
