package cimtrain.nn;

import cimtrain.backend.Backend;
import cimtrain.backend.Tensor;
import cimtrain.io.Hdf5Group;
import cimtrain.io.Hdf5Reader;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntUnaryOperator;
import java.util.function.Supplier;

/**
 * A built network on one backend: its layers, the input buffer, and the loss.
 *
 * <p>On backends that ask for it ({@link Backend#dataParallelReplicas()}), a network without batch
 * norm is built as several replicas that share the parameter values: a batch is cut into that many
 * chunks, each replica runs forward and backward on its chunk concurrently, and the gradients are
 * combined in a fixed order. On two CPU cores this doubles throughput where per-operation threading
 * could not (each small operation paid more to hand work over than it saved). The number of replicas
 * is fixed by the backend, not by the thread count, so results do not depend on --threads. Batch norm
 * needs statistics over the whole batch, so networks with it run as one replica.
 */
public final class Network implements AutoCloseable {
    public final String name;
    public final Shape inputShape;
    public final int classes;
    public final int capacity;
    private final Backend backend;
    private final List<Replica> replicas = new ArrayList<>();
    /** Forward passes so far: crossbar reads draw their noise by pass number. */
    private long passes;

    /** One copy of the layer tree with its own activation buffers. */
    private static final class Replica {
        final Sequential root;
        final Workspace workspace;
        final Tensor input;
        final Tensor dLogits;
        final int capacity;

        Replica(Sequential root, Workspace workspace, Tensor input, Tensor dLogits, int capacity) {
            this.root = root;
            this.workspace = workspace;
            this.input = input;
            this.dLogits = dLogits;
            this.capacity = capacity;
        }
    }

    /**
     * @param layers   makes a fresh layer tree on each call (one per replica)
     * @param capacity the largest batch the network will be given
     */
    public Network(String name, Backend backend, Supplier<Sequential> layers, Shape inputShape, int capacity, long seed) {
        this.name = name;
        this.backend = backend;
        this.inputShape = inputShape;
        this.capacity = capacity;
        Sequential first = layers.get();
        // every layer against the shape it receives, before anything is allocated
        LayerTree.checkShapes(name, first, inputShape);
        int count = LayerTree.hasBatchNorm(first) ? 1 : Math.max(1, Math.min(backend.dataParallelReplicas(), capacity));
        int per = (capacity + count - 1) / count;
        Shape out = null;
        for (int r = 0; r < count; r++) {
            Sequential root = r == 0 ? first : layers.get();
            // every replica draws the same initial values; the copies are then dropped for shared ones
            Workspace workspace = new Workspace(backend);
            out = root.build(backend, workspace, inputShape, per, new Init(seed));
            if (r > 0) {
                List<Parameter> mine = root.parameters(), primary = replicas.get(0).root.parameters();
                for (int i = 0; i < mine.size(); i++) {
                    mine.get(i).shareValue(primary.get(i));
                }
            }
            replicas.add(new Replica(root, workspace, backend.allocate((long) per * inputShape.size()),
                    backend.allocate((long) per * out.channels()), per));
        }
        if (out.height() != 1 || out.width() != 1) {
            throw new IllegalArgumentException("the network must end in a vector of class scores, it ends in " + out
                    + " (add flatten and linear layers)");
        }
        this.classes = out.channels();
    }

    public Backend backend() {
        return backend;
    }

    /** The layer tree whose parameters the optimizer updates (the first replica). */
    public Sequential root() {
        return replicas.get(0).root;
    }

    public int replicaCount() {
        return replicas.size();
    }

    /** The layer tree of every replica (the first is {@link #root()}); they share parameter values. */
    public List<Sequential> replicaRoots() {
        List<Sequential> roots = new ArrayList<>();
        for (Replica r : replicas) {
            roots.add(r.root);
        }
        return roots;
    }

    public List<Parameter> parameters() {
        return root().parameters();
    }

    public long parameterCount() {
        long n = 0;
        for (Parameter p : parameters()) {
            n += p.size;
        }
        return n;
    }

    public long macsPerSample() {
        return root().macs();
    }

    /** Leaf layers in forward order (containers expanded), for mapping and reports. */
    public List<Layer> leaves() {
        return leaves(root());
    }

    /** Leaf layers of one layer tree in forward order (containers expanded). */
    public static List<Layer> leaves(Layer root) {
        return LayerTree.leaves(root);
    }

