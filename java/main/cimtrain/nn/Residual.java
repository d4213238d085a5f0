package cimtrain.nn;

import cimtrain.backend.Backend;
import cimtrain.backend.Tensor;

import java.util.ArrayList;
import java.util.List;

/** out = body(x) + shortcut(x), where an empty shortcut is the identity. */
public final class Residual extends Layer {
    private final Sequential body;
    private final Sequential shortcut;
    private Tensor y;
    private Tensor dx;

    public Residual(Sequential body, Sequential shortcut) {
        this.body = body;
        this.shortcut = shortcut;
    }

    @Override
    public Shape outputShape(Shape in) {
        Shape b = body.outputShape(in);
        Shape s = shortcut.outputShape(in);
        if (!b.equals(s)) {
            throw new IllegalArgumentException("residual body gives " + b + " but shortcut gives " + s
                    + (shortcut.isEmpty() ? " (identity): add a shortcut conv" : ""));
        }
        return b;
    }

    @Override
    public Shape build(Backend backend, Workspace workspace, Shape in, int capacity, Init init) {
        body.build(backend, workspace, in, capacity, init);
        shortcut.build(backend, workspace, in, capacity, init);
        return super.build(backend, workspace, in, capacity, init);
    }

    @Override
    public Shape trace(Shape in) {
        body.trace(in);
        shortcut.trace(in);
        return super.trace(in);
    }

    @Override
    protected void allocate(Init init) {
        y = backend.allocate((long) capacity * out.size());
        dx = backend.allocate((long) capacity * in.size());
    }

    @Override
    public Tensor forward(Tensor x, int batch, boolean training) {
        Tensor b = body.forward(x, batch, training);
        Tensor s = shortcut.forward(x, batch, training);
        backend.add((long) batch * out.size(), b, s, y);
        return y;
    }

    @Override
    public Tensor backward(Tensor dy, int batch, boolean needInputGrad) {
        Tensor db = body.backward(dy, batch, needInputGrad);
        Tensor ds = shortcut.backward(dy, batch, needInputGrad);
        if (!needInputGrad) {
            return null;
        }
        backend.add((long) batch * in.size(), db, ds, dx);
        return dx;
    }

    @Override
    public List<Parameter> parameters() {
        List<Parameter> ps = new ArrayList<>(body.parameters());
        ps.addAll(shortcut.parameters());
        return ps;
    }

    @Override
    public List<Layer> children() {
        return List.of(body, shortcut);
    }

    @Override
    public String describe() {
        return "residual" + (shortcut.isEmpty() ? " (identity shortcut)" : " (projection shortcut)");
    }

    @Override
    public long macs() {
        return body.macs() + shortcut.macs();
    }
}
