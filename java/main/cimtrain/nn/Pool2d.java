package cimtrain.nn;

import cimtrain.backend.PoolGeometry;
import cimtrain.backend.Tensor;

/** Max or average pooling over square windows; {@link #global} averages each whole feature map. */
public final class Pool2d extends Layer {
    public enum Type { MAX, AVG }

    private final Type type;
    private final int size;
    private final int stride;
    private final boolean global;
    private PoolGeometry g;
    private Tensor input;
    private Tensor y;
    private Tensor dx;

    public Pool2d(Type type, int size, int stride) {
        this(type, size, stride, false);
    }

    private Pool2d(Type type, int size, int stride, boolean global) {
        this.type = type;
        this.size = size;
        this.stride = stride;
        this.global = global;
    }

    /** Global average pooling: one value per channel. */
    public static Pool2d global() {
        return new Pool2d(Type.AVG, 0, 0, true);
    }

    private PoolGeometry geometry(Shape in) {
        if (global) {
            if (in.height() != in.width()) {
                throw new IllegalArgumentException("global pooling needs square feature maps, got " + in);
            }
            return new PoolGeometry(in.channels(), in.height(), in.width(), in.height(), in.height());
        }
        return new PoolGeometry(in.channels(), in.height(), in.width(), size, stride);
    }

    @Override
    public Shape outputShape(Shape in) {
        PoolGeometry geo = geometry(in);
        // the window must fit: (in - size) / stride + 1 rounds a small negative up to 1
        if (in.height() < geo.size() || in.width() < geo.size() || geo.outHeight() < 1 || geo.outWidth() < 1) {
            throw new IllegalArgumentException("pool " + size + "x" + size + " does not fit a " + in + " input");
        }
        return new Shape(in.channels(), geo.outHeight(), geo.outWidth());
    }

    @Override
    protected void allocate(Init init) {
        g = geometry(in);
        y = backend.allocate((long) capacity * g.outSize());
        dx = backend.allocate((long) capacity * g.inSize());
    }

    @Override
    public Tensor forward(Tensor x, int batch, boolean training) {
        input = x;
        if (type == Type.MAX) {
            backend.maxPoolForward(x, batch, g, y);
        } else {
            backend.avgPoolForward(x, batch, g, y);
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor dy, int batch, boolean needInputGrad) {
        if (!needInputGrad) {
            return null;
        }
        if (type == Type.MAX) {
            backend.maxPoolBackward(input, y, dy, batch, g, dx);
        } else {
            backend.avgPoolBackward(dy, batch, g, dx);
        }
        return dx;
    }

    @Override
    public String describe() {
        if (global) {
            return "global avgpool";
        }
        return (type == Type.MAX ? "maxpool " : "avgpool ") + size + "x" + size
                + (stride != size ? " stride " + stride : "");
    }
}