    /** Where each replica's chunk of a batch starts; chunk r is [start[r], start[r + 1]). */
    private int[] chunks(int batch) {
        if (batch > capacity) {
            throw new IllegalArgumentException("batch " + batch + " exceeds capacity " + capacity);
        }
        int n = replicas.size();
        int[] start = new int[n + 1];
        for (int r = 0; r <= n; r++) {
            start[r] = (int) ((long) batch * r / n);
        }
        return start;
    }

    /** Copies a host batch (batch x C x H x W) into the replicas' input buffers. */
    public void setInput(float[] x, int batch) {
        int[] start = chunks(batch);
        int size = inputShape.size();
        for (int r = 0; r < replicas.size(); r++) {
            backend.upload(x, start[r] * size, replicas.get(r).input, (start[r + 1] - start[r]) * size);
        }
    }

    /** Runs one task per non-empty chunk, concurrently where the backend can: one forward pass. */
    private void eachChunk(int batch, ChunkTask task) {
        int[] start = chunks(batch);
        long pass = passes++;
        List<Runnable> tasks = new ArrayList<>();
        for (int r = 0; r < replicas.size(); r++) {
            int from = start[r], to = start[r + 1];
            Replica rep = replicas.get(r);
            rep.workspace.setPosition(pass, from);
            if (to > from) {
                tasks.add(() -> task.run(rep, from, to - from));
            }
        }
        backend.runConcurrently(tasks);
    }

    private interface ChunkTask {
        void run(Replica replica, int from, int n);
    }

    /**
     * One training forward and backward pass: fills every parameter's gradient (of the mean loss over
     * the whole batch).
     *
     * @return the mean loss of the batch
     */
    public double forwardBackward(int[] labels, int batch, int[] predictions) {
        double[] losses = new double[replicas.size()];
        int[] start = chunks(batch);
        eachChunk(batch, (rep, from, n) -> {
            Tensor logits = rep.root.forward(rep.input, n, true);
            int[] chunkLabels = Arrays.copyOfRange(labels, from, from + n);
            int[] chunkPred = predictions == null ? null : new int[n];
            losses[replicas.indexOf(rep)] = backend.softmaxCrossEntropy(logits, chunkLabels, n, classes, rep.dLogits,
                    chunkPred);
            rep.root.backward(rep.dLogits, n, false);
            if (chunkPred != null) {
                System.arraycopy(chunkPred, 0, predictions, from, n);
            }
        });
        double loss = 0;
        for (int r = 0; r < replicas.size(); r++) {
            loss += losses[r] * (start[r + 1] - start[r]) / batch;
        }
        if (replicas.size() > 1) {
            combineGradients(start, batch);
        }
        return loss;
    }

    /** grad = sum over replicas of (chunk size / batch) x the replica's gradient of its chunk mean. */
    private void combineGradients(int[] start, int batch) {
        List<Parameter> primary = replicas.get(0).root.parameters();
        backendScale(primary, (float) (start[1] - start[0]) / batch);
        for (int r = 1; r < replicas.size(); r++) {
            float w = (float) (start[r + 1] - start[r]) / batch;
            if (w == 0f) {
                continue;
            }
            List<Parameter> mine = replicas.get(r).root.parameters();
            for (int i = 0; i < primary.size(); i++) {
                backend.axpy(primary.get(i).size, w, mine.get(i).grad, primary.get(i).grad);
            }
        }
    }

    private void backendScale(List<Parameter> params, float factor) {
        for (Parameter p : params) {
            backend.scale(p.size, factor, p.grad);
        }
    }

    /** Predicted classes for the current input (evaluation mode). */
    public void predict(int batch, int[] predictions) {
        eachChunk(batch, (rep, from, n) -> {
            Tensor logits = rep.root.forward(rep.input, n, false);
            int[] chunkPred = new int[n];
            backend.argmaxRows(logits, n, classes, chunkPred);
            System.arraycopy(chunkPred, 0, predictions, from, n);
        });
    }

    /** A host copy of the logits of a forward pass (tests). */
    public float[] logits(int batch, boolean training) {
        float[] out = new float[batch * classes];
        eachChunk(batch, (rep, from, n) -> {
            Tensor logits = rep.root.forward(rep.input, n, training);
            float[] part = new float[n * classes];
            backend.download(logits, part, part.length);
            System.arraycopy(part, 0, out, from * classes, part.length);
        });
        return out;
    }

