package cimtrain.nn;

import cimtrain.backend.ConvGeometry;
import cimtrain.backend.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * 2-D convolution lowered to a matrix product: the patch matrix P ((batch x positions) x K, one row
 * per output position, K = in-channels x kernel x kernel) times the transposed weights W (out x K).
 * This is exactly how a crossbar computes it: each patch row is one input vector applied to the rows
 * of the array, each output channel one (pair of) column(s).
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
        if (geo.outHeight() < 1 || geo.outWidth() < 1) {
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
        backend.fillUniform(weight.value, weight.size, -bound, bound, init.seed, init.nextStream());
        if (hasBias) {
            bias = new Parameter(backend, "bias", Parameter.Kind.BIAS, outChannels);
            backend.fillUniform(bias.value, bias.size, -bound, bound, init.seed, init.nextStream());
        }
        y = backend.allocate((long) capacity * g.outSize());
        dx = backend.allocate((long) capacity * g.inSize());
    }

    public ConvGeometry geometry() {
        return g;
    }

    public Parameter weight() {
        return weight;
    }

    @Override
    public Tensor forward(Tensor x, int batch, boolean training) {
        input = x;
        int rows = batch * g.positions();
        Tensor patches = workspace.get(Workspace.PATCHES, (long) rows * g.patchSize());
        Tensor out = workspace.get(Workspace.ROWS, (long) rows * outChannels);
        backend.im2col(x, batch, g, patches);
        // out (rows x out) = patches (rows x K) * W^T
        backend.gemm(false, true, rows, outChannels, g.patchSize(), 1f, patches, weight.value, 0f, out);
        backend.rowsToChannels(out, batch, outChannels, g.positions(), hasBias ? bias.value : null, y);
        return y;
    }

    @Override
    public Tensor backward(Tensor dy, int batch, boolean needInputGrad) {
        int rows = batch * g.positions();
        int k = g.patchSize();
        Tensor dRows = workspace.get(Workspace.ROWS, (long) rows * outChannels);
        backend.channelsToRows(dy, batch, outChannels, g.positions(), dRows);
        if (hasBias) {
            backend.sumRows(dRows, rows, outChannels, bias.grad);
        }
        // the patch matrix is recomputed rather than kept: one shared buffer instead of one per layer
        Tensor patches = workspace.get(Workspace.PATCHES, (long) rows * k);
        backend.im2col(input, batch, g, patches);
        // dW (out x K) = dRows^T (out x rows) * patches (rows x K)
        backend.gemm(true, false, outChannels, k, rows, 1f, dRows, patches, 0f, weight.grad);
        if (!needInputGrad) {
            return null;
        }
        Tensor dPatches = workspace.get(Workspace.PATCH_GRAD, (long) rows * k);
        // dPatches (rows x K) = dRows (rows x out) * W (out x K)
        backend.gemm(false, false, rows, k, outChannels, 1f, dRows, weight.value, 0f, dPatches);
        backend.col2im(dPatches, batch, g, dx);
        return dx;
    }

    @Override
    public List<Parameter> parameters() {
        List<Parameter> ps = new ArrayList<>();
        ps.add(weight);
        if (hasBias) {
            ps.add(bias);
        }
        return ps;
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
