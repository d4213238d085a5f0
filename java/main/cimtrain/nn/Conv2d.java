package cimtrain.nn;

import cimtrain.backend.ConvGeometry;
import cimtrain.backend.Tensor;

import java.util.List;

/**
 * 2-D convolution lowered to a matrix product: the weights W (out x K, K = in-channels x kernel x
 * kernel) times the column matrix C (K x (batch x positions), one column per output position). This is
 * how a crossbar computes it: each column of C is one input vector applied to the rows of the array,
 * each output channel one (pair of) column(s) of the array.
 */
public final class Conv2d extends Layer {
    private final int outChannels;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final boolean hasBias;
    private ConvGeometry g;
    private Parameter weight;
    private Parameter bias;
    private Tensor input;
    private WeightReader reader;
    private Tensor ownColumns;
    private Tensor y;
    private Tensor dx;

    public Conv2d(int outChannels, int kernel, int stride, int padding, boolean bias) {
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.hasBias = bias;
    }

    @Override
    public Shape outputShape(Shape in) {
        ConvGeometry geo = geometry(in);
        // the window must fit the (padded) input: (in + 2p - k) / s + 1 rounds a small negative up to 1
        if (in.height() + 2L * padding < kernel || in.width() + 2L * padding < kernel
                || geo.outHeight() < 1 || geo.outWidth() < 1) {
            throw new IllegalArgumentException("conv " + kernel + "x" + kernel + " does not fit a " + in + " input");
        }
        return new Shape(outChannels, geo.outHeight(), geo.outWidth());
    }

    private ConvGeometry geometry(Shape in) {
        return new ConvGeometry(in.channels(), in.height(), in.width(), outChannels, kernel, stride, padding);
    }

    @Override
    protected void allocate(Init init) {
        g = geometry(in);
        weight = new Parameter(backend, "weight", Parameter.Kind.MATRIX, outChannels, g.patchSize());
        // PyTorch's default: kaiming_uniform(a = sqrt(5)) == U(-1/sqrt(fan_in), 1/sqrt(fan_in))
        float bound = (float) (1.0 / Math.sqrt(g.patchSize()));
        backend.fillUniform(weight.value(), weight.size, -bound, bound, init.seed, init.nextStream());
        if (hasBias) {
            bias = new Parameter(backend, "bias", Parameter.Kind.BIAS, outChannels);
            backend.fillUniform(bias.value(), bias.size, -bound, bound, init.seed, init.nextStream());
        }
        y = backend.allocate((long) capacity * g.outSize());
        dx = backend.allocate((long) capacity * g.inSize());
        long colSize = (long) capacity * g.positions() * g.patchSize();
        // kept for the backward pass while the replica's memory share allows (Workspace.keep), else rebuilt
        ownColumns = workspace.keep(colSize) ? backend.allocate(colSize) : null;
    }

    /** The column matrix buffer: the layer's own when small, else the network's shared one. */
    private Tensor columns(long size) {
        return ownColumns != null ? ownColumns : workspace.get(Workspace.PATCHES, size);
    }

    public ConvGeometry geometry() {
        return g;
    }

    @Override
    public Shape trace(Shape in) {
        Shape s = super.trace(in);
        g = geometry(in);
        return s;
    }

    @Override
    public long parameterCount() {
        return (long) outChannels * g.patchSize() + (hasBias ? outChannels : 0);
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
        int cols = batch * g.positions();
        Tensor columns = columns((long) cols * g.patchSize());
        Tensor out = workspace.get(Workspace.ROWS, (long) cols * outChannels);
        backend.im2col(x, batch, g, columns);
        if (reader != null) {
            reader.forward(columns, cols, out, workspace.pass(), (long) workspace.firstSample() * g.positions());
        } else {
            // out (out x cols) = W (out x K) * columns (K x cols)
            backend.gemm(false, false, outChannels, cols, g.patchSize(), 1f, weight.value(), columns, 0f, out);
        }
        backend.channelMajorToImages(out, batch, outChannels, g.positions(), hasBias ? bias.value() : null, y);
        return y;
    }

    @Override
    public Tensor backward(Tensor dy, int batch, boolean needInputGrad) {
        int cols = batch * g.positions();
        int k = g.patchSize();
        Tensor dOut = workspace.get(Workspace.ROWS, (long) cols * outChannels);
        backend.imagesToChannelMajor(dy, batch, outChannels, g.positions(), dOut);
        if (hasBias) {
            backend.sumColumns(dOut, outChannels, cols, bias.grad);
        }
        Tensor columns = columns((long) cols * k);
        if (ownColumns == null) {
            // large layers share one buffer, so the column matrix is rebuilt rather than kept per layer
            backend.im2col(input, batch, g, columns);
        }
        // dW (out x K) = dOut (out x cols) * columns^T (cols x K)
        backend.gemm(false, true, outChannels, k, cols, 1f, dOut, columns, 0f, weight.grad);
        if (!needInputGrad) {
            return null;
        }
        Tensor dColumns = workspace.get(Workspace.PATCH_GRAD, (long) cols * k);
        // dColumns (K x cols) = W^T (K x out) * dOut (out x cols)
        backend.gemm(true, false, k, cols, outChannels, 1f, weight.value(), dOut, 0f, dColumns);
        backend.col2im(dColumns, batch, g, dx);
        return dx;
    }

    @Override
    public List<Parameter> parameters() {
        return weightAndBias(weight, hasBias ? bias : null);
    }

    @Override
    public String describe() {
        return "conv " + kernel + "x" + kernel + " " + (in == null ? "?" : in.channels()) + "->" + outChannels
                + (stride != 1 ? " stride " + stride : "") + (padding != 0 ? " pad " + padding : "")
                + (hasBias ? "" : " no-bias");
    }

    @Override
    public long macs() {
        return (long) g.positions() * g.patchSize() * outChannels;
    }
}