    /** Whether the network normalises with batch statistics anywhere (its running ones at evaluation). */
    public boolean hasBatchNorm() {
        return !batchNorms().isEmpty();
    }

    /**
     * Host copies of every batch-norm layer's running mean and variance, in layer order
     * ({@link #restoreBatchNormStats} puts them back).
     */
    public float[][] batchNormStats() {
        List<BatchNorm2d> norms = batchNorms();
        float[][] out = new float[2 * norms.size()][];
        for (int j = 0; j < norms.size(); j++) {
            Tensor[] stats = norms.get(j).runningStats();
            int c = (int) stats[0].size();
            out[2 * j] = host(stats[0], c);
            out[2 * j + 1] = host(stats[1], c);
        }
        return out;
    }

    /** Puts back what {@link #batchNormStats} copied (mean and variance of each layer, in layer order). */
    public void restoreBatchNormStats(float[][] saved) {
        List<BatchNorm2d> norms = batchNorms();
        for (int j = 0; j < norms.size(); j++) {
            Tensor[] stats = norms.get(j).runningStats();
            backend.upload(saved[2 * j], stats[0], saved[2 * j].length);
            backend.upload(saved[2 * j + 1], stats[1], saved[2 * j + 1].length);
        }
    }

    /**
     * Re-estimates every batch-norm layer's running statistics from the given batches alone: each is run
     * forward in training mode (batch statistics, no backward pass, no parameter touched) and the running
     * mean and variance become the plain average over them.
     *
     * @param batches fills the input ({@link #setInput}) for batch k and returns its size; called for k = 0, 1, ...
     */
    public void recalibrateBatchNorm(int count, IntUnaryOperator batches) {
        List<BatchNorm2d> norms = batchNorms();
        norms.forEach(BatchNorm2d::startRecalibration);
        try {
            for (int k = 0; k < count; k++) {
                int n = batches.applyAsInt(k);
                eachChunk(n, (rep, from, m) -> rep.root.forward(rep.input, m, true));
            }
        } finally {
            norms.forEach(BatchNorm2d::endRecalibration);
        }
    }

    /**
     * Saves what training changes: every parameter's value (as {@code p<i>}, in {@link #parameters()}
     * order, with its name and shape), batch-norm running statistics ({@code bn<j>/mean}, {@code var}) and
     * the forward pass counter (crossbar noise is drawn by pass).
     */
    public void saveState(Hdf5Group g) {
        List<Parameter> params = parameters();
        for (int i = 0; i < params.size(); i++) {
            Parameter p = params.get(i);
            g.putFloats("p" + i, p.read(), p.shape).attribute("name", p.name);
        }
        float[][] stats = batchNormStats();
        for (int j = 0; j < stats.length / 2; j++) {
            Hdf5Group bn = g.group("bn" + j);
            bn.putFloats("mean", stats[2 * j]);
            bn.putFloats("var", stats[2 * j + 1]);
        }
        g.putScalar("passes", passes);
        g.attribute("parameters", params.size());
    }

    /** Restores {@link #saveState}; a checkpoint of another network fails with one line naming the dataset. */
    public void loadState(Hdf5Reader r, String path) {
        List<Parameter> params = parameters();
        long saved = r.longAttribute(path, "parameters");
        if (saved != params.size()) {
            throw r.error(path, "holds " + saved + " parameters, network " + name + " has " + params.size()
                    + " (a checkpoint of another model?)");
        }
        for (int i = 0; i < params.size(); i++) {
            Parameter p = params.get(i);
            p.write(r.floats(path + "/p" + i, p.shape));
        }
        List<BatchNorm2d> norms = batchNorms();
        float[][] stats = new float[2 * norms.size()][];
        for (int j = 0; j < norms.size(); j++) {
            int c = (int) norms.get(j).runningStats()[0].size();
            stats[2 * j] = r.floats(path + "/bn" + j + "/mean", c);
            stats[2 * j + 1] = r.floats(path + "/bn" + j + "/var", c);
        }
        restoreBatchNormStats(stats);
        passes = r.longScalar(path + "/passes");
    }

    private float[] host(Tensor t, int n) {
        float[] a = new float[n];
        backend.download(t, a, n);
        return a;
    }

    private List<BatchNorm2d> batchNorms() {
        List<BatchNorm2d> out = new ArrayList<>();
        for (Layer l : leaves()) {
            if (l instanceof BatchNorm2d bn) {
                out.add(bn);
            }
        }
        return out;
    }

    @Override
    public void close() {
    }
}
