package cimtrain.nn;

import cimtrain.backend.Tensor;

import java.util.ArrayList;
import java.util.List;

/** Layers applied in order. */
public final class Sequential extends Layer {
    private final List<Layer> layers;

    public Sequential(List<Layer> layers) {
        this.layers = List.copyOf(layers);
    }

    @Override
    public Shape outputShape(Shape in) {
        Shape s = in;
        for (Layer l : layers) {
            s = l.outputShape(s);
        }
        return s;
    }

    @Override
    public Shape build(cimtrain.backend.Backend backend, Workspace workspace, Shape in, int capacity, Init init) {
        this.backend = backend;
        this.workspace = workspace;
        this.in = in;
        this.capacity = capacity;
        Shape s = in;
        for (Layer l : layers) {
            s = l.build(backend, workspace, s, capacity, init);
        }
        this.out = s;
        return s;
    }

    @Override
    public Shape trace(Shape in) {
        this.in = in;
        Shape s = in;
        for (Layer l : layers) {
            s = l.trace(s);
        }
        this.out = s;
        return s;
    }

    @Override
    protected void allocate(Init init) {
    }

    @Override
    public Tensor forward(Tensor x, int batch, boolean training) {
        Tensor t = x;
        for (Layer l : layers) {
            t = l.forward(t, batch, training);
        }
        return t;
    }

    @Override
    public Tensor backward(Tensor dy, int batch, boolean needInputGrad) {
        Tensor g = dy;
        for (int i = layers.size() - 1; i >= 0; i--) {
            g = layers.get(i).backward(g, batch, i > 0 || needInputGrad);
        }
        return g;
    }

    public boolean isEmpty() {
        return layers.isEmpty();
    }

    @Override
    public List<Parameter> parameters() {
        List<Parameter> ps = new ArrayList<>();
        for (Layer l : layers) {
            ps.addAll(l.parameters());
        }
        return ps;
    }

    @Override
    public List<Layer> children() {
        return layers;
    }

    @Override
    public String describe() {
        return "sequential (" + layers.size() + " layers)";
    }

    @Override
    public long macs() {
        long m = 0;
        for (Layer l : layers) {
            m += l.macs();
        }
        return m;
    }
}
